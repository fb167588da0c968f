// Port 25 of every MX address, tried the way a sending MTA tries it (RFC 5321
// §5.1): does it connect, greet and talk, and does a backup take over when the
// primary does not? Also what belongs to this machine rather than the domain:
// an ISP that blocks outbound port 25, no IPv6 route, an OS that will not send
// (a local firewall, no source address), and IPv6 that answers nothing here.
//
// IP targets: the address gets the same session; its RCPT probe runs only
// with --rcpt, because there is no domain to take postmaster@ from (and an
// address literal recipient would mostly test the server's relay rules).
import type { Net } from '../net/context.js';
import { failsOnThisMachine } from '../net/dialer.js';
import type { Family } from '../net/families.js';
import { Slots } from '../net/slots.js';
import { SLOW_GREETING_MS } from '../net/time.js';
import type { Fallback, SmtpFailure } from '../causes.js';
import { describeDial, endpointLabel, GREETING_PATIENCE, probeMx, replyText, type SmtpProbe } from '../net/smtp/index.js';
import type { Target } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, finding, type Finding, type FindingDetails } from './define.js';
import { aboutClient, MEANINGS, readReply } from '../replies/index.js';
import { CONNECTION, describeProbe, probeEvidence, probeServer, probeSettings, probeSubject, testerRefused, type Tester } from './smtp-probes.js';
import { seeTester, sightingWait } from './tester-address.js';

/** Addresses probed at once: enough that a domain whose MX hosts all hang costs one timeout, not one per host. */
const PARALLEL_PROBES = 16;
/** Ports that show whether a host is reachable at all when its port 25 times out (submission, HTTPS). */
const OTHER_PORTS = [587, 443];

export default defineCheck({
  id: 'smtp-reachability',
  title: 'SMTP on port 25',
  targets: ['domain', 'ip'],
  needs: ['hostAddrs'],
  provides: ['smtp25'],
  emits: ['smtp.refused', 'smtp.timeout', 'smtp.no-banner', 'smtp.greeting-slow', 'smtp.service-refused', 'smtp.busy', 'smtp.insufficient-storage', 'smtp.session-dropped', 'smtp.reply-broken', 'mx.all-unreachable', 'mx.primary-unreachable', 'network.port25-blocked', 'network.no-route', 'network.ipv6-unavailable', 'smtp.untestable'],
  // connect + greeting (GREETING_PATIENCE steps) + the session's step budget, then the other-port connects after a timeout.
  budget: 'port25',
  async run({ hostAddrs }, { target, options, net }) {
    if (!options.smtp) return { findings: [], status: 'info', data: { sessions: 'off', reason: 'SMTP sessions are turned off (--no-smtp): port 25 was not probed' } };
    const startedAt = net.time.now();
    const rcpt = recipientFor(target, options);
    const slots = new Slots(PARALLEL_PROBES);
    const probes = await Promise.all(hostAddrs.map(address => slots.run(() => probeMx(net, address, probeSettings(options), rcpt))));
    // Read once every probe is done: their own connections are evidence too.
    const unheard = unheardOverIpv6(probes, net.heard, target);
    const weighed = probes.filter(p => !unheard.includes(p));
    const blocked = await port25Blocked(net, weighed);
    const sightings = await seeTester(net, probes, options, sightingWait(net.time, 'port25', startedAt));
    const findings = [...probeFindings(weighed, target, { helo: options.helo, from: options.from, sightings }), ...hostFindings(weighed, target), ...unheardFindings(unheard, probes)];
    if (blocked.finding) findings.push(blocked.finding);
    const data = { rcpt: rcpt ?? null, probes: probes.map(p => describeProbe(p)), ...(blocked.otherPorts.length ? { otherPorts: blocked.otherPorts } : {}) };
    if (!notLookedAt(probes)) return { findings, provided: { smtp25: probes }, data };
    const reason = findings.filter(f => f.cause === 'smtp.untestable' || f.cause === 'network.ipv6-unavailable').map(f => f.message).join('; ');
    return { findings, provided: { smtp25: probes }, data: { ...data, reason }, status: 'untestable' };
  },
});

/** The RCPT probe's recipient: --rcpt, else postmaster@ the domain (RFC 5321 §4.5.1 requires it to exist). */
function recipientFor(target: Target, options: RunOptions): string | undefined {
  return options.rcpt ?? (target.kind === 'domain' ? `postmaster@${target.ascii}` : undefined);
}

