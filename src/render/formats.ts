// The report formats, and which one a file name asks for (`-o report.csv`).
import { extname } from 'node:path';

export const FORMATS = ['human', 'json', 'jsonl', 'markdown', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

const FORMAT_BY_EXTENSION: Record<string, Format> = {
  '.txt': 'human',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.md': 'markdown',
  '.csv': 'csv',
  '.html': 'html',
  '.htm': 'html',
};

export function formatForFile(path: string): Format | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}
