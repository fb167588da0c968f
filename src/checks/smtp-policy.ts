// What the port-25 sessions were told once the server greeted: the size limit
// it advertises (RFC 1870), whether it takes the sender and the probed
// recipient (RFC 5321 §4.2, §4.5.1), greylists (RFC 6647), or relays for a
// domain it cannot host (RFC 5321 §3.6.1, RFC 2505). The sessions themselves
// are smtp-reachability's; this check only reads them.
import { nonGlobalReason } from '../net/ip.js';
import { isPositive, isTransient, replyText, type HelloResult, type SmtpProbe, type SmtpReply } from '../net/smtp/index.js';
import { aboutClient, readReply, recipientUnknown } from '../replies/index.js';
import type { Target } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, legacyFinding, type Finding } from './define.js';
import { exchange, greylistWording, noSessionToJudge, otherHostAccepting, probeEvidence, probeName, probeSubject } from './smtp-probes.js';

/** Ordinary mail with attachments needs about this much; attachments grow by a third when encoded (RFC 2045 §6.8). */
export const MIN_USABLE_SIZE = 10 * 1024 * 1024;

export default defineCheck({
  id: 'smtp-policy',
  title: 'SMTP size, recipient and relay policy',
  targets: ['domain', 'ip'],
  needs: ['smtp25'],
  provides: [],
  judges: 'rset',
  emits: ['smtp.size-limit-low', 'smtp.ehlo-refused', 'smtp.rejected', 'smtp.greylisting', 'smtp.recipient-rejected', 'smtp.insufficient-storage', 'smtp.tls-required', 'smtp.open-relay', 'smtp.untestable'],
  async run({ smtp25 }, { options, target }) {
    if (!smtp25.some(probe => probe.outcome.kind === 'greeted')) return noSessionToJudge();
    const findings = smtp25.flatMap(probe => [...sizeFindings(probe), ...conversationFindings(probe, smtp25, options, target), ...relayFindings(probe)]);
    return { findings, data: { probes: smtp25.map(probe => describePolicy(probe, options)) } };
  },
});

function sizeFindings(probe: SmtpProbe): Finding[] {
  const hello = probe.ehloAfterTls ?? probe.ehlo;
  const size = hello?.extensions.size;
  // SIZE 0 (or no number) declares no fixed limit (RFC 1870 §4).
  if (!hello || !size || size >= MIN_USABLE_SIZE) return [];
  return [
    legacyFinding('smtp.size-limit-low', `${probeName(probe)} advertises SIZE ${size} (${megabytes(size)}): messages larger than that are refused, and attachments of about ${megabytes(size * 0.75)} already reach it once encoded`, {
      subjects: probeSubject(probe),
      evidence: probeEvidence(probe, [`S: 250 SIZE ${size}`]),
      data: { size },
    }),
  ];
}

/** The EHLO, MAIL and RCPT replies, in the order a sender meets them (a refused greeting is smtp-reachability's). */
function conversationFindings(probe: SmtpProbe, probes: SmtpProbe[], options: RunOptions, target: Target): Finding[] {
  const details = (lines: string[]) => ({ subjects: probeSubject(probe), evidence: probeEvidence(probe, lines) });
  const { ehlo, mail } = probe;
  // A 421 ends the session: smtp-reachability reports it as untestable.
  if (ehlo && !isPositive(ehlo.reply) && ehlo.reply.code !== 421) {
    const command = `${ehlo.command} ${options.helo}`;
    return [refusedOrDeferred(probe, command, ehlo.reply, details(exchange(command, ehlo.reply)), `refused ${ehlo.command} ${options.helo}`)];
  }
  const helloOnly = ehlo?.ehloRejected ? [ehloRefused(probe, ehlo, options, details)] : [];
  const mailCommand = `MAIL FROM:<${options.from}>`;
  if (mail && !isPositive(mail)) {
    const evidence = details(exchange(mailCommand, mail));
    if (isTransient(mail) && greylistWording(mail)) {
      return [...helloOnly, legacyFinding('smtp.greylisting', `${probeName(probe)} deferred ${mailCommand} with "${replyText(mail)}": new senders are greylisted`, evidence)];
    }
    const nullSender = options.from === '' ? ' (every server must accept the null sender <>, which bounces come from: RFC 5321 §4.5.5)' : '';
    return [...helloOnly, serversOwnRefusal(probe, probes, mailCommand, mail, evidence) ?? refusedOrDeferred(probe, mailCommand, mail, evidence, `refused the sender ${mailCommand}${nullSender}`)];
  }
  return [...helloOnly, ...recipientFindings(probe, probes, mailCommand, target, details)];
}

