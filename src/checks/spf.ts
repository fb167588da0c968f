// The domain's SPF record as a receiver evaluates it (RFC 7208): one record,
// valid syntax, within the DNS lookup limits through every include, and an
// ending that says what happens to everyone else. With --ip, check_host() for
// that address (with --from and --helo as its sender and HELO), and the path
// that decided it.
import { describeAnswer } from '../net/dns/index.js';
import { evaluateSpf, type SpfEvaluation } from '../auth/spf-eval.js';
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
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, legacyFinding, type Finding } from './define.js';

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
    'spf.permerror',
    'spf.temperror',
  ],
  async run({ domain }, { net, options }) {
    const [walk, evaluation] = await Promise.all([walkSpf(domain, net.dns), options.senderIp ? evaluateSpf(identityOf(domain, options.senderIp, options), net.dns) : undefined]);
    const { root } = walk;
    const data = {
      record: root.record ?? null,
      lookups: walk.lookupCount,
      lookupLimit: SPF_LOOKUP_LIMIT,
      voidLookups: walk.voidLookups,
      tree: root,
      ...(evaluation ? { senderIp: evaluation } : {}),
    };
    switch (root.status) {
      case 'none': {
        const answer = describeAnswer(domain, 'TXT', await net.dns.query(domain, 'TXT'));
        return { findings: [legacyFinding('spf.missing', `${domain} publishes no SPF record (${root.problem})`, { subjects: [domain], evidence: [answer] })], data };
      }
      case 'dns-error':
        return { findings: [], data: { ...data, error: `the TXT lookup for ${domain} failed: ${root.problem}` }, status: 'info' };
      case 'multiple':
        return {
          findings: [legacyFinding('spf.multiple', `${domain} publishes ${root.records!.length} SPF records; receivers return permerror`, { subjects: [domain], evidence: root.records!.map(r => `${domain} TXT "${r}"`) })],
          data,
        };
      case 'syntax':
        return { findings: [syntaxFinding(root, domain)], data };
    }
    const findings = [...nestedRecordFindings(walk, domain), ...limitFindings(walk, domain, evaluation), ...endingFindings(root, domain)];
    return { findings: evaluation ? [...findings, ...verdictFindings(evaluation)] : findings, data };
  },
});

/** The SMTP identities of the evaluation: --from (else postmaster@domain, as a bounce is never what is asked) and --helo. */
const identityOf = (domain: string, ip: string, options: RunOptions) => ({ ip, mailFrom: options.from || `postmaster@${domain}`, helo: options.helo, domain });

function syntaxFinding(node: SpfNode, domain: string, via?: string): Finding {
  const where = via ? `${via} leads to ${node.domain}, whose SPF record` : `the SPF record of ${domain}`;
  return legacyFinding('spf.syntax', `${where} has a syntax error at "${node.syntaxError!.term}": ${node.syntaxError!.reason}; receivers return permerror`, {
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
        findings.push(legacyFinding('spf.multiple', `${term} (in ${parent.domain}) leads to ${child.domain}, which publishes ${child.records!.length} SPF records; receivers return permerror`, {
          subjects,
          evidence: child.records!.map(r => `${child.domain} TXT "${r}"`),
        }));
      }
      if (child.status === 'none') {
        findings.push(legacyFinding('spf.include-missing', `${term} (in ${parent.domain}) names ${child.domain}, which has no SPF record (${child.problem}); receivers return permerror there`, {
          subjects,
          evidence: [`${parent.domain} TXT "${parent.record}"`],
        }));
      }
    }
  }
  for (const loop of includeLoops(walk.root)) {
    findings.push(legacyFinding('spf.too-many-lookups', `include loop ${loop.join(' → ')}: receivers follow it until the limit of ${SPF_LOOKUP_LIMIT} lookups and return permerror`, {
      subjects: [loop.at(-1)!],
      evidence: renderSpfTree(walk.root),
      data: { loop },
    }));
  }
  return findings;
}

/**
 * RFC 7208 §4.6.4: at most 10 DNS-querying terms, 10 MX hosts per mx, 2 void
 * lookups. The limits hold per evaluation: with --ip, say what the record
 * does for that address rather than claim every receiver returns permerror.
 */
