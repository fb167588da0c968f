// Assemble the cli.md report from the checks' results and the ranking.
import type { Target } from './facts.js';
import { UNFINISHED, type CheckResult } from './run.js';
import { rank } from './rank.js';
import type { Report } from '../report/schema.js';
import { standingOf, type Standing } from '../report/standing.js';
import { VERSION } from '../version.js';

export function buildReport(target: Target, startedAt: Date, durationMs: number, checks: CheckResult[]): Report {
  const diagnosis = rank(checks.flatMap(c => c.findings));
  const severities = checks.flatMap(c => c.findings.map(f => f.severity));
  const verdict = severities.includes('error') ? 'error' : severities.includes('warning') ? 'warning' : severities.includes('info') ? 'info' : 'ok';
  return {
    schemaVersion: 1,
    tool: { name: 'maildiag', version: VERSION },
    target: target.unicode,
    ascii: target.ascii,
    kind: target.kind,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    verdict,
    diagnosis,
    checks,
    // A check that stopped carries its error; one that could not look, the reason.
    incomplete: checks.flatMap(c => (isUnfinished(c.status) ? [{ id: c.id, status: c.status, reason: String(c.data['error'] ?? c.data['reason'] ?? c.status) }] : [])),
  };
}

const isUnfinished = (status: CheckResult['status']): status is (typeof UNFINISHED)[number] => (UNFINISHED as readonly string[]).includes(status);

/** A check crashed inside maildiag (not a network outcome): exit status 3. */
export const hasInternalError = (report: Report): boolean =>
  report.checks.some(c => c.status === 'error' && c.data['reason'] === 'internal');

/** What an audit keeps of each report once it is printed: enough for the exit status and the summary. */
export interface ReportOutcome {
  verdict: Report['verdict'];
  /** The verdict, or incomplete where checks did not finish and it would say ok or info. */
  standing: Standing;
  internalError: boolean;
  /** Causes at warning or error, ranked. */
  causes: Report['diagnosis'][number]['cause'][];
}

export const outcomeOf = (report: Report): ReportOutcome => ({
  verdict: report.verdict,
  standing: standingOf(report),
  internalError: hasInternalError(report),
  causes: report.diagnosis.filter(d => d.severity !== 'info').map(d => d.cause),
});