/**
 * Servers that turned the tester away at connect were not looked at, nor IPv6 addresses this machine has no
 * route to: with one such server (and no failure to report), or nothing else at all, the check could not judge the domain.
 */
function notLookedAt(probes: SmtpProbe[]): boolean {
  const standings = probes.map(standing);
  if (standings.includes('untestable')) return !standings.includes('failed');
  return standings.length > 0 && standings.every(s => s === 'no-ipv6');
}

/** `here`: an IPv4 address the OS would not send to, for a reason of this machine's (failsOnThisMachine). */
type Standing = 'answered' | 'failed' | 'untestable' | 'no-ipv6' | 'here';

/** Whether an address takes part in delivery: it answered (even with a refusal), failed, or could not be judged. */
function standing(probe: SmtpProbe): Standing {
  const { outcome } = probe;
  switch (outcome.kind) {
    case 'greeted':
      return probe.incomplete?.dropped || probe.incomplete?.malformed ? 'failed' : 'answered';
    case 'unreachable':
      if (probe.family === 6) return 'no-ipv6';
      return failsOnThisMachine(outcome.code) ? 'here' : 'failed';
    // A 4xx or 5xx instead of the greeting takes mail from nobody, unless it names this client (a limit on, or a block of, the tester).
    case 'busy':
    case 'rejected':
      return aboutClient(outcome.reply, probe.host) ? 'untestable' : 'failed';
    default:
      return 'failed';
  }
}

function probeFindings(probes: SmtpProbe[], target: Target, tester: Tester): Finding[] {
  return probes.flatMap(probe => {
    const details: FindingDetails = { subjects: probeSubject(probe), evidence: probeEvidence(probe) };
    const severity = failureSeverity(probe, probes, target);
    const at = { ...details, ...(severity ? { severity } : {}) };
    const server = probeServer(probe);
    const failed = { server, fallback: fallbackFor(probe, probes, target) };
    const { outcome } = probe;
    switch (outcome.kind) {
      case 'refused':
        return [finding('smtp.refused', 'refused', failed, at)];
      case 'timeout':
        return [finding('smtp.timeout', 'timedOut', { ...failed, timeoutMs: outcome.waitedMs }, at)];
      case 'unreachable':
        if (probe.family === 6) return [];
        // The OS would not send (no route, no source address, a firewall here): the failure is here, not at the server.
        if (failsOnThisMachine(outcome.code)) return [finding('network.no-route', 'noRoute', { server, code: outcome.code }, details)];
        // A router's word (EHOSTUNREACH): the host may be down, or a network on the way filters it.
        return [finding('smtp.timeout', 'unreachable', { ...failed, code: outcome.code }, { ...at, ...(routerSaysUnreachable(probe) ? { side: 'network' as const } : {}) })];
      case 'no-greeting':
        return [finding('smtp.no-banner', 'noGreeting', { ...failed, failure: failureOf(probe) }, at)];
      case 'busy':
      case 'rejected': {
        const refused = testerRefused(probe, CONNECTION, outcome.reply, details, tester);
        if (refused) return [refused];
        const reply = replyText(outcome.reply);
        return outcome.kind === 'busy' ? [finding('smtp.busy', 'atConnect', { ...failed, reply }, at)] : [finding('smtp.service-refused', 'atConnect', { ...failed, reply }, at)];
      }
      case 'greeted': {
        // Within the greeting wait, yet slower than hasty senders wait: patient ones deliver, those give up.
        const slow = outcome.greetingMs > SLOW_GREETING_MS ? [finding('smtp.greeting-slow', 'slow', { server, greetingMs: outcome.greetingMs }, details)] : [];
        const { incomplete } = probe;
        if (incomplete?.dropped) return [...slow, finding('smtp.session-dropped', 'dropped', { ...failed, failure: failureOf(probe) }, at)];
        if (incomplete?.malformed) return [...slow, finding('smtp.reply-broken', 'broken', { step: incomplete.step, ...incomplete.malformed, ...failed, failure: failureOf(probe) }, at)];
        return incomplete ? [...slow, stoppedFinding(probe, incomplete, details, tester)] : slow;
      }
    }
  });
}

