// Reverse DNS of every MX address (or of the IP target), as receivers judge a
// connecting client: the rules are in ./ptr-findings.ts.
import { lookupReverse, type ReverseLookup } from '../net/reverse-dns.js';
import type { PtrNames } from '../pipeline/facts.js';
import { checkableAddresses } from './addresses.js';
import { defineCheck } from './define.js';
import { describeLookup, reverseDnsFindings } from './ptr-findings.js';
import { resolverFailure } from './resolver.js';

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

function toPtrNames(lookup: ReverseLookup): PtrNames {
  const names = lookup.kind === 'found' ? lookup.names : [];
  return { ip: lookup.ip, names: names.map(n => n.name), forwardConfirmed: names.some(n => n.confirms) };
}
