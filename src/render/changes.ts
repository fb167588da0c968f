// What changed since the baseline run (--compare), in words: one line per
// target for the human report, and the summary an audit ends with.
import type { ComparisonSummary, TargetChanges } from '../report/schema.js';
import { cleanLine } from './sanitize.js';

export const CHANGE_LABEL: Record<TargetChanges['status'], string> = { worse: 'WORSE', incomplete: 'not rechecked', better: 'better', unchanged: 'unchanged', added: 'new target' };

/** The order changed targets are listed in: what needs attention first. */
export const CHANGE_ORDER: readonly TargetChanges['status'][] = ['worse', 'incomplete', 'added', 'better'];

/** "3 targets got worse, 5 better, 292 unchanged, 1 added, 2 removed". */
export function changeCounts(summary: ComparisonSummary): string {
  const parts = [`${summary.worse} target${summary.worse === 1 ? '' : 's'} got worse`, `${summary.better} better`, `${summary.unchanged} unchanged`];
  if (summary.incomplete) parts.push(`${summary.incomplete} could not be rechecked in full`);
  if (summary.added) parts.push(`${summary.added} added`);
  if (summary.removed.length) parts.push(`${summary.removed.length} removed`);
  if (summary.notChecked.length) parts.push(`${summary.notChecked.length} not checked (interrupted)`);
  return parts.join(', ');
}

/** "new: spf.plus-all (error); resolved: rbl.listed; dmarc.policy-none warning → error". */
export function describeChanges(changes: TargetChanges): string {
  const parts: string[] = [];
  if (changes.new.length) parts.push(`new: ${changes.new.map(c => `${c.cause} (${c.severity})`).join(', ')}`);
  if (changes.changed.length) parts.push(changes.changed.map(c => `${c.cause} ${c.from} → ${c.to}`).join(', '));
  if (changes.resolved.length) parts.push(`resolved: ${changes.resolved.map(c => c.cause).join(', ')}`);
  if (changes.notRechecked.length) parts.push(`not rechecked (the check could not look): ${changes.notRechecked.map(c => c.cause).join(', ')}`);
  if (changes.notCheckedBefore.length) parts.push(`found, not looked for last time: ${changes.notCheckedBefore.map(c => `${c.cause} (${c.severity})`).join(', ')}`);
  return parts.join('; ') || 'no change';
}

export function renderChangesSummary(summary: ComparisonSummary, changed: readonly { target: string; changes: TargetChanges }[]): string {
  const rows = CHANGE_ORDER.flatMap(status => changed.filter(t => t.changes.status === status))
    .map(t => `  ${CHANGE_LABEL[t.changes.status].padEnd(10)} ${cleanLine(t.target)}: ${describeChanges(t.changes)}`);
  const removed = summary.removed.map(r => `  ${'removed'.padEnd(10)} ${cleanLine(r.target)} (was ${r.verdict})`);
  return `${['', `Changes since ${cleanLine(summary.baseline)}: ${changeCounts(summary)}`, ...rows, ...removed].join('\n')}\n`;
}