/** A session that stopped mid-way: about this client when its 421 says so, the server's own state (out of storage, its connection limit), else not tested. */
function stoppedFinding(probe: SmtpProbe, incomplete: NonNullable<SmtpProbe['incomplete']>, details: FindingDetails, tester: Tester): Finding {
  const server = probeServer(probe);
  const { step, reply } = incomplete;
  const refused = reply && testerRefused(probe, commandAt(probe, step), reply, details, tester);
  if (refused) return refused;
  const reading = reply && readReply(reply, ['server-out-of-storage', 'server-connection-limit']);
  if (reading) {
    const data = { server, step, reply: replyText(reply!) };
    return MEANINGS[reading.meaning].probe === 'smtp.insufficient-storage' ? finding('smtp.insufficient-storage', 'endedSession', data, details) : finding('smtp.busy', 'endedSession', data, details);
  }
  return finding('smtp.untestable', 'sessionStopped', { server, step, reason: incomplete.reason }, details);
}

/** The command the session sent last at `step`, as its transcript has it ("RCPT TO:<postmaster@example.org>"), else the step's verb. */
function commandAt(probe: SmtpProbe, step: string): string {
  const verbs = step === 'ehlo' ? ['EHLO', 'HELO'] : [step.toUpperCase()];
  const sent = probe.transcript.filter(line => verbs.some(verb => line.startsWith(`C: ${verb}`)));
  return sent.at(-1)?.slice(3) ?? step.toUpperCase();
}

/**
 * A failing address matters less when mail still gets through: another address
 * of the same host (warning), or another MX host. When the whole primary MX is
 * down and a backup answers, mx.primary-unreachable carries the weight and the
 * per-address findings are details (info).
 */
function failureSeverity(probe: SmtpProbe, probes: SmtpProbe[], target: Target): 'warning' | 'info' | undefined {
  if (target.kind === 'ip' || standing(probe) !== 'failed') return undefined;
  const answered = probes.filter(p => standing(p) === 'answered');
  if (!answered.length) return undefined;
  if (answered.some(p => p.host === probe.host)) return 'warning';
  return primaryDown(probes) && probe.preference === primaryPreference(probes) ? 'info' : 'warning';
}

/** What takes the mail while this address fails: another address of its host, else another MX host (none for an IP target). */
function fallbackFor(probe: SmtpProbe, probes: SmtpProbe[], target: Target): Fallback {
  if (target.kind === 'ip' || standing(probe) !== 'failed') return { by: 'none' };
  const sameHost = probes.find(p => p.host === probe.host && standing(p) === 'answered');
  if (sameHost) return { by: 'otherAddress', ip: sameHost.ip };
  const other = probes.find(p => standing(p) === 'answered');
  return other ? { by: 'otherHost', host: other.host, preference: other.preference } : { by: 'none' };
}

/** Addresses whose failure says something about the domain: not those this machine could not send to. */
const tested = (probes: SmtpProbe[]): SmtpProbe[] => probes.filter(p => standing(p) !== 'no-ipv6' && standing(p) !== 'here');

const primaryPreference = (probes: SmtpProbe[]): number => Math.min(...tested(probes).map(p => p.preference));

/** Every tested address of the most preferred MX failed while a less preferred one answers (RFC 5321 §5.1 falls back to it). */
function primaryDown(probes: SmtpProbe[]): boolean {
  const primary = primaryPreference(probes);
  const primaries = tested(probes).filter(p => p.preference === primary);
  return primaries.some(p => standing(p) === 'failed') && primaries.every(p => standing(p) === 'failed') && probes.some(p => p.preference > primary && standing(p) === 'answered');
}

