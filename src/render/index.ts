// Renderers only format a report; they never compute anything about it. Each
// loads on demand: `--json` need not pay for colour and table layout.
import type { Report } from '../report/schema.js';
import type { Format } from './formats.js';
import { CSV_HEADER } from './csv.js';

export interface RenderOptions {
  color: boolean;
  verbose: boolean;
  width: number;
}

export type Renderer = (report: Report, options: RenderOptions) => string;

export async function loadRenderer(format: Format): Promise<Renderer> {
  switch (format) {
    case 'json':
      return report => `${JSON.stringify(report, null, 2)}\n`;
    case 'jsonl':
      return report => `${JSON.stringify(report)}\n`;
    case 'human':
      return (await import('./human.js')).renderHuman;
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown;
    case 'csv':
      return (await import('./csv.js')).renderCsv;
    case 'html': {
      const { renderHtmlDocument } = await import('./html.js');
      return report => renderHtmlDocument({ reports: [report] });
    }
  }
}

/** Lines printed once before a stream of reports (csv's header). */
export const preamble: Partial<Record<Format, string>> = { csv: `${CSV_HEADER}\n` };
