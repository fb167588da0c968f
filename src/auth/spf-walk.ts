// Walks an SPF record and everything it pulls in (include:, redirect=) the way
// a receiver evaluating the worst case would, to count what RFC 7208 §4.6.4
// limits: terms that query DNS (at most 10) and lookups that find nothing (at
// most 2). check_host() (spf-eval.ts) stops at the limit on one address's
// path; this walker shows where the lookups come from for every address.
import { say } from '../causes.js';
import { joinTxt, type DnsAnswer, type DnsClient } from '../net/dns/index.js';
import { isSpfRecord, parseSpfRecord, SpfSyntaxError, type SpfMechanism, type SpfSyntaxProblem, type SpfTerm } from './spf-record.js';

import { isQueryableName, SPF_MX_HOST_LIMIT } from './spf-eval.js';

export { SPF_LOOKUP_LIMIT, SPF_MX_HOST_LIMIT, SPF_VOID_LIMIT } from './spf-eval.js';
/** Politeness bound on the records one walk fetches; a real limit is reached long before. */
const MAX_RECORDS = 40;

export type SpfNodeStatus =
  | 'ok'
  /** No SPF record: an include/redirect of it is a permerror (RFC 7208 §5.2, §6.1). */
  | 'none'
  | 'multiple'
  | 'syntax'
  /** The domain includes itself through this chain: receivers follow it until the lookup limit. */
  | 'loop'
  | 'dns-error'
  /** Not fetched: the name holds macros (it depends on the sender) or the walk's bound was reached. */
  | 'not-followed';

/** Why a name has no SPF record; causes.ts's `spfAbsence` format says it in words. */
export type SpfAbsence =
  | { code: 'noSpfRecord'; txtRecords: number }
  | { code: 'nxdomain' | 'noTxt' }
  /** An empty label, a label over 63 octets or a name over 253: never asked. */
  | { code: 'invalidName' };

/** invalid-name: a label over 63 octets, an empty one, or over 253 in all: never put on the wire (RFC 1035 §2.3.4). */
export type SpfLookupOutcome = 'records' | 'void' | 'error' | 'not-resolved' | 'invalid-name';

export interface SpfLookup {
  /** The term as published, e.g. "include:_spf.example.net" or "redirect=example.net". */
  term: string;
  /** The name it queries, when known without a sender. */
  target?: string;
  outcome: SpfLookupOutcome;
  /** mx: how many MX hosts the receiver then resolves (at most 10, §4.6.4). */
  mxHosts?: number;
  /** mx: the hosts with no address at all; each is a void lookup of its own (§4.6.4). */
  voidHosts?: string[];
  /** include / redirect: the record it leads to. */
  child?: SpfNode;
}

export interface SpfNode {
  domain: string;
  status: SpfNodeStatus;
  /** The SPF record, strings joined (RFC 7208 §3.3). */
  record?: string;
  /** Every SPF record, when there is more than one. */
  records?: string[];
  /** The term, what is wrong with it as data (problem) and in words (reason). */
  syntaxError?: { term: string; problem: SpfSyntaxProblem; reason: string };
  /** What went wrong with the lookup itself (NXDOMAIN, timeout, ...). */
  problem?: string;
  /** status none: why there is no record, as data (problem says it in words). */
  absence?: SpfAbsence;
  /** The TXT lookup found nothing at all (NXDOMAIN or no TXT records): a void lookup. */
  void?: boolean;
  /** Terms that query DNS, in record order (RFC 7208 §4.6.4). */
  lookups: SpfLookup[];
}

export interface SpfWalk {
  root: SpfNode;
  /** DNS-querying terms across the whole tree: what receivers count against the limit of 10. */
  lookupCount: number;
  /** Each lookup that finds nothing: the term's own target, or one of its MX hosts (mxHost). */
  voidLookups: { domain: string; term: string; target: string; mxHost?: boolean }[];
  /** The bound on fetched records cut the walk short. */
  truncated: boolean;
}

interface WalkState {
  dns: DnsClient;
  fetched: number;
  truncated: boolean;
}

export async function walkSpf(domain: string, dns: DnsClient): Promise<SpfWalk> {
  const state: WalkState = { dns, fetched: 0, truncated: false };
  const root = await visit(domain, [], state);
  const nodes = allNodes(root);
  return {
    root,
    lookupCount: nodes.reduce((sum, node) => sum + (node.status === 'ok' ? node.lookups.length : 0), 0),
    voidLookups: nodes.flatMap(node =>
      node.lookups.flatMap(l => [
        ...(l.outcome === 'void' ? [{ domain: node.domain, term: l.term, target: l.target! }] : []),
        ...(l.voidHosts ?? []).map(host => ({ domain: node.domain, term: l.term, target: host, mxHost: true })),
      ]),
    ),
    truncated: state.truncated,
  };
}

