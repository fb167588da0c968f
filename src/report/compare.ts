// What changed for each target since an earlier run: causes new, resolved, and
// changed in severity, and whether the target got worse or better. Pure
// functions of two reports; the file reading lives in the CLI.
import type { Severity } from '../causes.js';
import type { BaselineReport, CauseRef, ComparisonSummary, TargetChanges } from './schema.js';

const LEVEL: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The causes of a report by id (the ranker lists each cause once; the worst entry wins if not). */
function causesById(report: BaselineReport): Map<string, CauseRef> {
  const byId = new Map<string, CauseRef>();
  for (const { cause, severity, side, title } of report.diagnosis) {
    const seen = byId.get(cause);
    if (!seen || LEVEL[severity] > LEVEL[seen.severity]) byId.set(cause, { cause, severity, side, title });
  }
  return byId;
}

/**
 * `before` is the target's report in the baseline, if it was there. A target
 * is worse when a warning or error appeared or a cause got more severe, and
 * better when one went away or got milder without anything getting worse;
 * informational notes coming and going are listed but change neither.
 */
export function compareTarget(before: BaselineReport | undefined, after: BaselineReport): TargetChanges {
  const now = causesById(after);
  if (!before) return { status: 'added', previousVerdict: null, new: [...now.values()], resolved: [], changed: [] };
  const then = causesById(before);
  const added = [...now.values()].filter(c => !then.has(c.cause));
  const resolved = [...then.values()].filter(c => !now.has(c.cause));
  const changed = [...now.values()].flatMap(c => {
    const was = then.get(c.cause);
    return was && was.severity !== c.severity ? [{ cause: c.cause, side: c.side, title: c.title, from: was.severity, to: c.severity }] : [];
  });
  const worse = added.some(c => c.severity !== 'info') || changed.some(c => LEVEL[c.to] > LEVEL[c.from]);
  const better = resolved.some(c => c.severity !== 'info') || changed.some(c => LEVEL[c.to] < LEVEL[c.from]);
  return { status: worse ? 'worse' : better ? 'better' : 'unchanged', previousVerdict: before.verdict, new: added, resolved, changed };
}

/** Causes at or above `threshold` that are new or got more severe: what a nightly job fails on. */
export function regressions(changes: TargetChanges, threshold: Severity): CauseRef[] {
  const atLeast = (s: Severity) => LEVEL[s] >= LEVEL[threshold];
  const worsened = changes.changed.filter(c => LEVEL[c.to] > LEVEL[c.from] && atLeast(c.to)).map(c => ({ cause: c.cause, severity: c.to, side: c.side, title: c.title }));
  return [...changes.new.filter(c => atLeast(c.severity)), ...worsened];
}

/** Counts by status, and the baseline's targets missing from this run's list. */
export function summarize(baselineName: string, changes: readonly TargetChanges[], removed: readonly BaselineReport[]): ComparisonSummary {
  const count = (status: TargetChanges['status']) => changes.filter(c => c.status === status).length;
  return {
    baseline: baselineName,
    worse: count('worse'),
    better: count('better'),
    unchanged: count('unchanged'),
    added: count('added'),
    removed: removed.map(r => ({ target: r.target, ascii: r.ascii, verdict: r.verdict })),
  };
}
