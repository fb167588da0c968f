// How the SMTP checks read port-25 probes: the settings they probe with, the
// words servers use for greylisting and rate limits, and probes as evidence
// and as JSON for the report (no live sockets, no certificate bytes).
import { endpointLabel, isPositive, replyText, type HelloResult, type SmtpProbe, type SmtpProbeSettings, type SmtpReply } from '../net/smtp/index.js';
import type { RunOptions } from '../pipeline/options.js';
import { clientObjection } from '../replies/index.js';
import { finding, type Finding, type FindingDetails } from './define.js';
import { testerAddress, type TesterSightings } from './tester-address.js';

export function probeSettings(options: RunOptions): SmtpProbeSettings {
  return { helo: options.helo, from: options.from, caCerts: options.caCerts, relayTest: options.relayTest };
}

/**
 * A session check when no probe got far enough for it to judge: it did not
 * pass, it could not look. Its status is info, and the reachability check
 * has the reason.
 */
export function noSessionToJudge(data: Record<string, unknown> = {}): { findings: []; status: 'info'; data: Record<string, unknown> } {
  return { findings: [], status: 'info', data: { ...data, reason: 'no SMTP session got that far (see "SMTP on port 25")' } };
}

/** The server a probe talked to, as messages name it ({server|hostAndIp}). */
export const probeServer = (probe: SmtpProbe): { host: string; ip: string } => ({ host: probe.host, ip: probe.ip });

export const probeSubject = (probe: SmtpProbe): string[] => (probe.host === probe.ip ? [probe.ip] : [probe.host, probe.ip]);

/** The lines that prove a finding (default: the whole transcript), in the order they were said; --verbose prints whole transcripts apart. */
export function probeEvidence(probe: SmtpProbe, lines?: string[]): string[] {
  return (lines ?? probe.transcript).map(line => `${endpointLabel(probe)} ${line}`);
}

/** Another MX host that took the probe's recipient: while there is one, a refusal on this host delays mail rather than stopping it. */
export const otherHostAccepting = (probe: SmtpProbe, probes: readonly SmtpProbe[]): SmtpProbe | undefined =>
  probes.find(p => p.host !== probe.host && p.rcpt !== undefined && isPositive(p.rcpt.reply));

/** "C: RCPT TO:<a@b>" and its reply, as transcript lines. */
export function exchange(command: string, reply: SmtpReply): string[] {
  return [`C: ${command}`, `S: ${replyText(reply)}`];
}

/** What a refusal of the connection itself answered, as messages say it ("answered the connection with ..."). */
export const CONNECTION = 'the connection';

/** Who the tester says it is (its EHLO name, its envelope sender: '' for the null sender <>), and what servers that refused it saw it as. */
export type Tester = Pick<RunOptions, 'helo' | 'from'> & { sightings: TesterSightings };

/**
 * A refusal about the machine maildiag runs on (its address on a blocklist, no reverse DNS, a dynamic range,
 * its reputation, its rate, its EHLO name) or about the envelope sender the tester chose with --from (its domain
 * does not exist, its SPF does not allow this machine, the server takes nothing from it): smtp.untestable naming
 * what the server objects to, at whatever stage it came (`command` is "the connection" for a greeting); a refusal
 * of the client says which address the server saw and what its reverse DNS says (`seen`).
 * Undefined when the reply is not about the client.
 */
