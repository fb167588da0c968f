// One SMTP client session: connect, read replies, send commands, upgrade to
// TLS, QUIT. Every wait comes from the net's time (src/net/time.ts): a connect,
// a reply, the greeting, a handshake, each cut short by the session's limit
// once the caller has started it. Every read goes through ReplyReader's
// caps, every line is kept in a bounded transcript, and nothing here ever
// sends DATA. The steps return outcomes; callers decide what they mean. When
// the run finishes (net.finish(): Ctrl-C), the step under way gives up at once
// and every later one throws RunFinished, so the caller's QUIT comes next.
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type net from 'node:net';
import type { Net } from '../context.js';
import type { RunTime } from '../time.js';
import { sayTlsFailure, upgradeToTls, type TlsHandshake, type TlsOptions } from '../tls.js';
import { parseEhlo, type EhloExtensions } from './ehlo.js';
import { ReplyReader, type ReadOutcome } from './reader.js';
import { isPermanent, type SmtpReply } from './reply.js';

export interface SmtpEndpoint {
  /** The host name we meant to reach (MX name, submission host): TLS SNI and the name certificates must match. */
  host: string;
  ip: string;
  port: number;
}

export type SmtpStep = 'connect' | 'greeting' | 'ehlo' | 'helo' | 'starttls' | 'tls' | 'mail' | 'rcpt' | 'rset';

/** Why a step got no usable reply. */
export type ReadFailure = Exclude<ReadOutcome, { kind: 'reply' }>;

export interface HelloResult {
  command: 'EHLO' | 'HELO';
  reply: SmtpReply;
  extensions: EhloExtensions;
  /** The EHLO reply when the server refused EHLO and HELO was tried instead (RFC 5321 §4.1.4). */
  ehloRejected?: SmtpReply;
}

export type DialFailure = { kind: 'refused' } | { kind: 'reset' } | { kind: 'timeout'; waitedMs: number } | { kind: 'unreachable'; code: string };

/** The run finished (Ctrl-C) while a session was open or about to open: no step is taken after it but QUIT. */
export class RunFinished extends Error {
  constructor() {
    super('the run was stopped before this SMTP session finished');
  }
}

/** How long a last QUIT to a broken session may take to leave before the connection is closed. */
const FLUSH_WAIT_MS = 250;
/** Session-wide lines kept (greeting, EHLO, STARTTLS...), and lines kept per recipient of a shared session. */
const MAX_TRANSCRIPT_LINES = 300;
const MAX_LINES_PER_TAG = 40;
const MAX_TRANSCRIPT_LINE = 512;

/** Client and server lines as "C: ..." / "S: ...", with notes as "-- ...". Tagged lines belong to one probe of a shared session. */
export class Transcript {
  // A session shared by many domains' recipients (an audit) must neither hand
  // each domain every other domain's lines nor let early ones crowd out late
  // ones: lines tagged with recipients are kept per recipient, the rest once.
  private readonly order: { text: string; tags?: readonly string[] }[] = [];
  private sharedCount = 0;
  private readonly taggedCounts = new Map<string, number>();
  private dropped = 0;

  add(text: string, tags?: string | readonly string[]): void {
    // No tags, or an empty list of them: a line every probe of the session shares.
    const list = tags === undefined || tags.length === 0 ? undefined : typeof tags === 'string' ? [tags] : tags;
    const full = list ? list.every(t => (this.taggedCounts.get(t) ?? 0) >= MAX_LINES_PER_TAG) : this.sharedCount >= MAX_TRANSCRIPT_LINES;
    if (full) {
      this.dropped++;
      return;
    }
    const short = text.length > MAX_TRANSCRIPT_LINE ? `${text.slice(0, MAX_TRANSCRIPT_LINE)}… (${text.length} characters)` : text;
    if (list) for (const t of list) this.taggedCounts.set(t, (this.taggedCounts.get(t) ?? 0) + 1);
    else this.sharedCount++;
    this.order.push(list ? { text: short, tags: list } : { text: short });
  }

  /** The lines every probe shares plus those tagged `tag`, in the order they were said. */
  lines(tag?: string): string[] {
    const own = this.order.filter(e => !e.tags || (tag !== undefined && e.tags.includes(tag))).map(e => e.text);
    return this.dropped ? [...own, `-- ${this.dropped} more lines not kept`] : own;
  }
}

const noop = () => undefined;

export class SmtpSession {
  private stream: Duplex;
  private reader: ReplyReader;
  private broken = false;
  /** When the session's remaining steps must be done by (performance.now()), once the caller has started the limit. */
  private deadline?: number;
  /** Replies still owed for commands whose wait the run's end cut short: QUIT reads past them to its 221. */
  private unanswered = 0;

