// Port-25 probes of MX hosts, the way a sending MTA talks to them, stopping
// before DATA: greeting → EHLO → STARTTLS → EHLO → MAIL → RCPT(s) → RSET →
// MAIL → RCPT <relay probe> → RSET → QUIT, in one session.
//
// Sharing (audits): many domains share a handful of MX hosts, and hosts
// throttle or block testers that connect over and over. So each MX endpoint
// (host name, address, EHLO name, sender) gets one MxProber per run, found
// through `net.once`. Its first session records the host's facts (greeting,
// EHLO, STARTTLS) once; RCPT probes from every domain that uses the host go
// into a queue, and a session sends the queued recipients in one open
// transaction: one MAIL, then RCPTs as domains arrive, and RSET only when it
// holds 100 recipients (RFC 5321 §4.5.3.1.8: servers accept at least 100; a
// server that says 452 sooner gets smaller ones). A host that gives the same
// temporary refusal to the recipients of several domains in a row (it
// greylists everyone) has answered for all its domains: the rest are not
// asked, so a shared host sees one session, not one per few refusals. In an
// audit, requests that arrive within BATCH_WINDOW_MS of the first one wait for
// each other; a single diagnosis asks everything at once and never waits (on
// loopback the whole handshake takes less than the window). Requests that arrive while a session runs join it; later ones start another
// session (one at a time per address, under the dialer's exclusive slot). The
// open-relay probe and a host that cannot be talked to are host facts too:
// tested, or given up on, once per run. In an audit (the net's
// sessionLingerMs), a session that has emptied its queue waits a moment for
// the next domain's recipients before it says QUIT, so a host that serves many
// domains sees one connection for as long as they keep coming; each request is
// answered as soon as its batch is done, never held for the linger.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Net } from '../context.js';
import { recordHandshake, type TlsResult } from '../tls.js';
import type { ReadOutcome } from './reader.js';
import { announcedName, isPositive, isTransient, replyText, type SmtpReply } from './reply.js';
import { caFingerprint, describeDial, describeReadFailure, SmtpSession, Transcript, type HelloResult, type SmtpStep } from './session.js';

export const SMTP_PORT = 25;
/** A reserved name no server can host (RFC 2606 §2): accepting mail for it means relaying for anyone. */
export const RELAY_PROBE_ADDRESS = 'relay-test@maildiag-probe.invalid';
export const BATCH_WINDOW_MS = 30;
export const MAX_RECIPIENTS_PER_TRANSACTION = 100;
/** Distinct domains whose recipients got the same temporary refusal before the host is taken to refuse everyone that way. */
export const HOST_WIDE_SAMPLES = 5;
/**
 * One session sends at most this many RSETs before it says QUIT: Postfix
 * counts RSETs past smtpd_junk_command_limit (100) as errors, then
 * disconnects the client.
 */
const MAX_RESETS_PER_SESSION = 90;
/**
 * Refused RCPTs (greylisting, unknown users, the relay probe) per session:
 * Postfix slows every reply down after smtpd_soft_error_limit (10) errors and
 * disconnects after smtpd_hard_error_limit (20), so the rest of an audit's
 * domains on the host go to a fresh session instead.
 */
const MAX_REFUSALS_PER_SESSION = 8;
/** After the greeting, the rest of a session may take this many --timeout periods in all. */
const SESSION_STEP_BUDGET = 4;
const TOO_SLOW = 'the server answered too slowly to finish the test in time';

export interface SmtpProbeSettings {
  helo: string;
  /** MAIL FROM; '' is the null sender <>. */
  from: string;
  timeoutMs: number;
  caCerts: string[];
  /** Probe for an open relay (once per host per run). */
  relayTest: boolean;
}

