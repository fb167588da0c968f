// A short session that only negotiates STARTTLS with the given TLS settings,
// then QUITs: lets the TLS check retry with other versions or ciphers to tell
// "only TLS 1.0/1.1" from "broken" (RFC 3207, RFC 8996). Memoized per run and
// settings, and run under the dialer's exclusive slot like every SMTP session.
import type { Net } from '../context.js';
import { recordHandshake, type TlsOptions, type TlsResult } from '../tls.js';
import { isPositive, replyText } from './reply.js';
import { caFingerprint, describeDial, describeReadFailure, SmtpSession, type SmtpEndpoint } from './session.js';

export type StartTlsOutcome = TlsResult | { kind: 'not-offered' } | { kind: 'no-session'; reason: string };

export function openStartTls(net: Net, endpoint: SmtpEndpoint, helo: string, tlsOptions: TlsOptions): Promise<StartTlsOutcome> {
  const { caCerts, ...tlsRest } = tlsOptions;
  const key = ['starttls', endpoint.host, endpoint.ip, endpoint.port, helo, JSON.stringify(tlsRest), caFingerprint(caCerts)].join('|');
  return net.once(key, () => net.dialer.exclusive(endpoint.ip, endpoint.port, () => negotiate(net, endpoint, helo, tlsOptions)));
}

async function negotiate(net: Net, endpoint: SmtpEndpoint, helo: string, tlsOptions: TlsOptions): Promise<StartTlsOutcome> {
  const opened = await SmtpSession.open(net, endpoint);
  if (opened.kind !== 'connected') return { kind: 'no-session', reason: describeDial(opened) };
  const { session } = opened;
  try {
    const greeting = await session.readGreeting();
    if (greeting.kind !== 'reply') return { kind: 'no-session', reason: `greeting: ${describeReadFailure(greeting)}` };
    if (greeting.reply.code !== 220) return { kind: 'no-session', reason: `greeting: ${replyText(greeting.reply)}` };
    const hello = await session.hello(helo);
    if (hello.kind === 'failed') return { kind: 'no-session', reason: `${hello.step.toUpperCase()}: ${describeReadFailure(hello.failure)}` };
    if (!isPositive(hello.hello.reply)) return { kind: 'no-session', reason: `${hello.hello.command}: ${replyText(hello.hello.reply)}` };
    if (!hello.hello.extensions.starttls) return { kind: 'not-offered' };
    const starttls = await session.command('STARTTLS');
    if (starttls.kind !== 'reply') return { kind: 'no-session', reason: `STARTTLS: ${describeReadFailure(starttls)}` };
    if (starttls.reply.code !== 220) return { kind: 'no-session', reason: `STARTTLS: ${replyText(starttls.reply)}` };
    return recordHandshake(await session.upgrade({ ...tlsOptions, servername: tlsOptions.servername ?? endpoint.host }));
  } finally {
    await session.quit();
  }
}
