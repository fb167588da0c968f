// The sending IP given with --ip, judged as a receiving MTA judges the client
// that connects to it: reverse DNS (PTR, FCrDNS, generic names) and the IP
// blocklists. Whether SPF authorises it for the domain is the spf check's job.
import { selectLists } from '../net/dnsbl-lists.js';
import { checkListings } from '../net/dnsbl.js';
import { lookupReverse } from '../net/reverse-dns.js';
import { defineCheck } from './define.js';
import { exclusionReason, placement, type CheckedAddress } from './addresses.js';
import { dnsblFindings, summarize } from './dnsbl-findings.js';
import { describeLookup, reverseDnsFindings } from './ptr-findings.js';

export default defineCheck({
  id: 'sender-ip',
  title: 'Sending IP',
  targets: ['domain', 'ip'],
  needs: ['senderIp'],
  provides: [],
  emits: ['ptr.missing', 'ptr.not-fcrdns', 'ptr.generic', 'rbl.listed', 'rbl.query-refused', 'rbl.unknown'],
  budget: 'blocklists',
  async run({ senderIp: ip }, { net, options }) {
    const excluded = exclusionReason(ip, options);
    if (excluded) return { findings: [], data: { ip, excluded }, status: 'info' };
    const address: CheckedAddress = { ip, role: 'sender' };
    const lists = selectLists(options.dnsbl).filter(l => l.kind === 'ip');
    const [reverse, listings] = await Promise.all([lookupReverse(net.dns, ip), checkListings(net.dns, lists, [ip])]);
    const describe = () => ({ who: address, ...placement(address) });
    return {
      findings: [...reverseDnsFindings(reverse, address), ...dnsblFindings(listings, describe)],
      data: { reverse: describeLookup(reverse, address), lists: lists.map(l => l.zone), results: listings.map(summarize) },
      ...(reverse.kind === 'failed' ? { status: 'info' as const } : {}),
    };
  },
});