function limitFindings(walk: SpfWalk, domain: string, evaluation?: SpfEvaluation): Finding[] {
  const findings: Finding[] = [];
  const tree = renderSpfTree(walk.root);
  const consequence = evaluation && evaluation.result !== 'permerror'
    ? `receivers return permerror for senders whose evaluation goes that far; for ${evaluation.ip} it stops after ${evaluation.lookups} lookup${evaluation.lookups === 1 ? '' : 's'} (${evaluation.voidLookups} void) with ${evaluation.result}`
    : 'receivers return permerror';
  if (walk.lookupCount > SPF_LOOKUP_LIMIT) {
    const counted = walk.truncated ? `more than ${walk.lookupCount}` : String(walk.lookupCount);
    findings.push(legacyFinding('spf.too-many-lookups', `checking SPF for ${domain} takes ${counted} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of ${SPF_LOOKUP_LIMIT}: ${consequence}`, {
      subjects: [domain],
      evidence: tree,
      data: { lookups: walk.lookupCount, limit: SPF_LOOKUP_LIMIT, truncated: walk.truncated },
    }));
  }
  for (const node of allNodes(walk.root)) {
    for (const lookup of node.lookups.filter(l => (l.mxHosts ?? 0) > SPF_MX_HOST_LIMIT)) {
      findings.push(legacyFinding('spf.too-many-lookups', `${lookup.term} (in ${node.domain}) has ${lookup.mxHosts} MX hosts; receivers look up at most ${SPF_MX_HOST_LIMIT} and return permerror`, {
        subjects: [lookup.target!],
        evidence: [`${node.domain} TXT "${node.record}"`],
        data: { mxHosts: lookup.mxHosts, limit: SPF_MX_HOST_LIMIT },
      }));
    }
  }
  if (walk.voidLookups.length > SPF_VOID_LIMIT) {
    // More than two is a permerror for every message, as serious as too many lookups.
    findings.push(legacyFinding('spf.void-lookups', `${walk.voidLookups.length} lookups in the SPF of ${domain} find nothing (limit ${SPF_VOID_LIMIT}): ${walk.voidLookups.map(describeVoid).join(', ')}; ${consequence}`, {
      subjects: walk.voidLookups.map(v => v.target),
      evidence: walk.voidLookups.map(v => `${describeVoid(v)} (in ${v.domain}): ${v.target} has no records`),
      data: { voidLookups: walk.voidLookups.length, limit: SPF_VOID_LIMIT },
      severity: 'error',
    }));
  }
  return findings;
}

/** The result came from "all" or the default, not from a term naming the address. */
const unlisted = (evaluation: SpfEvaluation): boolean => /^[+\-~?]?all$/i.test(evaluation.path.at(-1)?.split(': ').at(-1) ?? 'all');

/** "a:gone.example", or "mx → MX host mx1.gone.example" for an MX host without addresses. */
const describeVoid = (v: SpfWalk['voidLookups'][number]): string => (v.mxHost ? `${v.term} → MX host ${v.target}` : v.term);

/** What the record says about servers it does not list. */
function endingFindings(root: SpfNode, domain: string): Finding[] {
  const evidence = [`${domain} TXT "${root.record}"`];
  const passing = passesEveryAddress(root);
  if (passing) {
    return [legacyFinding('spf.plus-all', `SPF of ${domain} passes mail from any address: ${passing.join(' → ')}`, { subjects: [domain], evidence, data: { chain: passing } })];
  }
  const ending = terminalAll(root);
  if (!ending || ending.qualifier === '-') return [];
  const subjects = [domain];
  switch (ending.qualifier) {
    case '~':
      return [legacyFinding('spf.soft-all', `SPF of ${domain} ends in ~all${ending.domain === domain ? '' : ` (via ${ending.domain})`}: mail from unlisted servers gets softfail, not fail`, { subjects, evidence, data: { all: '~all' } })];
    case '?':
      return [legacyFinding('spf.soft-all', `SPF of ${domain} ends in ?all${ending.domain === domain ? '' : ` (via ${ending.domain})`}: mail from unlisted servers gets neutral, as if there were no SPF`, { subjects, evidence, data: { all: '?all' } })];
    case 'default':
      return [legacyFinding('spf.soft-all', `SPF of ${domain} has neither "all" nor redirect=: mail from unlisted servers gets neutral (RFC 7208 §4.7)`, { subjects, evidence, data: { all: null } })];
    default:
      return [];
  }
}

/**
 * What check_host() gives the --ip address. pass says nothing; fail, softfail
 * and neutral mean the record does not list it; permerror and temperror are
 * never a pass: receivers fail or defer the check, whatever the record looks like.
 */
function verdictFindings(evaluation: SpfEvaluation): Finding[] {
  const { ip } = evaluation;
  const evidence = [...evaluation.path.map(step => `path: ${step}`), `${evaluation.lookups} of ${SPF_LOOKUP_LIMIT} DNS lookups, ${evaluation.voidLookups} void`, ...(evaluation.explanation ? [`explanation: ${evaluation.explanation}`] : [])];
  const data = { ip, result: evaluation.result, lookups: evaluation.lookups, voidLookups: evaluation.voidLookups };
  const subjects = [ip];
  switch (evaluation.result) {
    case 'pass':
    case 'none':
      return [];
    case 'permerror':
      return [legacyFinding('spf.permerror', `SPF permerror for ${ip} sending as ${evaluation.domain}: ${evaluation.reason}`, { subjects: [evaluation.domain], evidence, data })];
    case 'temperror':
      return [legacyFinding('spf.temperror', `SPF temperror for ${ip} sending as ${evaluation.domain}: ${evaluation.reason}`, { subjects: [evaluation.domain], evidence, data })];
    default:
      // fail is refused outright; softfail and neutral usually mean spam-folder or a DMARC failure.
      return [legacyFinding('spf.ip-not-authorized', `SPF ${evaluation.result} for ${ip} sending as ${evaluation.domain}: ${unlisted(evaluation) ? `the record does not list this address (${evaluation.reason})` : evaluation.reason}`, {
        subjects,
        evidence,
        data,
        severity: evaluation.result === 'fail' ? 'error' : 'warning',
      })];
  }
}