async function visit(domain: string, ancestors: readonly string[], state: WalkState): Promise<SpfNode> {
  if (ancestors.includes(domain)) return { domain, status: 'loop', lookups: [] };
  if (state.fetched >= MAX_RECORDS) {
    state.truncated = true;
    return { domain, status: 'not-followed', problem: `not fetched: the walk stops after ${MAX_RECORDS} records`, lookups: [] };
  }
  state.fetched++;
  const answer = await state.dns.query(domain, 'TXT');
  const found = spfRecordsOf(answer);
  if (found.status !== 'ok') return { domain, ...found, lookups: [] };
  const [record] = found.records;
  if (found.records.length > 1) return { domain, status: 'multiple', records: found.records, lookups: [] };
  let terms: SpfTerm[];
  try {
    terms = parseSpfRecord(record!).terms;
  } catch (err) {
    if (!(err instanceof SpfSyntaxError)) throw err;
    return { domain, status: 'syntax', record: record!, syntaxError: { term: err.term, problem: err.problem, reason: err.reason }, lookups: [] };
  }
  return { domain, status: 'ok', record: record!, lookups: await lookupsOf(domain, terms, [...ancestors, domain], state) };
}

type FoundRecords =
  | { status: 'ok'; records: string[] }
  | { status: 'none'; absence: SpfAbsence; problem: string; void: boolean }
  | { status: 'dns-error'; problem: string };

const none = (absence: SpfAbsence, isVoid: boolean) => ({ status: 'none' as const, absence, problem: say('spfAbsence', absence), void: isVoid });

function spfRecordsOf(answer: DnsAnswer<'TXT'>): FoundRecords {
  switch (answer.kind) {
    case 'records': {
      const records = answer.records.map(joinTxt).filter(isSpfRecord);
      if (records.length) return { status: 'ok', records };
      return none({ code: 'noSpfRecord', txtRecords: answer.records.length }, false);
    }
    case 'nxdomain':
      return none({ code: 'nxdomain' }, true);
    case 'nodata':
      return none({ code: 'noTxt' }, true);
    case 'timeout':
      return { status: 'dns-error', problem: 'no answer (timeout)' };
    case 'error':
      return { status: 'dns-error', problem: answer.message };
    default:
      return { status: 'dns-error', problem: answer.kind.toUpperCase() };
  }
}

/**
 * The record's DNS-querying terms. Address lookups run concurrently; includes
 * are followed one after the other so the tree (and any truncation) does not
 * depend on timing. redirect= counts only without an "all" (RFC 7208 §6.1).
 */
async function lookupsOf(domain: string, terms: SpfTerm[], ancestors: readonly string[], state: WalkState): Promise<SpfLookup[]> {
  const hasAll = terms.some(t => t.kind === 'mechanism' && t.name === 'all');
  const querying = terms.filter(t => (t.kind === 'mechanism' ? ['include', 'a', 'mx', 'ptr', 'exists'].includes(t.name) : t.name === 'redirect' && !hasAll));
  const addressLookups = await Promise.all(querying.map(t => (t.kind === 'mechanism' && t.name !== 'include' ? resolveAddressTerm(domain, t, state.dns) : undefined)));
  const lookups: SpfLookup[] = [];
  for (const [i, term] of querying.entries()) {
    lookups.push(addressLookups[i] ?? (await follow(term.term, term.value!, ancestors, state)));
  }
  return lookups;
}

async function follow(term: string, target: string, ancestors: readonly string[], state: WalkState): Promise<SpfLookup> {
  if (hasMacro(target)) return { term, outcome: 'not-resolved', child: { domain: target, status: 'not-followed', problem: 'the name depends on the sender (macros)', lookups: [] } };
  const name = normalize(target);
  if (!isQueryableName(name)) {
    const { absence, problem } = none({ code: 'invalidName' }, false);
    return { term, target: name, outcome: 'invalid-name', child: { domain: name, status: 'none', absence, problem, lookups: [] } };
  }
  const child = await visit(name, ancestors, state);
  const outcome: SpfLookupOutcome = child.void ? 'void' : child.status === 'dns-error' ? 'error' : child.status === 'not-followed' ? 'not-resolved' : 'records';
  return { term, target: name, outcome, child };
}

/** a, mx, exists, ptr: what the lookup finds, to count void lookups. */
async function resolveAddressTerm(domain: string, term: SpfMechanism, dns: DnsClient): Promise<SpfLookup> {
  const spec = term.value ?? domain;
  // ptr needs the client's address; macros need the sender: neither is known here.
  if (term.name === 'ptr' || hasMacro(spec)) return { term: term.term, outcome: 'not-resolved' };
  const target = normalize(spec);
  if (!isQueryableName(target)) return { term: term.term, target, outcome: 'invalid-name' };
  if (term.name === 'mx') {
    const answer = await dns.query(target, 'MX');
    if (answer.kind !== 'records') return { term: term.term, target, outcome: classify([answer]) };
    const hosts = answer.records.map(r => normalize(r.exchange)).filter(isQueryableName);
    const outcomes = await Promise.all(hosts.slice(0, SPF_MX_HOST_LIMIT).map(host => addressOutcome(host, dns)));
    const voidHosts = hosts.filter((_, i) => outcomes[i] === 'void');
    return { term: term.term, target, outcome: 'records', mxHosts: answer.records.filter(r => r.exchange).length, ...(voidHosts.length ? { voidHosts } : {}) };
  }
  const outcome = term.name === 'a' ? await addressOutcome(target, dns) : classify([await dns.query(target, 'A')]);
  return { term: term.term, target, outcome };
}

