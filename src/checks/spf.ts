// The domain's SPF record as a receiver evaluates it (RFC 7208): one record,
// valid syntax, within the DNS lookup limits through every include, and an
// ending that says what happens to everyone else. With --ip, the verdict
// mailauth's check_host() gives for that address.
import type { DNSResolver } from 'mailauth';
import { describeAnswer, mailauthResolver } from '../net/dns/index.js';
import type { Net } from '../net/context.js';
import {
  allNodes,
  includeLoops,
  passesEveryAddress,
  renderSpfTree,
  SPF_LOOKUP_LIMIT,
  SPF_MX_HOST_LIMIT,
  SPF_VOID_LIMIT,
  terminalAll,
  walkSpf,
  type SpfNode,
  type SpfWalk,
} from '../auth/spf-walk.js';
import { defineCheck, finding, type Finding } from './define.js';

export default defineCheck({
  id: 'spf',
  title: 'SPF record',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: [
    'spf.missing',
    'spf.multiple',
    'spf.syntax',
    'spf.too-many-lookups',
    'spf.void-lookups',
    'spf.include-missing',
    'spf.plus-all',
    'spf.soft-all',
    'spf.ip-not-authorized',
  ],
  async run({ domain }, { net, options }) {
    const walk = await walkSpf(domain, net.dns);
    const { root } = walk;
    const data = { record: root.record ?? null, lookups: walk.lookupCount, lookupLimit: SPF_LOOKUP_LIMIT, voidLookups: walk.voidLookups, tree: root };
    switch (root.status) {
      case 'none': {
        const answer = describeAnswer(domain, 'TXT', await net.dns.query(domain, 'TXT'));
        return { findings: [finding('spf.missing', `${domain} publishes no SPF record (${root.problem})`, { subjects: [domain], evidence: [answer] })], data };
      }
      case 'dns-error':
        return { findings: [], data: { ...data, error: `the TXT lookup for ${domain} failed: ${root.problem}` }, status: 'info' };
      case 'multiple':
        return {
          findings: [finding('spf.multiple', `${domain} publishes ${root.records!.length} SPF records; receivers return permerror`, { subjects: [domain], evidence: root.records!.map(r => `${domain} TXT "${r}"`) })],
          data,
        };
      case 'syntax':
        return { findings: [syntaxFinding(root, domain)], data };
    }
    const findings = [...nestedRecordFindings(walk, domain), ...limitFindings(walk, domain), ...endingFindings(root, domain)];
    if (!options.senderIp) return { findings, data };
    const verdict = await authorization(domain, options.senderIp, net);
    return { findings: [...findings, ...verdict.findings], data: { ...data, senderIp: verdict.data } };
  },
});

function syntaxFinding(node: SpfNode, domain: string, via?: string): Finding {
  const where = via ? `${via} leads to ${node.domain}, whose SPF record` : `the SPF record of ${domain}`;
  return finding('spf.syntax', `${where} has a syntax error at "${node.syntaxError!.term}": ${node.syntaxError!.reason}; receivers return permerror`, {
    subjects: [node.domain],
    evidence: [`${node.domain} TXT "${node.record}"`],
    data: { domain: node.domain, term: node.syntaxError!.term, reason: node.syntaxError!.reason },
  });
}

