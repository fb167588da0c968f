// The domain's MX records as a sending MTA reads them (RFC 5321 §5.1): sorted
// by preference, null MX (RFC 7505), and the implicit MX when there is none.
import net from 'node:net';
import { describeAnswer, type MxRecord } from '../net/dns/index.js';
import type { MxHost } from '../pipeline/facts.js';
import { defineCheck, finding, type Finding } from './define.js';

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
          findings: [finding('dns.resolver-hijacked', 'invented', { addresses, domain }, { subjects: network.dns.servers.map(s => s.host), evidence: [...addressEvidence, ...health.evidence] })],
          data: { mx: [], resolverInvented: addresses },
        };
      }
      const implicit: MxHost = { name: domain, preference: 0, implicit: true };
      return {
        findings: [finding('mx.implicit', 'fallback', { domain, addresses }, { subjects: [domain], evidence: addressEvidence })],
        provided: { mxHosts: [implicit] },
        data: { mx: [], implicit: addresses },
      };
    }
    if (answer.kind !== 'records') {
      return { findings: [finding('dns.servfail', 'mxLookupFailed', { domain, answer: answer.kind }, { subjects: [domain], evidence })] };
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
    findings.push(finding('mx.null', alone ? 'alone' : 'mixed', { domain }, { subjects: [domain], evidence, ...(alone ? {} : { severity: 'warning' as const }) }));
    if (alone) return { findings, data };
  }
  const usable = sorted.filter(r => !isNull(r));
  const isLiteral = (r: MxRecord) => net.isIP(r.exchange.replace(/^\[(.*)\]$/, '$1')) !== 0;
  // Senders look the name up as a host name, so an address written as one reaches nobody; with no named MX beside it, no mail arrives.
  const named = usable.filter(r => !isLiteral(r));
  for (const r of usable.filter(isLiteral)) {
    findings.push(finding('mx.target-invalid', named.length ? 'addressBesideHosts' : 'addressOnly', { domain, preference: r.priority, exchange: r.exchange }, { subjects: [r.exchange], evidence, ...(named.length ? {} : { severity: 'error' as const }) }));
  }
  const hosts: MxHost[] = named.map(r => ({ name: r.exchange.toLowerCase(), preference: r.priority, implicit: false }));
  return { findings, data, ...(hosts.length ? { provided: { mxHosts: hosts } } : {}) };
}
