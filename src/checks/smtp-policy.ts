// What the port-25 sessions were told once the server greeted: the size limit
// it advertises (RFC 1870), whether it takes the sender and the probed
// recipient (RFC 5321 §4.2, §4.5.1), greylists (RFC 6647), or relays for a
// domain it cannot host (RFC 5321 §3.6.1, RFC 2505). The sessions themselves
// are smtp-reachability's; this check only reads them.
import { nonGlobalReason } from '../net/ip.js';
import { isPositive, isTransient, RELAY_PROBE_ADDRESS, replyText, type HelloResult, type SmtpProbe, type SmtpReply } from '../net/smtp/index.js';
import { readReply, recipientUnknown } from '../replies/index.js';
import type { Target } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { formatMessage } from '../causes.js';
import { defineCheck, finding, type Finding } from './define.js';
import { exchange, greylistWording, noSessionToJudge, otherHostAccepting, probeEvidence, probeServer, probeSubject, testerRefused, type Tester } from './smtp-probes.js';
import { seeTester, sightingWait } from './tester-address.js';

/**
 * Ordinary mail with attachments needs about 10 MB (decimal, as the finding says it); attachments grow by a
 * third when encoded (RFC 2045 §6.8). Postfix's stock message_size_limit, 10240000, is at that line: a
 * limit every default install advertises is no finding about this server.
 */
export const MIN_USABLE_SIZE = 10_000_000;

export default defineCheck({
  id: 'smtp-policy',
  title: 'SMTP size, recipient and relay policy',
  targets: ['domain', 'ip'],
  needs: ['smtp25'],
  provides: [],
  judges: 'rset',
  emits: ['smtp.size-limit-low', 'smtp.ehlo-refused', 'smtp.rejected', 'smtp.greylisting', 'rate.limited', 'smtp.recipient-rejected', 'smtp.insufficient-storage', 'smtp.tls-required', 'smtp.open-relay', 'smtp.untestable'],
  async run({ smtp25 }, { options, target, net }) {
    if (!smtp25.some(probe => probe.outcome.kind === 'greeted')) return noSessionToJudge();
    const sightings = await seeTester(net, smtp25, options, sightingWait(net.time, 'lookups', net.time.now()));
    const tester: Tester = { helo: options.helo, from: options.from, sightings };
    const findings = smtp25.flatMap(probe => [...sizeFindings(probe), ...conversationFindings(probe, smtp25, tester, target), ...relayFindings(probe)]);
    // A relay question nobody answered is never "not an open relay": the check could not look.
    const unanswered = smtp25.flatMap(probe => unansweredRelay(probe, options) ?? []);
    // Nor is a recipient question the server refused to take from the tester, or deferred, at whatever stage.
    const stopped = findings.filter(f => f.cause === 'smtp.untestable');
    const reasons = [...stopped.map(f => f.message), ...unanswered.map(u => u.reason)];
    const data = { probes: smtp25.map(probe => describePolicy(probe, options)) };
    if (!reasons.length) return { findings, data };
    return {
      findings: [...findings, ...unanswered.flatMap(u => u.finding ?? [])],
      data: { ...data, reason: reasons.join('; ') },
      status: 'untestable',
    };
  },
});

function sizeFindings(probe: SmtpProbe): Finding[] {
  const hello = probe.ehloAfterTls ?? probe.ehlo;
  const size = hello?.extensions.size;
  // SIZE 0 (or no number) declares no fixed limit (RFC 1870 §4).
  if (!hello || !size || size >= MIN_USABLE_SIZE) return [];
  return [
    finding('smtp.size-limit-low', 'lowLimit', { server: probeServer(probe), size, attachmentBytes: size * 0.75 }, {
      subjects: probeSubject(probe),
      evidence: probeEvidence(probe, [`S: 250 SIZE ${size}`]),
    }),
  ];
}

