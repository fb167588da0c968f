// What reverse DNS says about one address, as receivers judge a connecting
// client: a PTR must exist (RFC 1912 §2.1), resolve back to the address
// (FCrDNS, RFC 8601 §3) and not look like a dynamic/residential name. Shared
// by the ptr check (MX addresses, an IP target), sender-ip (--ip) and the
// address a server that refused the tester saw (tester-address.ts).
import { judgePtrName } from '../net/ptr-heuristics.js';
import type { ForwardCheck, ReverseLookup } from '../net/reverse-dns.js';
import { placement, type CheckedAddress } from './addresses.js';
import { finding, type Finding } from './define.js';

/** The PTR names that do not lead back to the address: a forward lookup that failed proves nothing, only names that answered can disprove FCrDNS. */
export const disprovingNames = (names: readonly ForwardCheck[]): ForwardCheck[] => names.filter(n => !n.confirms && ['records', 'nodata', 'nxdomain'].includes(n.outcome));

/** A PTR name's forward lookup as findings hold it (formats' forwardLookups). */
export const forward = (n: ForwardCheck): Pick<ForwardCheck, 'name' | 'addresses' | 'outcome'> => ({ name: n.name, addresses: n.addresses, outcome: n.outcome });

/** ptr.missing, ptr.not-fcrdns and ptr.generic for one address; nothing when the lookup itself failed. */
export function reverseDnsFindings(lookup: ReverseLookup, address: CheckedAddress): Finding[] {
  const details = { ...placement(address), evidence: lookup.evidence };
  if (lookup.kind === 'none') return [finding('ptr.missing', 'none', { ip: lookup.ip, address }, details)];
  if (lookup.kind === 'failed') return [];
  const findings: Finding[] = [];
  const confirmed = lookup.names.filter(n => n.confirms);
  const disproved = disprovingNames(lookup.names);
  if (!confirmed.length && disproved.length) {
    const data = { ip: lookup.ip, names: lookup.names.map(forward), address, ptrNames: lookup.names.map(n => n.name), disproved: disproved.map(forward) };
    findings.push(finding('ptr.not-fcrdns', 'notConfirmed', data, details));
  }
  // Receivers judge the name they could confirm; without one, every name the PTR gave.
  for (const name of (confirmed.length ? confirmed : lookup.names)) {
    const verdict = judgePtrName(name.name, lookup.ip);
    if (!verdict.generic) continue;
    findings.push(finding('ptr.generic', 'generic', { ip: lookup.ip, name: name.name, reasons: verdict.reasons, address }, details));
    break;
  }
  return findings;
}

/** The address's reverse DNS for the JSON report. */
export function describeLookup(lookup: ReverseLookup, address: CheckedAddress): Record<string, unknown> {
  return {
    ip: lookup.ip,
    ...(address.host ? { host: address.host } : {}),
    ptr: lookup.kind,
    ...(lookup.kind === 'found' ? { names: lookup.names.map(n => ({ name: n.name, addresses: n.addresses, forwardConfirmed: n.confirms })) } : {}),
    ...(lookup.kind === 'failed' ? { outcome: lookup.outcome } : {}),
  };
}
