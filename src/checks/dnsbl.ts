// Are the MX addresses (or the IP target) on the IP blocklists receivers
// consult? Lists and return codes: src/net/dnsbl-lists.ts and docs/dnsbl.md.
// A refusal or a silent list is reported as such, never as "listed" or "clean".
import type { Side } from '../causes.js';
import { selectLists } from '../net/dnsbl-lists.js';
import { checkListings, type DnsblResult } from '../net/dnsbl.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, legacyFinding, type Finding } from './define.js';
import { checkableAddresses, describeAddress, placement } from './ptr.js';

/** Who a looked-up subject is, for wording and placement of findings. */
export interface SubjectDescription {
  who: string;
  subjects: string[];
  side?: Side;
}

export const NO_LISTS = 'no blocklist of this kind selected (--dnsbl, --no-dnsbl)';

/** A refusal costs up to five lookups in a row (list, NS, A, the list's own server, TXT). */
export const dnsblBudgetMs = (options: RunOptions): number => options.timeoutMs * 8;

export default defineCheck({
  id: 'dnsbl',
  title: 'IP blocklists (DNSBL)',
  targets: ['domain', 'ip'],
  needs: ['hostAddrs'],
  provides: [],
  emits: ['rbl.listed', 'rbl.query-refused', 'rbl.unknown'],
  budgetMs: dnsblBudgetMs,
  async run({ hostAddrs }, { target, net, options }) {
    const lists = selectLists(options.dnsbl).filter(l => l.kind === 'ip');
    const { checked, excluded } = checkableAddresses(hostAddrs, target.kind, options);
    const results = await checkListings(net.dns, lists, checked.map(a => a.ip));
    const describe = (ip: string): SubjectDescription => {
      const address = checked.find(a => a.ip === ip)!;
      return { who: describeAddress(address), ...placement(address) };
    };
    return {
      findings: dnsblFindings(results, describe),
      data: { lists: lists.map(l => l.zone), results: results.map(summarize), ...(excluded.length ? { excluded } : {}), ...(lists.length ? {} : { reason: NO_LISTS }) },
    };
  },
});

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
  const { list } = result;
  const codes = result.codes.map(c => `${c.address} (${c.meaning})`).join(', ');
  const reason = result.reason ? `; the list says: "${result.reason}"` : '';
  const path = result.path === 'authoritative' ? ' (answered by the list\'s own name servers after the resolver was refused)' : '';
  const message = `${subject.who} is listed on ${list.name} (${list.zone}): ${codes}${reason}${path}`;
  return legacyFinding(list.kind === 'domain' ? 'rbl.domain-listed' : 'rbl.listed', message, {
    subjects: subject.subjects,
    evidence: result.evidence,
    ...(subject.side ? { side: subject.side } : {}),
    data: summarize(result),
  });
}

function unansweredFinding(results: DnsblResult[], describe: (subject: string) => SubjectDescription): Finding {
  const { list } = results[0]!;
  const whos = results.map(r => describe(r.subject).who).join(', ');
  const whys = [...new Set(results.map(r => r.why))].join('; ');
  const refused = results[0]!.status === 'refused';
  const message = refused
    ? `${list.name} (${list.zone}) refused to answer for ${whos}: ${whys}. Whether it is listed there is unknown`
    : `${list.name} (${list.zone}) gave no usable answer for ${whos}: ${whys}. Whether it is listed there is unknown`;
  return legacyFinding(refused ? 'rbl.query-refused' : 'rbl.unknown', message, {
    subjects: [...new Set(results.flatMap(r => describe(r.subject).subjects))],
    evidence: results.flatMap(r => r.evidence),
    data: { list: list.zone, results: results.map(summarize) },
  });
}

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
    ...(result.list.lookup && result.status === 'listed' ? { lookup: result.list.lookup } : {}),
  };
}