  private constructor(
    private readonly socket: net.Socket,
    readonly endpoint: SmtpEndpoint,
    readonly transcript: Transcript,
    private readonly time: RunTime,
    private readonly runFinished: AbortSignal,
  ) {
    this.stream = socket;
    socket.on('error', noop); // errors surface as 'closed' through the reader; this keeps late ones from crashing the run
    this.reader = new ReplyReader(socket);
  }

  static async open(net: Net, endpoint: SmtpEndpoint, transcript = new Transcript()): Promise<{ kind: 'connected'; session: SmtpSession; connectMs: number } | DialFailure> {
    if (net.finished.aborted) throw new RunFinished();
    transcript.add(`-- connect ${endpoint.host} ${endpointLabel(endpoint)}`);
    const dialed = await net.dialer.connect(endpoint.ip, endpoint.port, { timeoutMs: net.time.connectMs, signal: net.finished });
    if (net.finished.aborted) {
      if (dialed.kind === 'connected') dialed.socket.destroy();
      throw new RunFinished();
    }
    if (dialed.kind !== 'connected') {
      transcript.add(`-- ${describeDial(dialed)}`);
      return dialed;
    }
    return { kind: 'connected', session: new SmtpSession(dialed.socket, endpoint, transcript, net.time, net.finished), connectMs: dialed.connectMs };
  }

  /** From now on, the rest of the session (every reply and handshake) may take the net's session time in all: a server slow on every step cannot hold the run. */
  startSessionLimit(): void {
    this.deadline = performance.now() + this.time.sessionMs;
  }

  /** The session's limit has passed. */
  get outOfTime(): boolean {
    return this.deadline !== undefined && performance.now() >= this.deadline;
  }

  /** A wait of `ms`, cut short by the session's limit. */
  private within(ms: number): number {
    return this.deadline === undefined ? ms : Math.max(1, Math.min(ms, this.deadline - performance.now()));
  }

  /** This side's address of the connection (what the server sees as the client). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** Wait one reply's time for the next reply without sending anything (the greeting, RFC 5321 §3.1). */
  read(): Promise<ReadOutcome> {
    return this.awaitReply(this.within(this.time.replyMs));
  }

  /** The port-25 greeting: servers may delay it on purpose, so it gets the net's longer greeting wait. */
  readGreeting(): Promise<ReadOutcome> {
    return this.awaitReply(this.within(this.time.greetingMs));
  }

  async command(line: string, tag?: string | readonly string[]): Promise<ReadOutcome> {
    return (await this.pipeline([{ line, tag }]))[0]!;
  }

  /**
   * Send commands in one write and read their replies in order (RFC 2920
   * PIPELINING; callers use it only when the server offers it). Reading stops
   * at the first command without a usable reply, or a 421: the outcomes then
   * end with that one.
   */
  pipeline(commands: readonly { line: string; tag?: string | readonly string[] }[]): Promise<ReadOutcome[]> {
    return this.exchange(commands, this.within(this.time.replyMs), this.runFinished);
  }

  /** Send the commands and read their replies, each within `timeoutMs`; RunFinished when `cancel` has fired or fires first. */
  private async exchange(commands: readonly { line: string; tag?: string | readonly string[] }[], timeoutMs: number, cancel?: AbortSignal): Promise<ReadOutcome[]> {
    const bad = commands.find(c => /[\r\n]/.test(c.line));
    if (bad) throw new Error(`SMTP command with a line break: ${JSON.stringify(bad.line)}`);
    if (cancel?.aborted) throw new RunFinished();
    if (this.broken) return [{ kind: 'closed', partial: [] }];
    for (const { line, tag } of commands) this.transcript.add(`C: ${line}`, tag);
    this.stream.write(commands.map(c => `${c.line}\r\n`).join(''));
    const outcomes: ReadOutcome[] = [];
    for (const [i, { tag }] of commands.entries()) {
      const outcome = await this.receive(timeoutMs, tag, cancel);
      if (!outcome) {
        this.unanswered += commands.length - i;
        throw new RunFinished();
      }
      outcomes.push(outcome);
      if (outcome.kind !== 'reply' || outcome.reply.code === 421) break;
    }
    return outcomes;
  }

