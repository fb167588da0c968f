// Renderers only format a report; they never compute anything about it.
import type { Report } from '../report/schema.js';
import type { Format } from '../cli/options.js';
import { renderHuman } from './human.js';
import { renderMarkdown } from './markdown.js';
import { renderCsv, CSV_HEADER } from './csv.js';

export interface RenderOptions {
  color: boolean;
  verbose: boolean;
  width: number;
}

export type Renderer = (report: Report, options: RenderOptions) => string;

export const renderers: Record<Format, Renderer> = {
  human: renderHuman,
  json: report => `${JSON.stringify(report, null, 2)}\n`,
  jsonl: report => `${JSON.stringify(report)}\n`,
  markdown: renderMarkdown,
  csv: renderCsv,
};

/** Lines printed once before a stream of reports (csv's header). */
export const preamble: Partial<Record<Format, string>> = { csv: `${CSV_HEADER}\n` };