/** How far the connection got: the reachability verdict of one address. */
export type SmtpOutcome =
  /** `greetingMs`: how long the 220 took after the connect. */
  | { kind: 'greeted'; connectMs: number; greetingMs: number }
  | { kind: 'refused' }
  /** connect() timed out. */
  | { kind: 'timeout' }
  /** No route from this machine (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ...). */
  | { kind: 'unreachable'; code: string }
  /** TCP accepted, but no 220: `silent` sent nothing, `slow` started but did not finish in time, `reset` aborted the connection (ECONNRESET). */
  | { kind: 'no-greeting'; reason: 'silent' | 'slow' | 'closed' | 'reset' | 'garbage' | 'too-long'; detail: string; waitedMs: number }
  /** 4xx instead of 220: busy, or not taking connections from this client now. */
  | { kind: 'busy'; reply: SmtpReply }
  /** 5xx instead of 220 (RFC 5321 §3.1: 554, no SMTP service here, or not for this client). */
  | { kind: 'rejected'; reply: SmtpReply };

export interface StartTlsProbe {
  offered: boolean;
  /** The reply to STARTTLS, when it was sent. */
  reply?: SmtpReply;
  /** The handshake, when the server said 220. */
  handshake?: TlsResult;
}

export interface SmtpProbe {
  /** MX host name (or the address itself for an IP target). */
  host: string;
  ip: string;
  port: number;
  family: 4 | 6;
  preference: number;
  outcome: SmtpOutcome;
  greeting?: SmtpReply;
  /** First word of the 220 greeting text: the name the server announces. */
  greetingName?: string;
  /** The first EHLO (or HELO) exchange. */
  ehlo?: HelloResult;
  /** First word of the EHLO reply's first line. */
  ehloName?: string;
  /** Undefined when the session ended before EHLO. */
  starttls?: StartTlsProbe;
  /** MAIL FROM asked once per host before STARTTLS, when the server offers it: whether it takes mail without TLS (RFC 3207 §4). */
  plaintextMail?: SmtpReply;
  /** EHLO again inside TLS (RFC 3207 §4.2): what the server offers to encrypted clients. */
  ehloAfterTls?: HelloResult;
  /** Reply to MAIL FROM of the transaction that carried this probe's RCPT. */
  mail?: SmtpReply;
  /**
   * The RCPT's reply. With `sampledFrom` it was not asked: the host gave this same
   * temporary refusal to the recipients of that many other domains, so it answers everyone so.
   */
  rcpt?: { address: string; reply: SmtpReply; sampledFrom?: string[] };
  /** The open-relay probe of this host (shared by every probe of the host in the run). */
  relay?: { address: string; reply: SmtpReply; clientAddress?: string };
  /** The session stopped before this probe's questions were answered. */
  incomplete?: {
    step: SmtpStep;
    reason: string;
    reply?: SmtpReply;
    /** The server closed the connection without a reply (RFC 5321 §3.8 allows that only after QUIT or a 421). */
    dropped?: true;
    /** It aborted the connection (ECONNRESET) rather than closing it. */
    reset?: true;
    /** The reply itself broke the protocol: over the reader's caps, never finished, or not SMTP at all. */
    malformed?: { how: 'too-long' | 'unfinished' | 'garbage'; bytes?: number; waitedMs?: number };
  };
  /** "C: ..." / "S: ..." lines, "-- ..." notes. */
  transcript: string[];
}

export interface MxAddress {
  host: string;
  ip: string;
  family: 4 | 6;
  preference: number;
}

/** Probe port 25 of one MX address; `rcpt` is the recipient to try (none: host facts and relay probe only). */
export async function probeMx(net: Net, address: MxAddress, settings: SmtpProbeSettings, rcpt?: string): Promise<SmtpProbe> {
  const key = ['smtp25', address.host, address.ip, settings.helo, settings.from, settings.relayTest, settings.timeoutMs, caFingerprint(settings.caCerts)].join('|');
  const prober = await net.once(key, async () => new MxProber(net, { host: address.host, ip: address.ip, port: SMTP_PORT }, settings));
  const result = await prober.request(rcpt);
  return { host: address.host, ip: address.ip, port: SMTP_PORT, family: address.family, preference: address.preference, ...result };
}

type HostFacts = Pick<SmtpProbe, 'outcome' | 'greeting' | 'greetingName' | 'ehlo' | 'ehloName' | 'starttls' | 'plaintextMail' | 'ehloAfterTls'>;
type RequestResult = Omit<SmtpProbe, 'host' | 'ip' | 'port' | 'family' | 'preference'>;
type Incomplete = NonNullable<SmtpProbe['incomplete']>;

