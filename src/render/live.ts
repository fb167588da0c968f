// The live checks of `explain --check`, after the explanation: what each
// confirming check found, in the words of the cause registry.
import { Chalk } from 'chalk';
import type { Report } from '../report/schema.js';
import { cleanLine } from './sanitize.js';
import { SEVERITY_LABEL, verdictLine } from './words.js';

export function renderLiveChecks(reports: readonly Report[], format: 'human' | 'markdown', opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  if (!reports.length) return '\nLive check: nothing in this bounce names an address or domain a check could confirm.\n';
  const heading = format === 'markdown' ? '### Live check' : c.bold('Live check');
  const out = ['', heading];
  for (const r of reports) {
    const ran = r.checks.filter(x => x.status !== 'skipped').map(x => x.id).join(', ');
    out.push(`${format === 'markdown' ? '- ' : ''}${cleanLine(r.target)} (${ran}): ${verdictLine(r)}`);
    for (const d of r.diagnosis) out.push(`    ${SEVERITY_LABEL[d.severity]} ${d.cause}: ${d.messages.map(cleanLine).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}