/** The EHLO, MAIL and RCPT replies, in the order a sender meets them (a refused greeting is smtp-reachability's). */
function conversationFindings(probe: SmtpProbe, probes: SmtpProbe[], tester: Tester, target: Target): Finding[] {
  const details = (lines: string[]) => ({ subjects: probeSubject(probe), evidence: probeEvidence(probe, lines) });
  const { ehlo, mail } = probe;
  // A 421 ends the session: smtp-reachability reports it as untestable.
  if (ehlo && !isPositive(ehlo.reply) && ehlo.reply.code !== 421) {
    const command = `${ehlo.command} ${tester.helo}`;
    return [refusedOrDeferred(probe, command, ehlo.reply, details(exchange(command, ehlo.reply)), 'helloRefused', tester)];
  }
  const helloOnly = ehlo?.ehloRejected ? [ehloRefused(probe, ehlo, tester.helo, details)] : [];
  const mailCommand = `MAIL FROM:<${tester.from}>`;
  if (mail && !isPositive(mail)) {
    const evidence = details(exchange(mailCommand, mail));
    if (isTransient(mail) && greylistWording(mail)) {
      return [...helloOnly, finding('smtp.greylisting', 'senderGreylisted', said(probe, mailCommand, mail), evidence)];
    }
    // Every server must accept the null sender <>, which bounces come from (RFC 5321 §4.5.5): the message says so.
    const refusal = tester.from === '' ? 'nullSenderRefused' : 'senderRefused';
    return [...helloOnly, serversOwnRefusal(probe, probes, mailCommand, mail, evidence) ?? refusedOrDeferred(probe, mailCommand, mail, evidence, refusal, tester)];
  }
  return [...helloOnly, ...recipientFindings(probe, probes, mailCommand, target, tester, details)];
}

/** The RCPT probe's answer. */
function recipientFindings(probe: SmtpProbe, probes: SmtpProbe[], mailCommand: string, target: Target, tester: Tester, details: (lines: string[]) => { subjects: string[]; evidence: string[] }): Finding[] {
  const { mail, rcpt } = probe;
  if (!rcpt || isPositive(rcpt.reply)) return [];
  // A reply the host gave other domains' recipients (it refuses everyone alike) is quoted with the RCPT that got it.
  const rcptCommand = `RCPT TO:<${rcpt.sampledFrom?.[0] ?? rcpt.address}>`;
  const evidence = details([...exchange(mailCommand, mail!), ...exchange(rcptCommand, rcpt.reply)]);
  const own = serversOwnRefusal(probe, probes, rcptCommand, rcpt.reply, evidence);
  if (own) return [own];
  // The recipient's own mailbox over its receiving rate: the domain's side, but neither greylisting nor a limit on the tester.
  if (readReply(rcpt.reply, ['mailbox-rate'])) {
    const severity = isTransient(rcpt.reply) ? {} : { severity: 'error' as const };
    return [finding('rate.limited', 'mailboxRate', said(probe, rcptCommand, rcpt.reply), { ...evidence, side: 'recipient', ...severity })];
  }
  const greylisted = greylistWording(rcpt.reply);
  // Postfix applies its client restrictions at RCPT (smtpd_delay_reject): a refusal of this client comes here.
  const refused = greylisted || recipientUnknown(rcpt.reply) ? undefined : testerRefused(probe, rcptCommand, rcpt.reply, evidence, tester);
  if (refused) return [refused];
  // "Too many recipients" to the first recipient of a transaction: a count the server keeps (per message, per client, per hour), not an answer about this one.
  if (readReply(rcpt.reply, ['recipient-limit'])) return [finding('smtp.untestable', 'commandDeferred', said(probe, rcptCommand, rcpt.reply), evidence)];
  if (isTransient(rcpt.reply) && rcpt.reply.code !== 452) {
    const data = { ...said(probe, rcptCommand, rcpt.reply), address: rcpt.address };
    if (rcpt.sampledFrom) {
      const sampled = { ...data, sampledFrom: rcpt.sampledFrom, sampledDomains: rcpt.sampledFrom.length };
      return [finding('smtp.greylisting', greylisted ? 'everyRecipientGreylisted' : 'everyRecipientDeferred', sampled, evidence)];
    }
    return [finding('smtp.greylisting', greylisted ? 'recipientGreylisted' : 'recipientDeferred', data, evidence)];
  }
  if (recipientUnknown(rcpt.reply)) {
    return [finding('smtp.recipient-rejected', 'unknownRecipient', { ...said(probe, rcptCommand, rcpt.reply), address: rcpt.address }, evidence)];
  }
  // The domain's own MX calling its mail "relaying" does not host the domain.
  const ownDomain = target.kind === 'domain' && rcpt.address.toLowerCase().endsWith(`@${target.ascii}`);
  if (ownDomain && /relay/i.test(rcpt.reply.lines.join(' '))) {
    return [finding('smtp.rejected', 'notResponsible', { ...said(probe, rcptCommand, rcpt.reply), domain: target.ascii }, evidence)];
  }
  return [finding('smtp.rejected', 'recipientRefused', said(probe, rcptCommand, rcpt.reply), evidence)];
}

