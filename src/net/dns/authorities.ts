// Name servers asked directly (non-recursive), found through the resolver: a
// blocklist's own servers when the resolver is refused (src/net/dnsbl.ts), and
// the servers of the zones above a domain the resolver calls NXDOMAIN, which
// tell a domain that does not exist from one the resolver (or a DNS filter in
// front of it) denies. Outcomes are values; the checks say what they mean.
import { label, normalizeName } from './client.js';
import { failsHere } from '../dialer.js';
import { familyOf, listening, type Family } from '../families.js';
import { describeAnswer, type DnsAnswer, type DnsClient, type DnsServer, type Referral, type RrType } from './types.js';

/** Name servers asked at most per zone: enough for a second opinion, and polite to the zone. */
export const MAX_AUTHORITIES = 4;
/** Referrals followed down from the first zone asked (a registry to a provider, a provider to a sub-zone). */
const MAX_REFERRALS = 3;

/** How name servers are reached directly: their port, and whether this machine has an IPv6 route (Net.ipv6). */
export interface Reach {
  port: number;
  ipv6: boolean;
  /** The families that answered this machine from beyond its own network earlier in the run (Net.heard), as evidence of which works here. */
  heard?: ReadonlySet<Family>;
}

/** Servers to ask, and those that cannot be: IPv6 addresses on a machine without an IPv6 route. */
interface Addresses {
  servers: DnsServer[];
  unreachable: DnsServer[];
}

export interface Authorities extends Addresses {
  /** The zone whose name servers these are; undefined when none was found. */
  zone?: string;
  /** Its NS names (at most MAX_AUTHORITIES). */
  nameServers: string[];
  evidence: string[];
}

/**
 * The name servers of `name`, or of its nearest ancestor that has NS records
 * (the TLD included), with their A and AAAA records, all through the
 * resolver. A name the resolver calls NXDOMAIN is walked past too: its
 * parent's servers are the ones to ask about it.
 */
export async function findAuthorities(dns: DnsClient, name: string, reach: Reach): Promise<Authorities> {
  const evidence: string[] = [];
  for (let zone = normalizeName(name); ; zone = parentOf(zone)) {
    const ns = await dns.query(zone, 'NS');
    evidence.push(describeAnswer(zone, 'NS', ns));
    if (ns.kind === 'records') {
      const nameServers = ns.records.slice(0, MAX_AUTHORITIES);
      const addresses = await Promise.all(nameServers.map(host => addressesOf(dns, host, evidence)));
      return { zone, nameServers, ...reachable(addresses.flat(), reach), evidence };
    }
    if ((ns.kind !== 'nodata' && ns.kind !== 'nxdomain') || zone === '.' || !zone.includes('.')) return { nameServers: [], servers: [], unreachable: [], evidence };
  }
}

/** A name server's IPv4 and IPv6 addresses through the resolver. */
async function addressesOf(dns: DnsClient, host: string, evidence: string[]): Promise<string[]> {
  const [a, aaaa] = await Promise.all([dns.query(host, 'A'), dns.query(host, 'AAAA')]);
  evidence.push(describeAnswer(host, 'A', a), describeAnswer(host, 'AAAA', aaaa));
  return [a, aaaa].flatMap(answer => (answer.kind === 'records' ? answer.records : []));
}

/** At most MAX_AUTHORITIES addresses of each family; IPv6 ones are asked only where this machine has an IPv6 route. */
function reachable(addresses: readonly string[], { port, ipv6 }: Reach): Addresses {
  const unique = [...new Set(addresses)];
  const [v4, v6] = [unique.filter(a => !a.includes(':')), unique.filter(a => a.includes(':'))].map(family => family.slice(0, MAX_AUTHORITIES).map(host => ({ host, port })));
  return ipv6 ? { servers: [...v4!, ...v6!], unreachable: [] } : { servers: v4!, unreachable: v6! };
}

/** An evidence line for an answer from name servers asked directly. */
export const askedDirectly = (line: string, servers: readonly DnsServer[]): string => `${line} (asked ${servers.map(label).join(', ')} directly)`;

