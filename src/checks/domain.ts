// Does the domain exist, and does DNS answer for it at all? The gate for every
// domain check: an NXDOMAIN or a dead resolver explains everything after it.
import { describeAnswer, type DnsAnswer } from '../net/dns/index.js';
import { defineCheck, finding, type Finding } from './define.js';
import type { Net } from '../net/context.js';

export default defineCheck({
  id: 'domain',
  title: 'Domain exists',
  targets: ['domain'],
  needs: [],
  provides: ['domain'],
  emits: ['domain.nxdomain', 'dns.servfail', 'dns.resolver-unreachable'],
  async run(_input, { target, net }) {
    const name = target.ascii;
    const answer = await net.dns.query(name, 'MX');
    const evidence = [describeAnswer(name, 'MX', answer)];
    const data = { resolvers: net.dns.servers.map(s => `${s.host}:${s.port}`), answer: answer.kind };
    switch (answer.kind) {
      case 'records':
      case 'nodata':
        return { findings: [], provided: { domain: name }, data };
      case 'nxdomain':
        return { findings: [finding('domain.nxdomain', `${name} does not exist (NXDOMAIN from ${answer.server})`, { subjects: [name], evidence })], data };
      case 'servfail':
        return { findings: [finding('dns.servfail', `the resolver answered SERVFAIL for ${name}: its name servers are broken or unreachable`, { subjects: [name], evidence })], data };
      default:
        return { findings: [await silence(net, name, answer, evidence)], data };
    }
  },
});

/** No usable answer: tell a dead resolver (our side) from a domain whose servers are silent (theirs). */
async function silence(net: Net, name: string, answer: DnsAnswer, evidence: string[]): Promise<Finding> {
  if (answer.kind === 'refused') {
    return finding('dns.resolver-unreachable', `the resolver ${answer.server} refused to answer (it does not offer recursion to this machine)`, { subjects: net.dns.servers.map(s => s.host), evidence });
  }
  const root = await net.dns.query('.', 'NS');
  if (root.kind === 'timeout' || root.kind === 'error' || root.kind === 'refused') {
    return finding('dns.resolver-unreachable', `no answer from ${net.dns.servers.map(s => `${s.host}:${s.port}`).join(', ')}, not even for the root zone`, { subjects: net.dns.servers.map(s => s.host), evidence: [...evidence, describeAnswer('.', 'NS', root)] });
  }
  return finding('dns.servfail', `the resolver answers, but not for ${name}: its name servers did not respond in time`, { subjects: [name], evidence });
}
