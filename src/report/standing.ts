// What a report amounts to, the one reading every renderer, the audit summary
// and the comparison share: its verdict (worst severity found, or ok), except
// that a report whose checks did not all finish (Ctrl-C, a check that could
// not look) and found nothing worse than notes is "incomplete", never OK. The
// JSON keeps the verdict as the contract defines it, beside `incomplete` and
// `interrupted`, which say the same to a script.
import type { Report } from './schema.js';

export type Standing = Report['verdict'] | 'incomplete';

/** Worst first. */
export const STANDINGS: readonly Standing[] = ['error', 'warning', 'incomplete', 'info', 'ok'];

export function standingOf(report: { verdict: Report['verdict']; incomplete: readonly unknown[] }): Standing {
  return report.incomplete.length && (report.verdict === 'ok' || report.verdict === 'info') ? 'incomplete' : report.verdict;
}