function hostFindings(probes: SmtpProbe[], target: Target): Finding[] {
  const findings: Finding[] = [];
  const noRoute6 = probes.filter(p => standing(p) === 'no-ipv6');
  if (noRoute6.length) {
    const code = noRoute6[0]!.outcome.kind === 'unreachable' ? noRoute6[0]!.outcome.code : 'no route';
    const ips = noRoute6.map(p => p.ip);
    const data = { code, count: ips.length, ips };
    findings.push(finding('network.ipv6-unavailable', ips.length === 1 ? 'oneAddress' : 'addresses', data, { subjects: ips }));
  }
  if (target.kind !== 'domain') return findings;
  const judged = tested(probes);
  const failed = judged.filter(p => standing(p) === 'failed');
  // A server that refused the tester at connect may take everyone else's mail: only when every tested address failed does no MX accept.
  if (failed.length && failed.length === judged.length) {
    const hosts = new Set(judged.map(p => p.host)).size;
    const data = { domain: target.ascii, hosts, failures: failed.map(p => ({ host: p.host, ip: p.ip, failure: failureOf(p) })) };
    const details = { subjects: [...new Set(failed.flatMap(probeSubject))], evidence: failed.flatMap(p => probeEvidence(p)) };
    // Every failure a router's "host unreachable": the hosts may be down, or a network on the way filters them.
    if (failed.every(routerSaysUnreachable)) findings.push(finding('mx.all-unreachable', hosts === 1 ? 'onlyHostUnreachable' : 'noHostUnreachable', data, { ...details, side: 'network' }));
    else findings.push(finding('mx.all-unreachable', hosts === 1 ? 'onlyHost' : 'noHost', data, details));
  } else if (primaryDown(probes)) {
    const primary = primaryPreference(probes);
    const down = failed.filter(p => p.preference === primary);
    const backup = judged.find(p => p.preference > primary && standing(p) === 'answered')!;
    const data = {
      primary: [...new Set(down.map(p => p.host))],
      preference: primary,
      failures: down.map(p => ({ ip: p.ip, failure: failureOf(p) })),
      backup: backup.host,
      backupPreference: backup.preference,
    };
    findings.push(finding('mx.primary-unreachable', 'backupAnswers', data, { subjects: [...new Set(down.flatMap(probeSubject))], evidence: down.flatMap(p => probeEvidence(p)) }));
  }
  return findings;
}

/** How a failed probe failed, as data (src/causes.ts words it). */
function failureOf(probe: SmtpProbe): SmtpFailure {
  const { outcome, incomplete } = probe;
  switch (outcome.kind) {
    case 'refused': return { kind: 'refused' };
    case 'timeout': return { kind: 'timeout', timeoutMs: outcome.waitedMs };
    case 'unreachable': return { kind: 'unreachable', code: outcome.code };
    case 'no-greeting': return { kind: 'no-greeting', reason: outcome.reason, waitedMs: outcome.waitedMs, patience: GREETING_PATIENCE, detail: outcome.detail };
    case 'busy':
    case 'rejected': return { kind: 'reply', reply: replyText(outcome.reply) };
    // A greeted probe fails only by a session dropped or broken mid-way (standing).
    case 'greeted': return incomplete!.malformed
      ? { kind: 'malformed', step: incomplete!.step, ...incomplete!.malformed, reason: incomplete!.reason }
      : { kind: 'dropped', step: incomplete!.step, reset: incomplete!.reset === true };
  }
}

interface OtherPort {
  ip: string;
  port: number;
  result: string;
}

/** A router on the way (or a filter) reported the host unreachable (EHOSTUNREACH): the host may be down, or the path filters it. */
const routerSaysUnreachable = (probe: SmtpProbe): boolean => probe.outcome.kind === 'unreachable' && probe.outcome.code === 'EHOSTUNREACH';

/** Port 25 of the address got no answer of its own: the connect timed out, or a router (or a filter) said host unreachable. */
const filtered = (probe: SmtpProbe): boolean => probe.outcome.kind === 'timeout' || routerSaysUnreachable(probe);

/**
 * Every port-25 connect timed out, or a router said the host unreachable
 * (some ISPs reject outbound port 25 with an ICMP "administratively
 * prohibited", which the OS calls EHOSTUNREACH): this machine's network, or
 * the hosts? If a host that drops port 25 accepts a connection on another
 * port, the path to it works and port 25 is filtered on the way; when every
 * MX looks like that, the filter is most likely this network's (RFC 5068 §3,
 * ISPs blocking outbound port 25). A refused connect proves nothing either way
 * (a host firewall may reject other ports and drop 25), so only an accepted
 * one counts.
 */
