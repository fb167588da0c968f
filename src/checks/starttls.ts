// STARTTLS on port 25 of every MX address (RFC 3207), as the SMTP probe saw
// it: offered or not, and whether a modern handshake (TLS 1.2+) works. When it
// fails, one more session allowing TLS 1.0/1.1 and legacy ciphers tells an old
// server (RFC 8996) from a broken one.
import { openStartTls, replyText, sayStopReason, type SmtpProbe } from '../net/smtp/index.js';
import { readReply } from '../replies/index.js';
import { sayTlsFailure, type TlsResult } from '../net/tls.js';
import type { TlsSession } from '../pipeline/facts.js';
import { defineCheck, finding, type CheckContext, type Finding, type FindingDetails } from './define.js';
import { enforcedByMtaSts } from './mta-sts-enforced.js';
import { exchange, noSessionToJudge, otherHostAccepting, probeEvidence, probeServer, probeSubject } from './smtp-probes.js';

/** Versions RFC 8996 deprecates: a server that offers nothing newer is "old", not "broken". */
const OLD_PROTOCOLS = ['TLSv1', 'TLSv1.1', 'SSLv3'];

type Verdict = { finding?: Finding; session?: TlsSession; data: Record<string, unknown> };
type Handshake = Extract<TlsResult, { kind: 'ok' }>;

export default defineCheck({
  id: 'starttls',
  title: 'STARTTLS on port 25',
  targets: ['domain', 'ip'],
  needs: ['smtp25'],
  // The MTA-STS policy under which no TLS stops mail rather than leaving it unencrypted.
  uses: ['stsPolicy'],
  provides: ['tlsSessions'],
  judges: 'starttls',
  emits: ['smtp.tls-required', 'tls.starttls-missing', 'tls.handshake-failed', 'tls.protocol-old'],
  budget: 'tlsRetry',
  async run({ smtp25, stsPolicy }, ctx) {
    if (!smtp25.some(probe => probe.outcome.kind === 'greeted' && probe.starttls)) return noSessionToJudge();
    const verdicts = await Promise.all(smtp25.map(probe => judgeProbe(probe, ctx)));
    const tlsSessions = verdicts.flatMap(v => (v.session ? [v.session] : []));
    const failures = verdicts.flatMap((v, i) => (v.finding ? [{ host: smtp25[i]!.host, cause: v.finding.cause }] : []));
    const findings = [
      ...smtp25.flatMap(probe => tlsRequired(probe, smtp25, ctx)),
      ...verdicts.flatMap(v => (v.finding ? [v.finding] : [])),
      ...enforcedByMtaSts(failures, stsPolicy),
    ];
    // No address got as far as STARTTLS (EHLO refused, the session ended first): the check could not look, so it did not pass.
    const looked = verdicts.some(v => v.data['tested'] !== false);
    return {
      findings,
      data: { addresses: verdicts.map(v => v.data), ...(looked ? {} : { reason: 'no session got as far as STARTTLS (see each address)' }) },
      ...(looked || findings.length ? {} : { status: 'info' as const }),
      ...(tlsSessions.length ? { provided: { tlsSessions } } : {}),
    };
  },
});

async function judgeProbe(probe: SmtpProbe, ctx: CheckContext): Promise<Verdict> {
  const where = { host: probe.host, ip: probe.ip };
  const { starttls } = probe;
  // Unreachable, or the session ended before EHLO: the reachability check says why.
  if (probe.outcome.kind !== 'greeted' || !starttls) return { data: { ...where, tested: false } };
  const details = (lines: string[]) => ({ subjects: probeSubject(probe), evidence: probeEvidence(probe, lines) });

  if (probe.ehlo?.ehloRejected) {
    // A HELO session has no extension list: whether STARTTLS is offered is unknown (smtp-policy reports the refused EHLO).
    return { data: { ...where, tested: false, reason: `EHLO was refused (${replyText(probe.ehlo.ehloRejected)}); HELO sessions cannot use STARTTLS` } };
  }
  if (!starttls.offered) {
    const lines = probe.ehlo ? exchange(`${probe.ehlo.command} ${ctx.options.helo}`, probe.ehlo.reply) : [];
    return { data: { ...where, offered: false }, finding: finding('tls.starttls-missing', 'notOffered', { server: where }, details(lines)) };
  }
  const { reply, handshake } = starttls;
  // The session ended before STARTTLS was sent (at the plaintext MAIL FROM): nothing to judge, smtp-reachability says why.
  if (!reply && probe.incomplete && probe.incomplete.step !== 'starttls') {
    return { data: { ...where, offered: true, tested: false, reason: `the session ended at ${probe.incomplete.step.toUpperCase()}, before STARTTLS` } };
  }
  if (handshake?.kind === 'ok') return { data: { ...where, offered: true, protocol: handshake.protocol, cipher: handshake.cipher }, session: toSession(probe, handshake, false) };
  // A 421 closes the session (a server shutting down or busy, RFC 5321 §3.8): it says nothing of its TLS; smtp-reachability says why it stopped.
  if (reply?.code === 421) return { data: { ...where, offered: true, tested: false, reason: `the server closed the session at STARTTLS with ${replyText(reply)}` } };
  if (!handshake) {
    // 454 "TLS not available" and the like (RFC 3207 §4), or no reply at all.
    const why = reply ? `answers STARTTLS with ${replyText(reply)}` : `does not answer STARTTLS (${probe.incomplete ? sayStopReason(probe.incomplete.reason) : 'no reply'})`;
    const lines = reply ? exchange('STARTTLS', reply) : [];
    return { data: { ...where, offered: true, failure: why }, finding: startTlsUnanswered(probe, details(lines)) };
  }
  return retryWithLegacyTls(probe, handshake, ctx, details);
}

