// What the port-25 sessions were told once the server greeted: the size limit
// it advertises (RFC 1870), whether it takes the sender and the probed
// recipient (RFC 5321 §4.2, §4.5.1), greylists (RFC 6647), or relays for a
// domain it cannot host (RFC 5321 §3.6.1, RFC 2505). The sessions themselves
// are smtp-reachability's; this check only reads them.
import { nonGlobalReason } from '../net/ip.js';
import { isPositive, isTransient, replyText, replyWords, type SmtpProbe, type SmtpReply } from '../net/smtp/index.js';
import type { Target } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, finding, type Finding } from './define.js';
import { exchange, greylistWording, noSessionToJudge, probeEvidence, probeName, probeSubject } from './smtp-probes.js';

/** Ordinary mail with attachments needs about this much; attachments grow by a third when encoded (RFC 2045 §6.8). */
export const MIN_USABLE_SIZE = 10 * 1024 * 1024;

export default defineCheck({
  id: 'smtp-policy',
  title: 'SMTP size, recipient and relay policy',
  targets: ['domain', 'ip'],
  needs: ['smtp25'],
  provides: [],
  emits: ['smtp.size-limit-low', 'smtp.rejected', 'smtp.greylisting', 'smtp.recipient-rejected', 'smtp.open-relay', 'smtp.untestable'],
  async run({ smtp25 }, { options, target }) {
    if (!smtp25.some(probe => probe.outcome.kind === 'greeted' || probe.outcome.kind === 'rejected')) return noSessionToJudge();
    const findings = smtp25.flatMap(probe => [...sizeFindings(probe, options), ...conversationFindings(probe, options, target), ...relayFindings(probe, options)]);
    return { findings, data: { probes: smtp25.map(probe => describePolicy(probe, options)) } };
  },
});

function sizeFindings(probe: SmtpProbe, options: RunOptions): Finding[] {
  const hello = probe.ehloAfterTls ?? probe.ehlo;
  const size = hello?.extensions.size;
  // SIZE 0 (or no number) declares no fixed limit (RFC 1870 §4).
  if (!hello || !size || size >= MIN_USABLE_SIZE) return [];
  return [
    finding('smtp.size-limit-low', `${probeName(probe)} advertises SIZE ${size} (${megabytes(size)}): messages larger than that are refused, and attachments of about ${megabytes(size * 0.75)} already reach it once encoded`, {
      subjects: probeSubject(probe),
      evidence: probeEvidence(probe, options, [`S: 250 SIZE ${size}`]),
      data: { size },
    }),
  ];
}

