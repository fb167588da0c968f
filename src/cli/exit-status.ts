// Exit status from reports (shared/spec/cli.md): a pure function.
import type { ReportOutcome } from '../pipeline/report.js';
import type { FailOn } from './options.js';

const LEVELS = { info: 0, warning: 1, error: 2 } as const;

/** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_STATUS = 130;

export function exitStatus(reports: readonly ReportOutcome[], failOn: FailOn): 0 | 1 | 3 {
  if (reports.some(r => r.internalError)) return 3;
  if (failOn === 'never') return 0;
  const threshold = LEVELS[failOn];
  const failing = reports.some(r => r.verdict !== 'ok' && LEVELS[r.verdict] >= threshold);
  return failing ? 1 : 0;
}
