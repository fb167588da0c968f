// Is the resolver itself sane? Asked before a DNS answer is pinned on a domain:
// the root zone's NS (every working recursive resolver has it) and an address
// for a random label under a real TLD (which must not exist) tell apart a
// healthy resolver, one that fails every question, and one that rewrites
// NXDOMAIN into an address of its own (ISP "search assist" pages). OONI's
// netxlite makes the same distinction between a dead and a lying resolver.
import { randomBytes } from 'node:crypto';
import { describeAnswer, type DnsAnswer, type DnsClient } from './types.js';

export type ResolverHealth =
  | { kind: 'healthy'; evidence: string[] }
  /** Not even the root zone resolves: every answer from it says more about it than about any domain. */
  | { kind: 'failing'; answer: DnsAnswer['kind']; evidence: string[] }
  /** A name that cannot exist got an address: NXDOMAIN is rewritten into these. */
  | { kind: 'hijacking'; addresses: string[]; evidence: string[] };

/** A TLD every resolver on the internet reaches; nobody registers a random 16-hex-digit label under it. */
const PROBE_TLD = 'com';

export async function probeResolver(dns: DnsClient): Promise<ResolverHealth> {
  const root = await dns.query('.', 'NS');
  const rootEvidence = describeAnswer('.', 'NS', root);
  if (root.kind !== 'records') return { kind: 'failing', answer: root.kind, evidence: [rootEvidence] };
  const name = `maildiag-nxdomain-probe-${randomBytes(8).toString('hex')}.${PROBE_TLD}`;
  const made = await dns.query(name, 'A');
  const evidence = [rootEvidence, describeAnswer(name, 'A', made)];
  // NXDOMAIN is the healthy answer; so is SERVFAIL or silence from a resolver that cannot reach that TLD (a lab's private root).
  if (made.kind === 'records') return { kind: 'hijacking', addresses: made.records, evidence };
  return { kind: 'healthy', evidence };
}
