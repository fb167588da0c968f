// Port 25 of every MX address, tried the way a sending MTA tries it (RFC 5321
// §5.1): does it connect, greet and talk, and does a backup take over when the
// primary does not? Also what belongs to this machine rather than the domain:
// an ISP that blocks outbound port 25, or no IPv6 route.
//
// IP targets: the address gets the same session; its RCPT probe runs only
// with --rcpt, because there is no domain to take postmaster@ from (and an
// address literal recipient would mostly test the server's relay rules).
import pLimit from 'p-limit';
import type { Net } from '../net/context.js';
import { duration, endpointLabel, GREETING_PATIENCE, probeMx, replyText, seconds, unreachableWords, type SmtpProbe } from '../net/smtp/index.js';
import type { Target } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, legacyFinding, type Finding, type FindingDetails } from './define.js';
import { aboutClient, MEANINGS, readReply } from '../replies/index.js';
import { describeProbe, probeEvidence, probeName, probeSettings, probeSubject } from './smtp-probes.js';

/** Addresses probed at once: enough that a domain whose MX hosts all hang costs one timeout, not one per host. */
const PARALLEL_PROBES = 16;
/** Ports that show whether a host is reachable at all when its port 25 times out (submission, HTTPS). */
const OTHER_PORTS = [587, 443];
/** Those connects only confirm the path; they need not wait as long as a whole SMTP step. */
const OTHER_PORT_TIMEOUT_MS = 3000;

export default defineCheck({
  id: 'smtp-reachability',
  title: 'SMTP on port 25',
  targets: ['domain', 'ip'],
  needs: ['hostAddrs'],
  provides: ['smtp25'],
  emits: ['smtp.refused', 'smtp.timeout', 'smtp.no-banner', 'smtp.greeting-slow', 'smtp.service-refused', 'smtp.busy', 'smtp.insufficient-storage', 'smtp.session-dropped', 'smtp.reply-broken', 'mx.all-unreachable', 'mx.primary-unreachable', 'network.port25-blocked', 'network.no-route', 'network.ipv6-unavailable', 'smtp.untestable'],
  // connect + greeting (GREETING_PATIENCE steps) + the session's step budget, then the other-port connects after a timeout.
  budgetMs: options => options.timeoutMs * (3 + GREETING_PATIENCE) + OTHER_PORT_TIMEOUT_MS + 5000,
  async run({ hostAddrs }, { target, options, net }) {
    if (!options.smtp) return { findings: [], status: 'info', data: { sessions: 'off', reason: 'SMTP sessions are turned off (--no-smtp): port 25 was not probed' } };
    const rcpt = recipientFor(target, options);
    const limit = pLimit(PARALLEL_PROBES);
    const probes = await Promise.all(hostAddrs.map(address => limit(() => probeMx(net, address, probeSettings(options), rcpt))));
    const blocked = await port25Blocked(net, probes, options);
    const findings = [...probeFindings(probes, target, options), ...hostFindings(probes, target, options)];
    if (blocked.finding) findings.push(blocked.finding);
    return {
      findings,
      provided: { smtp25: probes },
      data: { rcpt: rcpt ?? null, probes: probes.map(p => describeProbe(p)), ...(blocked.otherPorts.length ? { otherPorts: blocked.otherPorts } : {}) },
    };
  },
});

/** The RCPT probe's recipient: --rcpt, else postmaster@ the domain (RFC 5321 §4.5.1 requires it to exist). */
function recipientFor(target: Target, options: RunOptions): string | undefined {
  return options.rcpt ?? (target.kind === 'domain' ? `postmaster@${target.ascii}` : undefined);
}

type Standing = 'answered' | 'failed' | 'untestable' | 'no-ipv6';

/** Whether an address takes part in delivery: it answered (even with a refusal), failed, or could not be judged. */
function standing(probe: SmtpProbe): Standing {
  const { outcome } = probe;
  switch (outcome.kind) {
    case 'greeted':
      return probe.incomplete?.dropped || probe.incomplete?.malformed ? 'failed' : 'answered';
    case 'unreachable':
      return probe.family === 6 ? 'no-ipv6' : 'failed';
    // A 4xx or 5xx instead of the greeting takes mail from nobody, unless it names this client (a limit on, or a block of, the tester).
    case 'busy':
    case 'rejected':
      return aboutClient(outcome.reply) ? 'untestable' : 'failed';
    default:
      return 'failed';
  }
}

