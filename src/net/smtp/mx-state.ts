// The state of the port-25 probes of one MX endpoint across a run (see
// mx-probe.ts for the conversation itself), as three state machines and the
// host's answers that shape later transactions:
// - the host: new → talking (a session got the greeting; talking → talking
//   when STARTTLS broke and later sessions stay in plaintext) → finished
//   (nothing more is asked this run), or new → finished;
// - a session past EHLO: idle ⇄ in-transaction (MAIL opens it, RSET ends it);
// - the open-relay question: pending → settled.
// Every move goes through `transition`, which refuses one its table does not
// list; the predicates here only read.
import type { SmtpProbe } from './mx-probe.js';
import { isTransient, type SmtpReply } from './reply.js';
import type { SmtpSession, Transcript } from './session.js';

export const MAX_RECIPIENTS_PER_TRANSACTION = 100;
/** Distinct domains whose recipients got the same temporary refusal before the host is taken to refuse everyone that way. */
export const HOST_WIDE_SAMPLES = 5;

export type HostFacts = Pick<SmtpProbe, 'outcome' | 'greeting' | 'greetingName' | 'ehlo' | 'ehloName' | 'starttls' | 'plaintextMail' | 'ehloAfterTls' | 'localAddress'>;
export type RequestResult = Omit<SmtpProbe, 'host' | 'ip' | 'port' | 'family' | 'preference'>;
export type Incomplete = NonNullable<SmtpProbe['incomplete']>;

export interface Request {
  rcpt?: string;
  receivedAt: number;
  resolve(result: RequestResult): void;
  reject(error: unknown): void;
}

/** What one session did for one request. */
export interface Served {
  request: Request;
  mail?: SmtpReply;
  rcpt?: SmtpReply;
  /** The recipients whose identical replies answered this one without asking. */
  sampledFrom?: string[];
  incomplete?: Incomplete;
}

/** The same temporary refusal for the recipients of several domains in a row, and the MAIL reply of their transaction. */
export interface HostWideAnswer {
  mail: SmtpReply;
  reply: SmtpReply;
  recipients: string[];
}

/**
 * The host across the run. It only moves forward: `new` until a session gets
 * the greeting, `talking` while further sessions may be opened, `finished`
 * once nothing more is asked of it in this run.
 */
export type HostState =
  | { name: 'new' }
  /** `plaintext`: STARTTLS broke a session, so later sessions stay in plaintext, the way MTAs fall back. */
  | { name: 'talking'; facts: HostFacts; transcript: Transcript; plaintext: boolean }
  /** `incomplete`: why a session broke off, for the questions it left unanswered; none when the host could not be talked to or refused the client. */
  | { name: 'finished'; facts: HostFacts; transcript: Transcript; incomplete?: Incomplete };

/** Facts and the first session's transcript: there once a session got the greeting, or the host was given up on. */
export type KnownHost = Exclude<HostState, { name: 'new' }>;

const HOST_TRANSITIONS: Transitions<HostState['name']> = {
  new: ['talking', 'finished'],
  // talking → talking: the fall-back to plaintext.
  talking: ['talking', 'finished'],
  finished: [],
};

/** The host's state, moved only by the methods below, each one transition of HOST_TRANSITIONS. */
export class HostLifecycle {
  private current: HostState = { name: 'new' };

  get state(): HostState {
    return this.current;
  }

  /** A session got the greeting: the first one's facts and transcript are the host's. */
  greeted(facts: HostFacts, transcript: Transcript): void {
    if (this.state.name === 'new') this.enter({ name: 'talking', facts, transcript, plaintext: false });
  }

  /** STARTTLS broke a session: the next ones stay in plaintext. */
  fallBackToPlaintext(): void {
    this.enter({ ...this.talking, plaintext: true });
  }

  /** The first session got no greeting: these are all the facts there will be. */
  unreachable(facts: HostFacts, transcript: Transcript): void {
    this.enter({ name: 'finished', facts, transcript });
  }

  /** Nothing more is asked of this host in this run; `incomplete` says why, when a session broke off. */
  finish(incomplete?: Incomplete): void {
    const { facts, transcript } = this.known;
    this.enter({ name: 'finished', facts, transcript, ...(incomplete ? { incomplete } : {}) });
  }

