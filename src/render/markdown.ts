// A report to paste into a ticket: the verdict, the ranked diagnosis as a
// list with who fixes it, and the checks as a table.
import type { Report } from '../report/schema.js';
import { cleanLine } from './sanitize.js';
import { CHANGE_LABEL, describeChanges } from './changes.js';
import { SEVERITY_LABEL, SIDE_LABEL, STATUS_LABEL, verdictLine } from './words.js';
import { APPLIES_LABEL, senderRulesOf, VERDICT_LABEL } from './sender-rules.js';

/** Text from the network inside markdown: no control characters, no markup that could restructure the ticket. */
const md = (text: string): string => cleanLine(text).replace(/([\\`*_{}[\]<>|#])/g, '\\$1');

export function renderMarkdown(report: Report): string {
  const out = [`## maildiag: ${md(report.target)}`, '', `**${verdictLine(report)}** (${(report.durationMs / 1000).toFixed(2)} s, ${report.startedAt})`, ''];
  if (report.changes) out.push(`Since the last run: **${CHANGE_LABEL[report.changes.status]}**: ${md(describeChanges(report.changes))}`, '');
  if (report.diagnosis.length) {
    out.push('### Diagnosis (most likely cause first)', '');
    for (const d of report.diagnosis) {
      out.push(`${d.rank}. **${SEVERITY_LABEL[d.severity]}: ${d.title}** (\`${d.cause}\`)`);
      for (const m of d.messages) out.push(`   - ${md(m)}`);
      out.push(`   - Who fixes it: ${SIDE_LABEL[d.side]}`, `   - Fix: ${d.fix}`);
      if (d.evidence.length) out.push(`   - Evidence: ${d.evidence.map(e => `\`${cleanLine(e).replace(/`/g, "'")}\``).join('; ')}`);
      if (d.explains.length) out.push(`   - Also explains: ${d.explains.map(e => `\`${e}\``).join(', ')}`);
    }
    out.push('');
  }
  out.push('### Checks', '', '| status | check | detail |', '| --- | --- | --- |');
  for (const c of report.checks) {
    const detail = c.findings.length ? [...new Set(c.findings.map(f => f.cause))].join(', ') : c.status === 'skipped' || c.status === 'untestable' || c.status === 'error' || c.status === 'interrupted' ? String(c.data['reason'] ?? c.data['error'] ?? '') : 'ok';
    out.push(`| ${STATUS_LABEL[c.status]} | ${md(c.title)} | ${md(detail)} |`);
  }
  out.push(...senderRules(report));
  return `${out.join('\n')}\n`;
}

/** A received message's rules, one table per provider (check-message, --message). */
function senderRules(report: Report): string[] {
  const rules = senderRulesOf(report);
  if (!rules) return [];
  return ['', '### Mailbox providers\' sender rules', ...rules.providers.flatMap(p => [
    '',
    `**${p.name}** (${p.source}, read ${p.read}; bulk sender: ${md(p.bulk)})`,
    '',
    '| applies to | verdict | requirement | evidence |',
    '| --- | --- | --- | --- |',
    ...rules.rows.filter(r => r.provider === p.id).map(r => `| ${APPLIES_LABEL[r.applies]} | ${VERDICT_LABEL[r.verdict]} | ${md(r.requirement)} | ${md(r.evidence)} |`),
  ])];
}
