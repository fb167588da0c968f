// DNS blocklist lookups (RFC 5782): one A query per list and subject, through
// the configured resolver. A listing is confirmed by its TXT reason and by the
// list's RFC 5782 §5 negative test entry; a refusal code (the list will not
// answer this resolver) is retried at the list's own name servers, because
// many lists refuse public and high-volume resolvers but answer a direct query.
import { isDeepStrictEqual } from 'node:util';
import { describeAnswer, joinTxt, type DnsAnswer, type DnsClient, type DnsOutcome, type DnsServer, type QueryOptions } from './dns/index.js';
import { askedDirectly, findAuthorities } from './dns/authorities.js';
import { reverseName } from './ip.js';
import { Slots } from './slots.js';
import { readCode, type CodeReading, type DnsblList, type Unread } from './dnsbl-lists.js';

export interface DnsblOptions {
  /** Port of the lists' own name servers for the fall-back: 53, except in tests. */
  authorityPort?: number;
}

export type DnsblPath = 'resolver' | 'authoritative';
export type DnsblStatus = 'clean' | 'listed' | 'refused' | 'unknown';

/** An answer address: the list's documented meaning, or why maildiag cannot read one. */
export type ReturnCode = { address: string; meaning: string } | { address: string; unread: Unread };

/** Why a list's answer is neither a listing nor clean; src/causes.ts words it. */
export type UnansweredWhy =
  /** A refusal code: the list will not answer this resolver. */
  | { code: 'refusal'; address: string; meaning: string }
  /** Answers that are not a DNSBL result (`list` is the list's name). */
  | { code: 'unexpected'; list: string; answers: ReturnCode[] }
  /** The list lists its RFC 5782 §5 negative test entry too. */
  | { code: 'listsEverything'; testName: string }
  /** A name server asked directly gave no records. */
  | { code: 'referral' }
  | { code: 'timeout' }
  | { code: 'noUsableAnswer'; answer: DnsOutcome };

/** After the resolver was refused: what asking the list's own name servers gave. */
export type DirectAttempt =
  | { code: 'noServers' }
  | { code: 'sameAnswer' }
  | { code: 'refused'; why: UnansweredWhy }
  | { code: 'unusable'; why: UnansweredWhy };

export interface DnsblResult {
  list: DnsblList;
  /** The IP address or domain name looked up. */
  subject: string;
  /** The DNS name asked, e.g. 5.113.0.203.zen.spamhaus.org. */
  query: string;
  status: DnsblStatus;
  /** Who gave the answer the status rests on. */
  path: DnsblPath;
  codes: ReturnCode[];
  /** The list's TXT record for a listing: its reason and removal link. */
  reason?: string;
  /** For refused and unknown: why. */
  why?: UnansweredWhy;
  /** For a refusal through the resolver: what the list's own name servers said. */
  direct?: DirectAttempt;
  evidence: string[];
}

/** Lookups in flight at once: polite to the lists, quick enough for a dozen lists × a few addresses. */
const CONCURRENCY = 16;
const MAX_REASON_CHARS = 500;
const DNS_PORT = 53;

/** The DNS name to ask: reversed octets or IPv6 nibbles (RFC 5782 §2.1, §2.4), or the domain, under the zone. */
export function dnsblQueryName(subject: string, list: DnsblList): string {
  const key = list.kind === 'domain' ? subject : reverseName(subject).replace(/\.(?:in-addr|ip6)\.arpa$/, '');
  return `${key}.${list.zone}`;
}

/** Every subject on every list of the matching kind (addresses on IP lists, names on domain lists). */
export function checkListings(dns: DnsClient, lists: readonly DnsblList[], subjects: readonly string[], options: DnsblOptions = {}): Promise<DnsblResult[]> {
  const slots = new Slots(CONCURRENCY);
  return Promise.all(lists.flatMap(list => subjects.map(subject => slots.run(() => checkListing(dns, list, subject, options)))));
}

