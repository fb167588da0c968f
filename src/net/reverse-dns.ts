// Reverse DNS of one address as a receiving MTA checks it: the PTR names
// (RFC 1035 §3.5, RFC 3596 §2.5), then whether each name resolves back to the
// address (forward-confirmed reverse DNS, RFC 8601 §3 "iprev").
import { describeAnswer, type DnsAnswer, type DnsClient, type DnsOutcome } from './dns/index.js';
import { expandIPv6, ipFamily, reverseName } from './ip.js';

/** PTR sets are small; a reverse zone listing dozens of names is misconfigured and not worth chasing. */
const MAX_PTR_NAMES = 10;

export interface ForwardCheck {
  name: string;
  /** The name's A (IPv4) or AAAA (IPv6) addresses. */
  addresses: string[];
  outcome: DnsOutcome;
  /** The name resolves back to the address. */
  confirms: boolean;
}

export type ReverseLookup =
  | { kind: 'found'; ip: string; names: ForwardCheck[]; evidence: string[] }
  /** NXDOMAIN or NODATA: the address has no PTR record. */
  | { kind: 'none'; ip: string; evidence: string[] }
  /** SERVFAIL, timeout, refusal: nothing can be said. */
  | { kind: 'failed'; ip: string; outcome: DnsOutcome; evidence: string[] };

export async function lookupReverse(dns: DnsClient, ip: string): Promise<ReverseLookup> {
  const ptrName = reverseName(ip);
  const answer = await dns.query(ptrName, 'PTR');
  const evidence = [describeAnswer(ptrName, 'PTR', answer)];
  if (answer.kind === 'nxdomain' || answer.kind === 'nodata') return { kind: 'none', ip, evidence };
  if (answer.kind !== 'records') return { kind: 'failed', ip, outcome: answer.kind, evidence };
  const names = [...new Set(answer.records.map(r => r.toLowerCase().replace(/\.$/, '')))].slice(0, MAX_PTR_NAMES);
  const forward = await Promise.all(names.map(name => confirmName(dns, name, ip)));
  return { kind: 'found', ip, names: forward.map(f => f.check), evidence: [...evidence, ...forward.map(f => f.evidence)] };
}

async function confirmName(dns: DnsClient, name: string, ip: string): Promise<{ check: ForwardCheck; evidence: string }> {
  const type = ipFamily(ip) === 6 ? 'AAAA' : 'A';
  const answer: DnsAnswer = await dns.query(name, type);
  const addresses = answer.kind === 'records' ? (answer.records as string[]) : [];
  const wanted = canonical(ip);
  return {
    check: { name, addresses, outcome: answer.kind, confirms: addresses.some(a => canonical(a) === wanted) },
    evidence: describeAnswer(name, type, answer),
  };
}

const canonical = (ip: string): string => (ip.includes(':') ? expandIPv6(ip) : ip);