  /** EHLO, or HELO when the server refuses EHLO with a permanent error (RFC 5321 §4.1.4, §3.2). */
  async hello(name: string): Promise<{ kind: 'ok'; hello: HelloResult } | { kind: 'failed'; step: SmtpStep; failure: ReadFailure }> {
    const ehlo = await this.command(`EHLO ${name}`);
    if (ehlo.kind !== 'reply') return { kind: 'failed', step: 'ehlo', failure: ehlo };
    if (!isPermanent(ehlo.reply)) return { kind: 'ok', hello: { command: 'EHLO', reply: ehlo.reply, extensions: parseEhlo(ehlo.reply) } };
    const helo = await this.command(`HELO ${name}`);
    if (helo.kind !== 'reply') return { kind: 'failed', step: 'helo', failure: helo };
    return { kind: 'ok', hello: { command: 'HELO', reply: helo.reply, extensions: parseEhlo({ ...helo.reply, lines: [] }), ehloRejected: ehlo.reply } };
  }

  /**
   * Hand the connection to TLS after a 220 to STARTTLS. Bytes the server sent
   * after that 220 in plaintext are dropped, never read as replies (RFC 3207 §4.2,
   * the STARTTLS command-injection class of bugs).
   */
  async upgrade(options: TlsOptions): Promise<TlsHandshake> {
    if (this.runFinished.aborted) throw new RunFinished();
    this.reader.detach();
    const timeoutMs = this.within(this.time.tlsHandshakeMs);
    const handshake = await upgradeToTls(this.socket, options, timeoutMs, this.runFinished);
    if (this.runFinished.aborted) {
      // Half a handshake cannot carry a QUIT: the connection is only closed.
      this.broken = true;
      if (handshake.kind === 'ok') handshake.socket.destroy();
      this.socket.destroy();
      throw new RunFinished();
    }
    if (handshake.kind !== 'ok') {
      this.transcript.add(`-- TLS handshake ${handshake.kind === 'timeout' ? `timed out after ${seconds(timeoutMs)}` : `failed: ${sayTlsFailure(handshake.reason)}`}`);
      this.broken = true;
      this.socket.destroy();
      return handshake;
    }
    this.transcript.add(`-- TLS established: ${handshake.protocol} ${handshake.cipher}${handshake.authorizationError ? ` (certificate: ${handshake.authorizationError})` : ''}`);
    handshake.socket.on('error', noop);
    this.stream = handshake.socket;
    this.reader = new ReplyReader(handshake.socket);
    return handshake;
  }

  /**
   * End the session with QUIT in every case (RFC 5321 §4.1.1.10) and close the
   * connection. A server that can still talk gets a moment to answer 221
   * (after the replies it still owes, when the run's end cut a wait short);
   * one that went silent or broke the protocol gets the QUIT without the wait.
   */
  async quit(): Promise<void> {
    if (!this.broken) await this.quitAfterOwedReplies();
    else if (this.stream.writable) {
      this.transcript.add('C: QUIT');
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, FLUSH_WAIT_MS);
        this.stream.write('QUIT\r\n', () => (clearTimeout(timer), resolve()));
      });
    }
    this.close();
  }

  close(): void {
    this.stream.destroy();
    this.socket.destroy();
  }

  /** QUIT, then its reply: past the replies still owed, all within one quit wait. */
  private async quitAfterOwedReplies(): Promise<void> {
    const until = performance.now() + this.time.quitMs;
    let reply: ReadOutcome | undefined = (await this.exchange([{ line: 'QUIT' }], this.time.quitMs))[0];
    for (; this.unanswered > 0 && reply?.kind === 'reply' && reply.reply.code !== 221; this.unanswered--) {
      reply = await this.receive(Math.max(1, until - performance.now()));
    }
  }

  /** A reply nothing was sent for (the greeting); RunFinished when the run finishes first. */
  private async awaitReply(timeoutMs: number): Promise<ReadOutcome> {
    if (this.runFinished.aborted) throw new RunFinished();
    const outcome = await this.receive(timeoutMs, undefined, this.runFinished);
    if (outcome) return outcome;
    this.unanswered++;
    throw new RunFinished();
  }

  /** The next reply, logged; undefined when `cancel` fired first (the reply is still owed). */
  private async receive(timeoutMs: number, tag?: string | readonly string[], cancel?: AbortSignal): Promise<ReadOutcome | undefined> {
    const outcome = await this.reader.next(timeoutMs, cancel);
    if (!outcome) return undefined;
    this.log(outcome, tag);
    if (outcome.kind !== 'reply' || outcome.reply.code === 421) this.broken = true;
    return outcome;
  }

  private log(outcome: ReadOutcome, tag?: string | readonly string[]): void {
    switch (outcome.kind) {
      case 'reply': {
        const { code, lines } = outcome.reply;
        lines.forEach((text, i) => this.transcript.add(`S: ${code}${i < lines.length - 1 ? '-' : ' '}${text}`.trimEnd(), tag));
        return;
      }
      case 'garbage':
        this.transcript.add(`S: ${outcome.line}`, tag);
        this.transcript.add('-- not an SMTP reply line: stopped', tag);
        return;
      default:
        for (const line of 'partial' in outcome ? outcome.partial : []) this.transcript.add(`S: ${line}`, tag);
        this.transcript.add(`-- ${describeReadFailure(outcome)}`, tag);
    }
  }
}