interface Request {
  rcpt?: string;
  receivedAt: number;
  resolve(result: RequestResult): void;
  reject(error: unknown): void;
}

/** What one session did for one request. */
interface Served {
  request: Request;
  mail?: SmtpReply;
  rcpt?: SmtpReply;
  /** The recipients whose identical replies answered this one without asking. */
  sampledFrom?: string[];
  incomplete?: Incomplete;
}

/** The same temporary refusal for the recipients of several domains in a row, and the MAIL reply of their transaction. */
interface HostWideAnswer {
  mail: SmtpReply;
  reply: SmtpReply;
  recipients: string[];
}

/** How far EHLO/STARTTLS got: MAIL may follow, reconnect without TLS, or the host is done for this run. */
type Readiness = 'ready' | 'retry-plaintext' | 'refused' | Incomplete;

/** A session past EHLO: the transaction it keeps open across batches, its RSETs and refusals so far. */
interface Conversation {
  session: SmtpSession;
  /** The server offers PIPELINING (RFC 2920) in its last EHLO reply. */
  pipelining: boolean;
  deadline: number;
  resets: number;
  refusals: number;
  /** MAIL's reply, and the recipients sent since (their transcripts get the RSET). */
  open?: { mail: SmtpReply; recipients: string[] };
}

class MxProber {
  private readonly waiting: Request[] = [];
  private draining?: Promise<void>;
  /** Host facts from the first session, and its transcript. */
  private facts?: HostFacts;
  private firstTranscript?: Transcript;
  /** Set when the host cannot be probed further this run: later requests get this instead of a new connection. */
  private stopped?: Incomplete | 'done';
  private relay?: SmtpProbe['relay'];
  private relayDone: boolean;
  /** STARTTLS broke a session: later sessions stay in plaintext, the way MTAs fall back. */
  private plaintextOnly = false;
  /** Wakes a lingering session when a request arrives. */
  private arrival?: () => void;
  /** Recipients per transaction: lowered when the server answers 452 "too many recipients" sooner. */
  private recipientLimit = MAX_RECIPIENTS_PER_TRANSACTION;
  /** The server refused our MAIL FROM: the same sender gets the same answer for every domain, so it is asked once. */
  private mailRefusal?: SmtpReply;
  /** The latest run of identical temporary refusals; complete once it holds HOST_WIDE_SAMPLES domains. */
  private sameRefusals?: HostWideAnswer & { key: string };

  constructor(
    private readonly net: Net,
    private readonly endpoint: { host: string; ip: string; port: number },
    private readonly settings: SmtpProbeSettings,
  ) {
    this.relayDone = !settings.relayTest;
  }

