// Does the domain exist, and does DNS answer for it at all? The gate for every
// domain check: an NXDOMAIN or a dead resolver explains everything after it.
// An answer that would blame the domain is believed only once the resolver
// has shown it is sane (net.resolverHealth): the observer before the observed.
import { describeAnswer, type DnsAnswer } from '../net/dns/index.js';
import { defineCheck, finding, type Finding } from './define.js';
import type { Net } from '../net/context.js';
import { resolverFailure, resolverLabels } from './resolver.js';

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

/** No usable answer for the domain: the resolver's fault (this machine) or the domain's (its DNS)? */
async function blame(net: Net, name: string, answer: Exclude<DnsAnswer, { kind: 'records' | 'nodata' }>, evidence: string[]): Promise<Finding> {
  if (answer.kind === 'refused') {
    return finding('dns.resolver-unreachable', 'refused', { server: answer.server }, { subjects: net.dns.servers.map(s => s.host), evidence });
  }
  const resolver = await resolverFailure(net, name, answer.kind, evidence);
  if (resolver) return resolver;
  switch (answer.kind) {
    case 'nxdomain':
      return finding('domain.nxdomain', 'nxdomain', { domain: name, server: answer.server }, { subjects: [name], evidence });
    case 'servfail':
      return finding('dns.servfail', 'servfail', { domain: name }, { subjects: [name], evidence });
    default:
      return finding('dns.servfail', 'unanswered', { domain: name, answer: answer.kind }, { subjects: [name], evidence });
  }
}
