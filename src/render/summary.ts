// The end of a human audit: how many targets got each verdict, and the causes
// seen most often (one count per target), so a fleet's common problem stands out.
import type { ReportOutcome } from '../pipeline/report.js';
import { STANDINGS } from '../report/standing.js';
import { causes, type CauseId } from '../causes.js';
import { plainTable } from './plain-table.js';

const TOP_CAUSES = 10;

export function renderAuditSummary(reports: readonly ReportOutcome[], extra: { skipped: number; interrupted: boolean }): string {
  // A target whose checks did not all finish is counted as incomplete, never as ok.
  const verdicts = STANDINGS.map(s => [s, String(reports.filter(r => r.standing === s).length)]);
  const counts = new Map<CauseId, number>();
  for (const r of reports) for (const cause of r.causes) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP_CAUSES);
  const out = ['', `Audit summary: ${reports.length} target${reports.length === 1 ? '' : 's'} diagnosed${extra.skipped ? `, ${extra.skipped} invalid line${extra.skipped === 1 ? '' : 's'} skipped` : ''}${extra.interrupted ? ' (interrupted)' : ''}`];
  out.push(plainTable([['verdict', 'targets'], ...verdicts]));
  if (common.length) {
    out.push('', 'Most common causes (targets affected)');
    out.push(plainTable(common.map(([id, n]) => [String(n), id, causes[id].title]), [{ width: 6 }, { width: 28 }, { width: 40, wrapWord: true }]));
  }
  return `${out.join('\n')}\n`;
}
