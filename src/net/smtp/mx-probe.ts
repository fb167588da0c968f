// Port-25 probes of MX hosts, the way a sending MTA talks to them, stopping
// before DATA: greeting → EHLO → MAIL → RSET (the plaintext question, once per
// host) → STARTTLS → EHLO → MAIL → RCPT(s) → RCPT <relay probe> → RCPT(s) →
// QUIT, in one session.
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
// answered as soon as its batch is done, never held for the linger. What a
// prober knows and where its host and sessions stand live in mx-state.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Net } from '../context.js';
import { recordHandshake, type TlsResult } from '../tls.js';
import type { ReadOutcome } from './reader.js';
import { announcedName, isPositive, replyText, type SmtpReply } from './reply.js';
import { caFingerprint, SmtpSession, Transcript, type HelloResult, type SmtpStep, type StopReason } from './session.js';
import { Conversation, HostAnswers, HostLifecycle, RelayQuestion, RequestQueue, sampled, type HostFacts, type Incomplete, type OpenTransaction, type Request, type RequestResult, type Served, type SessionEnd } from './mx-state.js';

export const SMTP_PORT = 25;
/** A reserved name no server can host (RFC 2606 §2): accepting mail for it means relaying for anyone. */
export const RELAY_PROBE_ADDRESS = 'relay-test@maildiag-probe.invalid';
export const BATCH_WINDOW_MS = 30;
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
const tooSlow = (step: SmtpStep): Incomplete => ({ step, reason: { code: 'tooSlow' } });

export interface SmtpProbeSettings {
  helo: string;
  /** MAIL FROM; '' is the null sender <>. */
  from: string;
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
  | { kind: 'timeout'; waitedMs: number }
  /** No route from this machine (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ...). */
  | { kind: 'unreachable'; code: string }
  /** TCP accepted, but no 220: `silent` sent nothing, `slow` started but did not finish in time, `reset` aborted the connection (ECONNRESET). */
  | { kind: 'no-greeting'; reason: 'silent' | 'slow' | 'closed' | 'reset' | 'garbage' | 'too-long'; detail: StopReason; waitedMs: number }
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
  /**
   * Why the open-relay probe got no answer (shared like `relay`): the session
   * stopped at it (a 421, a drop, its time limit), or MAIL was refused, so it could not be asked.
   */
  relayUnanswered?: SmtpProbe['incomplete'];
  /** The session stopped before this probe's questions were answered. */
  incomplete?: {
    step: SmtpStep;
    reason: StopReason;
    reply?: SmtpReply;
    /** The server closed the connection without a reply (RFC 5321 §3.8 allows that only after QUIT or a 421). */
    dropped?: true;
    /** It aborted the connection (ECONNRESET) rather than closing it. */
    reset?: true;
    /** The reply itself broke the protocol: over the reader's caps, never finished, or not SMTP at all. */
    malformed?: { how: 'too-long' | 'unfinished' | 'garbage'; bytes?: number; waitedMs?: number };
  };
  /** This end of the first connection that got an answer (socket.localAddress): behind NAT a private address, not the one the server saw. */
  localAddress?: string;
  /** "C: ..." / "S: ..." lines, "-- ..." notes. */
  transcript: string[];
}

export interface MxAddress {
  /** The MX host name, or the address itself for an IP target. */
  host: string;
  ip: string;
  family: 4 | 6;
  preference: number;
}

/** Probe port 25 of one MX address; `rcpt` is the recipient to try (none: host facts and relay probe only). */
export async function probeMx(net: Net, address: MxAddress, settings: SmtpProbeSettings, rcpt?: string): Promise<SmtpProbe> {
  const key = ['smtp25', address.host, address.ip, settings.helo, settings.from, settings.relayTest, caFingerprint(settings.caCerts)].join('|');
  const prober = await net.once(key, async () => new MxProber(net, { host: address.host, ip: address.ip, port: SMTP_PORT }, settings));
  const result = await prober.request(rcpt);
  return { host: address.host, ip: address.ip, port: SMTP_PORT, family: address.family, preference: address.preference, ...result };
}

/** How far EHLO/STARTTLS got: MAIL may follow, reconnect without TLS, or the host is done for this run. */
type Readiness = 'ready' | 'retry-plaintext' | 'refused' | Incomplete;

