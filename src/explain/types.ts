// Shapes shared by the explain parser, classifier and renderers.

/** Where in the SMTP conversation the reply came (RFC 5321 §3), or 'dns' before any connection. */
export type Stage = 'dns' | 'connect' | 'helo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'data-end';

export type InputKind = 'dsn' | 'message' | 'ndr' | 'log' | 'reply' | 'text';

/** A piece of text to classify, weighted by how directly it speaks about this recipient. */
export interface Clause {
  text: string;
  /** 1 = this recipient's own diagnostic; lower = message-wide boilerplate. */
  weight: number;
}

/** One failed (or delayed) recipient, as found by the parser. */
export interface Segment {
  recipient?: string;
  /** RFC 3464 Action, or the MTA log's status (deferred, bounced, expired). */
  action?: string;
  /** RFC 3464 Status field (enhanced code). */
  status?: string;
  remoteMta?: string;
  clauses: Clause[];
}

export interface ParsedInput {
  kind: InputKind;
  segments: Segment[];
  reportingMta?: string;
  /** The envelope sender or author of the bounced message, when the bounce shows it. */
  sender?: string;
  subject?: string;
  /** Part of the input was not read (over the analysis limit). */
  truncated: boolean;
}

export type { ExplainEntry, ExplainReport } from '../report/explain-schema.js';
export type Confirm = NonNullable<import('../report/explain-schema.js').ExplainEntry['confirm']>;
export type SecondaryCause = import('../report/explain-schema.js').ExplainEntry['secondary'][number];