export const endpointLabel = ({ ip, port }: { ip: string; port: number }): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** A short stable id for a set of trusted CA certificates, for memo keys. */
const fingerprints = new WeakMap<string[], string>();
/** A short name for a CA list, for memo keys; hashed once per list (a system bundle is large). */
export function caFingerprint(pems: string[]): string {
  if (!pems.length) return '-';
  let fingerprint = fingerprints.get(pems);
  if (!fingerprint) fingerprints.set(pems, (fingerprint = createHash('sha256').update(pems.join('\n')).digest('hex').slice(0, 16)));
  return fingerprint;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`;

/** A measured time: milliseconds below a second (a 128 KB reply arrives in a few), else seconds. */
export const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms));

export function describeDial(result: DialFailure): string {
  switch (result.kind) {
    case 'refused':
      return 'connection refused';
    case 'reset':
      return 'the connection was reset as it opened (ECONNRESET)';
    case 'timeout':
      return `connection timed out after ${seconds(result.waitedMs)}`;
    case 'unreachable':
      return unreachableWords(result.code);
  }
}

/** Plain words for a step that got no reply, with the server's partial output when there was some. */
export function describeReadFailure(failure: ReadFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return failure.partial.length ? `reply still unfinished after ${seconds(failure.waitedMs)} (${failure.bytes} bytes)` : `no reply within ${seconds(failure.waitedMs)}`;
    case 'closed':
      return failure.reset ? 'the server reset the connection (ECONNRESET)' : 'the server closed the connection';
    case 'garbage':
      return `the server sent something that is not an SMTP reply: ${JSON.stringify(failure.line.slice(0, 80))}`;
    case 'too-long':
      return `the server sent a reply over the size limit (${failure.bytes} bytes${failure.waitedMs === undefined ? '' : ` in ${duration(failure.waitedMs)}`}): stopped reading`;
  }
}

/**
 * Why a session stopped, or what came instead of a greeting: the server's
 * reply (its text is the server's), a 421 that closed the session, a reply
 * where the 220 belonged, the run's time running out, a failed connect or
 * read; `furtherConnection` when a later connection of the run failed where
 * the first got through.
 */
export type StopReason =
  | { code: 'reply'; reply: string }
  | { code: 'closedSession'; reply: string }
  | { code: 'notGreeting'; reply: string }
  | { code: 'tooSlow' }
  | { code: 'dial'; failure: DialFailure }
  | { code: 'read'; failure: ReadFailure }
  | { code: 'furtherConnection'; failure: StopReason };

/** The one sayer of a StopReason, for the transcripts here and the findings (src/causes.ts's FORMATS), which the net layer must not import. */
export function sayStopReason(reason: StopReason): string {
  switch (reason.code) {
    case 'reply': return reason.reply;
    case 'closedSession': return `the server closed the session: ${reason.reply}`;
    case 'notGreeting': return `${reason.reply} instead of 220`;
    case 'tooSlow': return 'the server answered too slowly to finish the test in time';
    case 'dial': return describeDial(reason.failure);
    case 'read': return describeReadFailure(reason.failure);
    case 'furtherConnection': return `a further connection failed: ${sayStopReason(reason.failure)}`;
  }
}

/** No route, as the OS says it: a router reports the host unreachable, or this machine has no route to that network. */
export function unreachableWords(code: string): string {
  switch (code) {
    case 'EHOSTUNREACH': return 'host unreachable (EHOSTUNREACH: a router on the way reports it down or filtered)';
    case 'ENETUNREACH': return 'network unreachable (ENETUNREACH: this machine has no route to it)';
    case 'EADDRNOTAVAIL': return 'address not available (EADDRNOTAVAIL: this machine has no address to send from towards it)';
    case 'EAFNOSUPPORT': return 'address family not supported (EAFNOSUPPORT: this machine has no IPv6)';
    case 'ENETDOWN': return 'network down (ENETDOWN: this machine\'s interface towards it is down)';
    case 'EACCES':
    case 'EPERM': return `not permitted (${code}: a firewall on this machine refuses it)`;
    default: return `no route to the address (${code})`;
  }
}
