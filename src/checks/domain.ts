// Does the domain exist, and does DNS answer for it at all? The gate for every
// domain check: an NXDOMAIN or a dead resolver explains everything after it.
// An answer that would blame the domain is believed only once the resolver
// has shown it is sane (net.resolverHealth): the observer before the observed.
import { describeAnswer, type DnsAnswer } from '../net/dns/index.js';
import { defineCheck, finding, type Finding } from './define.js';
import type { Net } from '../net/context.js';

export default defineCheck({
  id: 'domain',
  title: 'Domain exists',
  targets: ['domain'],
  needs: [],
  provides: ['domain'],
  emits: ['domain.nxdomain', 'dns.servfail', 'dns.resolver-unreachable', 'dns.resolver-failing'],
  async run(_input, { target, net }) {
    const name = target.ascii;
    const answer = await net.dns.query(name, 'MX');
    const evidence = [describeAnswer(name, 'MX', answer)];
    const data = { resolvers: resolverLabels(net), answer: answer.kind };
    if (answer.kind === 'records' || answer.kind === 'nodata') return { findings: [], provided: { domain: name }, data };
    return { findings: [await blame(net, name, answer, evidence)], data };
  },
});

const resolverLabels = (net: Net): string[] => net.dns.servers.map(s => `${s.host}:${s.port}`);

/** No usable answer for the domain: the resolver's fault (this machine) or the domain's (its DNS)? */
async function blame(net: Net, name: string, answer: Exclude<DnsAnswer, { kind: 'records' | 'nodata' }>, evidence: string[]): Promise<Finding> {
  const resolvers = { subjects: net.dns.servers.map(s => s.host) };
  if (answer.kind === 'refused') {
    return finding('dns.resolver-unreachable', `the resolver ${answer.server} refused to answer (it does not offer recursion to this machine)`, { ...resolvers, evidence });
  }
  const health = await net.resolverHealth();
  if (health.kind === 'failing') {
    const both = { ...resolvers, evidence: [...evidence, ...health.evidence] };
    const silent = health.answer === 'timeout' || health.answer === 'error' || health.answer === 'refused';
    return silent
      ? finding('dns.resolver-unreachable', `no answer from ${resolverLabels(net).join(', ')}, not even for the root zone`, both)
      : finding('dns.resolver-failing', `the resolver ${resolverLabels(net).join(', ')} answers ${health.answer.toUpperCase()} even for the root zone, so its ${answer.kind.toUpperCase()} for ${name} says nothing about ${name}`, both);
  }
  switch (answer.kind) {
    case 'nxdomain':
      return finding('domain.nxdomain', `${name} does not exist (NXDOMAIN from ${answer.server})`, { subjects: [name], evidence });
    case 'servfail':
      return finding('dns.servfail', `the resolver answered SERVFAIL for ${name}: its name servers are broken or unreachable`, { subjects: [name], evidence });
    default:
      return finding('dns.servfail', `the resolver answers, but not for ${name}: its name servers did not respond in time`, { subjects: [name], evidence });
  }
}
