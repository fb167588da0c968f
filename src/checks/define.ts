// What a check is: an id, what it needs and provides, the causes it may emit,
// and a run function. `defineCheck` only exists to type `run`'s input from `needs`.
import { causes, formatMessage, type CauseId, type MessageData, type MessageId, type Severity, type Side } from '../causes.js';
import type { FactKey, Facts, Target, TargetKind } from '../pipeline/facts.js';
import type { Net } from '../net/context.js';
import type { BudgetName } from '../net/time.js';
import type { SmtpStep } from '../net/smtp/index.js';
import type { RunOptions } from '../pipeline/options.js';

export interface Finding {
  cause: CauseId;
  severity: Severity;
  side: Side;
  /** Which of the cause's messages (src/causes.ts) says it. */
  messageId: string;
  /** One line with the specifics: which host, which record, which reply; the messageId's template filled with data. */
  message: string;
  /** Hosts, IPs or records concerned. */
  subjects: string[];
  /** Records and replies that prove it, as seen on the wire. */
  evidence: string[];
  /** Every placeholder of the message, and what else the check saw: what a JSON consumer reads instead of the English. */
  data: Record<string, unknown>;
}

export interface CheckContext {
  target: Target;
  options: RunOptions;
  net: Net;
  signal: AbortSignal;
}

export interface CheckOutput<P extends FactKey> {
  findings: Finding[];
  /** Facts this check provides; a key left out is unavailable and its consumers are skipped. */
  provided?: Partial<Pick<Facts, P>>;
  /** What the check saw, for the JSON report. */
  data?: Record<string, unknown>;
  /**
   * Set when the check ran but could not reach a conclusion (the report says so): `info` when it found
   * nothing at all, `untestable` when it could not ask part of its question (then `data.reason` says why),
   * unless what it did find is worse than info.
   */
  status?: 'info' | 'untestable';
}

export interface CheckSpec<N extends FactKey, P extends FactKey, U extends FactKey = never> {
  id: string;
  title: string;
  targets: readonly TargetKind[];
  needs: readonly N[];
  /** Facts the check waits for and reads when they exist, but runs without. */
  uses?: readonly U[];
  provides: readonly P[];
  emits: readonly CauseId[];
  /** The stage of the port-25 sessions this check judges: a session that stopped short of it makes the check untestable, never a pass. */
  judges?: SmtpStep;
  /** How long the whole check may take (src/net/time.ts); default `lookups`. */
  budget?: BudgetName;
  run(input: Pick<Facts, N> & Partial<Pick<Facts, U>>, ctx: CheckContext): Promise<CheckOutput<P>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCheck = CheckSpec<any, any, any>;

export const defineCheck = <N extends FactKey = never, P extends FactKey = never, U extends FactKey = never>(spec: CheckSpec<N, P, U>): CheckSpec<N, P, U> => spec;

export interface FindingDetails {
  subjects?: string[];
  evidence?: string[];
  /** Raise or lower the registry's default, e.g. a 1024-bit DKIM key is only a warning. */
  severity?: Severity;
  side?: Side;
}

/**
 * A finding with the registry's default severity and side, worded by the
 * cause's message `messageId` from `data` (which may hold more than the
 * template names: it is the finding's data in the JSON report).
 */
export function finding<C extends CauseId, M extends MessageId<C>>(
  cause: C,
  messageId: M,
  data: MessageData<C, M> & Readonly<Record<string, unknown>>,
  details: FindingDetails = {},
): Finding {
  const def = causes[cause];
  return {
    cause,
    messageId,
    severity: details.severity ?? def.severity,
    side: details.side ?? def.side,
    message: formatMessage(cause, messageId, data),
    subjects: details.subjects ?? [],
    evidence: details.evidence ?? [],
    data,
  };
}

/**
 * One of a cause's messages with its data, less the fields the caller adds
 * (e.g. the domain): what a parser returns when the check reports its verdict.
 */
export type MessageOf<C extends CauseId, Added extends string = never> = { [M in MessageId<C>]: { messageId: M; data: Omit<MessageData<C, M>, Added> } }[MessageId<C>];
