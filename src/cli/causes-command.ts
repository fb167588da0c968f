// `maildiag causes [id]`: the cause vocabulary from the registry.
import { causes, causeIds, isCauseId } from '../causes.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { SIDE_LABEL } from '../render/words.js';

export function runCausesCommand(id: string | undefined, options: { json?: boolean }, io: CliIo): number {
  if (id !== undefined && !isCauseId(id)) {
    const near = causeIds.filter(c => c.startsWith(id.split('.')[0] ?? id));
    throw new UsageError(`unknown cause ${JSON.stringify(id)}${near.length ? ` (did you mean ${near.slice(0, 5).join(', ')}?)` : ''}; "maildiag causes" lists them all`);
  }
  if (options.json) {
    io.stdout(`${JSON.stringify(id ? { id, ...causes[id] } : causeIds.map(c => ({ id: c, ...causes[c] })), null, 2)}\n`);
    return 0;
  }
  if (id) {
    const c = causes[id];
    io.stdout([`${id}: ${c.title}`, `Severity: ${c.severity}. Who fixes it: ${SIDE_LABEL[c.side]}.`, '', c.explanation, '', `Fix: ${c.fix}`, ...Object.entries(c.fixes ?? {}).map(([name, fix]) => `Fix (${name}): ${fix}`), ...(c.refs?.length ? ['', `References: ${c.refs.join(', ')}`] : [])].join('\n') + '\n');
    return 0;
  }
  const width = Math.max(...causeIds.map(c => c.length));
  io.stdout(causeIds.map(c => `${c.padEnd(width)}  ${causes[c].severity.padEnd(7)}  ${causes[c].title}`).join('\n') + '\n');
  return 0;
}
