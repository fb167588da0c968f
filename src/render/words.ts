// The renderers' own headings and labels (cause words live in src/causes.ts).
import type { Severity, Side } from '../causes.js';
import type { Report } from '../report/schema.js';
import { standingOf } from '../report/standing.js';

type Verdict = Report['verdict'];

export const SIDE_LABEL: Record<Side, string> = {
  recipient: 'the receiving domain (its DNS or mail server admin)',
  sender: 'the sender (the sending server or domain)',
  network: 'the network in between (ISP, firewall, list operator)',
  local: 'this machine (where maildiag runs)',
};

export const SEVERITY_LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

export const STATUS_LABEL = { pass: 'pass', warn: 'WARN', fail: 'FAIL', info: 'info', skipped: 'skip', error: 'ERROR', interrupted: 'INTR', untestable: 'UNTST' } as const;

export function verdictLine(report: { verdict: Verdict; diagnosis: { severity: Severity }[]; incomplete: readonly unknown[] }): string {
  const found = foundLine(report);
  if (!report.incomplete.length) return found;
  // What was seen may look fine; a run that did not see everything never says OK.
  const unfinished = `INCOMPLETE: ${plural(report.incomplete.length, 'check')} could not finish looking`;
  if (standingOf(report) !== 'incomplete') return `${unfinished}; ${found}`;
  return `${unfinished}; ${report.verdict === 'ok' ? 'no problems in what was checked' : found.replace(/^OK: nothing wrong/, 'nothing wrong in what was checked')}`;
}

function foundLine(report: { verdict: string; diagnosis: { severity: Severity }[] }): string {
  const count = (s: Severity) => report.diagnosis.filter(d => d.severity === s).length;
  const parts = [plural(count('error'), 'error'), plural(count('warning'), 'warning'), plural(count('info'), 'note')].filter(Boolean);
  switch (report.verdict) {
    case 'ok': return 'OK: no problems found';
    case 'info': return `OK: nothing wrong, ${parts.join(', ')}`;
    case 'warning': return `AT RISK: ${parts.join(', ')}`;
    default: return `PROBLEM: ${parts.join(', ')}`;
  }
}

const plural = (n: number, word: string) => (n ? `${n} ${word}${n === 1 ? '' : 's'}` : '');