/** Records pulled in by include:/redirect= that end evaluation in a permerror. */
function nestedRecordFindings(walk: SpfWalk, domain: string): Finding[] {
  const findings: Finding[] = [];
  for (const parent of allNodes(walk.root)) {
    for (const { term, child } of parent.lookups) {
      if (!child) continue;
      const subjects = [child.domain];
      if (child.status === 'syntax') findings.push(syntaxFinding(child, domain, term));
      if (child.status === 'multiple') {
        findings.push(finding('spf.multiple', `${term} (in ${parent.domain}) leads to ${child.domain}, which publishes ${child.records!.length} SPF records; receivers return permerror`, {
          subjects,
          evidence: child.records!.map(r => `${child.domain} TXT "${r}"`),
        }));
      }
      if (child.status === 'none') {
        findings.push(finding('spf.include-missing', `${term} (in ${parent.domain}) names ${child.domain}, which has no SPF record (${child.problem}); receivers return permerror there`, {
          subjects,
          evidence: [`${parent.domain} TXT "${parent.record}"`],
        }));
      }
    }
  }
  for (const loop of includeLoops(walk.root)) {
    findings.push(finding('spf.too-many-lookups', `include loop ${loop.join(' → ')}: receivers follow it until the limit of ${SPF_LOOKUP_LIMIT} lookups and return permerror`, {
      subjects: [loop.at(-1)!],
      evidence: renderSpfTree(walk.root),
      data: { loop },
    }));
  }
  return findings;
}

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms, 10 MX hosts per mx, 2 void lookups. */
function limitFindings(walk: SpfWalk, domain: string): Finding[] {
  const findings: Finding[] = [];
  const tree = renderSpfTree(walk.root);
  if (walk.lookupCount > SPF_LOOKUP_LIMIT) {
    const counted = walk.truncated ? `more than ${walk.lookupCount}` : String(walk.lookupCount);
    findings.push(finding('spf.too-many-lookups', `checking SPF for ${domain} takes ${counted} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of ${SPF_LOOKUP_LIMIT}: receivers return permerror`, {
      subjects: [domain],
      evidence: tree,
      data: { lookups: walk.lookupCount, limit: SPF_LOOKUP_LIMIT, truncated: walk.truncated },
    }));
  }
  for (const node of allNodes(walk.root)) {
    for (const lookup of node.lookups.filter(l => (l.mxHosts ?? 0) > SPF_MX_HOST_LIMIT)) {
      findings.push(finding('spf.too-many-lookups', `${lookup.term} (in ${node.domain}) has ${lookup.mxHosts} MX hosts; receivers look up at most ${SPF_MX_HOST_LIMIT} and return permerror`, {
        subjects: [lookup.target!],
        evidence: [`${node.domain} TXT "${node.record}"`],
        data: { mxHosts: lookup.mxHosts, limit: SPF_MX_HOST_LIMIT },
      }));
    }
  }
  if (walk.voidLookups.length > SPF_VOID_LIMIT) {
    // More than two is a permerror for every message, as serious as too many lookups.
    findings.push(finding('spf.void-lookups', `${walk.voidLookups.length} lookups in the SPF of ${domain} find nothing (limit ${SPF_VOID_LIMIT}): ${walk.voidLookups.map(v => v.term).join(', ')}; receivers return permerror`, {
      subjects: walk.voidLookups.map(v => v.target),
      evidence: walk.voidLookups.map(v => `${v.term} (in ${v.domain}): ${v.target} has no records`),
      data: { voidLookups: walk.voidLookups.length, limit: SPF_VOID_LIMIT },
      severity: 'error',
    }));
  }
  return findings;
}

/** What the record says about servers it does not list. */
function endingFindings(root: SpfNode, domain: string): Finding[] {
  const evidence = [`${domain} TXT "${root.record}"`];
  const passing = passesEveryAddress(root);
  if (passing) {
    return [finding('spf.plus-all', `SPF of ${domain} passes mail from any address: ${passing.join(' → ')}`, { subjects: [domain], evidence, data: { chain: passing } })];
  }
  const ending = terminalAll(root);
  if (!ending || ending.qualifier === '-') return [];
  const subjects = [domain];
  switch (ending.qualifier) {
    case '~':
      return [finding('spf.soft-all', `SPF of ${domain} ends in ~all${ending.domain === domain ? '' : ` (via ${ending.domain})`}: mail from unlisted servers gets softfail, not fail`, { subjects, evidence, data: { all: '~all' } })];
    case '?':
      return [finding('spf.soft-all', `SPF of ${domain} ends in ?all${ending.domain === domain ? '' : ` (via ${ending.domain})`}: mail from unlisted servers gets neutral, as if there were no SPF`, { subjects, evidence, data: { all: '?all' } })];
    case 'default':
      return [finding('spf.soft-all', `SPF of ${domain} has neither "all" nor redirect=: mail from unlisted servers gets neutral (RFC 7208 §4.7)`, { subjects, evidence, data: { all: null } })];
    default:
      return [];
  }
}

/** check_host() for the sending address, by mailauth through our resolver. */
async function authorization(domain: string, ip: string, net: Net): Promise<{ findings: Finding[]; data: Record<string, unknown> }> {
  const { spf } = await import('mailauth/lib/spf/index.js');
  const result = await spf({ sender: `postmaster@${domain}`, ip, mta: 'maildiag', resolver: mailauthResolver(net.dns) as DNSResolver });
  const verdict = result.status.result;
  const data = { ip, result: verdict, ...(result.status.comment ? { comment: result.status.comment } : {}) };
  if (verdict !== 'fail' && verdict !== 'softfail' && verdict !== 'neutral') return { findings: [], data };
  // fail is refused outright; softfail and neutral usually mean spam-folder or a DMARC failure.
  const severity = verdict === 'fail' ? 'error' : 'warning';
  return {
    findings: [finding('spf.ip-not-authorized', `SPF ${verdict} for ${ip} sending as ${domain}: the record does not list this address`, {
      subjects: [ip],
      evidence: [result.header.trim(), ...(result.rr ? [`${domain} TXT "${result.rr}"`] : [])],
      data: { ip, result: verdict },
      severity,
    })],
    data,
  };
}
