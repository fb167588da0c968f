// Is the domain, or one of its MX host names, on a domain blocklist (Spamhaus
// DBL, SURBL, URIBL)? Receivers check these against sender addresses and the
// links in a message (RFC 5782 §2.3). Runs without MX hosts too: a domain with
// a null MX may still send mail.
import net from 'node:net';
import { selectLists } from '../net/dnsbl-lists.js';
import { checkListings } from '../net/dnsbl.js';
import { defineCheck } from './define.js';
import { dnsblFindings, NO_LISTS, summarize, type SubjectDescription } from './dnsbl-findings.js';

export default defineCheck({
  id: 'dnsbl-domain',
  title: 'Domain blocklists',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: ['rbl.domain-listed', 'rbl.query-refused', 'rbl.unknown'],
  budget: 'blocklists',
  async run({ domain }, { net: network, options }) {
    const lists = selectLists(options.dnsbl).filter(l => l.kind === 'domain');
    if (!lists.length) return { findings: [], data: { lists: [], reason: NO_LISTS } };
    // The same MX question the mx check asked: answered from the run's DNS cache.
    const mx = await network.dns.query(domain, 'MX');
    const mxNames = mx.kind === 'records' ? mx.records.map(r => r.exchange.toLowerCase()).filter(name => name && !net.isIP(name)) : [];
    const names = [...new Set([domain, ...mxNames])];
    const results = await checkListings(network.dns, lists, names);
    const describe = (name: string): SubjectDescription => ({ who: { name, role: name === domain ? 'domain' : 'mx' }, subjects: [name] });
    return {
      findings: dnsblFindings(results, describe),
      data: { lists: lists.map(l => l.zone), names, results: results.map(summarize) },
    };
  },
});
