// maildiag explain: from a bounce (DSN, NDR body, SMTP reply or MTA log line)
// to causes in the vocabulary of src/causes.ts, one entry per recipient.
import { classifySegment } from './classify.js';
import { parseInput } from './parse.js';
import { decodeInput } from './text.js';
import type { ExplainEntry, ExplainReport } from './types.js';

export { ExplainInputError } from './errors.js';
export type { ExplainEntry, ExplainReport } from './types.js';

/** Throws ExplainInputError for empty or binary input; anything else yields a report. */
export function explain(input: Buffer | string): ExplainReport {
  const { text, truncated } = decodeInput(input);
  const parsed = parseInput(text, truncated);
  const entries = parsed.segments.map(segment => classifySegment(segment, { sender: parsed.sender }));
  const causes = entries.filter((e): e is ExplainEntry => e !== undefined);
  return {
    causes,
    parsed: {
      kind: parsed.kind,
      entries: parsed.segments.length,
      statusCodes: unique(causes.flatMap(c => c.statusCodes)),
      remoteMtas: unique(causes.flatMap(c => (c.remoteMta ? [c.remoteMta] : []))),
      recipients: unique(parsed.segments.flatMap(s => (s.recipient ? [s.recipient] : []))),
      ...(parsed.reportingMta ? { reportingMta: parsed.reportingMta } : {}),
      ...(parsed.sender ? { sender: parsed.sender } : {}),
      ...(parsed.subject ? { subject: parsed.subject } : {}),
      truncated: parsed.truncated,
      unclassified: entries.length - causes.length,
    },
  };
}

const unique = (items: string[]) => [...new Set(items)];