  request(rcpt?: string): Promise<RequestResult> {
    if (rcpt !== undefined && /[\r\n<>]/.test(rcpt)) return Promise.reject(new Error(`not a recipient address: ${JSON.stringify(rcpt)}`));
    if (this.facts && (this.stopped || (this.relayDone && (rcpt === undefined || this.hostWide)))) {
      return Promise.resolve(this.leftover({ rcpt, receivedAt: 0, resolve: () => undefined, reject: () => undefined }));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ rcpt, receivedAt: performance.now(), resolve, reject });
      this.arrival?.();
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length && !this.stopped) {
        await this.net.dialer.exclusive(this.endpoint.ip, this.endpoint.port, () => this.session());
      }
      for (const request of this.waiting.splice(0)) request.resolve(this.leftover(request));
    } catch (err) {
      // A bug or a refused destination (MAILDIAG_NO_NETWORK): the checks that asked report it as their error.
      for (const request of this.waiting.splice(0)) request.reject(err);
    } finally {
      this.draining = undefined;
    }
  }

  private async session(): Promise<void> {
    const transcript = new Transcript();
    const { timeoutMs } = this.settings;
    const opened = await SmtpSession.open(this.net, this.endpoint, timeoutMs, transcript);
    if (opened.kind !== 'connected') {
      // A reset as the connection opens is the server's (or its firewall's) abort, like one before the greeting.
      const outcome: SmtpOutcome = opened.kind === 'reset' ? { kind: 'no-greeting', reason: 'reset', detail: describeDial(opened, timeoutMs), waitedMs: 0 } : opened;
      return this.giveUp(transcript, outcome, { step: 'connect', reason: describeDial(opened, timeoutMs) });
    }
    const session = opened.session;
    const served: Served[] = [];
    try {
      const started = performance.now();
      const greeting = await session.readGreeting(timeoutMs);
      const greetingMs = Math.round(performance.now() - started);
      if (greeting.kind !== 'reply' || greeting.reply.code !== 220) {
        const outcome = greetingFailure(greeting, greetingMs);
        return this.giveUp(transcript, outcome, { step: 'greeting', reason: greeting.kind === 'reply' ? replyText(greeting.reply) : describeReadFailure(greeting) }, greeting.kind === 'reply' ? greeting.reply : undefined);
      }
      const deadline = performance.now() + timeoutMs * SESSION_STEP_BUDGET;
      const facts: HostFacts = { outcome: { kind: 'greeted', connectMs: opened.connectMs, greetingMs }, greeting: greeting.reply, greetingName: announcedName(greeting.reply) };
      const readiness = await this.establish(session, facts, deadline);
      if (!this.facts) {
        this.facts = facts;
        this.firstTranscript = transcript;
      }
      const pipelining = (facts.ehloAfterTls ?? facts.ehlo)?.extensions.pipelining ?? false;
      if (readiness === 'ready') await this.transact({ session, pipelining, deadline, resets: 0, refusals: 0 }, served, transcript);
      else if (readiness !== 'retry-plaintext') this.stopped = readiness === 'refused' ? 'done' : readiness;
    } finally {
      for (const s of served) s.request.resolve(this.result(s, transcript));
      await session.quit(timeoutMs);
    }
  }

  /** EHLO, STARTTLS and EHLO again inside TLS. */
  private async establish(session: SmtpSession, facts: HostFacts, deadline: number): Promise<Readiness> {
    const hello = await session.hello(this.settings.helo, this.stepTimeout(deadline));
    if (hello.kind === 'failed') return stoppedBy(hello.step, hello.failure);
    facts.ehlo = hello.hello;
    facts.ehloName = announcedName(hello.hello.reply);
    if (!isPositive(hello.hello.reply)) return refusal(hello.hello.command === 'EHLO' ? 'ehlo' : 'helo', hello.hello.reply);
    facts.starttls = { offered: hello.hello.extensions.starttls };
    if (!facts.starttls.offered || this.plaintextOnly) return 'ready';
    if (!this.facts) {
      const plaintext = await this.probePlaintextMail(session, facts, deadline);
      if (plaintext) return plaintext;
    }

    const starttls = await session.command('STARTTLS', this.stepTimeout(deadline));
    if (starttls.kind !== 'reply') return stoppedBy('starttls', starttls);
    facts.starttls.reply = starttls.reply;
    if (starttls.reply.code === 421) return refusal('starttls', starttls.reply);
    if (starttls.reply.code !== 220) return 'ready'; // e.g. 454 TLS not available: carry on in plaintext (RFC 3207 §4)
    const handshake = await session.upgrade({ servername: this.endpoint.host, timeoutMs: this.stepTimeout(deadline), caCerts: this.settings.caCerts });
    facts.starttls.handshake = recordHandshake(handshake);
    if (handshake.kind !== 'ok') {
      this.plaintextOnly = true;
      return 'retry-plaintext';
    }
    const again = await session.hello(this.settings.helo, this.stepTimeout(deadline));
    if (again.kind === 'failed') return stoppedBy(again.step, again.failure);
    facts.ehloAfterTls = again.hello;
    return isPositive(again.hello.reply) ? 'ready' : refusal('ehlo', again.hello.reply);
  }

  /**
   * MAIL FROM before STARTTLS, once per host, then RSET: senders that do
   * not start TLS (or whose handshake fails) get this answer, and a public MX
   * must take their mail (RFC 3207 §4). Pipelined when the server offers it.
   */
  private async probePlaintextMail(session: SmtpSession, facts: HostFacts, deadline: number): Promise<Readiness | undefined> {
    const commands = [{ line: `MAIL FROM:<${this.settings.from}>` }, { line: 'RSET' }];
    const replies = facts.ehlo?.extensions.pipelining
      ? await session.pipeline(commands, this.stepTimeout(deadline))
      : [await session.command(commands[0]!.line, this.stepTimeout(deadline))];
    const [mail, rset] = replies;
    if (mail?.kind !== 'reply') return stoppedBy('mail', mail ?? { kind: 'closed', partial: [] });
    if (mail.reply.code === 421) return refusal('mail', mail.reply);
    facts.plaintextMail = mail.reply;
    const reset = rset ?? (await session.command('RSET', this.stepTimeout(deadline)));
    if (reset.kind !== 'reply') return stoppedBy('rset', reset);
    return isPositive(reset.reply) ? undefined : refusal('rset', reset.reply);
  }

  /** RCPT batches for the queued requests and the relay probe, again while requests keep arriving. */
  private async transact(talk: Conversation, served: Served[], transcript: Transcript): Promise<void> {
    if (this.net.sessionLingerMs) {
      const oldest = Math.min(...this.waiting.map(r => r.receivedAt));
      await sleep(Math.max(0, oldest + BATCH_WINDOW_MS - performance.now()));
    }
    // Refusals end a session only while recipients are still asked: a host that answered for all its domains gets no more RCPTs.
    while (this.waiting.length && talk.resets < MAX_RESETS_PER_SESSION && (talk.refusals < MAX_REFUSALS_PER_SESSION || this.hostWide)) {
      if (this.outOfTime(talk.deadline)) return;
      if (talk.open && talk.open.recipients.length >= this.recipientLimit && !(await this.reset(talk))) return;
      const batch = this.takeBatch(this.recipientLimit - (talk.open?.recipients.length ?? 0));
      for (const request of batch.filter(r => r.rcpt === undefined)) served.push({ request });
      const recipients = [...new Set(batch.flatMap(r => (r.rcpt === undefined ? [] : [r.rcpt])))];
      if (recipients.length && !(await this.sendRecipients(talk, batch, recipients, served))) return;
      if (!this.relayDone && (this.outOfTime(talk.deadline) || !(await this.reset(talk)) || !(await this.probeRelay(talk)))) return;
      for (const done of served.splice(0)) done.request.resolve(this.result(done, transcript));
      if (!this.waiting.length && (await this.lingered())) {
        // Let the next batch fill for a moment: fewer, fuller exchanges.
        await sleep(BATCH_WINDOW_MS);
        talk.deadline = performance.now() + this.settings.timeoutMs * SESSION_STEP_BUDGET;
      }
    }
  }

  /** Wait up to the net's linger time for another request; true if one came. */
  private async lingered(): Promise<boolean> {
    const lingerMs = this.net.sessionLingerMs;
    if (!lingerMs) return false;
    const arrived = new Promise<void>(resolve => (this.arrival = resolve));
    // An unref'd timer: a lingering session must not keep the process alive once the run is over.
    await Promise.race([arrived, sleep(lingerMs, undefined, { ref: false }), this.net.finished, this.net.dialer.contended(this.endpoint.ip, this.endpoint.port)]);
    this.arrival = undefined;
    return this.waiting.length > 0;
  }

  /** A server slow on every step would keep the run waiting: the session ends at its deadline, and the host is done for the run. */
  private outOfTime(deadline: number): boolean {
    if (performance.now() < deadline) return false;
    this.stopped = { step: 'mail', reason: TOO_SLOW };
    return true;
  }

  /** Every waiting request, as long as the batch stays within `room` distinct recipients. */
  private takeBatch(room: number): Request[] {
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

  /** A RCPT per recipient, in the open transaction or one opened by MAIL. False when the session cannot go on. */
  private async sendRecipients(talk: Conversation, batch: Request[], recipients: string[], served: Served[]): Promise<boolean> {
    const serve = (addresses: string[], outcome: Omit<Served, 'request'>) => {
      for (const request of batch.filter(r => r.rcpt !== undefined && addresses.includes(r.rcpt))) served.push({ request, ...outcome });
    };
    if (this.answeredForAll(recipients, serve)) return true;
    const opened = await this.openTransaction(talk, recipients);
    if (opened.kind === 'broken') {
      serve(recipients, { incomplete: opened.incomplete });
      return false;
    }
    if (opened.kind === 'refused') {
      serve(recipients, { mail: opened.reply });
      return true;
    }
    const open = opened.open;
    for (let sent = 0; sent < recipients.length; ) {
      if (this.answeredForAll(recipients.slice(sent), serve)) return true;
      if (this.outOfTime(talk.deadline)) {
        serve(recipients.slice(sent), { mail: open.mail, incomplete: this.stopped as Incomplete });
        return false;
      }
      // Pipelined when offered (one round trip for several RCPTs), never more than the refusals this session may still take.
      const chunk = recipients.slice(sent, sent + (talk.pipelining ? MAX_REFUSALS_PER_SESSION - talk.refusals : 1));
      const replies = await talk.session.pipeline(chunk.map(address => ({ line: `RCPT TO:<${address}>`, tag: address })), this.stepTimeout(talk.deadline));
      for (const [k, rcpt] of replies.entries()) {
        const at = sent + k;
        if (rcpt.kind !== 'reply' || rcpt.reply.code === 421) {
          serve(recipients.slice(at), { mail: open.mail, incomplete: this.broken('rcpt', rcpt) });
          return false;
        }
        if (rcpt.reply.code === 452 && open.recipients.length > 0) {
          // "Too many recipients" (RFC 5321 §4.5.3.1.10): the rest go into smaller transactions.
          this.recipientLimit = open.recipients.length;
          this.requeue(batch, recipients.slice(at));
          return true;
        }
        open.recipients.push(recipients[at]!);
        serve([recipients[at]!], { mail: open.mail, rcpt: rcpt.reply });
        this.noteReply(recipients[at]!, open.mail, rcpt.reply);
        if (!isPositive(rcpt.reply) && ++talk.refusals >= MAX_REFUSALS_PER_SESSION) {
          this.requeue(batch, recipients.slice(at + 1));
          return true;
        }
      }
      sent += chunk.length;
    }
    return true;
  }

  /** Follow runs of one temporary refusal across domains: a greylisting host answers every recipient alike. */
  private noteReply(recipient: string, mail: SmtpReply, reply: SmtpReply): void {
    const key = hostWideKey(reply, recipient);
    if (key === undefined) {
      this.sameRefusals = undefined;
      return;
    }
    const run = this.sameRefusals?.key === key ? this.sameRefusals : (this.sameRefusals = { key, mail, reply, recipients: [] });
    const domain = domainOf(recipient);
    if (run.recipients.length < HOST_WIDE_SAMPLES && !run.recipients.some(r => domainOf(r) === domain)) run.recipients.push(recipient);
  }

  /** Serve these recipients with the host's answer for everyone, if it has given one. */
  private answeredForAll(recipients: string[], serve: (addresses: string[], outcome: Omit<Served, 'request'>) => void): boolean {
    const hostWide = this.hostWide;
    if (hostWide) serve(recipients, { mail: hostWide.mail, rcpt: hostWide.reply, sampledFrom: hostWide.recipients });
    return hostWide !== undefined;
  }

  /** The host's answer for every recipient, once enough domains have had it. */
  private get hostWide(): HostWideAnswer | undefined {
    return this.sameRefusals && this.sameRefusals.recipients.length >= HOST_WIDE_SAMPLES ? this.sameRefusals : undefined;
  }

  /** Put the requests for these recipients back at the head of the queue: a later transaction or session asks them. */
  private requeue(batch: Request[], recipients: string[]): void {
    this.waiting.unshift(...batch.filter(r => r.rcpt !== undefined && recipients.includes(r.rcpt)));
  }

  /** The session's open transaction, or a new one (MAIL FROM), for these recipients (none: the relay probe's, shared by all). */
  private async openTransaction(talk: Conversation, recipients: string[]): Promise<{ kind: 'open'; open: NonNullable<Conversation['open']> } | { kind: 'refused'; reply: SmtpReply } | { kind: 'broken'; incomplete: Incomplete }> {
    if (this.mailRefusal) return { kind: 'refused', reply: this.mailRefusal };
    if (talk.open) {
      // Recipients joining a transaction another domain's MAIL opened: their transcripts say so.
      for (const address of recipients) talk.session.transcript.add(`-- in the open transaction: MAIL FROM:<${this.settings.from}> ${replyText(talk.open.mail)}`, address);
      return { kind: 'open', open: talk.open };
    }
    // The transaction's own MAIL belongs to its first recipients' transcripts, not to every domain's.
    const mail = await talk.session.command(`MAIL FROM:<${this.settings.from}>`, this.stepTimeout(talk.deadline), recipients);
    if (mail.kind !== 'reply' || mail.reply.code === 421) return { kind: 'broken', incomplete: this.broken('mail', mail) };
    if (!isPositive(mail.reply)) {
      this.mailRefusal = mail.reply;
      return { kind: 'refused', reply: mail.reply };
    }
    talk.open = { mail: mail.reply, recipients: [] };
    return { kind: 'open', open: talk.open };
  }

  /** RCPT TO a reserved domain nobody hosts: 250 means the server relays for anyone (RFC 5321 §3.6.1). */
  private async probeRelay(talk: Conversation): Promise<boolean> {
    try {
      const opened = await this.openTransaction(talk, []);
      if (opened.kind !== 'open') return opened.kind === 'refused';
      const rcpt = await talk.session.command(`RCPT TO:<${RELAY_PROBE_ADDRESS}>`, this.stepTimeout(talk.deadline));
      if (rcpt.kind !== 'reply' || rcpt.reply.code === 421) {
        this.broken('rcpt', rcpt);
        return false;
      }
      if (!isPositive(rcpt.reply)) talk.refusals++;
      this.relay = { address: RELAY_PROBE_ADDRESS, reply: rcpt.reply, ...(talk.session.localAddress ? { clientAddress: talk.session.localAddress } : {}) };
      return await this.reset(talk);
    } finally {
      this.relayDone = true;
    }
  }

  /** End the open transaction, if there is one (RSET). */
  private async reset(talk: Conversation): Promise<boolean> {
    if (!talk.open) return true;
    const { recipients } = talk.open;
    talk.open = undefined;
    talk.resets++;
    const rset = await talk.session.command('RSET', this.stepTimeout(talk.deadline), recipients);
    if (rset.kind === 'reply' && isPositive(rset.reply)) return true;
    this.broken('rset', rset);
    return false;
  }

  /** The session broke at `step`: nothing more is asked of this host in this run. */
  private broken(step: SmtpStep, outcome: ReadOutcome): Incomplete {
    // A wait shorter than --timeout was cut short by the session's deadline.
    if (outcome.kind === 'timeout' && outcome.waitedMs < this.settings.timeoutMs) return (this.stopped = { step, reason: TOO_SLOW });
    const incomplete: Incomplete = outcome.kind === 'reply' ? { step, reason: replyText(outcome.reply), reply: outcome.reply } : stoppedBy(step, outcome);
    this.stopped = incomplete;
    return incomplete;
  }

  /** The host could not be talked to: every waiting request gets that, now and for the rest of the run. */
  private giveUp(transcript: Transcript, outcome: SmtpOutcome, incomplete: Incomplete, reply?: SmtpReply): void {
    if (!this.facts) {
      this.facts = { outcome, ...(reply ? { greeting: reply } : {}) };
      this.firstTranscript = transcript;
      this.stopped = 'done';
      return;
    }
    // A later session failed where the first got through: the host became busy, or the plaintext retry after a failed TLS handshake did not work.
    this.stopped = { ...incomplete, reason: `a further connection failed: ${incomplete.reason}`, ...(reply ? { reply } : {}) };
    this.firstTranscript!.add('-- a further connection:');
    for (const line of transcript.lines()) this.firstTranscript!.add(line);
  }

  private stepTimeout(deadline: number): number {
    return Math.max(1, Math.min(this.settings.timeoutMs, deadline - performance.now()));
  }

  /** A request no session answered: the host's facts, and why it stopped. */
  private leftover(request: Request): RequestResult {
    const hostWide = this.hostWide;
    if (hostWide && request.rcpt !== undefined && !this.stopped) {
      return this.result({ request, mail: hostWide.mail, rcpt: hostWide.reply, sampledFrom: hostWide.recipients }, this.firstTranscript!);
    }
    return this.result({ request, ...(typeof this.stopped === 'object' ? { incomplete: this.stopped } : {}) }, this.firstTranscript!);
  }

  private result(served: Served, transcript: Transcript): RequestResult {
    const tag = served.request.rcpt;
    // A session that broke before the relay probe leaves that question unanswered for every request it served.
    const incomplete = served.incomplete ?? (!this.relayDone && typeof this.stopped === 'object' ? this.stopped : undefined);
    const first = this.firstTranscript!;
    const lines = first === transcript ? first.lines(tag) : [...first.lines(tag), '-- a later session of the same run:', ...transcript.lines(tag)];
    const { sampledFrom } = served;
    if (sampledFrom && served.rcpt) lines.push(`-- RCPT TO:<${tag}> not sent: the host answered the recipients of ${sampledFrom.length} domains in a row (${sampledFrom.join(', ')}) with ${replyText(served.rcpt)}, so it refuses every recipient that way`);
    return {
      ...this.facts!,
      ...(served.mail ? { mail: served.mail } : {}),
      ...(served.rcpt && tag !== undefined ? { rcpt: { address: tag, reply: served.rcpt, ...(sampledFrom ? { sampledFrom } : {}) } } : {}),
      ...(this.relay ? { relay: this.relay } : {}),
      ...(incomplete ? { incomplete } : {}),
      transcript: lines,
    };
  }
}

