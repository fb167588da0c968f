// What changed for each target since an earlier run: causes new, resolved, and
// changed in severity, and whether the target got worse or better. Pure
// functions of two reports; the file reading lives in the CLI. A cause is
// resolved only if this run looked for it again: when the check that reports
// it did not run or could not conclude, the cause is "not rechecked", never
// fixed; and a cause is new only if the baseline looked for it.
import type { CauseId, Severity } from '../causes.js';
import { checks } from '../checks/index.js';
import type { BaselineReport, CauseRef, ComparisonSummary, Report, TargetChanges } from './schema.js';

const LEVEL: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The checks that can report each cause. */
const reportedBy = new Map<CauseId, string[]>();
for (const check of checks) for (const cause of check.emits) reportedBy.set(cause, [...(reportedBy.get(cause) ?? []), check.id]);

interface CheckOutcome {
  id: string;
  status: string;
  findings: readonly unknown[];
}

/** A check looked when it reached a verdict: not skipped, not failed, not an "info" that only says why it could not conclude. */
const looked = (check: CheckOutcome): boolean =>
  check.status === 'pass' || check.status === 'warn' || check.status === 'fail' || (check.status === 'info' && check.findings.length > 0);

/** Whether a run looked for the cause: some check that reports it reached a verdict (a report without its checks: taken as yes). */
function lookedFor(cause: CauseId, report: { checks?: readonly CheckOutcome[] | undefined }): boolean {
  if (!report.checks) return true;
  const ids = reportedBy.get(cause) ?? [];
  return report.checks.some(check => ids.includes(check.id) && looked(check));
}

/** The causes of a report by id (the ranker lists each cause once; the worst entry wins if not). */
function causesById(report: Pick<BaselineReport, 'diagnosis'>): Map<CauseId, CauseRef> {
  const byId = new Map<CauseId, CauseRef>();
  for (const { cause, severity, side, title } of report.diagnosis) {
    const seen = byId.get(cause);
    if (!seen || LEVEL[severity] > LEVEL[seen.severity]) byId.set(cause, { cause, severity, side, title });
  }
  return byId;
}

/**
 * `before` is the target's report in the baseline, if it was there. A target
 * is worse when a warning or error appeared or a cause got more severe;
 * incomplete when, short of that, a warning or error of the baseline could not
 * be looked for again, or the run was interrupted; better when one went away or got milder. Informational
 * notes coming and going are listed but change none of these.
 */
export function compareTarget(before: BaselineReport | undefined, after: Pick<Report, 'diagnosis' | 'checks' | 'interrupted'>): TargetChanges {
  const now = causesById(after);
  if (!before) return { status: 'added', previousVerdict: null, new: [...now.values()], resolved: [], notRechecked: [], notCheckedBefore: [], changed: [] };
  const then = causesById(before);
  // A symptom folded under a new root cause is still there, not resolved.
  const folded = new Set(after.diagnosis.flatMap(d => d.explains));
  const appeared = [...now.values()].filter(c => !then.has(c.cause));
  const added = appeared.filter(c => lookedFor(c.cause, before));
  const notCheckedBefore = appeared.filter(c => !lookedFor(c.cause, before));
  const gone = [...then.values()].filter(c => !now.has(c.cause) && !folded.has(c.cause));
  const resolved = gone.filter(c => lookedFor(c.cause, after));
  const notRechecked = gone.filter(c => !lookedFor(c.cause, after));
  const changed = [...now.values()].flatMap(c => {
    const was = then.get(c.cause);
    return was && was.severity !== c.severity ? [{ cause: c.cause, side: c.side, title: c.title, from: was.severity, to: c.severity }] : [];
  });
  const worse = added.some(c => c.severity !== 'info') || changed.some(c => LEVEL[c.to] > LEVEL[c.from]);
  // A run cut short (Ctrl-C) did not look at everything: nothing it says is "unchanged".
  const incomplete = [...notRechecked, ...notCheckedBefore].some(c => c.severity !== 'info') || Boolean(after.interrupted);
  const better = resolved.some(c => c.severity !== 'info') || changed.some(c => LEVEL[c.to] < LEVEL[c.from]);
  const status = worse ? 'worse' : incomplete ? 'incomplete' : better ? 'better' : 'unchanged';
  return { status, previousVerdict: before.verdict, new: added, resolved, notRechecked, notCheckedBefore, changed };
}

/**
 * Causes at or above `threshold` that are new or got more severe: what a
 * nightly job fails on. One the baseline did not look for counts too: it was
 * never reported, and once in tomorrow's baseline it would never be.
 */
export function regressions(changes: TargetChanges, threshold: Severity): CauseRef[] {
  const atLeast = (s: Severity) => LEVEL[s] >= LEVEL[threshold];
  const worsened = changes.changed.filter(c => LEVEL[c.to] > LEVEL[c.from] && atLeast(c.to)).map(c => ({ cause: c.cause, severity: c.to, side: c.side, title: c.title }));
  return [...changes.new, ...changes.notCheckedBefore].filter(c => atLeast(c.severity)).concat(worsened);
}

/** Counts by status, the baseline's targets missing from this run's list, and the listed targets this run never started. */
export function summarize(baselineName: string, changes: readonly TargetChanges[], removed: readonly BaselineReport[], notChecked: ComparisonSummary['notChecked'] = []): ComparisonSummary {
  const count = (status: TargetChanges['status']) => changes.filter(c => c.status === status).length;
  return {
    baseline: baselineName,
    worse: count('worse'),
    better: count('better'),
    incomplete: count('incomplete'),
    unchanged: count('unchanged'),
    added: count('added'),
    removed: removed.map(r => ({ target: r.target, ascii: r.ascii, verdict: r.verdict })),
    notChecked,
  };
}