/** A name with only AAAA (or only A) records is not void: some client family finds an address. */
async function addressOutcome(name: string, dns: DnsClient): Promise<SpfLookupOutcome> {
  return classify(await Promise.all([dns.query(name, 'A'), dns.query(name, 'AAAA')]));
}

function classify(answers: DnsAnswer[]): SpfLookupOutcome {
  if (answers.some(a => a.kind === 'records')) return 'records';
  if (answers.every(a => a.kind === 'nxdomain' || a.kind === 'nodata')) return 'void';
  return 'error';
}

const hasMacro = (spec: string): boolean => spec.includes('%');
const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, '');

export function allNodes(root: SpfNode): SpfNode[] {
  return [root, ...root.lookups.flatMap(l => (l.child ? allNodes(l.child) : []))];
}

/** The include/redirect chains that lead back to a domain already on the path. */
export function includeLoops(root: SpfNode, path: string[] = []): string[][] {
  const here = [...path, root.domain];
  if (root.status === 'loop') return [here];
  return root.lookups.flatMap(l => (l.child ? includeLoops(l.child, here) : []));
}

/**
 * What happens to mail from a server the record does not list: the qualifier
 * of the first "all", else the redirect target's, else "default", the neutral
 * result of RFC 7208 §4.7. Undefined when a broken record hides the answer.
 */
export function terminalAll(node: SpfNode): { qualifier: SpfMechanism['qualifier'] | 'default'; domain: string } | undefined {
  if (node.status !== 'ok') return undefined;
  const all = mechanismsOf(node).find(m => m.name === 'all');
  if (all) return { qualifier: all.qualifier, domain: node.domain };
  const redirect = node.lookups.find(l => l.term.toLowerCase().startsWith('redirect='));
  if (redirect) return redirect.child && terminalAll(redirect.child);
  return { qualifier: 'default', domain: node.domain };
}

/**
 * The chain of terms through which the record passes every address: "+all",
 * "+ip4:0.0.0.0/0", or a "+include:" of a record that does. Mechanisms are
 * tried in order and the first match wins (RFC 7208 §4.6.2), so a "-all"
 * before any of these ends the search.
 */
export function passesEveryAddress(node: SpfNode): string[] | undefined {
  if (node.status !== 'ok') return undefined;
  for (const m of mechanismsOf(node)) {
    if (m.name === 'all') return m.qualifier === '+' ? [`${node.domain}: ${m.term}`] : undefined;
    if (m.qualifier !== '+') continue;
    if ((m.name === 'ip4' && m.cidr4 === 0) || (m.name === 'ip6' && m.cidr6 === 0)) return [`${node.domain}: ${m.term}`];
    if (m.name === 'include') {
      const child = node.lookups.find(l => l.term === m.term)?.child;
      const chain = child && passesEveryAddress(child);
      if (chain) return [`${node.domain}: ${m.term}`, ...chain];
    }
  }
  const redirect = node.lookups.find(l => l.term.toLowerCase().startsWith('redirect='));
  const chain = redirect?.child && passesEveryAddress(redirect.child);
  return chain ? [`${node.domain}: ${redirect.term}`, ...chain] : undefined;
}

const mechanismsOf = (node: SpfNode): SpfMechanism[] =>
  node.record ? parseSpfRecord(node.record).terms.filter((t): t is SpfMechanism => t.kind === 'mechanism') : [];

/** One line per record, indented by depth, with its own lookup count: the tree receivers walk. */
export function renderSpfTree(node: SpfNode, depth = 0, via?: string): string[] {
  const label = `${'  '.repeat(depth)}${via ?? node.domain}`;
  const line =
    node.status === 'ok'
      ? `${label} (${node.lookups.length} lookup${node.lookups.length === 1 ? '' : 's'}): ${node.record}`
      : `${label}: ${describeStatus(node)}`;
  return [line, ...node.lookups.flatMap(l => (l.child ? renderSpfTree(l.child, depth + 1, l.term) : []))];
}

function describeStatus(node: SpfNode): string {
  switch (node.status) {
    case 'loop':
      return `loop: ${node.domain} is already on this include path`;
    case 'multiple':
      return `${node.records!.length} SPF records (permerror)`;
    case 'syntax':
      return `syntax error at "${node.syntaxError!.term}": ${node.syntaxError!.reason}`;
    default:
      return node.problem ?? node.status;
  }
}