/** The RCPT probe's answer. */
function recipientFindings(probe: SmtpProbe, probes: SmtpProbe[], mailCommand: string, target: Target, details: (lines: string[]) => { subjects: string[]; evidence: string[] }): Finding[] {
  const { mail, rcpt } = probe;
  if (!rcpt || isPositive(rcpt.reply)) return [];
  // A reply the host gave other domains' recipients (it refuses everyone alike) is quoted with the RCPT that got it.
  const rcptCommand = `RCPT TO:<${rcpt.sampledFrom?.[0] ?? rcpt.address}>`;
  const evidence = details([...exchange(mailCommand, mail!), ...exchange(rcptCommand, rcpt.reply)]);
  const own = serversOwnRefusal(probe, probes, rcptCommand, rcpt.reply, evidence);
  if (own) return [own];
  if (isTransient(rcpt.reply) && rcpt.reply.code !== 452) {
    const wording = greylistWording(rcpt.reply) ? '' : ' (a temporary refusal; the reply does not say "greylist", but senders are delayed the same way)';
    const asked = rcpt.sampledFrom ? `the recipients of ${rcpt.sampledFrom.length} domains in a row (so <${rcpt.address}> was not asked), e.g. ${rcptCommand},` : rcptCommand;
    return [legacyFinding('smtp.greylisting', `${probeName(probe)} answered ${asked} with "${replyText(rcpt.reply)}"${wording}: mail is delayed until the sender retries`, evidence)];
  }
  if (recipientUnknown(rcpt.reply)) {
    return [legacyFinding('smtp.recipient-rejected', `${probeName(probe)} rejects <${rcpt.address}>: "${replyText(rcpt.reply)}"; mail to that address bounces`, evidence)];
  }
  // The domain's own MX calling its mail "relaying" does not host the domain.
  const ownDomain = target.kind === 'domain' && rcpt.address.toLowerCase().endsWith(`@${target.ascii}`);
  const relayWords = ownDomain && /relay/i.test(rcpt.reply.lines.join(' ')) ? ` The server does not consider itself responsible for ${target.ascii}: the MX record may point at the wrong server.` : '';
  return [legacyFinding('smtp.rejected', `${probeName(probe)} refused ${rcptCommand}: "${replyText(rcpt.reply)}".${relayWords}`, evidence)];
}

/** A 5xx is a refusal in the server's own words; a 4xx that is not greylisting means the test could not go on. */
function refusedOrDeferred(probe: SmtpProbe, command: string, reply: SmtpReply, details: { subjects: string[]; evidence: string[] }, refusal: string): Finding {
  if (isTransient(reply)) {
    const why = aboutClient(reply) ? ': the reply is about this machine, not the domain' : ', so the rest was not tested';
    return legacyFinding('smtp.untestable', `${probeName(probe)} deferred ${command} with "${replyText(reply)}"${why}`, details);
  }
  return legacyFinding('smtp.rejected', `${probeName(probe)} ${refusal}: "${replyText(reply)}"`, details);
}

/**
 * Refusals that are the server's state, not a verdict on this sender: out of
 * storage (every sender is deferred), or no mail without TLS on a server that
 * did not give TLS to this session (nobody gets through).
 */
