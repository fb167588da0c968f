// Are the MX addresses (or the IP target) on the IP blocklists receivers
// consult? Findings: ./dnsbl-findings.ts.
import { selectLists } from '../net/dnsbl-lists.js';
import { checkListings } from '../net/dnsbl.js';
import { checkableAddresses, placement } from './addresses.js';
import { defineCheck } from './define.js';
import { dnsblFindings, NO_LISTS, summarize, type SubjectDescription } from './dnsbl-findings.js';

export default defineCheck({
  id: 'dnsbl',
  title: 'IP blocklists (DNSBL)',
  targets: ['domain', 'ip'],
  needs: ['hostAddrs'],
  provides: [],
  emits: ['rbl.listed', 'rbl.query-refused', 'rbl.unknown'],
  budget: 'blocklists',
  async run({ hostAddrs }, { target, net, options }) {
    const lists = selectLists(options.dnsbl).filter(l => l.kind === 'ip');
    const { checked, excluded } = checkableAddresses(hostAddrs, target.kind, options);
    const results = await checkListings(net.dns, lists, checked.map(a => a.ip));
    const describe = (ip: string): SubjectDescription => {
      const address = checked.find(a => a.ip === ip)!;
      return { who: address, ...placement(address) };
    };
    return {
      findings: dnsblFindings(results, describe),
      data: { lists: lists.map(l => l.zone), results: results.map(summarize), ...(excluded.length ? { excluded } : {}), ...(lists.length ? {} : { reason: NO_LISTS }) },
    };
  },
});
