// DMARC policy and Organizational Domain discovery by the DNS Tree Walk of
// RFC 9989 §4.10, which replaced RFC 7489's Public Suffix List: ask
// _dmarc.<domain>, then walk up towards the root, never more than 8 queries.
import { joinTxt, type DnsClient, type DnsOutcome } from '../net/dns/index.js';
import { DmarcSyntaxError, isDmarcRecord, parseDmarcRecord, type DmarcPolicy, type DmarcRecord, type DmarcUnreadable } from './dmarc-record.js';

export const TREE_WALK_MAX_QUERIES = 8;

export interface DmarcLookup {
  /** The domain asked about; the query is for _dmarc.<domain>. */
  domain: string;
  outcome: DnsOutcome;
  /** TXT records starting with v=DMARC1. */
  records: string[];
  /** Other TXT records at the name. */
  others: string[];
  /** The single DMARC record, parsed (several are all discarded, RFC 9989 §4.10 step 2). */
  record?: DmarcRecord;
  /** Why the single DMARC record cannot be used. */
  invalid?: DmarcUnreadable;
}

export interface TreeWalk {
  start: string;
  lookups: DmarcLookup[];
}

export interface PolicyDiscovery {
  /** The domain whose record applies, if any. */
  policyDomain?: string;
  record?: DmarcRecord;
  /** The record belongs to an ancestor (Organizational or Public Suffix Domain): sp= or np= apply. */
  inherited: boolean;
  organizationalDomain: string;
}

/**
 * The names a walk asks about, in order (RFC 9989 §4.10): the domain itself,
 * then with more than 8 labels straight to its last 7, then one label less
 * each time down to the top-level domain.
 */
export function treeWalkDomains(domain: string): string[] {
  const labels = domain.split('.');
  const suffix = (keep: number) => labels.slice(labels.length - keep).join('.');
  const first = Math.min(labels.length - 1, TREE_WALK_MAX_QUERIES - 1);
  return [domain, ...Array.from({ length: first }, (_, i) => suffix(first - i))];
}

/** The walk stops at a record with psd=n, or psd=y above the start (§4.10 steps 2 and 7). */
export async function walkDmarcTree(domain: string, dns: DnsClient): Promise<TreeWalk> {
  const lookups: DmarcLookup[] = [];
  for (const name of treeWalkDomains(domain)) {
    const lookup = await lookupDmarc(name, dns);
    lookups.push(lookup);
    const psd = lookup.record?.psd;
    if (psd === 'n' || (psd === 'y' && name !== domain)) break;
  }
  return { start: domain, lookups };
}

export async function lookupDmarc(domain: string, dns: DnsClient): Promise<DmarcLookup> {
  const answer = await dns.query(`_dmarc.${domain}`, 'TXT');
  const texts = answer.kind === 'records' ? answer.records.map(joinTxt) : [];
  const records = texts.filter(isDmarcRecord);
  const lookup: DmarcLookup = { domain, outcome: answer.kind, records, others: texts.filter(t => !isDmarcRecord(t)) };
  if (records.length !== 1) return lookup;
  try {
    return { ...lookup, record: parseDmarcRecord(records[0]!) };
  } catch (err) {
    if (!(err instanceof DmarcSyntaxError)) throw err;
    return { ...lookup, invalid: err.problem };
  }
}

/**
 * Organizational Domain discovery (RFC 9989): among the records found, longest name first: psd=n marks
 * the Organizational Domain, psd=y (above the start) the domain one label below
 * it; otherwise the record with the fewest labels; with none, the domain itself.
 */
export function organizationalDomain(walk: TreeWalk): string {
  const found = walk.lookups.filter(l => l.record);
  for (const { domain, record } of found) {
    if (record!.psd === 'n') return domain;
    if (record!.psd === 'y' && domain !== walk.start) return walk.start.split('.').slice(-(domain.split('.').length + 1)).join('.');
  }
  return found.at(-1)?.domain ?? walk.start;
}

/** Policy discovery (RFC 9989): the domain's own record, else its Organizational Domain's, else the Public Suffix Domain's. */
export function discoverPolicy(walk: TreeWalk): PolicyDiscovery {
  const organization = organizationalDomain(walk);
  const own = walk.lookups[0]?.record;
  if (own) return { policyDomain: walk.start, record: own, inherited: false, organizationalDomain: organization };
  const ancestor = walk.lookups.find(l => l.domain === organization && l.record) ?? walk.lookups.find(l => l.record?.psd === 'y');
  if (!ancestor) return { inherited: false, organizationalDomain: organization };
  return { policyDomain: ancestor.domain, record: ancestor.record!, inherited: true, organizationalDomain: organization };
}

/**
 * The policy a receiver applies to mail from the walk's start domain: p= for
 * its own record, sp= (np= when the domain does not exist) for an inherited
 * one. A record without a valid p=, or with an invalid sp=/np=, is read as
 * p=none when it names a valid rua=, and as no DMARC at all otherwise (RFC 9989).
 */
export function effectivePolicy(discovery: PolicyDiscovery, domainExists = true): DmarcPolicy | undefined {
  const record = discovery.record;
  if (!record) return undefined;
  const broken = !record.p || record.problems.some(problem => problem.tag === 'sp' || problem.tag === 'np');
  if (broken) return record.rua.length ? 'none' : undefined;
  if (!discovery.inherited) return record.p;
  return domainExists ? (record.sp ?? record.p) : (record.np ?? record.sp ?? record.p);
}
