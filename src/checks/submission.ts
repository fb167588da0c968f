// The domain's mail submission service, found the way mail clients find it:
// the relay given with --relay, SRV records (_submission._tcp and
// _submissions._tcp, RFC 6186 §3.1, RFC 8314 §5.1), or else the usual names
// smtp.<domain> and mail.<domain>. What each port offers (greeting, STARTTLS,
// AUTH before and after TLS) goes in the data. A declared host that answers
// on none of its ports is a finding; a guessed name that refuses is simply not
// a submission host, and one whose ports all time out is only worth a note.
import { isIP } from 'node:net';
import type { SubmissionFailure } from '../causes.js';
import type { Net } from '../net/context.js';
import { ipFamily } from '../net/ip.js';
import { describeSubmissionOutcome, probeSubmission, type SubmissionOutcome, type SubmissionProbe } from '../net/smtp/index.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, finding, type Finding } from './define.js';

/** Submission (RFC 6409), its common alternative when ISPs filter 587, and implicit TLS (RFC 8314). */
export const SUBMISSION_PORTS = [587, 2525, 465];
const GUESSED_NAMES = ['smtp', 'mail'];

type Source = 'relay' | 'srv' | 'guess';

interface Candidate {
  host: string;
  ports: number[];
  source: Source;
}

export default defineCheck({
  id: 'submission',
  title: 'Mail submission (587, 2525, 465)',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: ['submission.unreachable'],
  // connect + greeting + the session's step budget; ports and hosts are probed at once.
  budget: 'submission',
  async run({ domain }, { options, net }) {
    if (!options.smtp) return { findings: [], status: 'info', data: { sessions: 'off', reason: 'SMTP sessions are turned off (--no-smtp): submission ports were not probed' } };
    const candidates = await submissionHosts(domain, options, net);
    if (!candidates.length) {
      return { findings: [], status: 'info', data: { hosts: [], reason: `no submission host found: no --relay, no SRV record at _submission._tcp or _submissions._tcp, and neither ${GUESSED_NAMES.map(n => `${n}.${domain}`).join(' nor ')} resolves` } };
    }
    const resolved = await Promise.all(candidates.map(async c => ({ ...c, ips: await addressesOf(c.host, net) })));
    const probed = await Promise.all(
      dedupeGuesses(resolved).map(async c => {
        const ip = c.ips.find(a => ipFamily(a) === 4) ?? c.ips[0];
        const probes = ip ? await Promise.all(c.ports.map(port => probeSubmission(net, { host: c.host, ip, port }, { helo: options.helo, caCerts: options.caCerts }))) : [];
        return { ...c, ip, probes };
      }),
    );
    return {
      findings: probed.flatMap(c => hostFinding(c)),
      data: { hosts: probed.map(c => ({ host: c.host, source: c.source, ip: c.ip ?? null, ports: c.probes.map(p => describePort(p, options)) })) },
    };
  },
});

/** Where a client would submit mail for this domain, most authoritative first. */
async function submissionHosts(domain: string, options: RunOptions, net: Net): Promise<Candidate[]> {
  if (options.relay) return [{ host: options.relay.host, ports: options.relay.port ? [options.relay.port] : SUBMISSION_PORTS, source: 'relay' }];
  const fromSrv = await srvHosts(domain, net);
  if (fromSrv.length) return fromSrv;
  const guesses = await Promise.all(GUESSED_NAMES.map(async name => ({ host: `${name}.${domain}`, resolves: (await addressesOf(`${name}.${domain}`, net)).length > 0 })));
  return guesses.filter(g => g.resolves).map(g => ({ host: g.host, ports: SUBMISSION_PORTS, source: 'guess' as const }));
}