/** A refusal of this client is about the tester; else a 5xx is a refusal in the server's own words, and a 4xx that is not greylisting means the test could not go on. */
function refusedOrDeferred(
  probe: SmtpProbe,
  command: string,
  reply: SmtpReply,
  details: { subjects: string[]; evidence: string[] },
  refusal: 'helloRefused' | 'senderRefused' | 'nullSenderRefused',
  tester: Tester,
): Finding {
  const refused = testerRefused(probe, command, reply, details, tester);
  if (refused) return refused;
  if (isTransient(reply)) return finding('smtp.untestable', 'commandDeferred', said(probe, command, reply), details);
  return finding('smtp.rejected', refusal, said(probe, command, reply), details);
}

/**
 * Refusals that are the server's state, not a verdict on this sender: out of
 * storage (every sender is deferred), no mail without TLS on a server that
 * did not give TLS to this session, or none without logging in (nobody gets through).
 */
function serversOwnRefusal(probe: SmtpProbe, probes: SmtpProbe[], command: string, reply: SmtpReply, details: { subjects: string[]; evidence: string[] }): Finding | undefined {
  const reading = readReply(reply, ['server-out-of-storage', 'tls-required', 'auth-required']);
  if (!reading) return undefined;
  // Severity follows consequence: while another MX host takes the mail, this one only delays some of it.
  const other = otherHostAccepting(probe, probes);
  const data = said(probe, command, reply);
  const severity = other ? ('warning' as const) : ('error' as const);
  if (reading.meaning === 'auth-required') {
    return other
      ? finding('smtp.rejected', 'authRequiredOtherAccepts', { ...data, otherHost: other.host }, { ...details, severity })
      : finding('smtp.rejected', 'authRequired', data, { ...details, severity });
  }
  if (reading.meaning === 'server-out-of-storage') {
    return other
      ? finding('smtp.insufficient-storage', 'outOfStorageOtherAccepts', { ...data, otherHost: other.host }, { ...details, severity })
      : finding('smtp.insufficient-storage', 'outOfStorage', data, { ...details, severity });
  }
  const tls = probe.starttls?.handshake?.kind === 'ok' ? 'refusedInsideTls' : probe.starttls?.offered ? 'refusedAfterFailedHandshake' : 'refusedWithoutStartTls';
  return other ? finding('smtp.tls-required', `${tls}OtherAccepts`, { ...data, otherHost: other.host }, { ...details, severity }) : finding('smtp.tls-required', tls, data, { ...details, severity });
}

/** EHLO refused, HELO accepted: about the tester's EHLO name, or a server that speaks no ESMTP to anyone (RFC 5321 §4.1.4). */
function ehloRefused(probe: SmtpProbe, hello: HelloResult, helo: string, details: (lines: string[]) => { subjects: string[]; evidence: string[] }): Finding {
  const refused = hello.ehloRejected!;
  const evidence = details([...exchange(`EHLO ${helo}`, refused), ...exchange(`HELO ${helo}`, hello.reply)]);
  const data = { server: probeServer(probe), helo, reply: replyText(refused) };
  switch (readReply(refused, ['helo-name-rejected', 'no-esmtp'])?.meaning) {
    case 'no-esmtp':
      return finding('smtp.ehlo-refused', 'noEsmtp', data, evidence);
    case 'helo-name-rejected':
      return finding('smtp.ehlo-refused', 'heloNameRejected', data, { ...evidence, severity: 'info', side: 'local' });
    default:
      return finding('smtp.ehlo-refused', 'unexplained', data, evidence);
  }
}