/**
 * What makes two RCPT replies "the same answer" for different recipients: a
 * temporary refusal (greylisting, a policy delay) with the same code and the
 * same words once the recipient's address and domain are taken out (postgrey
 * names both). Undefined for anything
 * that may depend on the recipient: acceptance, permanent refusals such as
 * "user unknown", 452 "too many recipients" and 421.
 */
function hostWideKey(reply: SmtpReply, recipient: string): string | undefined {
  if (!isTransient(reply) || reply.code === 421 || reply.code === 452) return undefined;
  const text = reply.lines.join(' ').toLowerCase();
  return `${reply.code} ${text.split(recipient.toLowerCase()).join('<recipient>').split(domainOf(recipient)).join('<domain>')}`;
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** A step that got no reply; a connection closed under it is a dropped session, not a slow or garbled one. */
function stoppedBy(step: SmtpStep, failure: Exclude<ReadOutcome, { kind: 'reply' }>): Incomplete {
  const stopped: Incomplete = { step, reason: describeReadFailure(failure) };
  switch (failure.kind) {
    case 'closed':
      return { ...stopped, dropped: true, ...(failure.reset ? { reset: true as const } : {}) };
    case 'too-long':
      return { ...stopped, malformed: { how: 'too-long', bytes: failure.bytes, ...(failure.waitedMs === undefined ? {} : { waitedMs: failure.waitedMs }) } };
    case 'garbage':
      return { ...stopped, malformed: { how: 'garbage' } };
    case 'timeout':
      // Lines kept coming but the reply never ended (a drip); plain silence may be tarpitting, not a broken server.
      return failure.partial.length ? { ...stopped, malformed: { how: 'unfinished', bytes: failure.bytes, waitedMs: failure.waitedMs } } : stopped;
  }
}

/** A reply that refuses the client at `step`: a 421 ends the session (incomplete), anything else is the answer. */
function refusal(step: SmtpStep, reply: SmtpReply): Readiness {
  return reply.code === 421 ? { step, reason: `the server closed the session: ${replyText(reply)}`, reply } : 'refused';
}

function greetingFailure(greeting: ReadOutcome, waitedMs: number): SmtpOutcome {
  switch (greeting.kind) {
    case 'reply': {
      const { reply } = greeting;
      if (reply.code >= 400 && reply.code < 500) return { kind: 'busy', reply };
      if (reply.code >= 500) return { kind: 'rejected', reply };
      return { kind: 'no-greeting', reason: 'garbage', detail: `${replyText(reply)} instead of 220`, waitedMs };
    }
    case 'timeout':
      return { kind: 'no-greeting', reason: greeting.partial.length ? 'slow' : 'silent', detail: describeReadFailure(greeting), waitedMs };
    case 'closed':
      return { kind: 'no-greeting', reason: greeting.reset ? 'reset' : 'closed', detail: describeReadFailure(greeting), waitedMs };
    default:
      return { kind: 'no-greeting', reason: greeting.kind, detail: describeReadFailure(greeting), waitedMs };
  }
}