function serversOwnRefusal(probe: SmtpProbe, probes: SmtpProbe[], command: string, reply: SmtpReply, details: { subjects: string[]; evidence: string[] }): Finding | undefined {
  const reading = readReply(reply, ['server-out-of-storage', 'tls-required']);
  if (!reading) return undefined;
  // Severity follows consequence: while another MX host takes the mail, this one only delays some of it.
  const other = otherHostAccepting(probe, probes);
  const instead = other ? `; ${other.host} accepts the mail instead` : '';
  const severity = other ? ('warning' as const) : ('error' as const);
  if (reading.meaning === 'server-out-of-storage') {
    return legacyFinding('smtp.insufficient-storage', `${probeName(probe)} answered ${command} with "${replyText(reply)}": it is out of storage and defers mail from every sender until it has room again${instead}`, { ...details, severity });
  }
  const tls = probe.starttls?.handshake?.kind === 'ok' ? 'even inside TLS' : probe.starttls?.offered ? 'and the STARTTLS handshake with it failed' : 'but does not offer STARTTLS';
  return legacyFinding('smtp.tls-required', `${probeName(probe)} answered ${command} with "${replyText(reply)}" ${tls}: no sender can deliver to it${instead}`, { ...details, severity });
}

/** EHLO refused, HELO accepted: about the tester's EHLO name, or a server that speaks no ESMTP to anyone (RFC 5321 §4.1.4). */
function ehloRefused(probe: SmtpProbe, hello: HelloResult, options: RunOptions, details: (lines: string[]) => { subjects: string[]; evidence: string[] }): Finding {
  const refused = hello.ehloRejected!;
  const evidence = details([...exchange(`EHLO ${options.helo}`, refused), ...exchange(`HELO ${options.helo}`, hello.reply)]);
  const said = `${probeName(probe)} refused EHLO ${options.helo} with "${replyText(refused)}" but accepted HELO`;
  switch (readReply(refused, ['helo-name-rejected', 'no-esmtp'])?.meaning) {
    case 'no-esmtp':
      return legacyFinding('smtp.ehlo-refused', `${said}: it (or a firewall in front of it) speaks no ESMTP to anyone, so no sender can use STARTTLS, SIZE or 8BITMIME with it and mail arrives unencrypted`, evidence);
    case 'helo-name-rejected':
      return legacyFinding('smtp.ehlo-refused', `${said}: the refusal is about maildiag's EHLO name, not the domain, so STARTTLS and the ESMTP extensions were not tested; re-test with --helo set to this machine's real host name`, { ...evidence, severity: 'info', side: 'local' });
    default:
      return legacyFinding('smtp.ehlo-refused', `${said}; the reply does not say why. STARTTLS and the ESMTP extensions were not tested: re-test with --helo set to this machine's real host name to rule out maildiag's EHLO name; if EHLO is still refused, no sender can use STARTTLS with it`, evidence);
  }
}

function relayFindings(probe: SmtpProbe): Finding[] {
  const { relay } = probe;
  if (!relay || !isPositive(relay.reply)) return [];
  const client = relay.clientAddress;
  const trustedHint = client && nonGlobalReason(client) ? ` (maildiag connected from ${client}, a ${nonGlobalReason(client)} address: if that network is one the server trusts on purpose, only it can relay)` : '';
  return [
    legacyFinding('smtp.open-relay', `${probeName(probe)} accepted RCPT TO:<${relay.address}>, a reserved domain it cannot host: it relays mail for anyone${trustedHint}`, {
      subjects: probeSubject(probe),
      evidence: probeEvidence(probe, exchange(`RCPT TO:<${relay.address}>`, relay.reply)),
    }),
  ];
}

function describePolicy(probe: SmtpProbe, options: RunOptions): Record<string, unknown> {
  const hello = probe.ehloAfterTls ?? probe.ehlo;
  return {
    host: probe.host,
    ip: probe.ip,
    ...(hello?.extensions.size !== undefined ? { size: hello.extensions.size } : {}),
    ...(probe.mail ? { mail: replyText(probe.mail) } : {}),
    ...(probe.rcpt ? { rcpt: probe.rcpt.address, rcptReply: replyText(probe.rcpt.reply) } : {}),
    relay: probe.relay
      ? { address: probe.relay.address, reply: replyText(probe.relay.reply), open: isPositive(probe.relay.reply) }
      : options.relayTest ? 'not tested (the session did not get that far)' : 'off (--no-relay-test)',
  };
}

function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