/** The greeting, EHLO, MAIL and RCPT replies, in the order a sender meets them. */
function conversationFindings(probe: SmtpProbe, options: RunOptions, target: Target): Finding[] {
  const details = (lines: string[]) => ({ subjects: probeSubject(probe), evidence: probeEvidence(probe, options, lines) });
  const { outcome, ehlo, mail, rcpt } = probe;
  if (outcome.kind === 'rejected') {
    return [finding('smtp.rejected', `${probeName(probe)} refused the session at connect: "${replyText(outcome.reply)}"`, details([`S: ${replyText(outcome.reply)}`]))];
  }
  // A 421 ends the session: smtp-reachability reports it as untestable.
  if (ehlo && !isPositive(ehlo.reply) && ehlo.reply.code !== 421) {
    const command = `${ehlo.command} ${options.helo}`;
    return [refusedOrDeferred(probe, command, ehlo.reply, details(exchange(command, ehlo.reply)), `refused ${ehlo.command} ${options.helo}`)];
  }
  const mailCommand = `MAIL FROM:<${options.from}>`;
  if (mail && !isPositive(mail)) {
    if (isTransient(mail) && greylistWording(mail)) {
      return [finding('smtp.greylisting', `${probeName(probe)} deferred ${mailCommand} with "${replyText(mail)}": new senders are greylisted`, details(exchange(mailCommand, mail)))];
    }
    const nullSender = options.from === '' ? ' (every server must accept the null sender <>, which bounces come from: RFC 5321 §4.5.5)' : '';
    return [refusedOrDeferred(probe, mailCommand, mail, details(exchange(mailCommand, mail)), `refused the sender ${mailCommand}${nullSender}`)];
  }
  if (!rcpt || isPositive(rcpt.reply)) return [];
  const rcptCommand = `RCPT TO:<${rcpt.address}>`;
  const evidence = details([...exchange(mailCommand, mail!), ...exchange(rcptCommand, rcpt.reply)]);
  if (isTransient(rcpt.reply) && rcpt.reply.code !== 452) {
    const wording = greylistWording(rcpt.reply) ? '' : ' (a temporary refusal; the reply does not say "greylist", but senders are delayed the same way)';
    return [finding('smtp.greylisting', `${probeName(probe)} answered ${rcptCommand} with "${replyText(rcpt.reply)}"${wording}: mail is delayed until the sender retries`, evidence)];
  }
  if (recipientUnknown(rcpt.reply)) {
    return [finding('smtp.recipient-rejected', `${probeName(probe)} rejects <${rcpt.address}>: "${replyText(rcpt.reply)}"; mail to that address bounces`, evidence)];
  }
  // The domain's own MX calling its mail "relaying" does not host the domain.
  const ownDomain = target.kind === 'domain' && rcpt.address.toLowerCase().endsWith(`@${target.ascii}`);
  const relayWords = ownDomain && /relay/i.test(rcpt.reply.lines.join(' ')) ? ` The server does not consider itself responsible for ${target.ascii}: the MX record may point at the wrong server.` : '';
  return [finding('smtp.rejected', `${probeName(probe)} refused ${rcptCommand}: "${replyText(rcpt.reply)}".${relayWords}`, evidence)];
}

/** A 5xx is a refusal in the server's own words; a 4xx that is not greylisting means the test could not go on. */
function refusedOrDeferred(probe: SmtpProbe, command: string, reply: SmtpReply, details: { subjects: string[]; evidence: string[] }, refusal: string): Finding {
  if (isTransient(reply)) return finding('smtp.untestable', `${probeName(probe)} deferred ${command} with "${replyText(reply)}", so the rest was not tested`, details);
  return finding('smtp.rejected', `${probeName(probe)} ${refusal}: "${replyText(reply)}"`, details);
}

/**
 * "User unknown" and its relatives: enhanced codes 5.1.1 (bad mailbox), 5.1.0,
 * 5.1.6 (moved) and Exchange's 5.1.10 (RFC 3463 §3.2), or the usual wording
 * when the server sends no enhanced code. Policy refusals (5.7.x) never count.
 */
export function recipientUnknown(reply: SmtpReply): boolean {
  if (reply.code < 500) return false;
  if (reply.enhanced) {
    if (/^5\.1\.(0|1|6|10)$/.test(reply.enhanced)) return true;
    if (reply.enhanced.startsWith('5.7')) return false;
  }
  return /user unknown|unknown (user|recipient|mailbox)|no such (user|mailbox|recipient|address)|(user|recipient|mailbox|address) (not found|does not exist|doesn't exist)|invalid (recipient|mailbox)/i.test(replyWords(reply));
}

function relayFindings(probe: SmtpProbe, options: RunOptions): Finding[] {
  const { relay } = probe;
  if (!relay || !isPositive(relay.reply)) return [];
  const client = relay.clientAddress;
  const trustedHint = client && nonGlobalReason(client) ? ` (maildiag connected from ${client}, a ${nonGlobalReason(client)} address: if that network is one the server trusts on purpose, only it can relay)` : '';
  return [
    finding('smtp.open-relay', `${probeName(probe)} accepted RCPT TO:<${relay.address}>, a reserved domain it cannot host: it relays mail for anyone${trustedHint}`, {
      subjects: probeSubject(probe),
      evidence: probeEvidence(probe, options, exchange(`RCPT TO:<${relay.address}>`, relay.reply)),
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
