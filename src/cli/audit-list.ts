// The target list of an audit: parse it, keep this machine's shard, drop what
// an earlier run already reported. Pure functions of their inputs.
import { createHash } from 'node:crypto';
import type { Target } from '../pipeline/facts.js';
import { UsageError } from './errors.js';
import { parseTarget } from './targets.js';
import { parseMailbox } from './options.js';

export interface ListLine {
  line: number;
  /** The line as written, without its comment and surrounding blanks. */
  text: string;
  target?: Target;
  /** The line was an address: probe it with RCPT TO on its domain's MX hosts. */
  rcpt?: string;
  error?: string;
}

/**
 * One entry per non-blank, non-comment line; duplicates dropped (first one
 * wins). A line may be an address (alice@school.example): its domain is
 * diagnosed and the address is the recipient probed there, as --rcpt would.
 */
export function parseList(text: string): ListLine[] {
  const seen = new Set<string>();
  const out: ListLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const content = raw.replace(/#.*/, '').trim();
    if (!content) return;
    try {
      const rcpt = content.includes('@') ? parseMailbox('recipient', content, false) : undefined;
      const target = parseTarget(rcpt ? rcpt.slice(rcpt.lastIndexOf('@') + 1) : content);
      const key = `${target.ascii} ${rcpt ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ line: i + 1, text: content, target, ...(rcpt ? { rcpt } : {}) });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      out.push({ line: i + 1, text: content, error: err.message });
    }
  });
  return out;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${JSON.stringify(value)}: give k/n with 1 <= k <= n, e.g. --shard 2/8`);
  return { index, count };
}

/**
 * Which shard owns a target: a hash of its ASCII name, so every machine agrees
 * whatever order or subset of the list it reads, and each target lands in exactly one shard.
 */
export function shardOf(target: Target, count: number): number {
  const digest = createHash('sha256').update(target.ascii).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/**
 * The list lines an earlier JSONL output answered, by their `listLine`; a
 * report without one (an older run, or `maildiag --format jsonl`) answers
 * its target's plain domain line. Interrupted reports answer nothing, and a
 * truncated last line is ignored: those targets run again.
 */
export function reportedLines(jsonl: string): (entry: Pick<ListLine, 'text' | 'target' | 'rcpt'>) => boolean {
  const lines = new Set<string>();
  const targets = new Set<string>();
  for (const line of jsonl.split('\n')) {
    let report: { ascii?: unknown; listLine?: unknown; interrupted?: unknown };
    try {
      report = JSON.parse(line) as typeof report;
    } catch {
      continue;
    }
    if (typeof report !== 'object' || report === null || report.interrupted === true) continue;
    if (typeof report.listLine === 'string') lines.add(report.listLine);
    else if (typeof report.ascii === 'string') targets.add(report.ascii);
  }
  return entry => lines.has(entry.text) || (!entry.rcpt && entry.target !== undefined && targets.has(entry.target.ascii));
}