  get plaintextOnly(): boolean {
    return this.state.name === 'talking' && this.state.plaintext;
  }

  get known(): KnownHost {
    if (this.state.name === 'new') throw new Error('MX probe: no session has reached the host yet');
    return this.state;
  }

  private get talking(): Extract<HostState, { name: 'talking' }> {
    if (this.state.name !== 'talking') throw new Error(`MX probe: the host is ${this.state.name}, not talking`);
    return this.state;
  }

  private enter(next: HostState): void {
    this.current = transition(HOST_TRANSITIONS, this.current, next);
  }
}

/** The open-relay question: asked once per host per run, or never (--no-relay-test). */
type RelayState = { name: 'pending' } | { name: 'settled'; answer?: SmtpProbe['relay']; unanswered?: Incomplete };

const RELAY_TRANSITIONS: Transitions<RelayState['name']> = {
  pending: ['settled'],
  settled: [],
};

/** The relay question's state: pending until a session asks it or gives up on it, then settled for the run. */
export class RelayQuestion {
  private current: RelayState;

  constructor(ask: boolean) {
    this.current = ask ? { name: 'pending' } : { name: 'settled' };
  }

  get pending(): boolean {
    return this.current.name === 'pending';
  }

  /** The server's reply to the relay RCPT, once it gave one. */
  get answer(): SmtpProbe['relay'] {
    return this.current.name === 'settled' ? this.current.answer : undefined;
  }

  /** Why the relay RCPT got no answer, once a session gave up on it. */
  get unanswered(): Incomplete | undefined {
    return this.current.name === 'settled' ? this.current.unanswered : undefined;
  }

  /** Asked (with the server's answer) or given up on (why): not asked again this run. */
  settle(outcome: { answer: NonNullable<SmtpProbe['relay']> } | { unanswered: Incomplete }): void {
    this.current = transition(RELAY_TRANSITIONS, this.current, { name: 'settled', ...outcome });
  }
}

/** A session past EHLO: `idle` between transactions, `in-transaction` from an accepted MAIL to its RSET. */
export type TransactionState = { name: 'idle' } | { name: 'in-transaction'; mail: SmtpReply; recipients: string[] };
export type OpenTransaction = Extract<TransactionState, { name: 'in-transaction' }>;

const TRANSACTION_TRANSITIONS: Transitions<TransactionState['name']> = {
  idle: ['in-transaction'],
  'in-transaction': ['idle'],
};

/** Why a session says QUIT while requests may still be waiting. */
export type SessionEnd = 'drained' | 'reset-limit' | 'refusal-limit' | 'too-slow';

type Transitions<Name extends string> = Record<Name, readonly Name[]>;

/** The one gate of the state machines: a move the table does not list is a bug. */
function transition<S extends { name: string }>(table: Transitions<S['name']>, from: S, to: S): S {
  if (!table[from.name as S['name']].includes(to.name)) throw new Error(`MX probe: no transition from ${from.name} to ${to.name}`);
  return to;
}

/** Requests waiting for a session, and the wake-up of a session lingering for them. */
export class RequestQueue {
  private readonly waiting: Request[] = [];
  private wake?: () => void;

  get length(): number {
    return this.waiting.length;
  }

  get oldestReceivedAt(): number {
    return Math.min(...this.waiting.map(r => r.receivedAt));
  }

  push(request: Request): void {
    this.waiting.push(request);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves at the next push. */
  arrival(): Promise<void> {
    return new Promise(resolve => (this.wake = resolve));
  }

  /** Every waiting request, as long as the batch stays within `room` distinct recipients. */
  takeBatch(room: number): Request[] {
    const recipients = new Set<string>();
    const batch = this.waiting.filter(request => {
      if (request.rcpt === undefined || recipients.has(request.rcpt)) return true;
      if (recipients.size >= room) return false;
      recipients.add(request.rcpt);
      return true;
    });
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter(r => !batch.includes(r)));
    return batch;
  }

  /** Put the requests of a batch for these recipients back at the head: a later transaction or session asks them. */
  requeue(batch: Request[], recipients: string[]): void {
    this.waiting.unshift(...batch.filter(r => r.rcpt !== undefined && recipients.includes(r.rcpt)));
  }

