// What a mail client meets on a submission port (RFC 6409, RFC 8314): the
// greeting, STARTTLS (587, 2525) or TLS from the first byte (465), and the
// AUTH mechanisms offered before and after encryption. No login is tried.
import type { Net } from '../context.js';
import { recordHandshake, sayTlsFailure, type TlsFailure, type TlsResult } from '../tls.js';
import type { ReadOutcome } from './reader.js';
import { isPositive, replyText } from './reply.js';
import { caFingerprint, describeDial, sayStopReason, SmtpSession, Transcript, type DialFailure, type SmtpEndpoint, type SmtpStep, type StopReason } from './session.js';

/** Ports where TLS starts before the greeting (RFC 8314 §3.3). */
export const IMPLICIT_TLS_PORTS: readonly number[] = [465];

export type SubmissionOutcome =
  | { kind: 'greeted' }
  | DialFailure
  /** Implicit TLS (465) failed before any SMTP was spoken. */
  | { kind: 'tls-failed'; reason: TlsFailure | { code: 'timeout' } }
  | { kind: 'no-greeting'; detail: StopReason }
  /** A 4xx/5xx instead of 220. */
  | { kind: 'refused-session'; reply: string };

export interface SubmissionProbe extends SmtpEndpoint {
  implicitTls: boolean;
  outcome: SubmissionOutcome;
  greeting?: string;
  /** STARTTLS offered in the first EHLO (ports without implicit TLS). */
  starttlsOffered?: boolean;
  tls?: TlsResult;
  /** SASL mechanisms offered before TLS: offering PLAIN/LOGIN in the clear exposes passwords (RFC 8314 §3). */
  authBeforeTls?: string[];
  /** SASL mechanisms offered inside TLS. */
  authAfterTls?: string[];
  incomplete?: { step: SmtpStep; reason: StopReason };
  transcript: string[];
}

export interface SubmissionSettings {
  helo: string;
  caCerts: string[];
}

/**
 * One submission port, once per run and endpoint, under the dialer's exclusive
 * slot. The answer is ready before the server has answered QUIT: the slot is
 * held until the session has ended, the caller is not (one round trip less).
 */
export function probeSubmission(net: Net, endpoint: SmtpEndpoint, settings: SubmissionSettings): Promise<SubmissionProbe> {
  const key = ['submission', endpoint.host, endpoint.ip, endpoint.port, settings.helo, caFingerprint(settings.caCerts)].join('|');
  return net.once(
    key,
    () =>
      new Promise<SubmissionProbe>((resolve, reject) => {
        const session = async () => {
          const { answer, ended } = await probe(net, endpoint, settings);
          resolve(answer);
          await ended;
        };
        net.dialer.exclusive(endpoint.ip, endpoint.port, session).catch(reject);
      }),
  );
}

type Fields = Omit<SubmissionProbe, keyof SmtpEndpoint | 'implicitTls' | 'transcript'>;

async function probe(net: Net, endpoint: SmtpEndpoint, settings: SubmissionSettings): Promise<{ answer: SubmissionProbe; ended: Promise<void> }> {
  const transcript = new Transcript();
  const implicitTls = IMPLICIT_TLS_PORTS.includes(endpoint.port);
  const result = (fields: Fields): SubmissionProbe => ({ ...endpoint, implicitTls, ...fields, transcript: transcript.lines() });
  const opened = await SmtpSession.open(net, endpoint, transcript);
  if (opened.kind !== 'connected') return { answer: result({ outcome: opened }), ended: Promise.resolve() };
  const { session } = opened;
  try {
    return { answer: result(await converse(session, endpoint, settings, implicitTls)), ended: session.quit() };
  } catch (err) {
    await session.quit();
    throw err;
  }
}

/** Greeting, EHLO, STARTTLS and EHLO again: what the port offers, before and inside TLS. */
async function converse(session: SmtpSession, endpoint: SmtpEndpoint, settings: SubmissionSettings, implicitTls: boolean): Promise<Fields> {
  const tlsOptions = { servername: endpoint.host, caCerts: settings.caCerts };
  let tls: TlsResult | undefined;
  if (implicitTls) {
    tls = recordHandshake(await session.upgrade(tlsOptions));
    if (tls.kind !== 'ok') return { outcome: { kind: 'tls-failed', reason: tls.kind === 'failed' ? tls.reason : { code: 'timeout' } }, tls };
  }
  const greeting = await session.read();
  if (greeting.kind !== 'reply') return { outcome: { kind: 'no-greeting', detail: { code: 'read', failure: greeting } }, ...(tls ? { tls } : {}) };
  if (greeting.reply.code !== 220) return { outcome: { kind: 'refused-session', reply: replyText(greeting.reply) }, ...(tls ? { tls } : {}) };
  const greeted = { outcome: { kind: 'greeted' } as const, greeting: replyText(greeting.reply), ...(tls ? { tls } : {}) };
  session.startSessionLimit();
  const stopped = (at: SmtpStep, outcome: ReadOutcome): { step: SmtpStep; reason: StopReason } => ({ step: at, reason: outcome.kind === 'reply' ? { code: 'reply', reply: replyText(outcome.reply) } : { code: 'read', failure: outcome } });

  const hello = await session.hello(settings.helo);
  if (hello.kind === 'failed') return { ...greeted, incomplete: stopped(hello.step, hello.failure) };
  if (!isPositive(hello.hello.reply)) return { ...greeted, incomplete: stopped('ehlo', { kind: 'reply', reply: hello.hello.reply }) };
  const { extensions } = hello.hello;
  if (implicitTls) return { ...greeted, authAfterTls: extensions.auth };
  const plain = { ...greeted, starttlsOffered: extensions.starttls, authBeforeTls: extensions.auth };
  if (!extensions.starttls) return plain;

  const starttls = await session.command('STARTTLS');
  if (starttls.kind !== 'reply' || starttls.reply.code !== 220) return { ...plain, incomplete: stopped('starttls', starttls) };
  const handshake = recordHandshake(await session.upgrade(tlsOptions));
  if (handshake.kind !== 'ok') return { ...plain, tls: handshake };
  const again = await session.hello(settings.helo);
  if (again.kind === 'failed') return { ...plain, tls: handshake, incomplete: stopped(again.step, again.failure) };
  return { ...plain, tls: handshake, authAfterTls: again.hello.extensions.auth };
}

export function describeSubmissionOutcome(probe: SubmissionProbe): string {
  const { outcome } = probe;
  switch (outcome.kind) {
    case 'greeted':
      return 'greeted';
    case 'refused':
    case 'reset':
    case 'timeout':
    case 'unreachable':
      return describeDial(outcome);
    case 'tls-failed':
      return `TLS failed: ${sayTlsFailure(outcome.reason)}`;
    case 'no-greeting':
      return `no greeting: ${sayStopReason(outcome.detail)}`;
    case 'refused-session':
      return `refused the session: ${outcome.reply}`;
  }
}