function probeFindings(probes: SmtpProbe[], target: Target, options: RunOptions): Finding[] {
  return probes.flatMap(probe => {
    const details: FindingDetails = { subjects: probeSubject(probe), evidence: probeEvidence(probe) };
    const severity = failureSeverity(probe, probes, target);
    const at = { ...details, ...(severity ? { severity } : {}) };
    const who = probeName(probe);
    const { outcome } = probe;
    switch (outcome.kind) {
      case 'refused':
        return [legacyFinding('smtp.refused', `${who} refused the connection on port 25${afterword(probe, probes, target)}`, at)];
      case 'timeout':
        return [legacyFinding('smtp.timeout', `connecting to ${who} on port 25 timed out after ${seconds(options.timeoutMs)}${afterword(probe, probes, target)}`, at)];
      case 'unreachable':
        if (probe.family === 6) return [];
        // The OS says this machine has no route: the failure is here, not at the server.
        if (outcome.code === 'ENETUNREACH') return [legacyFinding('network.no-route', `${who} cannot be reached on port 25: ${unreachableWords(outcome.code)}`, details)];
        return [legacyFinding('smtp.timeout', `${who} cannot be reached on port 25: ${unreachableWords(outcome.code)}${afterword(probe, probes, target)}`, at)];
      case 'no-greeting':
        return [legacyFinding('smtp.no-banner', `${who} accepted the connection on port 25 but ${noGreetingWords(outcome)}${afterword(probe, probes, target)}`, at)];
      case 'busy':
      case 'rejected':
        if (aboutClient(outcome.reply)) {
          return [legacyFinding('smtp.untestable', `${who} turned maildiag away at connect ("${replyText(outcome.reply)}"): the reply is about this machine's address, not the domain, so the server was not tested; other senders may be let in`, details)];
        }
        return outcome.kind === 'busy'
          ? [legacyFinding('smtp.busy', `${who} answered the connection with "${replyText(outcome.reply)}" instead of a 220 greeting${afterword(probe, probes, target)}`, at)]
          : [legacyFinding('smtp.service-refused', `${who} refused every session at connect with "${replyText(outcome.reply)}"${afterword(probe, probes, target)}`, at)];
      case 'greeted': {
        // Slower than one step, yet within GREETING_PATIENCE: patient senders deliver, hasty ones give up.
        const slow = outcome.greetingMs > options.timeoutMs
          ? [legacyFinding('smtp.greeting-slow', `${who} sent its 220 greeting only ${seconds(outcome.greetingMs)} after the connection opened (RFC 5321 §4.5.3.2 has senders wait up to 5 minutes; many wait far less)`, details)]
          : [];
        if (probe.incomplete?.dropped) return [...slow, legacyFinding('smtp.session-dropped', `${who} greeted, then ${droppedWords(probe)}${afterword(probe, probes, target)}`, at)];
        if (probe.incomplete?.malformed) return [...slow, legacyFinding('smtp.reply-broken', `${who} greeted, then ${malformedWords(probe)}${afterword(probe, probes, target)}`, { ...at, data: { step: probe.incomplete.step, ...probe.incomplete.malformed } })];
        return probe.incomplete ? [...slow, stoppedFinding(probe, probe.incomplete, details)] : slow;
      }
    }
  });
}