export async function checkListing(dns: DnsClient, list: DnsblList, subject: string, options: DnsblOptions = {}): Promise<DnsblResult> {
  const query = dnsblQueryName(subject, list);
  const viaResolver = await ask(dns, list, subject, query, { kind: 'resolver' });
  if (viaResolver.status !== 'refused') return viaResolver;
  // A blocklist's servers are asked over IPv4, as every public list serves it.
  const authorities = await findAuthorities(dns, list.zone, { port: options.authorityPort ?? DNS_PORT, ipv6: false });
  const evidence = [...viaResolver.evidence, ...authorities.evidence];
  if (!authorities.servers.length) return { ...viaResolver, direct: { code: 'noServers' }, evidence };
  const direct = await ask(dns, list, subject, query, { kind: 'authoritative', servers: authorities.servers });
  const allEvidence = [...evidence, ...direct.evidence];
  if (direct.status === 'clean' || direct.status === 'listed') return { ...direct, evidence: allEvidence };
  if (direct.status === 'refused') {
    const attempt: DirectAttempt = isDeepStrictEqual(direct.why, viaResolver.why) ? { code: 'sameAnswer' } : { code: 'refused', why: direct.why! };
    return { ...direct, why: viaResolver.why!, direct: attempt, evidence: allEvidence };
  }
  // The list's servers said nothing usable: the resolver's refusal is the last word.
  return { ...viaResolver, direct: { code: 'unusable', why: direct.why! }, evidence: allEvidence };
}

type Route = { kind: 'resolver' } | { kind: 'authoritative'; servers: DnsServer[] };

async function ask(dns: DnsClient, list: DnsblList, subject: string, query: string, route: Route): Promise<DnsblResult> {
  const queryOptions: QueryOptions = route.kind === 'authoritative' ? { servers: route.servers, recursive: false } : {};
  const answer = await dns.query(query, 'A', queryOptions);
  const base = { list, subject, query, path: route.kind, codes: [], evidence: [show(describeAnswer(query, 'A', answer), route)] };
  switch (answer.kind) {
    case 'nxdomain':
      return { ...base, status: 'clean' };
    case 'nodata':
      // From a resolver, a name without an A record is not listed; from a name server asked directly, it may be a referral.
      return route.kind === 'resolver' ? { ...base, status: 'clean' } : { ...base, status: 'unknown', why: { code: 'referral' } };
    case 'records':
      return readListing(dns, list, answer.records, { ...base, status: 'unknown' }, queryOptions);
    default:
      return { ...base, status: 'unknown', why: answer.kind === 'timeout' ? { code: 'timeout' } : { code: 'noUsableAnswer', answer: answer.kind } };
  }
}

async function readListing(dns: DnsClient, list: DnsblList, addresses: string[], base: DnsblResult, queryOptions: QueryOptions): Promise<DnsblResult> {
  const readings = addresses.map(address => ({ address, reading: readCode(list, address) }));
  const codes = readings.map(({ address, reading }) => returnCode(address, reading));
  const refusal = readings.find((r): r is { address: string; reading: Extract<CodeReading, { verdict: 'refused' }> } => r.reading.verdict === 'refused');
  if (refusal) return { ...base, status: 'refused', codes, why: { code: 'refusal', address: refusal.address, meaning: refusal.reading.meaning } };
  const listed = readings.filter(r => r.reading.verdict === 'listed').map(({ address, reading }) => returnCode(address, reading));
  if (!listed.length) return { ...base, status: 'unknown', codes, why: { code: 'unexpected', list: list.name, answers: codes } };
  const route: Route = queryOptions.servers ? { kind: 'authoritative', servers: queryOptions.servers } : { kind: 'resolver' };
  const [txt, control] = await Promise.all([
    dns.query(base.query, 'TXT', queryOptions),
    dns.query(negativeTestName(list), 'A', queryOptions),
  ]);
  const evidence = [...base.evidence, ...(txt.kind === 'records' ? [show(describeAnswer(base.query, 'TXT', txt), route)] : [])];
  if (listsEverything(list, control)) {
    return {
      ...base,
      status: 'unknown',
      codes: listed,
      why: { code: 'listsEverything', testName: negativeTestName(list) },
      evidence: [...evidence, show(describeAnswer(negativeTestName(list), 'A', control), route)],
    };
  }
  const reason = txt.kind === 'records' ? txt.records.map(joinTxt).join(' ').slice(0, MAX_REASON_CHARS) : undefined;
  return { ...base, status: 'listed', codes: listed, ...(reason ? { reason } : {}), evidence };
}

function returnCode(address: string, reading: CodeReading): ReturnCode {
  return 'meaning' in reading ? { address, meaning: reading.meaning } : { address, unread: reading.unread };
}

/** RFC 5782 §5: an IP list must not list 127.0.0.1, a domain list must not list INVALID. */
const negativeTestName = (list: DnsblList): string => (list.kind === 'ip' ? `1.0.0.127.${list.zone}` : `invalid.${list.zone}`);

function listsEverything(list: DnsblList, control: DnsAnswer<'A'>): boolean {
  return control.kind === 'records' && control.records.some(address => readCode(list, address).verdict === 'listed');
}

function show(line: string, route: Route): string {
  return route.kind === 'resolver' ? line : askedDirectly(line, route.servers);
}