/**
 * What a name server asked directly gave instead of an authoritative answer or
 * a referral down. Three say nothing about the server, only about this
 * machine's path to it (NOT_REACHED): `noIpv6`, not asked, an IPv6 address on
 * a machine without an IPv6 route; `failedHere`, the OS would not send to it
 * (failsHere: no route, no source address, a local firewall); `familyUnheard`,
 * no answer over an address family over which nothing at all answered this
 * machine, during the lookup or earlier in the run (Reach.heard), while the
 * other family did (an IPv6 address with no working route out, a firewall
 * dropping IPv6).
 */
export type DirectReply = 'timeout' | 'error' | 'servfail' | 'refused' | 'nxdomain' | 'notAuthoritative' | 'referral' | 'noAddress' | 'noIpv6' | 'failedHere' | 'familyUnheard';

/** The replies that say nothing about a server: this machine did not reach it. */
export const NOT_REACHED: readonly DirectReply[] = ['noIpv6', 'failedHere', 'familyUnheard'];

/** One server's reply, "ip:port" and what it gave; `code`, the OS's error code of a `failedHere`. */
export interface ServerReply {
  server: string;
  reply: DirectReply;
  code?: string;
}

interface Asked {
  /** The zone whose servers were asked. */
  zone: string;
  /** Their NS names. */
  nameServers: string[];
  /** The zone above that referred to them; absent when they were found through the resolver. */
  delegatedBy?: string;
}

/** What the zones' own name servers, asked directly, say about a name. */
export type ZoneLookup<T extends RrType> =
  /** The resolver named no name server for any zone above the name. */
  | { kind: 'noServers'; evidence: string[] }
  /** An authoritative NXDOMAIN from `server`. */
  | ({ kind: 'nxdomain'; server: string; evidence: string[] } & Asked)
  /** An authoritative answer (records or NODATA) from `server` (`answeredBy`, to ask it again): the name exists. */
  | ({ kind: 'exists'; server: string; answeredBy: DnsServer; answer: Extract<DnsAnswer<T>, { kind: 'records' | 'nodata' }>; evidence: string[] } & Asked)
  /** None of them answered with authority, nor referred further down: `replies` what they gave, `byServer` which gave what (those that could not be asked too, as `noIpv6`). */
  | ({ kind: 'unanswered'; replies: DirectReply[]; byServer: ServerReply[]; evidence: string[] } & Asked);

/**
 * Ask the name servers of the zone above `name` (found through the resolver)
 * for `name` `type` without recursion, and follow their referrals down to the
 * name's own servers. Each zone's servers are asked at once, one question
 * each; the first authoritative answer or referral down is taken. `evidence`
 * collects what was asked as it goes (a caller that stops waiting keeps it).
 */
export async function askZoneServers<T extends RrType>(resolver: DnsClient, name: string, type: T, reach: Reach, evidence: string[] = []): Promise<ZoneLookup<T>> {
  const heard = new Set<Family>();
  const dns = listening(resolver, host => heard.add(familyOf(host)));
  const found = await findAuthorities(dns, parentOf(normalizeName(name)), reach);
  evidence.push(...found.evidence);
  if (!found.zone || !(found.servers.length + found.unreachable.length)) return { kind: 'noServers', evidence };
  let asked: Asked = { zone: found.zone, nameServers: found.nameServers };
  let { servers, unreachable } = found;
  for (let referrals = 0; ; referrals++) {
    const notAsked = unreachable.map(s => ({ server: label(s), reply: 'noIpv6' as const }));
    if (!servers.length) return { kind: 'unanswered', replies: ['noIpv6'], byServer: notAsked, ...asked, evidence };
    const asks = await firstConclusive(dns, name, type, servers, asked.zone);
    const answers = asks.map(a => a.answer);
    evidence.push(...asks.map(({ server, answer }) => askedDirectly(describeAnswer(name, type, answer), [server])));
    const conclusive = answers.find((a): a is Conclusive<T> => conclusiveFor(a, name, asked.zone));
    if (!conclusive || conclusive.kind === 'nxdomain') {
      if (conclusive) return { kind: 'nxdomain', server: conclusive.server, ...asked, evidence };
      const everHeard = new Set([...heard, ...(reach.heard ?? [])]);
      const byServer = [...asks.map(({ server, answer }) => replyFrom(server, answer, everHeard)), ...notAsked];
      return { kind: 'unanswered', replies: [...new Set(byServer.map(r => r.reply))], byServer, ...asked, evidence };
    }
    if (conclusive.kind === 'records' || !conclusive.referral) return { kind: 'exists', server: conclusive.server, answeredBy: asks.find(a => a.answer === conclusive)!.server, answer: conclusive, ...asked, evidence };
    if (referrals === MAX_REFERRALS) return { kind: 'unanswered', replies: ['referral'], byServer: [{ server: conclusive.server, reply: 'referral' }], ...asked, evidence };
    const next = await referredServers(dns, conclusive.referral, reach, evidence);
    asked = { zone: conclusive.referral.zone, nameServers: next.nameServers, delegatedBy: asked.zone };
    ({ servers, unreachable } = next);
    if (!(servers.length + unreachable.length)) return { kind: 'unanswered', replies: ['noAddress'], byServer: [], ...asked, evidence };
  }
}

