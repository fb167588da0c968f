// check_host() of RFC 7208 §4: the SPF result a receiver computes for one
// client address, MAIL FROM and HELO, with the path that decided it. This is
// maildiag's one SPF engine; the static walker (spf-walk.ts) shares its parser.
import net from 'node:net';
import { joinTxt, type DnsAnswer, type DnsClient } from '../net/dns/index.js';
import { lookupReverse } from '../net/reverse-dns.js';
import { say } from '../causes.js';
import { expandMacros, type MacroValues } from './spf-macro.js';
import { isSpfRecord, parseSpfRecord, SpfSyntaxError, type SpfMechanism, type SpfModifier, type SpfQualifier, type SpfRecord, type SpfSyntaxProblem } from './spf-record.js';

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

/** RFC 7208 §4.6.4. */
export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LIMIT = 2;
export const SPF_MX_HOST_LIMIT = 10;
/** RFC 1035 §2.3.4, in text form without the root's dot. */
const MAX_NAME = 253;
const MAX_LABEL = 63;

/** The SMTP identities a receiver checks SPF for. */
export interface SpfIdentity {
  /** The connecting client's address. */
  ip: string;
  /** MAIL FROM; empty for a bounce (null reverse-path), then postmaster@helo is the sender (§2.4). */
  mailFrom: string;
  /** The HELO/EHLO name. */
  helo: string;
  /** The domain whose policy is evaluated; by default the MAIL FROM domain, or HELO's for a bounce. */
  domain?: string;
  /** %{r}: the receiving host's name; "unknown" by default. */
  receiver?: string;
}

export interface SpfEvaluation {
  result: SpfResult;
  /** The client address evaluated (an IPv4-mapped IPv6 address as IPv4). */
  ip: string;
  /** The domain whose policy was evaluated. */
  domain: string;
  /** The terms that decided the result, outermost first ("example.com: include:_spf.example.net"). */
  path: string[];
  /** What decided the result, as data: the term that matched, the default, or what went wrong. */
  why: SpfReason;
  /** `why` in words (src/causes.ts). */
  reason: string;
  /** DNS-querying terms this evaluation used (at most 10, §4.6.4). */
  lookups: number;
  /** Lookups that found nothing (at most 2, §4.6.4). */
  voidLookups: number;
  /** fail: the domain's own explanation (exp=), macros expanded. */
  explanation?: string;
}

/** A term of a record: where an evaluation matched or went wrong. */
export interface SpfSite {
  /** The domain whose record holds the term. */
  domain: string;
  /** The term as published. */
  term: string;
}

/** How a DNS lookup failed: the answer's kind (timeout, servfail, refused, error) and, for error, the resolver's own text. */
export interface SpfDnsFailure {
  failure: string;
  error?: string;
}

/** What decided an evaluation; causes.ts's `spfReason` format says it in words. */
export type SpfReason =
  /** none: the domain has no SPF record. */
  | { code: 'invalidDomain' | 'nxdomain' | 'noTxt' | 'noSpfRecord'; domain: string }
  | { code: 'matched'; domain: string; term: string }
  /** neutral: nothing matched and there is no redirect= (§4.7). */
  | { code: 'noMatch'; domain: string }
  | { code: 'multipleRecords'; domain: string; records: number }
  | ({ code: 'txtLookupFailed'; domain: string } & SpfDnsFailure)
  | { code: 'syntax'; domain: string; term: string; problem: SpfSyntaxProblem }
  | ({ code: 'includeInvalid' | 'redirectInvalid' } & SpfSite)
  /** include/redirect of a domain without SPF; `inner` says why it has none. */
  | ({ code: 'includeNone' | 'redirectNone'; inner: SpfReason } & SpfSite)
  | ({ code: 'tooManyMx'; target: string; mxRecords: number; limit: number } & SpfSite)
  | ({ code: 'voidLimit'; target: string; voids: number; limit: number } & SpfSite)
  | ({ code: 'lookupFailed'; target: string } & SpfSite & SpfDnsFailure)
  | ({ code: 'lookupLimit'; lookups: number; limit: number } & SpfSite)
  /** A macro of the term cannot be expanded (a syntax error, §7.1). */
  | ({ code: 'macro'; problem: SpfSyntaxProblem } & SpfSite);

/** permerror and temperror end the whole evaluation, whatever include it happened in (§5.2). */
class SpfAbort extends Error {
  constructor(
    readonly result: 'permerror' | 'temperror',
    readonly why: SpfReason,
    readonly path: string[],
  ) {
    super(why.code);
  }
}

interface Outcome {
  result: Exclude<SpfResult, 'permerror' | 'temperror'>;
  path: string[];
  why: SpfReason;
  explanation?: string;
}