function relayFindings(probe: SmtpProbe): Finding[] {
  const { relay } = probe;
  if (!relay || !isPositive(relay.reply)) return [];
  const details = { subjects: probeSubject(probe), evidence: probeEvidence(probe, exchange(`RCPT TO:<${relay.address}>`, relay.reply)) };
  const data = { server: probeServer(probe), address: relay.address };
  const client = relay.clientAddress;
  // From a non-global address the server may be trusting that network on purpose: the message says so.
  const clientRange = client && nonGlobalReason(client);
  return [
    client && clientRange
      ? finding('smtp.open-relay', 'relaysFromNonGlobal', { ...data, clientAddress: client, clientRange }, details)
      : finding('smtp.open-relay', 'relaysForAnyone', data, details),
  ];
}

/**
 * The open-relay probe got no answer, or could not be asked: why (the check's
 * reason), and a finding with the exchange that stopped it, unless the refused
 * MAIL that kept it from being asked is a finding of its own already.
 */
function unansweredRelay(probe: SmtpProbe, options: RunOptions): { reason: string; finding?: Finding } | undefined {
  const why = probe.relayUnanswered;
  const server = probeServer(probe);
  if (probe.relay && relayUnknown(probe.relay.reply)) {
    return { reason: formatMessage('smtp.untestable', 'relayDeferred', { server, address: probe.relay.address, reply: replyText(probe.relay.reply) }) };
  }
  if (!why) return undefined;
  // A refused MAIL (not a 421, which ends the session) opens no transaction for the probe's RCPT.
  if (why.step === 'mail' && why.reply && why.reply.code !== 421) {
    return { reason: formatMessage('smtp.untestable', 'relayNotAsked', { server, command: `MAIL FROM:<${options.from}>`, reply: replyText(why.reply), address: RELAY_PROBE_ADDRESS }) };
  }
  const asked = probe.transcript.indexOf(`C: RCPT TO:<${RELAY_PROBE_ADDRESS}>`);
  const evidence = probeEvidence(probe, asked === -1 ? undefined : probe.transcript.slice(asked));
  const unanswered = finding('smtp.untestable', 'relayUnanswered', { server, address: RELAY_PROBE_ADDRESS, reason: why.reason }, { subjects: probeSubject(probe), evidence });
  return { reason: unanswered.message, finding: unanswered };
}

function describePolicy(probe: SmtpProbe, options: RunOptions): Record<string, unknown> {
  const hello = probe.ehloAfterTls ?? probe.ehlo;
  return {
    host: probe.host,
    ip: probe.ip,
    ...(hello?.extensions.size !== undefined ? { size: hello.extensions.size } : {}),
    ...(probe.mail ? { mail: replyText(probe.mail) } : {}),
    ...(probe.rcpt ? { rcpt: probe.rcpt.address, rcptReply: replyText(probe.rcpt.reply) } : {}),
    relay: describeRelay(probe, options),
  };
}

/** The relay question as values: its answer, why it has none, 'notReached' (the session ended before it) or 'off' (--no-relay-test). */
function describeRelay(probe: SmtpProbe, options: RunOptions): Record<string, unknown> | 'notReached' | 'off' {
  const { relay, relayUnanswered } = probe;
  if (relay) return { address: relay.address, reply: replyText(relay.reply), open: relayUnknown(relay.reply) ? null : isPositive(relay.reply) };
  if (relayUnanswered) return { address: RELAY_PROBE_ADDRESS, unanswered: { step: relayUnanswered.step, reason: relayUnanswered.reason } };
  return options.relayTest ? 'notReached' : 'off';
}

/**
 * A temporary refusal of the relay probe (greylisting, a limit, a deferral of the tester) is no answer to whether
 * the server relays, since a retry might be taken; unless it says relaying is denied (Postfix's stock
 * defer_unauth_destination answers 454 "Relay access denied").
 */
const relayUnknown = (reply: SmtpReply): boolean => isTransient(reply) && !readReply(reply, ['relay-denied']);

/** The data of a message about a server's reply to a command. */
const said = (probe: SmtpProbe, command: string, reply: SmtpReply) => ({ server: probeServer(probe), command, reply: replyText(reply) });
