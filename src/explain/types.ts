// Shapes shared by the explain parser, classifier and renderers.
import type { Side } from '../causes.js';

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

export interface Confirm {
  ip?: string;
  domain?: string;
  list?: string;
}

export interface SecondaryCause {
  cause: string;
  confidence: number;
  evidence: string[];
}

export interface ExplainEntry {
  cause: string;
  confidence: number;
  side: Side;
  temporary: boolean;
  evidence: string[];
  title: string;
  fix: string;
  statusCodes: string[];
  stage?: Stage;
  remoteMta?: string;
  recipient?: string;
  provider?: string;
  secondary: SecondaryCause[];
  /** Subjects a live check could use to confirm the cause (maildiag explain --check). */
  confirm?: Confirm;
}

export interface ExplainReport {
  causes: ExplainEntry[];
  parsed: {
    kind: InputKind;
    entries: number;
    statusCodes: string[];
    remoteMtas: string[];
    recipients: string[];
    reportingMta?: string;
    sender?: string;
    subject?: string;
    truncated: boolean;
    /** Recipients the parser found but could not classify. */
    unclassified: number;
  };
}