interface State {
  dns: DnsClient;
  ip: string;
  sender: string;
  helo: string;
  receiver: string;
  lookups: number;
  voids: number;
  validated?: Promise<string[]>;
}

const QUALIFIER_RESULT: Record<SpfQualifier, Outcome['result']> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

export async function evaluateSpf(identity: SpfIdentity, dns: DnsClient): Promise<SpfEvaluation> {
  if (!net.isIP(identity.ip)) throw new TypeError(`"${identity.ip}" is not an IP address`);
  const state: State = { dns, ip: unmapIPv4(identity.ip), sender: senderOf(identity), helo: identity.helo, receiver: identity.receiver ?? 'unknown', lookups: 0, voids: 0 };
  const domain = normalize(identity.domain ?? state.sender.slice(state.sender.lastIndexOf('@') + 1));
  const counts = () => ({ lookups: state.lookups, voidLookups: state.voids });
  try {
    const outcome = await checkHost(domain, state);
    return { ...outcome, ip: state.ip, domain, reason: say('spfReason', outcome.why), ...counts() };
  } catch (err) {
    if (!(err instanceof SpfAbort)) throw err;
    return { result: err.result, ip: state.ip, domain, path: err.path, why: err.why, reason: say('spfReason', err.why), ...counts() };
  }
}

/** §4.3: a bounce is checked as postmaster@HELO; a sender without a local-part gets "postmaster". */
function senderOf({ mailFrom, helo }: SpfIdentity): string {
  if (!mailFrom) return `postmaster@${helo}`;
  const at = mailFrom.lastIndexOf('@');
  if (at < 0) return `postmaster@${mailFrom}`;
  return at === 0 ? `postmaster${mailFrom}` : mailFrom;
}