/** One server asked directly, and its answer. */
interface Ask<T extends RrType> {
  server: DnsServer;
  answer: DnsAnswer<T>;
}

/** Ask every server at once; resolve at the first conclusive answer, or when all have answered. */
function firstConclusive<T extends RrType>(dns: DnsClient, name: string, type: T, servers: readonly DnsServer[], zone: string): Promise<Ask<T>[]> {
  return new Promise(resolve => {
    const asks: Ask<T>[] = [];
    for (const server of servers) {
      void dns.query(name, type, { servers: [server], recursive: false }).then(answer => {
        asks.push({ server, answer });
        if (conclusiveFor(answer, name, zone) || asks.length === servers.length) resolve([...asks]);
      });
    }
  });
}

type Conclusive<T extends RrType> = Extract<DnsAnswer<T>, { kind: 'records' | 'nodata' | 'nxdomain' }>;

/** An answer with authority for the name, or a referral from `zone` down towards it. */
function conclusiveFor<T extends RrType>(answer: DnsAnswer<T>, name: string, zone: string): answer is Conclusive<T> {
  if (answer.kind === 'nodata' && answer.referral) return leadsDown(answer.referral.zone, name, zone);
  return (answer.kind === 'nxdomain' || answer.kind === 'records' || answer.kind === 'nodata') && answer.aa;
}

/** A referral to `to` helps only if `to` is the name or one of its ancestors, below the zone that referred. */
const leadsDown = (to: string, name: string, from: string): boolean => isAtOrUnder(normalizeName(name), to) && to !== from && isAtOrUnder(to, from);

const isAtOrUnder = (name: string, zone: string): boolean => zone === '.' || name === zone || name.endsWith(`.${zone}`);

/**
 * What one server gave, weighed against this machine's path to it: silence
 * over a family that `heard` (this lookup's answers and the run's) lacks
 * while it holds the other is this machine's suspect, and an OS error that
 * fails here is never the server's.
 */
function replyFrom(server: DnsServer, answer: DnsAnswer, heard: ReadonlySet<Family>): ServerReply {
  const at = label(server);
  if (answer.kind === 'error' && failsHere(answer.code)) return { server: at, reply: 'failedHere', code: answer.code! };
  const silent = answer.kind === 'timeout' || answer.kind === 'error';
  if (silent && !heard.has(familyOf(server.host)) && heard.size) return { server: at, reply: 'familyUnheard' };
  return { server: at, reply: replyOf(answer) };
}

function replyOf(answer: DnsAnswer): DirectReply {
  switch (answer.kind) {
    case 'timeout':
    case 'error':
    case 'servfail':
    case 'refused':
      return answer.kind;
    case 'nodata':
      return answer.referral ? 'referral' : 'notAuthoritative';
    default:
      return 'notAuthoritative';
  }
}

/** The referred zone's servers: their glue addresses (A and AAAA), else their addresses through the resolver. */
async function referredServers(dns: DnsClient, referral: Referral, reach: Reach, evidence: string[]): Promise<Addresses & { nameServers: string[] }> {
  const nameServers = referral.nameServers.slice(0, MAX_AUTHORITIES);
  const addresses = await Promise.all(nameServers.map(ns => (ns.addresses.length ? ns.addresses : addressesOf(dns, ns.name, evidence))));
  return { nameServers: nameServers.map(ns => ns.name), ...reachable(addresses.flat(), reach) };
}

const parentOf = (name: string): string => (name.includes('.') ? name.slice(name.indexOf('.') + 1) : '.');
