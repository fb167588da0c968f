// Every MX host's addresses, in preference order: what a sender would dial.
// Catches MX targets that do not resolve, that are CNAMEs (RFC 2181 §10.3),
// or that point at addresses the internet cannot reach.
import { describeAnswer, type DnsAnswer } from '../net/dns/index.js';
import { ipFamily, nonGlobalReason } from '../net/ip.js';
import type { HostAddr, MxHost } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, finding, type CheckContext, type Finding } from './define.js';

export default defineCheck({
  id: 'host-addrs',
  title: 'MX host addresses',
  targets: ['domain'],
  needs: ['mxHosts'],
  provides: ['hostAddrs'],
  emits: ['mx.target-nxdomain', 'mx.target-invalid', 'mx.target-private', 'dns.servfail'],
  async run({ mxHosts }, ctx) {
    const resolved = await Promise.all(mxHosts.map(host => resolveHost(host, ctx)));
    const hostAddrs = resolved.flatMap(r => r.addrs);
    return {
      findings: resolved.flatMap(r => r.findings),
      data: { hosts: resolved.map(r => ({ host: r.host.name, preference: r.host.preference, addresses: r.addrs.map(a => a.ip), aliases: r.aliases })) },
      ...(hostAddrs.length ? { provided: { hostAddrs } } : {}),
    };
  },
});

async function resolveHost(host: MxHost, { net, options }: CheckContext) {
  const [a, aaaa] = await Promise.all([net.dns.query(host.name, 'A'), net.dns.query(host.name, 'AAAA')]);
  const evidence = [describeAnswer(host.name, 'A', a), describeAnswer(host.name, 'AAAA', aaaa)];
  const ips = [a, aaaa].flatMap(x => (x.kind === 'records' ? (x.records as string[]) : []));
  const aliases = [a, aaaa].find(x => 'aliases' in x && x.aliases.length) as { aliases: string[] } | undefined;
  const findings: Finding[] = [];
  if (aliases && !host.implicit) {
    findings.push(finding('mx.target-invalid', 'cname', { host: host.name, aliases: aliases.aliases }, { subjects: [host.name], evidence: aliases.aliases.map(x => `${x.replace(' → ', ' CNAME ')}`) }));
  }
  if (!ips.length) findings.push(unresolved(host, a, aaaa, evidence));
  const { usable, rejected } = splitRoutable(ips, options);
  if (rejected.length) {
    findings.push(finding('mx.target-private', 'unroutable', { host: host.name, addresses: rejected }, { subjects: [host.name, ...rejected.map(r => r.ip)], evidence }));
  }
  return { host, findings, aliases: aliases?.aliases ?? [], addrs: usable.map((ip): HostAddr => ({ host: host.name, ip, family: ipFamily(ip), preference: host.preference })) };
}

function unresolved(host: MxHost, a: DnsAnswer, aaaa: DnsAnswer, evidence: string[]): Finding {
  const kinds = [a.kind, aaaa.kind];
  if (kinds.every(k => k === 'nxdomain' || k === 'nodata')) {
    return finding('mx.target-nxdomain', kinds.includes('nxdomain') ? 'nxdomain' : 'noAddress', { host: host.name }, { subjects: [host.name], evidence });
  }
  return finding('dns.servfail', 'mxHostLookup', { host: host.name, a: a.kind, aaaa: aaaa.kind }, { subjects: [host.name], evidence });
}

function splitRoutable(ips: string[], options: RunOptions) {
  const rejected = options.allowPrivate ? [] : ips.flatMap(ip => {
    const range = nonGlobalReason(ip);
    return range ? [{ ip, range }] : [];
  });
  return { usable: ips.filter(ip => !rejected.some(r => r.ip === ip)), rejected };
}