/** An IPv4-mapped IPv6 client is the IPv4 client it stands for (RFC 7208 §5). */
const unmapIPv4 = (ip: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;

async function checkHost(domain: string, state: State): Promise<Outcome> {
  if (!isQueryableName(domain)) return { result: 'none', path: [], why: { code: 'invalidDomain', domain } };
  const found = await fetchRecord(domain, state.dns);
  if ('code' in found) return { result: 'none', path: [], why: found };
  const record = parseOrAbort(domain, found);
  for (const term of record.terms) {
    if (term.kind !== 'mechanism') continue;
    const matched = await matches(term, domain, state);
    if (!matched) continue;
    const result = QUALIFIER_RESULT[term.qualifier];
    const path = [`${domain}: ${term.term}`, ...matched];
    const explanation = result === 'fail' ? await explain(record, domain, state) : undefined;
    return { result, path, why: { code: 'matched', domain, term: term.term }, ...(explanation !== undefined ? { explanation } : {}) };
  }
  const redirect = modifier(record, 'redirect');
  if (redirect) return followRedirect({ domain, term: redirect.term }, redirect.value, state);
  return { result: 'neutral', path: [], why: { code: 'noMatch', domain } };
}

/** §4.4, §4.5: the one "v=spf1" TXT record, or why there is none. */
async function fetchRecord(domain: string, dns: DnsClient): Promise<SpfReason | { record: string }> {
  const answer = await dns.query(domain, 'TXT');
  switch (answer.kind) {
    case 'records': {
      const records = answer.records.map(joinTxt).filter(isSpfRecord);
      if (records.length > 1) throw new SpfAbort('permerror', { code: 'multipleRecords', domain, records: records.length }, [domain]);
      return records[0] !== undefined ? { record: records[0] } : { code: 'noSpfRecord', domain };
    }
    case 'nxdomain':
      return { code: 'nxdomain', domain };
    case 'nodata':
      return { code: 'noTxt', domain };
    default:
      throw new SpfAbort('temperror', { code: 'txtLookupFailed', domain, ...failure(answer) }, [domain]);
  }
}

function parseOrAbort(domain: string, { record }: { record: string }): SpfRecord {
  try {
    return parseSpfRecord(record);
  } catch (err) {
    if (!(err instanceof SpfSyntaxError)) throw err;
    throw new SpfAbort('permerror', { code: 'syntax', domain, term: err.term, problem: err.problem }, [domain]);
  }
}

/** Whether the mechanism matches the client: false, or the inner path (include's). */
async function matches(term: SpfMechanism, domain: string, state: State): Promise<string[] | false> {
  const where: SpfSite = { domain, term: term.term };
  switch (term.name) {
    case 'all':
      return [];
    case 'ip4':
    case 'ip6':
      return inNetwork(state.ip, term.value!, term.name === 'ip4' ? term.cidr4 : term.cidr6) ? [] : false;
  }
  countLookup(state, where);
  const target = await targetName(term.value ?? domain, domain, state, where);
  switch (term.name) {
    case 'include':
      return include(target, state, where);
    case 'a':
      return target !== undefined && (await addressMatch(target, term, state, where)) ? [] : false;
    case 'mx':
      return target !== undefined && (await mxMatch(target, term, state, where)) ? [] : false;
    case 'ptr': {
      const names = await validatedNames(state);
      return target !== undefined && names.some(name => name === target || name.endsWith(`.${target}`)) ? [] : false;
    }
    case 'exists': {
      if (target === undefined) return false;
      // exists always asks for A, whatever the client's family (§5.7).
      const answer = await lookup(state, target, 'A', where);
      return answer.kind === 'records' ? [] : false;
    }
  }
}

/** §5.2: include matches on pass, not on fail/softfail/neutral; none is a permerror, errors carry through. */
async function include(target: string | undefined, state: State, where: SpfSite): Promise<string[] | false> {
  if (target === undefined) throw new SpfAbort('permerror', { code: 'includeInvalid', ...where }, [pathStep(where)]);
  const inner = await within(where, () => checkHost(target, state));
  if (inner.result === 'none') throw new SpfAbort('permerror', { code: 'includeNone', ...where, inner: inner.why }, [pathStep(where)]);
  return inner.result === 'pass' ? inner.path : false;
}

/** §6.1: the redirect target's result is the result, but none is a permerror. */
async function followRedirect(where: SpfSite, spec: string, state: State): Promise<Outcome> {
  countLookup(state, where);
  const target = await targetName(spec, where.domain, state, where);
  if (target === undefined) throw new SpfAbort('permerror', { code: 'redirectInvalid', ...where }, [pathStep(where)]);
  const inner = await within(where, () => checkHost(target, state));
  if (inner.result === 'none') throw new SpfAbort('permerror', { code: 'redirectNone', ...where, inner: inner.why }, [pathStep(where)]);
  return { ...inner, path: [pathStep(where), ...inner.path] };
}

/** A step of the path: "example.com: include:_spf.example.net". */
const pathStep = (where: SpfSite): string => `${where.domain}: ${where.term}`;

/** Runs an included or redirected evaluation, putting this term in front of an error's path. */
async function within<T>(where: SpfSite, evaluate: () => Promise<T>): Promise<T> {
  try {
    return await evaluate();
  } catch (err) {
    if (err instanceof SpfAbort) err.path.unshift(pathStep(where));
    throw err;
  }
}

/** a: the target's A (IPv4 client) or AAAA (IPv6 client) records, each compared with the prefix length. */
async function addressMatch(target: string, term: SpfMechanism, state: State, where: SpfSite): Promise<boolean> {
  const answer = await lookup(state, target, addressType(state.ip), where);
  return answer.kind === 'records' && answer.records.some(address => inNetwork(state.ip, address, prefixFor(state.ip, term)));
}

/** mx: at most 10 MX hosts (more is a permerror), each host's address lookup counted on its own (§4.6.4). */
async function mxMatch(target: string, term: SpfMechanism, state: State, where: SpfSite): Promise<boolean> {
  const answer = await lookup(state, target, 'MX', where);
  if (answer.kind !== 'records') return false;
  if (answer.records.length > SPF_MX_HOST_LIMIT) {
    throw new SpfAbort('permerror', { code: 'tooManyMx', ...where, target, mxRecords: answer.records.length, limit: SPF_MX_HOST_LIMIT }, [pathStep(where)]);
  }
  // A null MX (".") names no host to look up.
  const hosts = answer.records.map(r => normalize(r.exchange)).filter(host => host && isQueryableName(host));
  const answers = await Promise.all(hosts.map(host => state.dns.query(host, addressType(state.ip))));
  const prefix = prefixFor(state.ip, term);
  let matched = false;
  for (const [i, host] of hosts.entries()) {
    const hostAnswer = classify(state, host, answers[i]!, where);
    if (hostAnswer.kind === 'records' && hostAnswer.records.some(address => inNetwork(state.ip, address, prefix))) matched = true;
  }
  return matched;
}

/** One mechanism's DNS query: a DNS failure is a temperror, an empty answer a void lookup (§4.6.4, §5). */
async function lookup<T extends 'A' | 'AAAA' | 'MX'>(state: State, name: string, type: T, where: SpfSite): Promise<DnsAnswer<T>> {
  return classify(state, name, await state.dns.query(name, type), where);
}

function classify<T extends DnsAnswer>(state: State, name: string, answer: T, where: SpfSite): T {
  if (answer.kind === 'nxdomain' || answer.kind === 'nodata') {
    state.voids++;
    if (state.voids > SPF_VOID_LIMIT) {
      throw new SpfAbort('permerror', { code: 'voidLimit', ...where, target: name, voids: state.voids, limit: SPF_VOID_LIMIT }, [pathStep(where)]);
    }
  } else if (answer.kind !== 'records') {
    throw new SpfAbort('temperror', { code: 'lookupFailed', ...where, target: name, ...failure(answer) }, [pathStep(where)]);
  }
  return answer;
}

function countLookup(state: State, where: SpfSite): void {
  state.lookups++;
  if (state.lookups > SPF_LOOKUP_LIMIT) {
    throw new SpfAbort('permerror', { code: 'lookupLimit', ...where, lookups: state.lookups, limit: SPF_LOOKUP_LIMIT }, [pathStep(where)]);
  }
}

/** The domain-spec expanded, or a permerror naming the term (a macro error is a syntax error, §7.1). */
async function targetName(spec: string, domain: string, state: State, where: SpfSite): Promise<string | undefined> {
  try {
    return await expandDomainSpec(spec, domain, state);
  } catch (err) {
    if (!(err instanceof SpfSyntaxError)) throw err;
    throw new SpfAbort('permerror', { code: 'macro', ...where, problem: err.problem }, [pathStep(where)]);
  }
}

/**
 * The domain-spec expanded (§7) and shortened from the left to 253 octets
 * (§7.3); undefined when a label is empty or longer than 63 octets: such a
 * name cannot be put on the wire, so it does not exist (RFC 1035 §2.3.4).
 */
async function expandDomainSpec(spec: string, domain: string, state: State): Promise<string | undefined> {
  let name = normalize(await expandMacros(spec, macroValues(domain, state), false));
  while (name.length > MAX_NAME && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return isQueryableName(name) ? name : undefined;
}

function macroValues(domain: string, state: State): MacroValues {
  return { sender: state.sender, domain, ip: state.ip, helo: state.helo, receiver: state.receiver, validatedName: () => validatedName(domain, state) };
}

/**
 * The PTR names of the client that resolve back to it (§5.5; lookupReverse
 * checks the first 10, as §4.6.4 asks). A failing PTR lookup means no names:
 * ptr then does not match.
 */
function validatedNames(state: State): Promise<string[]> {
  state.validated ??= lookupReverse(state.dns, state.ip).then(reverse =>
    reverse.kind === 'found' ? reverse.names.filter(n => n.confirms).map(n => n.name) : [],
  );
  return state.validated;
}

/** %{p} (§7.3): the validated name equal to the domain, else one under it, else any, else "unknown". */
async function validatedName(domain: string, state: State): Promise<string> {
  const names = await validatedNames(state);
  return names.find(n => n === domain) ?? names.find(n => n.endsWith(`.${domain}`)) ?? names[0] ?? 'unknown';
}

/** §6.2: the explanation of a fail, from the exp= TXT record; any problem means no explanation. */
async function explain(record: SpfRecord, domain: string, state: State): Promise<string | undefined> {
  const exp = modifier(record, 'exp');
  if (!exp) return undefined;
  try {
    const name = await expandDomainSpec(exp.value, domain, state);
    if (name === undefined) return undefined;
    const answer = await state.dns.query(name, 'TXT');
    if (answer.kind !== 'records' || answer.records.length !== 1) return undefined;
    const text = joinTxt(answer.records[0]!);
    // Explanation text is US-ASCII (§6.2); anything else is a problem, so no explanation.
    return /^[\x20-\x7e]*$/.test(text) ? await expandMacros(text, macroValues(domain, state), true) : undefined;
  } catch (err) {
    if (err instanceof SpfSyntaxError) return undefined;
    throw err;
  }
}

const modifier = (record: SpfRecord, name: string): SpfModifier | undefined => record.terms.find((t): t is SpfModifier => t.kind === 'modifier' && t.name === name);

/** A name RFC 1035 lets on the wire and SPF accepts: at least two labels, none empty or over 63 octets. */
export function isQueryableName(name: string): boolean {
  if (!name || name.length > MAX_NAME || name.startsWith('[')) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every(label => label.length > 0 && Buffer.byteLength(label) <= MAX_LABEL);
}

const addressType = (ip: string): 'A' | 'AAAA' => (net.isIPv4(ip) ? 'A' : 'AAAA');
const prefixFor = (ip: string, term: SpfMechanism): number | undefined => (net.isIPv4(ip) ? term.cidr4 : term.cidr6);

/** The client is inside address/prefix (the whole address without a prefix); families never cross. */
function inNetwork(ip: string, address: string, prefix: number | undefined): boolean {
  const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if ((net.isIPv4(address) ? 'ipv4' : 'ipv6') !== family) return false;
  const list = new net.BlockList();
  list.addSubnet(address, prefix ?? (family === 'ipv4' ? 32 : 128), family);
  return list.check(ip, family);
}

const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, '');

const failure = (answer: DnsAnswer): SpfDnsFailure => (answer.kind === 'error' ? { failure: answer.kind, error: answer.message } : { failure: answer.kind });
