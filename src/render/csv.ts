// One row per finding (RFC 4180), for spreadsheets and scripts. Messages
// quote what servers said, and CSV lands in terminals and CI logs too: fields
// are cleaned of escape sequences and control characters like the human report.
import type { Report } from '../report/schema.js';
import { standingOf } from '../report/standing.js';
import { cleanLine } from './sanitize.js';

export const CSV_HEADER = 'target,verdict,check,cause,severity,side,subjects,message';

function field(raw: string): string {
  const value = cleanLine(raw);
  return /[",]/.test(value) || /^[=+\-@]/.test(value) ? `"${value.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : value;
}

/** Rows for one report; a report without findings still gets one row, so every target appears. */
export function renderCsv(report: Report): string {
  // The verdict column never says ok for a report whose checks did not all finish: "incomplete".
  const verdict = standingOf(report);
  const rows = report.checks.flatMap(check =>
    check.findings.map(f => [report.target, verdict, check.id, f.cause, f.severity, f.side, f.subjects.join(' '), f.message]),
  );
  if (!rows.length) rows.push([report.target, verdict, '', '', '', '', '', '']);
  return `${rows.map(r => r.map(field).join(',')).join('\n')}\n`;
}