export function testerRefused(probe: SmtpProbe, command: string, reply: SmtpReply, details: FindingDetails, { helo, from, sightings }: Tester): Finding | undefined {
  // Only a MAIL or RCPT reply can be about the sender of the transaction.
  const sender = /^(?:MAIL|RCPT)\b/.test(command) ? from : '';
  const objection = clientObjection(reply, probe.host, { atConnect: command === CONNECTION, atHello: /^(?:EHLO|HELO)\b/.test(command), sender });
  if (!objection) return undefined;
  const data = { server: probeServer(probe), command, reply: replyText(reply), objection };
  const client = { ...data, seen: testerAddress(probe, reply, sightings) };
  switch (objection) {
    case 'blocklisted': return finding('smtp.untestable', 'clientBlocklisted', client, details);
    case 'no-ptr': return finding('smtp.untestable', 'clientNoPtr', client, details);
    case 'dynamic-ip': return finding('smtp.untestable', 'clientDynamicIp', client, details);
    case 'reputation': return finding('smtp.untestable', 'clientReputation', client, details);
    case 'rate': return finding('smtp.untestable', 'clientRate', client, details);
    case 'helo-name': return finding('smtp.untestable', 'clientHeloName', { ...client, helo }, details);
    case 'refused': return finding('smtp.untestable', 'clientRefused', client, details);
    case 'screened': return finding('smtp.untestable', 'clientScreened', client, details);
    case 'sender-unknown': return finding('smtp.untestable', 'chosenSenderUnknown', { ...data, sender }, details);
    case 'sender-spf': return finding('smtp.untestable', 'chosenSenderNotAuthorised', { ...data, sender }, details);
    case 'sender-refused': return finding('smtp.untestable', 'chosenSenderRefused', { ...data, sender }, details);
  }
}

/** Greylisting says so in its reply text (postgrey "Greylisted", "greylisting in action", RFC 6647 §2.1 examples). */
export const greylistWording = (reply: SmtpReply): boolean => /gr[ae]y[\s-]?list|gr[ae]yed|\bgr[ae]y\b/i.test(reply.lines.join(' '));

export function describeProbe(probe: SmtpProbe): Record<string, unknown> {
  const { outcome } = probe;
  return {
    host: probe.host,
    ip: probe.ip,
    port: probe.port,
    preference: probe.preference,
    outcome: outcome.kind,
    ...(outcome.kind === 'greeted' ? { connectMs: outcome.connectMs, greetingMs: outcome.greetingMs } : {}),
    ...(outcome.kind === 'unreachable' ? { code: outcome.code } : {}),
    ...(outcome.kind === 'no-greeting' ? { detail: outcome.detail, waitedMs: outcome.waitedMs } : {}),
    ...(probe.greeting ? { greeting: replyText(probe.greeting), greetingName: probe.greetingName } : {}),
    ...(probe.ehlo ? { ehlo: describeHello(probe.ehlo), ehloName: probe.ehloName } : {}),
    ...(probe.starttls ? { starttls: describeStartTls(probe.starttls) } : {}),
    ...(probe.plaintextMail ? { plaintextMail: replyText(probe.plaintextMail) } : {}),
    ...(probe.ehloAfterTls ? { ehloAfterTls: describeHello(probe.ehloAfterTls) } : {}),
    ...(probe.mail ? { mail: replyText(probe.mail) } : {}),
    ...(probe.rcpt ? { rcpt: { address: probe.rcpt.address, reply: replyText(probe.rcpt.reply), ...(probe.rcpt.sampledFrom ? { notAskedLike: probe.rcpt.sampledFrom } : {}) } } : {}),
    ...(probe.relay ? { relay: { address: probe.relay.address, reply: replyText(probe.relay.reply), clientAddress: probe.relay.clientAddress } } : {}),
    ...(probe.incomplete ? { incomplete: { step: probe.incomplete.step, reason: probe.incomplete.reason } } : {}),
    transcript: probe.transcript,
  };
}

function describeHello(hello: HelloResult): Record<string, unknown> {
  const { extensions } = hello;
  return {
    command: hello.command,
    reply: replyText({ ...hello.reply, lines: hello.reply.lines.slice(0, 1) }),
    extensions: extensions.keywords,
    ...(extensions.size !== undefined ? { size: extensions.size } : {}),
    ...(extensions.auth.length ? { auth: extensions.auth } : {}),
    ...(hello.ehloRejected ? { ehloRejected: replyText(hello.ehloRejected) } : {}),
  };
}

function describeStartTls(starttls: NonNullable<SmtpProbe['starttls']>): Record<string, unknown> {
  const { handshake } = starttls;
  return {
    offered: starttls.offered,
    ...(starttls.reply ? { reply: replyText(starttls.reply) } : {}),
    ...(handshake?.kind === 'ok'
      ? { handshake: { kind: 'ok', protocol: handshake.protocol, cipher: handshake.cipher, certificates: handshake.chain.length, ...(handshake.authorizationError ? { authorizationError: handshake.authorizationError } : {}) } }
      : handshake
        ? { handshake }
        : {}),
  };
}