class MxProber {
  private readonly host = new HostLifecycle();
  private readonly relay: RelayQuestion;
  private readonly queue = new RequestQueue();
  private readonly answers = new HostAnswers();
  private draining?: Promise<void>;

  constructor(
    private readonly net: Net,
    private readonly endpoint: { host: string; ip: string; port: number },
    private readonly settings: SmtpProbeSettings,
  ) {
    this.relay = new RelayQuestion(settings.relayTest);
  }

  request(rcpt?: string): Promise<RequestResult> {
    if (rcpt !== undefined && /[\r\n<>]/.test(rcpt)) return Promise.reject(new Error(`not a recipient address: ${JSON.stringify(rcpt)}`));
    if (this.answeredFromMemory(rcpt)) return Promise.resolve(this.leftover({ rcpt, receivedAt: 0, resolve: () => undefined, reject: () => undefined }));
    return new Promise((resolve, reject) => {
      this.queue.push({ rcpt, receivedAt: performance.now(), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** The run already knows all a request for `rcpt` asks: the host is finished, or its relay probe is done and the recipient needs no RCPT. */
  private answeredFromMemory(rcpt?: string): boolean {
    if (this.host.state.name !== 'talking') return this.host.state.name === 'finished';
    return !this.relay.pending && (rcpt === undefined || this.answers.hostWide !== undefined);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length && this.host.state.name !== 'finished') {
        await this.net.dialer.exclusive(this.endpoint.ip, this.endpoint.port, () => this.session());
      }
      for (const request of this.queue.takeAll()) request.resolve(this.leftover(request));
    } catch (err) {
      // A bug, a refused destination (MAILDIAG_NO_NETWORK) or the run's end (RunFinished): the checks that asked report it as their error.
      for (const request of this.queue.takeAll()) request.reject(err);
    } finally {
      this.draining = undefined;
    }
  }

  private async session(): Promise<void> {
    const transcript = new Transcript();
    const opened = await SmtpSession.open(this.net, this.endpoint, transcript);
    if (opened.kind !== 'connected') {
      // A reset as the connection opens is the server's (or its firewall's) abort, like one before the greeting.
      const outcome: SmtpOutcome = opened.kind === 'reset' ? { kind: 'no-greeting', reason: 'reset', detail: { code: 'dial', failure: opened }, waitedMs: 0 } : opened;
      return this.giveUp(transcript, { outcome }, { step: 'connect', reason: { code: 'dial', failure: opened } });
    }
    const session = opened.session;
    const local = session.localAddress === undefined ? {} : { localAddress: session.localAddress };
    const served: Served[] = [];
    try {
      const started = performance.now();
      const greeting = await session.readGreeting();
      const greetingMs = Math.round(performance.now() - started);
      if (greeting.kind !== 'reply' || greeting.reply.code !== 220) {
        const outcome = greetingFailure(greeting, greetingMs);
        const reason: StopReason = greeting.kind === 'reply' ? { code: 'reply', reply: replyText(greeting.reply) } : { code: 'read', failure: greeting };
        return this.giveUp(transcript, { outcome, ...local }, { step: 'greeting', reason }, greeting.kind === 'reply' ? greeting.reply : undefined);
      }
      session.startSessionLimit();
      const facts: HostFacts = { outcome: { kind: 'greeted', connectMs: opened.connectMs, greetingMs }, greeting: greeting.reply, greetingName: announcedName(greeting.reply), ...local };
      const readiness = await this.establish(session, facts);
      this.host.greeted(facts, transcript);
      if (readiness === 'ready') {
        const pipelining = (facts.ehloAfterTls ?? facts.ehlo)?.extensions.pipelining ?? false;
        const stop = await this.transact(new Conversation(session, pipelining), served, transcript);
        if (stop) this.host.finish(stop);
      } else if (readiness === 'retry-plaintext') this.host.fallBackToPlaintext();
      else this.host.finish(readiness === 'refused' ? undefined : readiness);
    } finally {
      for (const s of served) s.request.resolve(this.result(s, transcript));
      await session.quit();
    }
  }

  /** EHLO, STARTTLS and EHLO again inside TLS. */
  private async establish(session: SmtpSession, facts: HostFacts): Promise<Readiness> {
    const hello = await session.hello(this.settings.helo);
    if (hello.kind === 'failed') return stoppedBy(hello.step, hello.failure);
    facts.ehlo = hello.hello;
    // Only a 250 names the server: a refusal's first word is its status code ("421-4.7.0 Try again later").
    if (!isPositive(hello.hello.reply)) return refusal(hello.hello.command === 'EHLO' ? 'ehlo' : 'helo', hello.hello.reply);
    facts.ehloName = announcedName(hello.hello.reply);
    facts.starttls = { offered: hello.hello.extensions.starttls };
    if (!facts.starttls.offered || this.host.plaintextOnly) return 'ready';
    if (this.host.state.name === 'new') {
      const plaintext = await this.probePlaintextMail(session, facts);
      if (plaintext) return plaintext;
    }

    const starttls = await session.command('STARTTLS');
    if (starttls.kind !== 'reply') return stoppedBy('starttls', starttls);
    facts.starttls.reply = starttls.reply;
    if (starttls.reply.code === 421) return refusal('starttls', starttls.reply);
    if (starttls.reply.code !== 220) return 'ready'; // e.g. 454 TLS not available: carry on in plaintext (RFC 3207 §4)
    const handshake = await session.upgrade({ servername: this.endpoint.host, caCerts: this.settings.caCerts });
    facts.starttls.handshake = recordHandshake(handshake);
    if (handshake.kind !== 'ok') return 'retry-plaintext';
    const again = await session.hello(this.settings.helo);
    if (again.kind === 'failed') return stoppedBy(again.step, again.failure);
    facts.ehloAfterTls = again.hello;
    return isPositive(again.hello.reply) ? 'ready' : refusal('ehlo', again.hello.reply);
  }

  /**
   * MAIL FROM before STARTTLS, once per host, then RSET: senders that do
   * not start TLS (or whose handshake fails) get this answer, and a public MX
   * must take their mail (RFC 3207 §4). Pipelined when the server offers it.
   */
  private async probePlaintextMail(session: SmtpSession, facts: HostFacts): Promise<Readiness | undefined> {
    const commands = [{ line: `MAIL FROM:<${this.settings.from}>` }, { line: 'RSET' }];
    const replies = facts.ehlo?.extensions.pipelining
      ? await session.pipeline(commands)
      : [await session.command(commands[0]!.line)];
    const [mail, rset] = replies;
    if (mail?.kind !== 'reply') return stoppedBy('mail', mail ?? { kind: 'closed', partial: [] });
    if (mail.reply.code === 421) return refusal('mail', mail.reply);
    facts.plaintextMail = mail.reply;
    const reset = rset ?? (await session.command('RSET'));
    if (reset.kind !== 'reply') return stoppedBy('rset', reset);
    if (isPositive(reset.reply)) return undefined;
    // RSET must get 250 (RFC 5321 §4.1.1.5); after a refused one the session stands nowhere known, so it stops here, unjudged.
    return reset.reply.code === 421 ? refusal('rset', reset.reply) : { step: 'rset', reason: { code: 'reply', reply: replyText(reset.reply) }, reply: reset.reply };
  }

  /**
   * RCPT batches for the queued requests and the relay probe, again while
   * requests keep arriving. Returns why the host is done for the run, when a
   * step broke the session.
   */
  private async transact(talk: Conversation, served: Served[], transcript: Transcript): Promise<Incomplete | undefined> {
    if (this.net.sessionLingerMs) await sleep(Math.max(0, this.queue.oldestReceivedAt + BATCH_WINDOW_MS - performance.now()));
    for (;;) {
      // Only a session out of time ends the host's run too; the next session takes the requests left after the others.
      const end = this.sessionEnd(talk);
      if (end) return end === 'too-slow' ? tooSlow('mail') : undefined;
      const stop = (await this.askBatch(talk, served)) ?? (this.relay.pending ? await this.askRelay(talk) : undefined);
      if (stop) return stop;
      for (const done of served.splice(0)) done.request.resolve(this.result(done, transcript));
      if (!this.queue.length && (await this.lingered())) {
        // Let the next batch fill for a moment: fewer, fuller exchanges.
        await sleep(BATCH_WINDOW_MS);
        talk.session.startSessionLimit();
      }
    }
  }

  /** Why the session should say QUIT now, if it should: the one place a session's end is decided. */
  private sessionEnd(talk: Conversation): SessionEnd | undefined {
    if (!this.queue.length) return 'drained';
    if (talk.resets >= MAX_RESETS_PER_SESSION) return 'reset-limit';
    // Refusals end a session only while recipients are still asked: a host that answered for all its domains gets no more RCPTs.
    if (talk.refusals >= MAX_REFUSALS_PER_SESSION && !this.answers.hostWide) return 'refusal-limit';
    // A server slow on every step would keep the run waiting: the session ends at its deadline, and the host is done for the run.
    if (talk.pastDeadline()) return 'too-slow';
    return undefined;
  }

  /** The next batch of waiting requests, in the open transaction, or a new one when it is full. */
  private async askBatch(talk: Conversation, served: Served[]): Promise<Incomplete | undefined> {
    const open = talk.open;
    if (open && open.recipients.length >= this.answers.recipientLimit) {
      const stop = await this.reset(talk);
      if (stop) return stop;
    }
    const batch = this.queue.takeBatch(this.answers.recipientLimit - (talk.open?.recipients.length ?? 0));
    for (const request of batch.filter(r => r.rcpt === undefined)) served.push({ request });
    const recipients = [...new Set(batch.flatMap(r => (r.rcpt === undefined ? [] : [r.rcpt])))];
    return recipients.length ? this.sendRecipients(talk, batch, recipients, served) : undefined;
  }

  /** Wait up to the net's linger time for another request; true if one came. */
  private async lingered(): Promise<boolean> {
    const lingerMs = this.net.sessionLingerMs;
    if (!lingerMs) return false;
    // An unref'd timer: a lingering session must not keep the process alive once the run is over.
    // Cut short when the run finishes: the session then says QUIT at once.
    const linger = sleep(lingerMs, undefined, { ref: false, signal: this.net.finished }).catch(() => undefined);
    await Promise.race([this.queue.arrival(), linger, this.net.dialer.contended(this.endpoint.ip, this.endpoint.port)]);
    return this.queue.length > 0;
  }

  /** A RCPT per recipient, in the open transaction or one opened by MAIL. Returns why the session cannot go on, if it cannot. */
  private async sendRecipients(talk: Conversation, batch: Request[], recipients: string[], served: Served[]): Promise<Incomplete | undefined> {
    const serve = (addresses: string[], outcome: Omit<Served, 'request'>) => {
      for (const request of batch.filter(r => r.rcpt !== undefined && addresses.includes(r.rcpt))) served.push({ request, ...outcome });
    };
    const answeredForAll = this.answers.hostWide;
    if (answeredForAll) {
      serve(recipients, sampled(answeredForAll));
      return undefined;
    }
    const opened = await this.openTransaction(talk, recipients);
    if (opened.kind === 'broken') {
      serve(recipients, { incomplete: opened.incomplete });
      return opened.incomplete;
    }
    if (opened.kind === 'refused') {
      serve(recipients, { mail: opened.reply });
      return undefined;
    }
    const { open } = opened;
    for (let sent = 0; sent < recipients.length; ) {
      const hostWide = this.answers.hostWide;
      if (hostWide) {
        serve(recipients.slice(sent), sampled(hostWide));
        return undefined;
      }
      if (talk.pastDeadline()) {
        serve(recipients.slice(sent), { mail: open.mail, incomplete: tooSlow('mail') });
        return tooSlow('mail');
      }
      // Pipelined when offered (one round trip for several RCPTs), never more than the refusals this session may still take.
      const chunk = recipients.slice(sent, sent + (talk.pipelining ? MAX_REFUSALS_PER_SESSION - talk.refusals : 1));
      const replies = await talk.session.pipeline(chunk.map(address => ({ line: `RCPT TO:<${address}>`, tag: address })));
      for (const [k, rcpt] of replies.entries()) {
        const at = sent + k;
        if (rcpt.kind !== 'reply' || rcpt.reply.code === 421) {
          const stop = this.interruption('rcpt', rcpt);
          serve(recipients.slice(at), { mail: open.mail, incomplete: stop });
          return stop;
        }
        if (rcpt.reply.code === 452 && open.recipients.length > 0) {
          // "Too many recipients" (RFC 5321 §4.5.3.1.10): the rest go into smaller transactions.
          this.answers.recipientLimit = open.recipients.length;
          this.queue.requeue(batch, recipients.slice(at));
          return undefined;
        }
        open.recipients.push(recipients[at]!);
        serve([recipients[at]!], { mail: open.mail, rcpt: rcpt.reply });
        this.answers.noteReply(recipients[at]!, open.mail, rcpt.reply);
        if (isPositive(rcpt.reply)) continue;
        talk.noteRefusal();
        if (talk.refusals >= MAX_REFUSALS_PER_SESSION) {
          this.queue.requeue(batch, recipients.slice(at + 1));
          return undefined;
        }
      }
      sent += chunk.length;
    }
    return undefined;
  }

  /** The session's open transaction, or a new one (MAIL FROM), for these recipients (none: the relay probe's, shared by all). */
  private async openTransaction(talk: Conversation, recipients: string[]): Promise<{ kind: 'open'; open: OpenTransaction } | { kind: 'refused'; reply: SmtpReply } | { kind: 'broken'; incomplete: Incomplete }> {
    if (this.answers.mailRefusal) return { kind: 'refused', reply: this.answers.mailRefusal };
    const open = talk.open;
    if (open) {
      // Recipients joining a transaction another domain's MAIL opened: their transcripts say so.
      for (const address of recipients) talk.session.transcript.add(`-- in the open transaction: MAIL FROM:<${this.settings.from}> ${replyText(open.mail)}`, address);
      return { kind: 'open', open };
    }
    // The transaction's own MAIL belongs to its first recipients' transcripts, not to every domain's.
    const mail = await talk.session.command(`MAIL FROM:<${this.settings.from}>`, recipients);
    if (mail.kind !== 'reply' || mail.reply.code === 421) return { kind: 'broken', incomplete: this.interruption('mail', mail) };
    if (!isPositive(mail.reply)) {
      this.answers.mailRefusal = mail.reply;
      return { kind: 'refused', reply: mail.reply };
    }
    return { kind: 'open', open: talk.begin(mail.reply) };
  }

  /**
   * The relay probe in the open transaction, after the first batch: one
   * transaction per session, because Postfix's cleanup takes an in_flow_delay
   * token for each transaction with an accepted recipient, and a server that
   * queues nothing for a while runs out of them and holds each new one for a
   * second.
   */
  private async askRelay(talk: Conversation): Promise<Incomplete | undefined> {
    if (!talk.pastDeadline()) return this.probeRelay(talk);
    const stop = tooSlow('mail');
    this.relay.settle({ unanswered: stop });
    return stop;
  }

  /** RCPT TO a reserved domain nobody hosts: 250 means the server relays for anyone (RFC 5321 §3.6.1). */
  private async probeRelay(talk: Conversation, retried = false): Promise<Incomplete | undefined> {
    const opened = await this.openTransaction(talk, []);
    if (opened.kind === 'broken') {
      this.relay.settle({ unanswered: opened.incomplete });
      return opened.incomplete;
    }
    if (opened.kind === 'refused') {
      // No transaction, no RCPT: the question could not be asked.
      this.relay.settle({ unanswered: { step: 'mail', reason: { code: 'reply', reply: replyText(opened.reply) }, reply: opened.reply } });
      return undefined;
    }
    const rcpt = await talk.session.command(`RCPT TO:<${RELAY_PROBE_ADDRESS}>`);
    if (rcpt.kind !== 'reply' || rcpt.reply.code === 421) {
      const stop = this.interruption('rcpt', rcpt);
      this.relay.settle({ unanswered: stop });
      return stop;
    }
    const held = opened.open.recipients.length;
    if (rcpt.reply.code === 452 && held > 0 && !retried) {
      // "Too many recipients" (RFC 5321 §4.5.3.1.10) says nothing about relaying: ask again in a transaction of its own.
      this.answers.recipientLimit = held;
      return (await this.reset(talk)) ?? this.probeRelay(talk, true);
    }
    if (!isPositive(rcpt.reply)) talk.noteRefusal();
    this.relay.settle({ answer: { address: RELAY_PROBE_ADDRESS, reply: rcpt.reply, ...(talk.session.localAddress ? { clientAddress: talk.session.localAddress } : {}) } });
    return undefined;
  }

  /** End the open transaction, if there is one (RSET). */
  private async reset(talk: Conversation): Promise<Incomplete | undefined> {
    if (!talk.open) return undefined;
    const recipients = talk.end();
    const rset = await talk.session.command('RSET', recipients);
    return rset.kind === 'reply' && isPositive(rset.reply) ? undefined : this.interruption('rset', rset);
  }

  /** Why the session broke at `step`: nothing more is asked of this host in this run. */
  private interruption(step: SmtpStep, outcome: ReadOutcome): Incomplete {
    // A wait shorter than a reply's was cut short by the session's limit.
    if (outcome.kind === 'timeout' && outcome.waitedMs < this.net.time.replyMs) return tooSlow(step);
    return outcome.kind === 'reply' ? { step, reason: { code: 'reply', reply: replyText(outcome.reply) }, reply: outcome.reply } : stoppedBy(step, outcome);
  }

  /** The host could not be talked to: every waiting request gets that, now and for the rest of the run. */
  private giveUp(transcript: Transcript, connection: Pick<HostFacts, 'outcome' | 'localAddress'>, incomplete: Incomplete, reply?: SmtpReply): void {
    if (this.host.state.name === 'new') {
      this.host.unreachable({ ...connection, ...(reply ? { greeting: reply } : {}) }, transcript);
      return;
    }
    // A later session failed where the first got through: the host became busy, or the plaintext retry after a failed TLS handshake did not work.
    const first = this.host.known.transcript;
    first.add('-- a further connection:');
    for (const line of transcript.lines()) first.add(line);
    this.host.finish({ ...incomplete, reason: { code: 'furtherConnection', failure: incomplete.reason }, ...(reply ? { reply } : {}) });
  }

  /** A request no session answered: the host's facts, and why it stopped. */
  private leftover(request: Request): RequestResult {
    const host = this.host.known;
    if (host.name === 'finished') return this.result({ request, ...(host.incomplete ? { incomplete: host.incomplete } : {}) }, host.transcript);
    const hostWide = this.answers.hostWide;
    return this.result({ request, ...(hostWide && request.rcpt !== undefined ? sampled(hostWide) : {}) }, host.transcript);
  }

  private result(served: Served, transcript: Transcript): RequestResult {
    const known = this.host.known;
    const tag = served.request.rcpt;
    // A session that broke before the relay probe leaves that question unanswered for every request it served.
    const incomplete = served.incomplete ?? (this.relay.pending && known.name === 'finished' ? known.incomplete : undefined);
    const first = known.transcript;
    const lines = first === transcript ? first.lines(tag) : [...first.lines(tag), '-- a later session of the same run:', ...transcript.lines(tag)];
    const { sampledFrom } = served;
    if (sampledFrom && served.rcpt) lines.push(`-- RCPT TO:<${tag}> not sent: the host answered the recipients of ${sampledFrom.length} domains in a row (${sampledFrom.join(', ')}) with ${replyText(served.rcpt)}, so it refuses every recipient that way`);
    const relay = this.relay.answer;
    const relayUnanswered = this.relay.unanswered;
    return {
      ...known.facts,
      ...(served.mail ? { mail: served.mail } : {}),
      ...(served.rcpt && tag !== undefined ? { rcpt: { address: tag, reply: served.rcpt, ...(sampledFrom ? { sampledFrom } : {}) } } : {}),
      ...(relay ? { relay } : {}),
      ...(relayUnanswered ? { relayUnanswered } : {}),
      ...(incomplete ? { incomplete } : {}),
      transcript: lines,
    };
  }
}

/** A step that got no reply; a connection closed under it is a dropped session, not a slow or garbled one. */
function stoppedBy(step: SmtpStep, failure: Exclude<ReadOutcome, { kind: 'reply' }>): Incomplete {
  const stopped: Incomplete = { step, reason: { code: 'read', failure } };
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
  return reply.code === 421 ? { step, reason: { code: 'closedSession', reply: replyText(reply) }, reply } : 'refused';
}

function greetingFailure(greeting: ReadOutcome, waitedMs: number): SmtpOutcome {
  switch (greeting.kind) {
    case 'reply': {
      const { reply } = greeting;
      if (reply.code >= 400 && reply.code < 500) return { kind: 'busy', reply };
      if (reply.code >= 500) return { kind: 'rejected', reply };
      return { kind: 'no-greeting', reason: 'garbage', detail: { code: 'notGreeting', reply: replyText(reply) }, waitedMs };
    }
    case 'timeout':
      return { kind: 'no-greeting', reason: greeting.partial.length ? 'slow' : 'silent', detail: { code: 'read', failure: greeting }, waitedMs };
    case 'closed':
      return { kind: 'no-greeting', reason: greeting.reset ? 'reset' : 'closed', detail: { code: 'read', failure: greeting }, waitedMs };
    default:
      return { kind: 'no-greeting', reason: greeting.kind, detail: { code: 'read', failure: greeting }, waitedMs };
  }
}
