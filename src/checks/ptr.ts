// Reverse DNS of every MX address (or of the IP target), as receivers judge a
// connecting client: a PTR must exist (RFC 1912 §2.1), resolve back to the
// address (FCrDNS, RFC 8601 §3) and not look like a dynamic/residential name.
import type { Side } from '../causes.js';
import { nonGlobalReason } from '../net/ip.js';
import { judgePtrName } from '../net/ptr-heuristics.js';
import { lookupReverse, type ForwardCheck, type ReverseLookup } from '../net/reverse-dns.js';
import type { HostAddr, PtrNames, TargetKind } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, legacyFinding, type Finding } from './define.js';
import { resolverFailure } from './resolver.js';

/** An address under examination, and whose it is: that decides the wording and who fixes it. */
export interface CheckedAddress {
  ip: string;
  /** An MX address of the target domain, the IP target itself, or the sending IP given with --ip. */
  role: 'mx' | 'target' | 'sender';
  /** The MX host name, for an MX address. */
  host?: string;
}

export function describeAddress(address: CheckedAddress): string {
  switch (address.role) {
    case 'mx': return `MX host ${address.host} (${address.ip})`;
    case 'sender': return `the sending IP ${address.ip}`;
    case 'target': return address.ip;
  }
}

/** Subjects and side of a finding about this address: an MX address is the recipient domain's to fix. */
export function placement(address: CheckedAddress): { subjects: string[]; side?: Side } {
  if (address.role === 'mx') return { subjects: [address.ip, address.host!], side: 'recipient' };
  return { subjects: [address.ip], ...(address.role === 'sender' ? { side: 'sender' as const } : {}) };
}

/** Why an address is left out: reverse DNS and blocklists of private ranges mean nothing on the internet. */
export function exclusionReason(ip: string, options: RunOptions): string | undefined {
  return options.allowPrivate ? undefined : nonGlobalReason(ip);
}

export default defineCheck({
  id: 'ptr',
  title: 'Reverse DNS (PTR, FCrDNS)',
  targets: ['domain', 'ip'],
  needs: ['hostAddrs'],
  provides: ['ptrNames'],
  emits: ['ptr.missing', 'ptr.not-fcrdns', 'ptr.generic', 'dns.resolver-unreachable', 'dns.resolver-failing'],
  async run({ hostAddrs }, { target, net, options }) {
    const { checked, excluded } = checkableAddresses(hostAddrs, target.kind, options);
    const lookups = await Promise.all(checked.map(a => lookupReverse(net.dns, a.ip)));
    const ptrNames = lookups.map(toPtrNames);
    // "No PTR" from a resolver that answers nothing right (an IP target never met the domain check's sanity test).
    const unanswered = lookups.find(l => l.kind !== 'found');
    const resolver = unanswered && (await resolverFailure(net, unanswered.ip, unanswered.kind === 'failed' ? unanswered.outcome : 'nxdomain', unanswered.evidence));
    return {
      findings: resolver ? [resolver] : lookups.flatMap((lookup, i) => reverseDnsFindings(lookup, checked[i]!)),
      data: { addresses: lookups.map((lookup, i) => describeLookup(lookup, checked[i]!)), ...(excluded.length ? { excluded } : {}) },
      ...(ptrNames.length ? { provided: { ptrNames } } : {}),
      ...(lookups.some(l => l.kind === 'failed') ? { status: 'info' as const } : {}),
    };
  },
});

/** The distinct addresses of hostAddrs worth checking, and those left out (non-global without --allow-private). */
export function checkableAddresses(hostAddrs: HostAddr[], targetKind: TargetKind, options: RunOptions) {
  const distinct = hostAddrs.filter((h, i) => hostAddrs.findIndex(other => other.ip === h.ip) === i);
  const addresses = distinct.map((h): CheckedAddress => (targetKind === 'ip' ? { ip: h.ip, role: 'target' } : { ip: h.ip, role: 'mx', host: h.host }));
  const excluded = addresses.flatMap(a => {
    const reason = exclusionReason(a.ip, options);
    return reason ? [{ ip: a.ip, reason }] : [];
  });
  return { checked: addresses.filter(a => !excluded.some(e => e.ip === a.ip)), excluded };
}

/** ptr.missing, ptr.not-fcrdns and ptr.generic for one address; nothing when the lookup itself failed. */
export function reverseDnsFindings(lookup: ReverseLookup, address: CheckedAddress): Finding[] {
  const who = describeAddress(address);
  const details = { ...placement(address), evidence: lookup.evidence };
  if (lookup.kind === 'none') {
    return [legacyFinding('ptr.missing', `${who} has no PTR record: a reverse lookup returns no name`, { ...details, data: { ip: lookup.ip } })];
  }
  if (lookup.kind === 'failed') return [];
  const findings: Finding[] = [];
  const confirmed = lookup.names.filter(n => n.confirms);
  // A forward lookup that failed proves nothing; only names that answered can disprove FCrDNS.
  const disproved = lookup.names.filter(n => !n.confirms && ['records', 'nodata', 'nxdomain'].includes(n.outcome));
  if (!confirmed.length && disproved.length) {
    findings.push(legacyFinding('ptr.not-fcrdns', `${who} has PTR ${lookup.names.map(n => n.name).join(', ')}, but ${disproved.map(n => `${n.name} ${resolvesTo(n)}`).join('; ')}, not to ${lookup.ip}`, {
      ...details,
      data: { ip: lookup.ip, names: lookup.names.map(n => ({ name: n.name, addresses: n.addresses, outcome: n.outcome })) },
    }));
  }
  // Receivers judge the name they could confirm; without one, every name the PTR gave.
  for (const name of (confirmed.length ? confirmed : lookup.names)) {
    const verdict = judgePtrName(name.name, lookup.ip);
    if (!verdict.generic) continue;
    findings.push(legacyFinding('ptr.generic', `${who} has the PTR name ${name.name}, which looks like an ISP's generic name: ${verdict.reasons.join('; ')}`, {
      ...details,
      data: { ip: lookup.ip, name: name.name, reasons: verdict.reasons },
    }));
    break;
  }
  return findings;
}

function resolvesTo(check: ForwardCheck): string {
  if (check.outcome === 'nxdomain') return 'does not exist (NXDOMAIN)';
  if (!check.addresses.length) return 'has no address record';
  return `resolves to ${check.addresses.join(', ')}`;
}

function toPtrNames(lookup: ReverseLookup): PtrNames {
  const names = lookup.kind === 'found' ? lookup.names : [];
  return { ip: lookup.ip, names: names.map(n => n.name), forwardConfirmed: names.some(n => n.confirms) };
}

export function describeLookup(lookup: ReverseLookup, address: CheckedAddress): Record<string, unknown> {
  return {
    ip: lookup.ip,
    ...(address.host ? { host: address.host } : {}),
    ptr: lookup.kind,
    ...(lookup.kind === 'found' ? { names: lookup.names.map(n => ({ name: n.name, addresses: n.addresses, forwardConfirmed: n.confirms })) } : {}),
    ...(lookup.kind === 'failed' ? { outcome: lookup.outcome } : {}),
  };
}
