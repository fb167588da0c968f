// The report a person reads: the verdict, the ranked diagnosis with who fixes
// what, a table of checks, then hints. Meaning is carried by words, never by
// colour alone, so it reads the same piped, without colour or via a screen reader.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Report } from '../report/schema.js';
import type { RenderOptions } from './index.js';
import { plainTable } from './plain-table.js';
import { cleanLine } from './sanitize.js';
import { CHANGE_LABEL, describeChanges } from './changes.js';
import { senderRulesSection } from './sender-rules.js';
import { wrap } from './wrap.js';
import { SEVERITY_LABEL, SIDE_LABEL, STATUS_LABEL, verdictLine } from './words.js';
import { standingOf } from '../report/standing.js';

type Entry = Report['diagnosis'][number];

/** Wide enough for every check title on one line. */
const TITLE_WIDTH = 33;

export function renderHuman(report: Report, options: RenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(60, Math.min(options.width, 100));
  const out = [headline(report, c), ...(report.changes ? wrap(`Since the last run: ${CHANGE_LABEL[report.changes.status]}: ${describeChanges(report.changes)}`, width, '', '  ') : []), ''];
  const shown = report.diagnosis.filter(d => options.verbose || d.severity !== 'info' || report.diagnosis.every(x => x.severity === 'info'));
  if (shown.length) {
    out.push(c.bold('Diagnosis, most likely cause first'));
    shown.forEach(entry => out.push(...diagnosisEntry(entry, c, width, options.verbose), ''));
  }
  const hiddenInfo = report.diagnosis.length - shown.length;
  out.push(c.bold('Checks'), checksTable(report, width), ...skippedChecks(report, width), ...senderRulesSection(report, width, options.verbose), ...(options.verbose ? smtpTranscripts(report, c) : []), ...hints(report, options, hiddenInfo));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function headline(report: Report, c: ChalkInstance): string {
  const standing = standingOf(report);
  const paint = standing === 'error' ? c.red.bold : standing === 'ok' || standing === 'info' ? c.green.bold : c.yellow.bold;
  const name = report.target === report.ascii ? report.target : `${report.target} (${report.ascii})`;
  return `${c.bold(cleanLine(name))}: ${paint(verdictLine(report))}  ${c.dim(`[${(report.durationMs / 1000).toFixed(2)} s]`)}`;
}

function diagnosisEntry(entry: Entry, c: ChalkInstance, width: number, verbose: boolean): string[] {
  const paint = entry.severity === 'error' ? c.red : entry.severity === 'warning' ? c.yellow : c.cyan;
  const indent = '    ';
  const label = SEVERITY_LABEL[entry.severity];
  const lines = wrap(`${String(entry.rank).padStart(2)}. ${label} ${entry.title} (${entry.cause})`, width, '', indent);
  lines[0] = lines[0]!.replace(label, paint.bold(label));
  const messages = entry.messages.slice(0, verbose ? undefined : 3);
  for (const message of messages) lines.push(...wrap(`- ${cleanLine(message)}`, width, indent, `${indent}  `));
  if (entry.messages.length > messages.length) lines.push(`${indent}  … and ${entry.messages.length - messages.length} more (--verbose)`);
  lines.push(...wrap(`Who fixes it: ${SIDE_LABEL[entry.side]}`, width, indent));
  lines.push(...wrap(`Fix: ${entry.fix}`, width, indent));
  if (verbose) {
    lines.push(...wrap(`Why: ${entry.explanation}`, width, indent));
    for (const e of entry.evidence) lines.push(...wrap(`Evidence: ${cleanLine(e)}`, width, indent, `${indent}  `));
  }
  if (entry.explains.length) lines.push(...wrap(`Also explains: ${entry.explains.join(', ')}`, width, indent));
  return lines;
}

function checksTable(report: Report, width: number): string {
  const rows = report.checks.filter(check => check.status !== 'skipped').map(check => [STATUS_LABEL[check.status], check.title, checkDetail(check)]);
  const detailWidth = Math.max(20, width - 4 - 5 - TITLE_WIDTH - 6);
  return plainTable(rows, [{ width: 5 }, { width: TITLE_WIDTH, wrapWord: true }, { width: detailWidth, wrapWord: true }]);
}

/** Checks that could not run, one line per reason: listing each would bury the ones that did. */
function skippedChecks(report: Report, width: number): string[] {
  const byReason = new Map<string, string[]>();
  for (const check of report.checks.filter(c => c.status === 'skipped')) {
    const reason = /^runs only with/.test(String(check.data['reason'])) ? String(check.data['reason']) : 'their inputs were not available';
    byReason.set(reason, [...(byReason.get(reason) ?? []), check.title]);
  }
  if (!byReason.size) return [];
  return ['', ...[...byReason].flatMap(([reason, titles]) => wrap(`Not run (${reason}): ${titles.join(', ')}.`, width, ' ', ' '))];
}

/** --verbose: every port-25 session as it was said, one block per MX address (the diagnosis quotes only the lines that prove it). */
function smtpTranscripts(report: Report, c: ChalkInstance): string[] {
  const probes = report.checks.find(check => check.id === 'smtp-reachability')?.data['probes'];
  if (!Array.isArray(probes)) return [];
  const sessions = (probes as { host?: unknown; ip?: unknown; port?: unknown; transcript?: unknown }[]).filter(p => Array.isArray(p.transcript) && p.transcript.length);
  if (!sessions.length) return [];
  return ['', c.bold('SMTP transcripts'), ...sessions.flatMap(p => [`${cleanLine(String(p.host))} (${cleanLine(String(p.ip))}) port ${String(p.port)}`, ...(p.transcript as unknown[]).map(line => `    ${cleanLine(String(line))}`)])];
}

export function checkDetail(check: Report['checks'][number]): string {
  if (check.status === 'skipped') return cleanLine(String(check.data['reason'] ?? 'skipped'));
  if (check.status === 'interrupted') return 'interrupted before it finished';
  if (check.status === 'error') return cleanLine(`could not finish: ${String(check.data['error'] ?? 'unknown error')}`);
  if (check.status === 'untestable') return cleanLine(String(check.data['reason']));
  if (!check.findings.length) return check.status === 'info' && check.data['reason'] ? cleanLine(String(check.data['reason'])) : 'ok';
  const causes = [...new Set(check.findings.map(f => f.cause))];
  return causes.join(', ');
}

function hints(report: Report, options: RenderOptions, hiddenInfo: number): string[] {
  const out: string[] = [];
  if (hiddenInfo) out.push(`${hiddenInfo} informational note${hiddenInfo === 1 ? '' : 's'} hidden: run with --verbose to see ${hiddenInfo === 1 ? 'it' : 'them'}.`);
  if (!options.verbose && report.checks.some(c => c.id.startsWith('smtp'))) out.push('Run with --verbose for evidence and SMTP transcripts.');
  if (report.diagnosis.length) out.push('Run "maildiag causes <id>" for more about a cause.');
  return out.length ? ['', 'Hints', ...out.map(h => `- ${h}`)] : [];
}