/** A session that stopped mid-way: the server's own state when its 421 says so (out of storage, its connection limit), else not tested. */
function stoppedFinding(probe: SmtpProbe, incomplete: NonNullable<SmtpProbe['incomplete']>, details: FindingDetails): Finding {
  const step = incomplete.step.toUpperCase();
  const reading = incomplete.reply && !aboutClient(incomplete.reply) ? readReply(incomplete.reply, ['server-out-of-storage', 'server-connection-limit']) : undefined;
  if (reading) {
    return legacyFinding(MEANINGS[reading.meaning].probe, `${probeName(probe)} ended the session at ${step} with "${replyText(incomplete.reply!)}": that is the server's own state, and it turns away every sender alike`, details);
  }
  return legacyFinding('smtp.untestable', `${probeName(probe)}: the session stopped at ${step}: ${incomplete.reason}`, details);
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

function afterword(probe: SmtpProbe, probes: SmtpProbe[], target: Target): string {
  if (target.kind === 'ip' || standing(probe) !== 'failed') return '';
  const sameHost = probes.find(p => p.host === probe.host && standing(p) === 'answered');
  if (sameHost) return `; its other address ${sameHost.ip} answers`;
  const other = probes.find(p => standing(p) === 'answered');
  return other ? `; mail goes to ${other.host} (preference ${other.preference}) instead` : '';
}

const primaryPreference = (probes: SmtpProbe[]): number => Math.min(...probes.filter(p => standing(p) !== 'no-ipv6').map(p => p.preference));

/** Every tested address of the most preferred MX failed while a less preferred one answers (RFC 5321 §5.1 falls back to it). */
function primaryDown(probes: SmtpProbe[]): boolean {
  const primary = primaryPreference(probes);
  const primaries = probes.filter(p => p.preference === primary && standing(p) !== 'no-ipv6');
  return primaries.some(p => standing(p) === 'failed') && primaries.every(p => standing(p) === 'failed') && probes.some(p => p.preference > primary && standing(p) === 'answered');
}

function hostFindings(probes: SmtpProbe[], target: Target, options: RunOptions): Finding[] {
  const findings: Finding[] = [];
  const noRoute6 = probes.filter(p => standing(p) === 'no-ipv6');
  if (noRoute6.length) {
    const code = noRoute6[0]!.outcome.kind === 'unreachable' ? noRoute6[0]!.outcome.code : 'no route';
    findings.push(legacyFinding('network.ipv6-unavailable', `this machine has no IPv6 route (${code}), so ${plural(noRoute6.length, 'IPv6 address')} (${noRoute6.map(p => p.ip).join(', ')}) could not be probed`, { subjects: noRoute6.map(p => p.ip) }));
  }
  if (target.kind !== 'domain') return findings;
  const tested = probes.filter(p => standing(p) !== 'no-ipv6');
  const failed = tested.filter(p => standing(p) === 'failed');
  if (failed.length && !tested.some(p => standing(p) === 'answered')) {
    const hosts = new Set(tested.map(p => p.host)).size;
    const which = hosts === 1 ? `the only MX host of ${target.ascii} does not` : `none of the ${hosts} MX hosts of ${target.ascii}`;
    findings.push(legacyFinding('mx.all-unreachable', `${which} accept${hosts === 1 ? '' : 's'} SMTP on port 25: ${failed.map(p => `${p.host} (${p.ip}): ${outcomeWords(p, options)}`).join('; ')}`, { subjects: [...new Set(failed.flatMap(probeSubject))], evidence: failed.flatMap(p => probeEvidence(p)) }));
  } else if (primaryDown(probes)) {
    const primary = primaryPreference(probes);
    const down = failed.filter(p => p.preference === primary);
    const backup = tested.find(p => p.preference > primary && standing(p) === 'answered')!;
    findings.push(legacyFinding('mx.primary-unreachable', `the primary MX ${[...new Set(down.map(p => p.host))].join(', ')} (preference ${primary}) does not accept mail (${down.map(p => `${p.ip}: ${outcomeWords(p, options)}`).join('; ')}); the backup ${backup.host} (preference ${backup.preference}) answers`, { subjects: [...new Set(down.flatMap(probeSubject))], evidence: down.flatMap(p => probeEvidence(p)) }));
  }
  return findings;
}

function outcomeWords(probe: SmtpProbe, options: RunOptions): string {
  const { outcome } = probe;
  switch (outcome.kind) {
    case 'refused': return 'connection refused';
    case 'timeout': return `connect timed out after ${seconds(options.timeoutMs)}`;
    case 'unreachable': return unreachableWords(outcome.code);
    case 'no-greeting': return noGreetingWords(outcome);
    case 'busy':
    case 'rejected': return replyText(outcome.reply);
    case 'greeted': return probe.incomplete?.dropped ? droppedWords(probe) : probe.incomplete?.malformed ? malformedWords(probe) : 'greeted';
  }
}

const droppedWords = (probe: SmtpProbe): string => `${probe.incomplete!.reset ? 'reset the connection (ECONNRESET)' : 'closed the connection'} instead of answering ${probe.incomplete!.step.toUpperCase()}`;

/** A reply that broke the protocol, with what was seen: how many bytes, for how long. */
function malformedWords(probe: SmtpProbe): string {
  const { step, malformed, reason } = probe.incomplete!;
  const command = step.toUpperCase();
  const took = malformed!.waitedMs === undefined ? '' : ` within ${duration(malformed!.waitedMs)}`;
  switch (malformed!.how) {
    case 'too-long': return `answered ${command} with ${malformed!.bytes} bytes${took} and was still going, far beyond any SMTP reply: maildiag stopped reading`;
    case 'unfinished': return `started its reply to ${command} but had not finished it after ${seconds(malformed!.waitedMs!)} (${malformed!.bytes} bytes so far): a reply that never ends`;
    case 'garbage': return `answered ${command} with something that is not an SMTP reply (${reason})`;
  }
}

function noGreetingWords(outcome: Extract<SmtpProbe['outcome'], { kind: 'no-greeting' }>): string {
  switch (outcome.reason) {
    case 'silent': return `sent no greeting within ${seconds(outcome.waitedMs)} (senders wait up to 5 minutes, RFC 5321 §4.5.3.2; maildiag waits ${GREETING_PATIENCE} times --timeout)`;
    case 'slow': return `had not finished its greeting after ${seconds(outcome.waitedMs)}`;
    case 'closed': return 'closed it without a greeting';
    case 'reset': return 'reset it (ECONNRESET) without a greeting';
    case 'garbage':
    case 'too-long': return `sent no valid SMTP greeting (${outcome.detail})`;
  }
}

interface OtherPort {
  ip: string;
  port: number;
  result: string;
}

/**
 * Every port-25 connect timed out: this machine's network, or the hosts? If a
 * host that drops port 25 accepts a connection on another port, the path to it
 * works and port 25 is filtered on the way; when every MX looks like that, the
 * filter is most likely this network's (RFC 5068 §3, ISPs blocking outbound
 * port 25). A refused connect proves nothing either way (a host firewall may
 * reject other ports and drop 25), so only an accepted one counts.
 */
async function port25Blocked(net: Net, probes: SmtpProbe[], options: RunOptions): Promise<{ finding?: Finding; otherPorts: OtherPort[] }> {
  const tested = probes.filter(p => standing(p) !== 'no-ipv6');
  if (!tested.length || !tested.every(p => p.outcome.kind === 'timeout')) return { otherPorts: [] };
  const ips = [...new Set(tested.map(p => p.ip))];
  const otherPorts = await Promise.all(ips.flatMap(ip => OTHER_PORTS.map(port => connectOnce(net, ip, port, Math.min(options.timeoutMs, OTHER_PORT_TIMEOUT_MS)))));
  const open = otherPorts.filter(r => r.result === 'connected');
  if (!open.length) return { otherPorts };
  return {
    otherPorts,
    finding: legacyFinding('network.port25-blocked', `every port-25 connection timed out (${ips.join(', ')}) while ${open.map(r => endpointLabel(r)).join(', ')} accepted connections: outbound port 25 is most likely blocked on this network`, {
      subjects: ips,
      evidence: [...tested.map(p => `${endpointLabel(p)}: connect timed out after ${seconds(options.timeoutMs)}`), ...otherPorts.map(r => `${endpointLabel(r)}: ${r.result}`)],
    }),
  };
}

function connectOnce(net: Net, ip: string, port: number, timeoutMs: number): Promise<OtherPort> {
  return net.once(`tcp-connect|${ip}|${port}|${timeoutMs}`, () =>
    net.dialer.exclusive(ip, port, async () => {
      const dialed = await net.dialer.connect(ip, port, { timeoutMs });
      if (dialed.kind === 'connected') dialed.socket.destroy();
      return { ip, port, result: dialed.kind === 'unreachable' ? `unreachable (${dialed.code})` : dialed.kind };
    }),
  );
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : noun.endsWith('s') ? 'es' : 's'}`;
