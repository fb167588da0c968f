// The domain's MX records as a sending MTA reads them (RFC 5321 §5.1): sorted
// by preference, null MX (RFC 7505), and the implicit MX when there is none.
import net from 'node:net';
import { describeAnswer, type MxRecord } from '../net/dns/index.js';
import type { MxHost } from '../pipeline/facts.js';
import { defineCheck, finding, legacyFinding, type Finding } from './define.js';

export default defineCheck({
  id: 'mx',
  title: 'MX records',
  targets: ['domain'],
  needs: ['domain'],
  provides: ['mxHosts'],
  emits: ['mx.null', 'mx.missing', 'mx.implicit', 'mx.target-invalid', 'dns.servfail', 'dns.resolver-hijacked'],
  async run({ domain }, { net: network }) {
    const answer = await network.dns.query(domain, 'MX');
    const evidence = [describeAnswer(domain, 'MX', answer)];
    if (answer.kind === 'nodata') {
      const [a, aaaa] = await Promise.all([network.dns.query(domain, 'A'), network.dns.query(domain, 'AAAA')]);
      const addresses = [a, aaaa].flatMap(x => (x.kind === 'records' ? x.records : []));
      const addressEvidence = [...evidence, describeAnswer(domain, 'A', a), describeAnswer(domain, 'AAAA', aaaa)];
      if (!addresses.length) {
        return { findings: [finding('mx.missing', 'nowhere', { domain }, { subjects: [domain], evidence: addressEvidence })] };
      }
      // A resolver that rewrites NXDOMAIN gives a dead domain its own server's address (ISP "search assist").
      const health = await network.resolverHealth();
      if (health.kind === 'hijacking' && addresses.some(a => health.addresses.includes(a))) {
        return {
          findings: [legacyFinding('dns.resolver-hijacked', `the resolver answers ${addresses.join(', ')} for ${domain} and the same for a random name that cannot exist: the address is the resolver's, not the domain's`, { subjects: network.dns.servers.map(s => s.host), evidence: [...addressEvidence, ...health.evidence] })],
          data: { mx: [], resolverInvented: addresses },
        };
      }
      const implicit: MxHost = { name: domain, preference: 0, implicit: true };
      return {
        findings: [legacyFinding('mx.implicit', `${domain} has no MX record; senders fall back to its A/AAAA record (${addresses.join(', ')})`, { subjects: [domain], evidence: addressEvidence })],
        provided: { mxHosts: [implicit] },
        data: { mx: [], implicit: addresses },
      };
    }
    if (answer.kind !== 'records') {
      return { findings: [legacyFinding('dns.servfail', `the MX lookup for ${domain} failed (${answer.kind})`, { subjects: [domain], evidence })] };
    }
    return readMxRecords(domain, answer.records, evidence);
  },
});

function readMxRecords(domain: string, records: MxRecord[], evidence: string[]) {
  const sorted = [...records].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
  const data = { mx: sorted.map(r => ({ preference: r.priority, exchange: r.exchange || '.' })) };
  const findings: Finding[] = [];
  const isNull = (r: MxRecord) => r.exchange === '';
  if (sorted.some(isNull)) {
    const alone = sorted.length === 1;
    findings.push(
      legacyFinding('mx.null', alone
        ? `${domain} publishes a null MX ("0 ."): it declares that it accepts no mail (RFC 7505)`
        : `${domain} mixes a null MX ("0 .") with other MX records; RFC 7505 §3 says the null MX must be the only one`, { subjects: [domain], evidence, ...(alone ? {} : { severity: 'warning' as const }) }),
    );
    if (alone) return { findings, data };
  }
  const usable = sorted.filter(r => !isNull(r));
  const isLiteral = (r: MxRecord) => net.isIP(r.exchange.replace(/^\[(.*)\]$/, '$1')) !== 0;
  // Senders look the name up as a host name, so an address written as one reaches nobody; with no named MX beside it, no mail arrives.
  const named = usable.filter(r => !isLiteral(r));
  for (const r of usable.filter(isLiteral)) {
    const consequence = named.length ? `senders cannot use it and deliver to the other MX hosts` : `no sender can use it, and ${domain} has no other MX: its mail cannot be delivered`;
    findings.push(legacyFinding('mx.target-invalid', `MX ${r.priority} ${r.exchange} is an IP address; an MX must name a host (RFC 5321 §5.1), so ${consequence}`, { subjects: [r.exchange], evidence, ...(named.length ? {} : { severity: 'error' as const }) }));
  }
  const hosts: MxHost[] = named.map(r => ({ name: r.exchange.toLowerCase(), preference: r.priority, implicit: false }));
  return { findings, data, ...(hosts.length ? { provided: { mxHosts: hosts } } : {}) };
}