async function port25Blocked(net: Net, probes: SmtpProbe[]): Promise<{ finding?: Finding; otherPorts: OtherPort[] }> {
  const judged = tested(probes);
  if (!judged.length || !judged.every(filtered)) return { otherPorts: [] };
  const ips = [...new Set(judged.map(p => p.ip))];
  const otherPorts = await Promise.all(ips.flatMap(ip => OTHER_PORTS.map(port => connectOnce(net, ip, port))));
  const open = otherPorts.filter(r => r.result === 'connected');
  if (!open.length) return { otherPorts };
  const timedOut = judged.every(p => p.outcome.kind === 'timeout');
  return {
    otherPorts,
    finding: finding('network.port25-blocked', timedOut ? 'otherPortsOpen' : 'otherPortsOpenFiltered', { ips, open: open.map(r => endpointLabel(r)) }, {
      subjects: ips,
      evidence: [...judged.map(p => `${endpointLabel(p)}: ${describeDial(p.outcome.kind === 'unreachable' ? p.outcome : { kind: 'timeout', waitedMs: net.time.connectMs })}`), ...otherPorts.map(r => `${endpointLabel(r)}: ${r.result}`)],
    }),
  };
}

/** An IPv4 address whose server spoke SMTP on port 25 (a greeting, a 4xx or 5xx in its place): port 25 over IPv4 gets through from here. */
const spokeOverIpv4 = (probe: SmtpProbe): boolean => probe.family === 4 && ['greeted', 'busy', 'rejected'].includes(probe.outcome.kind);

/**
 * IPv6 addresses whose silence may be this machine's: every IPv6 address
 * probed timed out (those the OS would not send to are no-ipv6 already),
 * nothing at all answered this machine over IPv6 during the run (`heard`: no
 * DNS server, no connection), and an IPv4 address spoke SMTP or the domain's
 * MX hosts have no IPv4 address at all. A machine whose IPv6 goes nowhere then looks
 * exactly like a domain whose IPv6 mail service is down. With any answer over
 * IPv6 here, IPv6 works and their timeouts are theirs; with IPv4 addresses
 * that fail too, the domain's servers fail over both.
 */
function unheardOverIpv6(probes: SmtpProbe[], heard: ReadonlySet<Family>, target: Target): SmtpProbe[] {
  if (heard.has(6)) return [];
  const v6 = probes.filter(p => p.family === 6 && standing(p) !== 'no-ipv6');
  if (!v6.length || !v6.every(p => p.outcome.kind === 'timeout')) return [];
  // The words are about a domain's MX hosts: an IPv6 address given as the target keeps its smtp.timeout.
  const ipv6Only = target.kind === 'domain' && !probes.some(p => p.family === 4);
  return ipv6Only || probes.some(spokeOverIpv4) ? v6 : [];
}

/**
 * One finding for the IPv6 addresses `unheardOverIpv6` picked: this machine's
 * IPv6, or the domain's; a warning, since which is not known (not an error:
 * nothing shows the domain down, yet one of the two is broken).
 */
function unheardFindings(unheard: SmtpProbe[], probes: SmtpProbe[]): Finding[] {
  if (!unheard.length) return [];
  const ips = unheard.map(p => p.ip);
  const answered = [...new Set(probes.filter(spokeOverIpv4).map(p => p.ip))];
  const data = { count: ips.length, ips, answered, timeoutMs: Math.max(...unheard.map(p => (p.outcome.kind === 'timeout' ? p.outcome.waitedMs : 0))) };
  const ipv4 = answered.length ? ', while IPv4 did' : '; the MX hosts have no IPv4 address to compare with';
  const evidence = [...unheard.flatMap(p => probeEvidence(p)), `nothing answered this machine over IPv6 during the run (no DNS server, no connection)${ipv4}`];
  const [one, several] = answered.length ? (['unheardOne', 'unheardAddresses'] as const) : (['unheardIpv6OnlyOne', 'unheardIpv6OnlyAddresses'] as const);
  const messageId = ips.length === 1 ? one : several;
  return [finding('network.ipv6-unavailable', messageId, data, { subjects: [...new Set(unheard.flatMap(probeSubject))], evidence, severity: 'warning' })];
}

function connectOnce(net: Net, ip: string, port: number): Promise<OtherPort> {
  return net.once(`tcp-connect|${ip}|${port}`, () =>
    net.dialer.exclusive(ip, port, async () => {
      const dialed = await net.dialer.connect(ip, port, { timeoutMs: net.time.pathConnectMs });
      if (dialed.kind === 'connected') dialed.socket.destroy();
      return { ip, port, result: dialed.kind === 'unreachable' ? `unreachable (${dialed.code})` : dialed.kind };
    }),
  );
}