/** The modern handshake failed: would TLS 1.0/1.1 or legacy ciphers work? */
async function retryWithLegacyTls(probe: SmtpProbe, failed: Exclude<TlsResult, { kind: 'ok' }>, ctx: CheckContext, details: (lines: string[]) => FindingDetails): Promise<Verdict> {
  const { net, options } = ctx;
  const reason = failed.kind === 'timeout' ? `no handshake within ${net.time.tlsHandshakeMs} ms` : sayTlsFailure(failed.reason);
  const legacy = await openStartTls(
    net,
    { host: probe.host, ip: probe.ip, port: probe.port },
    options.helo,
    { servername: probe.host, caCerts: options.caCerts, minVersion: 'TLSv1', allowLegacy: true },
  );
  const where = { host: probe.host, ip: probe.ip, offered: true, failure: reason };
  // The message words the failure from the facts ({handshake|handshakeFailure}); `reason` is for the evidence and the check's data.
  const said = { server: probeServer(probe), handshake: failed.kind === 'timeout' ? { kind: 'timeout' as const, timeoutMs: net.time.tlsHandshakeMs } : failed };
  const lines = [`-- TLS handshake (TLS 1.2 or later) failed: ${reason}`];
  if (legacy.kind !== 'ok') {
    const retry = legacy.kind === 'failed' ? sayTlsFailure(legacy.reason) : 'reason' in legacy ? legacy.reason : legacy.kind;
    return { data: { ...where, legacyRetry: retry }, finding: finding('tls.handshake-failed', 'handshakeFailed', said, details([...lines, `-- retry allowing TLS 1.0/1.1: ${retry}`])) };
  }
  const session = toSession(probe, legacy, true);
  const data = { ...where, legacyRetry: 'ok', protocol: legacy.protocol, cipher: legacy.cipher };
  const evidence = [...lines, `-- retry allowing TLS 1.0/1.1 and legacy ciphers: ${legacy.protocol} ${legacy.cipher}`];
  if (OLD_PROTOCOLS.includes(legacy.protocol)) {
    return { data, session, finding: finding('tls.protocol-old', 'oldOnly', { ...said, protocol: legacy.protocol }, details(evidence)) };
  }
  // A modern version but only with ciphers or keys below today's security level (e.g. RC4, a 1024-bit key).
  return {
    data,
    session,
    finding: finding('tls.handshake-failed', 'legacyOnly', { ...said, protocol: legacy.protocol, cipher: legacy.cipher }, details(evidence)),
  };
}

/**
 * MAIL FROM in plaintext refused until STARTTLS (RFC 3207 §4: a public MX
 * must not require it). A warning while TLS works with it; when the handshake
 * failed too, no sender gets through.
 */
function tlsRequired(probe: SmtpProbe, probes: SmtpProbe[], { options }: CheckContext): Finding[] {
  const reply = probe.plaintextMail;
  if (!reply || readReply(reply, ['tls-required'])?.meaning !== 'tls-required') return [];
  const command = `MAIL FROM:<${options.from}>`;
  const handshake = probe.starttls?.handshake;
  const failed = handshake && handshake.kind !== 'ok';
  const other = otherHostAccepting(probe, probes);
  const data = { server: probeServer(probe), command, reply: replyText(reply) };
  const details = { subjects: probeSubject(probe), evidence: probeEvidence(probe, exchange(command, reply)) };
  if (!failed) return [finding('smtp.tls-required', 'beforeStartTls', data, details)];
  if (other) return [finding('smtp.tls-required', 'beforeFailedHandshakeOtherAccepts', { ...data, otherHost: other.host }, details)];
  return [finding('smtp.tls-required', 'beforeFailedHandshake', data, { ...details, severity: 'error' })];
}

function toSession(probe: SmtpProbe, handshake: Handshake, legacy: boolean): TlsSession {
  return { host: probe.host, ip: probe.ip, port: probe.port, preference: probe.preference, protocol: handshake.protocol, cipher: handshake.cipher, chain: handshake.chain, legacy };
}

/** STARTTLS offered but refused (454 "TLS not available" and the like, RFC 3207 §4), or not answered at all. */
function startTlsUnanswered(probe: SmtpProbe, details: FindingDetails): Finding {
  const server = probeServer(probe);
  const { reply } = probe.starttls ?? {};
  if (reply) return finding('tls.handshake-failed', 'startTlsRefused', { server, reply: replyText(reply) }, details);
  if (probe.incomplete) return finding('tls.handshake-failed', 'startTlsUnanswered', { server, reason: probe.incomplete.reason }, details);
  return finding('tls.handshake-failed', 'startTlsNoReply', { server }, details);
}