  takeAll(): Request[] {
    return this.waiting.splice(0);
  }
}

/** What the host said that shapes every later transaction of the run, whichever session asks. */
export class HostAnswers {
  /** Recipients per transaction: lowered when the server answers 452 "too many recipients" sooner. */
  recipientLimit = MAX_RECIPIENTS_PER_TRANSACTION;
  /** The server refused our MAIL FROM: the same sender gets the same answer for every domain, so it is asked once. */
  mailRefusal?: SmtpReply;
  /** The latest run of identical temporary refusals; complete once it holds HOST_WIDE_SAMPLES domains. */
  private sameRefusals?: HostWideAnswer & { key: string };

  /** Follow runs of one temporary refusal across domains: a greylisting host answers every recipient alike. */
  noteReply(recipient: string, mail: SmtpReply, reply: SmtpReply): void {
    const key = hostWideKey(reply, recipient);
    if (key === undefined) {
      this.sameRefusals = undefined;
      return;
    }
    const run = this.sameRefusals?.key === key ? this.sameRefusals : (this.sameRefusals = { key, mail, reply, recipients: [] });
    const domain = domainOf(recipient);
    if (run.recipients.length < HOST_WIDE_SAMPLES && !run.recipients.some(r => domainOf(r) === domain)) run.recipients.push(recipient);
  }

  /** The host's answer for every recipient, once enough domains have had it. */
  get hostWide(): HostWideAnswer | undefined {
    return this.sameRefusals && this.sameRefusals.recipients.length >= HOST_WIDE_SAMPLES ? this.sameRefusals : undefined;
  }
}

/** What a request gets from the host's answer for everyone, without its RCPT being sent. */
export const sampled = (answer: HostWideAnswer): Omit<Served, 'request'> => ({ mail: answer.mail, rcpt: answer.reply, sampledFrom: answer.recipients });

/** One session past EHLO: its transaction, its RSETs and refusals so far; its time limit is the session's. */
export class Conversation {
  private transaction: TransactionState = { name: 'idle' };
  private resetCount = 0;
  private refusalCount = 0;

  constructor(
    readonly session: SmtpSession,
    /** The server offers PIPELINING (RFC 2920) in its last EHLO reply. */
    readonly pipelining: boolean,
  ) {}

  /** MAIL's reply, and the recipients sent since (their transcripts get the RSET). */
  get open(): OpenTransaction | undefined {
    return this.transaction.name === 'in-transaction' ? this.transaction : undefined;
  }

  get resets(): number {
    return this.resetCount;
  }

  /** Refused RCPTs in this session, the relay probe's included. */
  get refusals(): number {
    return this.refusalCount;
  }

  noteRefusal(): void {
    this.refusalCount++;
  }

  pastDeadline(): boolean {
    return this.session.outOfTime;
  }

  /** MAIL was accepted: recipients may follow. */
  begin(mail: SmtpReply): OpenTransaction {
    const open: OpenTransaction = { name: 'in-transaction', mail, recipients: [] };
    this.transaction = transition(TRANSACTION_TRANSITIONS, this.transaction, open);
    return open;
  }

  /** RSET is being sent: the transaction is over, whatever the reply; returns its recipients. */
  end(): string[] {
    const recipients = this.open?.recipients ?? [];
    this.transaction = transition(TRANSACTION_TRANSITIONS, this.transaction, { name: 'idle' });
    this.resetCount++;
    return recipients;
  }
}

/**
 * What makes two RCPT replies "the same answer" for different recipients: a
 * temporary refusal (greylisting, a policy delay) with the same code and the
 * same words once the recipient's address and domain are taken out (postgrey
 * names both). Undefined for anything that may depend on the recipient:
 * acceptance, permanent refusals such as "user unknown", 452 "too many
 * recipients" and 421.
 */
function hostWideKey(reply: SmtpReply, recipient: string): string | undefined {
  if (!isTransient(reply) || reply.code === 421 || reply.code === 452) return undefined;
  const text = reply.lines.join(' ').toLowerCase();
  return `${reply.code} ${text.split(recipient.toLowerCase()).join('<recipient>').split(domainOf(recipient)).join('<domain>')}`;
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

