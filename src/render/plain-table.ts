// The layout of the human report's tables and the audit summary: no borders or
// rules, and no trailing blanks. Its own module, so that the renderers that
// draw no table do not load the table package.
import { table, getBorderCharacters, type TableUserConfig } from 'table';

export function plainTable(rows: string[][], columns?: TableUserConfig['columns']): string {
  const config: TableUserConfig = { border: getBorderCharacters('void'), columnDefault: { paddingLeft: 1, paddingRight: 1 }, drawHorizontalLine: () => false, ...(columns ? { columns } : {}) };
  return table(rows, config)
    .split('\n')
    .map(line => line.trimEnd())
    .join('\n')
    .trimEnd();
}