/** RFC 6186 §3.1 (STARTTLS on submission) and RFC 8314 §5.1 (implicit TLS); a target of "." says there is no such service. */
async function srvHosts(domain: string, net: Net): Promise<Candidate[]> {
  const answers = await Promise.all(['_submission._tcp', '_submissions._tcp'].map(label => net.dns.query(`${label}.${domain}`, 'SRV')));
  const records = answers
    .flatMap(a => (a.kind === 'records' ? a.records : []))
    .filter(r => r.target && r.target !== '.')
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  const byHost = new Map<string, number[]>();
  for (const r of records) {
    const host = r.target.toLowerCase().replace(/\.$/, '');
    byHost.set(host, [...new Set([...(byHost.get(host) ?? []), r.port])]);
  }
  return [...byHost].map(([host, ports]) => ({ host, ports, source: 'srv' as const }));
}

/** A, then AAAA unless A said the name does not exist (RFC 8020): most guessed names do not, and that is one question, not two. */
async function addressesOf(host: string, net: Net): Promise<string[]> {
  if (isIP(host)) return [host];
  const a = await net.dns.query(host, 'A');
  const aaaa = a.kind === 'nxdomain' ? undefined : await net.dns.query(host, 'AAAA');
  return [a, aaaa].flatMap(x => (x?.kind === 'records' ? x.records : []));
}

/** smtp.<domain> and mail.<domain> are often the same server: probe it once. */
function dedupeGuesses<C extends Candidate & { ips: string[] }>(candidates: C[]): C[] {
  const seen = new Set<string>();
  return candidates.filter(c => {
    if (c.source !== 'guess') return true;
    const first = c.ips[0];
    if (!first || seen.has(first)) return false;
    seen.add(first);
    return true;
  });
}

function hostFinding(candidate: Candidate & { ip?: string; probes: SubmissionProbe[] }): Finding[] {
  const { host, source, ip, probes } = candidate;
  if (!ip) {
    if (source === 'guess') return [];
    return [finding('submission.unreachable', source === 'relay' ? 'relayUnresolved' : 'srvUnresolved', { host, source }, { subjects: [host] })];
  }
  const ports = probes.flatMap(p => (p.outcome.kind === 'greeted' ? [] : [{ port: p.port, failure: failureOf(p.outcome) }]));
  // A port that greeted takes submissions: the host is reachable.
  if (ports.length < probes.length) return [];
  const silent = ports.every(p => p.failure.kind === 'timeout' || p.failure.kind === 'unreachable');
  // A guessed name that refuses these ports simply offers no submission there.
  if (source === 'guess' && !silent) return [];
  const data = { host, ip, source, ports };
  const details = { subjects: [host, ip], evidence: probes.flatMap(p => p.transcript.map(line => `${ip}:${p.port} ${line}`)) };
  switch (source) {
    case 'relay': return [finding('submission.unreachable', 'relaySilent', data, details)];
    case 'srv': return [finding('submission.unreachable', 'srvSilent', data, details)];
    // Its firewall may simply drop these ports: only a note.
    case 'guess': return [finding('submission.unreachable', 'guessSilent', data, { ...details, severity: 'info' })];
  }
}

/** How a port that did not greet failed, as data (src/causes.ts words it). */
function failureOf(outcome: Exclude<SubmissionOutcome, { kind: 'greeted' }>): SubmissionFailure {
  return outcome.kind === 'timeout' ? { kind: 'timeout', timeoutMs: outcome.waitedMs } : outcome;
}

function describePort(probe: SubmissionProbe, options: RunOptions): Record<string, unknown> {
  const { tls } = probe;
  return {
    port: probe.port,
    implicitTls: probe.implicitTls,
    outcome: describeSubmissionOutcome(probe),
    ...(probe.greeting ? { greeting: probe.greeting } : {}),
    ...(probe.starttlsOffered !== undefined ? { starttls: probe.starttlsOffered } : {}),
    ...(tls ? { tls: tls.kind === 'ok' ? { protocol: tls.protocol, cipher: tls.cipher, ...(tls.authorizationError ? { authorizationError: tls.authorizationError } : {}) } : tls } : {}),
    ...(probe.authBeforeTls ? { authBeforeTls: probe.authBeforeTls } : {}),
    ...(probe.authAfterTls ? { authAfterTls: probe.authAfterTls } : {}),
    ...(probe.incomplete ? { incomplete: probe.incomplete } : {}),
    ...(options.verbose ? { transcript: probe.transcript } : {}),
  };
}
