// Blocklist results as findings, for the checks that look subjects up on
// lists (dnsbl, dnsbl-domain, sender-ip). Lists and return codes:
// src/net/dnsbl-lists.ts and docs/dnsbl.md. A refusal or a silent list is
// reported as such, never as "listed" or "clean".
import { isDeepStrictEqual } from 'node:util';
import type { MessageData, Side } from '../causes.js';
import type { DnsblResult } from '../net/dnsbl.js';
import { isPolicyListing } from '../net/dnsbl-lists.js';
import type { CheckedAddress } from './addresses.js';
import { finding, type Finding, type FindingDetails } from './define.js';

/** A domain name looked up on a domain list: the target domain or one of its MX host names. */
export interface ListedName {
  name: string;
  role: 'domain' | 'mx';
}

/** Who a looked-up subject is, as findings name it. */
export type DnsblSubject = CheckedAddress | ListedName;

/** A looked-up subject, and the subjects and side of findings about it. */
export interface SubjectDescription {
  who: DnsblSubject;
  subjects: string[];
  side?: Side;
}

export const NO_LISTS = 'no blocklist of this kind selected (--dnsbl, --no-dnsbl)';

/** rbl.listed / rbl.domain-listed per listing; rbl.query-refused and rbl.unknown once per list. */
export function dnsblFindings(results: readonly DnsblResult[], describe: (subject: string) => SubjectDescription): Finding[] {
  const listings = results.filter(r => r.status === 'listed').map(r => listingFinding(r, describe(r.subject)));
  const perList = (status: 'refused' | 'unknown') => {
    const zones = [...new Set(results.filter(r => r.status === status).map(r => r.list.zone))];
    return zones.map(zone => unansweredFinding(results.filter(r => r.status === status && r.list.zone === zone), describe));
  };
  return [...listings, ...perList('refused'), ...perList('unknown')];
}

function listingFinding(result: DnsblResult, subject: SubjectDescription): Finding {
  const { list, reason } = result;
  const cause = list.kind === 'domain' ? 'rbl.domain-listed' : 'rbl.listed';
  const data = { ...summarize(result), who: subject.who, listName: list.name, list: list.zone, codes: result.codes };
  const details = { subjects: subject.subjects, evidence: result.evidence, ...(subject.side ? { side: subject.side } : {}) };
  const direct = result.path === 'authoritative';
  if (isPolicyListing(list, result.codes.map(c => c.address))) return policyFinding(subject.who, { ...data, listing: { ...(reason ? { reason } : {}), direct } }, details);
  if (reason) return finding(cause, direct ? 'listedDirectlyWithReason' : 'listedWithReason', { ...data, reason }, details);
  return finding(cause, direct ? 'listedDirectly' : 'listed', data, details);
}

/**
 * A policy listing (an end-user range: Spamhaus PBL) stops only mail the address delivers itself. Receivers ask
 * about clients that connect to send, so an MX address's listing stops nobody delivering to it (info); a sending
 * IP's stops its direct mail (the cause's error); an IP target may or may not send (warning).
 */
function policyFinding(who: DnsblSubject, data: MessageData<'rbl.listed', 'policyListed'> & Record<string, unknown>, details: FindingDetails): Finding {
  const role = 'ip' in who ? who.role : undefined;
  if (role === 'mx') return finding('rbl.listed', 'policyListedInbound', data, { ...details, severity: 'info' });
  return finding('rbl.listed', 'policyListed', data, role === 'target' ? { ...details, severity: 'warning' } : details);
}

function unansweredFinding(results: DnsblResult[], describe: (subject: string) => SubjectDescription): Finding {
  const { list } = results[0]!;
  const reasons = results.map(r => ({ why: r.why!, ...(r.direct ? { direct: r.direct } : {}) }));
  const data = {
    list: list.zone,
    results: results.map(summarize),
    listName: list.name,
    asked: results.map(r => describe(r.subject).who),
    // The same reason for several subjects is said once.
    reasons: reasons.filter((r, i) => reasons.findIndex(other => isDeepStrictEqual(other, r)) === i),
  };
  const details = { subjects: [...new Set(results.flatMap(r => describe(r.subject).subjects))], evidence: results.flatMap(r => r.evidence) };
  return results[0]!.status === 'refused' ? finding('rbl.query-refused', 'refused', data, details) : finding('rbl.unknown', 'noUsableAnswer', data, details);
}

/** A result for the JSON report. */
export function summarize(result: DnsblResult): Record<string, unknown> {
  return {
    list: result.list.zone,
    subject: result.subject,
    query: result.query,
    status: result.status,
    path: result.path,
    ...(result.codes.length ? { codes: result.codes } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.why ? { why: result.why } : {}),
    ...(result.direct ? { direct: result.direct } : {}),
    ...(result.list.lookup && result.status === 'listed' ? { lookup: result.list.lookup } : {}),
  };
}
