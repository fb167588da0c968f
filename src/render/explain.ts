// The explain report for people (human, markdown) and scripts (json). Every
// string that came from the input goes through the shared sanitiser first:
// bounce text is attacker-controlled and must not drive the terminal.
import { Chalk, type ChalkInstance } from 'chalk';
import { cleanLine } from './sanitize.js';
import { SIDE_LABEL } from './words.js';
import type { ExplainEntry, ExplainReport } from '../explain/types.js';

export type ExplainFormat = 'human' | 'json' | 'markdown';

export function renderExplain(report: ExplainReport, format: ExplainFormat, opts: { color: boolean }): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return renderMarkdown(report);
  return renderHuman(report, new Chalk({ level: opts.color ? 1 : 0 }));
}

const percent = (confidence: number) => `${Math.round(confidence * 100)}%`;
const permanence = (e: ExplainEntry) => (e.temporary ? 'temporary (the sender retries)' : 'permanent (will not succeed as is)');

function where(e: ExplainEntry): string {
  const parts = [e.remoteMta && `server ${cleanLine(e.remoteMta)}`, e.stage && `at ${e.stage}`, e.statusCodes.length && `codes ${cleanLine(e.statusCodes.join(' '))}`];
  return parts.filter(Boolean).join(', ');
}

function renderHuman(report: ExplainReport, c: ChalkInstance): string {
  if (!report.causes.length) return `${nothingFound(report)}\n`;
  const out: string[] = [];
  for (const e of report.causes) {
    const paint = e.temporary ? c.yellow.bold : c.red.bold;
    out.push(`${c.bold(e.recipient ? cleanLine(e.recipient) : 'Recipient not named')}${where(e) ? c.dim(`  (${where(e)})`) : ''}`);
    out.push(`  ${paint(e.temporary ? 'TEMPORARY' : 'PERMANENT')} ${e.title} ${c.dim(`(${e.cause}, confidence ${percent(e.confidence)})`)}`);
    for (const line of e.evidence) out.push(`    evidence: ${cleanLine(line)}`);
    out.push(`    who fixes it: ${SIDE_LABEL[e.side]}`);
    if (e.fix) out.push(`    fix: ${e.fix}`);
    if (e.secondary.length) out.push(`    also possible: ${e.secondary.map(s => `${s.cause} (${percent(s.confidence)})`).join(', ')}`);
    out.push('');
  }
  out.push(c.dim(summaryLine(report)));
  return `${out.join('\n')}\n`;
}

function renderMarkdown(report: ExplainReport): string {
  if (!report.causes.length) return `${nothingFound(report)}\n`;
  const out = ['# Bounce explained', ''];
  for (const e of report.causes) {
    out.push(`## ${e.recipient ? md(e.recipient) : 'Recipient not named'}`, '');
    out.push(`- **Cause:** \`${e.cause}\`: ${e.title} (confidence ${percent(e.confidence)})`);
    out.push(`- **Outcome:** ${permanence(e)}`);
    if (where(e)) out.push(`- **Where:** ${md(where(e))}`);
    out.push(`- **Who fixes it:** ${SIDE_LABEL[e.side]}`);
    if (e.fix) out.push(`- **Fix:** ${e.fix}`);
    for (const line of e.evidence) out.push(`- **Evidence:** \`${cleanLine(line).replace(/`/g, "'")}\``);
    if (e.secondary.length) out.push(`- **Also possible:** ${e.secondary.map(s => `\`${s.cause}\` (${percent(s.confidence)})`).join(', ')}`);
    out.push('');
  }
  out.push(`_${summaryLine(report)}_`);
  return `${out.join('\n')}\n`;
}

// Markdown specials from the input are escaped so a crafted address cannot inject links or markup.
const md = (text: string) => cleanLine(text).replace(/([\\`*_[\]<>#|])/g, '\\$1');

function summaryLine(report: ExplainReport): string {
  const p = report.parsed;
  const kind = { dsn: 'delivery status notification', message: 'bounce message', ndr: 'bounce text', log: 'MTA log', reply: 'SMTP reply', text: 'text' }[p.kind];
  const extra = [p.unclassified && `${p.unclassified} recipient(s) not classified`, p.truncated && 'input truncated'].filter(Boolean);
  return `Read as: ${kind}, ${p.entries} recipient entr${p.entries === 1 ? 'y' : 'ies'}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
}

function nothingFound(report: ExplainReport): string {
  return report.parsed.kind === 'log'
    ? 'No failed or deferred delivery in these log lines.'
    : 'No known bounce cause recognised in this text. Pass the whole bounce message (.eml), its diagnostic part, the SMTP reply or the MTA log line.';
}
