// The end of a human audit: how many targets got each verdict, and the causes
// seen most often (one count per target), so a fleet's common problem stands out.
import { table, getBorderCharacters } from 'table';
import type { ReportOutcome } from '../pipeline/report.js';
import { causes, type CauseId } from '../causes.js';

const VERDICTS = ['error', 'warning', 'info', 'ok'] as const;
const TOP_CAUSES = 10;

export function renderAuditSummary(reports: readonly ReportOutcome[], extra: { skipped: number; interrupted: boolean }): string {
  const verdicts = VERDICTS.map(v => [v, String(reports.filter(r => r.verdict === v).length)]);
  const counts = new Map<CauseId, number>();
  for (const r of reports) for (const cause of r.causes) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_CAUSES);
  const layout = { border: getBorderCharacters('void'), columnDefault: { paddingLeft: 1, paddingRight: 1 }, drawHorizontalLine: () => false };
  const out = ['', `Audit summary: ${reports.length} target${reports.length === 1 ? '' : 's'} diagnosed${extra.skipped ? `, ${extra.skipped} invalid line${extra.skipped === 1 ? '' : 's'} skipped` : ''}${extra.interrupted ? ' (interrupted)' : ''}`];
  out.push(table([['verdict', 'targets'], ...verdicts], layout).trimEnd());
  if (common.length) {
    out.push('', 'Most common causes (targets affected)');
    out.push(table(common.map(([id, n]) => [String(n), id, causes[id].title]), { ...layout, columns: [{ width: 6 }, { width: 28 }, { width: 40, wrapWord: true }] }).trimEnd());
  }
  return `${out.join('\n')}\n`;
}
