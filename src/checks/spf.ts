// The domain's SPF record as a receiver evaluates it (RFC 7208): one record,
// valid syntax, within the DNS lookup limits through every include, and an
// ending that says what happens to everyone else. With --ip, check_host() for
// that address (with --from and --helo as its sender and HELO), and the path
// that decided it.
import { say } from '../causes.js';
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
import { defineCheck, finding, type Finding } from './define.js';

export default defineCheck({
  id: 'spf',
  title: 'SPF record',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: [
    'dns.servfail',
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
        return { findings: [finding('spf.missing', 'none', { domain, absence: root.absence! }, { subjects: [domain], evidence: [answer] })], data };
      }
      case 'dns-error': {
        const failure = { ...data, error: `the TXT lookup for ${domain} failed: ${root.problem}` };
        const answer = await net.dns.query(domain, 'TXT');
        // SERVFAIL: the domain's servers fail the lookup for receivers too, a temperror for its mail (RFC 7208 §2.6.6). A transport failure may be this machine's: inconclusive.
        if (answer.kind !== 'servfail') return { findings: [], data: failure, status: 'info' };
        return { findings: [finding('dns.servfail', 'spfLookupFailed', { domain, answer: answer.kind }, { subjects: [domain], evidence: [describeAnswer(domain, 'TXT', answer)], side: 'sender' })], data: failure };
      }
      case 'multiple':
        return {
          findings: [finding('spf.multiple', 'here', { domain, records: root.records!.length }, { subjects: [domain], evidence: root.records!.map(r => `${domain} TXT "${r}"`) })],
          data,
        };
      case 'syntax':
        return { findings: [syntaxFinding(root)], data };
    }
    const findings = [...nestedRecordFindings(walk), ...limitFindings(walk, domain, evaluation), ...endingFindings(root, domain)];
    return { findings: evaluation ? [...findings, ...verdictFindings(evaluation)] : findings, data };
  },
});

/** The SMTP identities of the evaluation: --from (else postmaster@domain, as a bounce is never what is asked) and --helo. */
const identityOf = (domain: string, ip: string, options: RunOptions) => ({ ip, mailFrom: options.from || `postmaster@${domain}`, helo: options.helo, domain });

/** A record with a syntax error: the domain's own, or one reached through `via` (an include or redirect). */
function syntaxFinding(node: SpfNode, via?: string): Finding {
  const { term, problem, reason } = node.syntaxError!;
  const data = { domain: node.domain, term, reason, problem };
  const details = { subjects: [node.domain], evidence: [`${node.domain} TXT "${node.record}"`] };
  return via ? finding('spf.syntax', 'nested', { ...data, via }, details) : finding('spf.syntax', 'here', data, details);
}

/** Records pulled in by include:/redirect= that end evaluation in a permerror. */
function nestedRecordFindings(walk: SpfWalk): Finding[] {
  const findings: Finding[] = [];
  for (const parent of allNodes(walk.root)) {
    for (const { term, child } of parent.lookups) {
      if (!child) continue;
      const subjects = [child.domain];
      const site = { term, parent: parent.domain, domain: child.domain };
      if (child.status === 'syntax') findings.push(syntaxFinding(child, term));
      if (child.status === 'multiple') {
        findings.push(finding('spf.multiple', 'nested', { ...site, records: child.records!.length }, { subjects, evidence: child.records!.map(r => `${child.domain} TXT "${r}"`) }));
      }
      if (child.status === 'none') {
        findings.push(finding('spf.include-missing', 'none', { ...site, absence: child.absence! }, { subjects, evidence: [`${parent.domain} TXT "${parent.record}"`] }));
      }
    }
  }
  for (const loop of includeLoops(walk.root)) {
    findings.push(finding('spf.too-many-lookups', 'loop', { loop, limit: SPF_LOOKUP_LIMIT }, { subjects: [loop.at(-1)!], evidence: renderSpfTree(walk.root) }));
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
  // With --ip, what the limit means for that address unless its own evaluation hit it.
  const offPath = evaluation && evaluation.result !== 'permerror' ? { ip: evaluation.ip, ipLookups: evaluation.lookups, ipVoidLookups: evaluation.voidLookups, ipResult: evaluation.result } : undefined;
  if (walk.lookupCount > SPF_LOOKUP_LIMIT) {
    const data = { domain, lookups: walk.lookupCount, limit: SPF_LOOKUP_LIMIT, truncated: walk.truncated };
    const details = { subjects: [domain], evidence: renderSpfTree(walk.root) };
    if (offPath) findings.push(finding('spf.too-many-lookups', walk.truncated ? 'overLimitUncountedIpStopsEarlier' : 'overLimitIpStopsEarlier', { ...data, ...offPath }, details));
    else findings.push(finding('spf.too-many-lookups', walk.truncated ? 'overLimitUncounted' : 'overLimit', data, details));
  }
  for (const node of allNodes(walk.root)) {
    for (const lookup of node.lookups.filter(l => (l.mxHosts ?? 0) > SPF_MX_HOST_LIMIT)) {
      findings.push(finding('spf.too-many-lookups', 'mxHosts', { mxHosts: lookup.mxHosts!, limit: SPF_MX_HOST_LIMIT, term: lookup.term, domain: node.domain }, {
        subjects: [lookup.target!],
        evidence: [`${node.domain} TXT "${node.record}"`],
      }));
    }
  }
  if (walk.voidLookups.length > SPF_VOID_LIMIT) {
    const data = { voidLookups: walk.voidLookups.length, limit: SPF_VOID_LIMIT, domain, voids: walk.voidLookups };
    const details = {
      subjects: walk.voidLookups.map(v => v.target),
      evidence: walk.voidLookups.map(v => `${say('spfVoids', [v])} (in ${v.domain}): ${v.target} has no records`),
      // More than two is a permerror for every message, as serious as too many lookups.
      severity: 'error' as const,
    };
    findings.push(offPath ? finding('spf.void-lookups', 'overLimitIpStopsEarlier', { ...data, ...offPath }, details) : finding('spf.void-lookups', 'overLimit', data, details));
  }
  return findings;
}

/** The result came from "all" or the default, not from a term naming the address. */
const unlisted = (evaluation: SpfEvaluation): boolean => /^[+\-~?]?all$/i.test(evaluation.path.at(-1)?.split(': ').at(-1) ?? 'all');

/** What the record says about servers it does not list. */
function endingFindings(root: SpfNode, domain: string): Finding[] {
  const evidence = [`${domain} TXT "${root.record}"`];
  const passing = passesEveryAddress(root);
  if (passing) return [finding('spf.plus-all', 'passesAll', { domain, chain: passing }, { subjects: [domain], evidence })];
  const ending = terminalAll(root);
  if (!ending || ending.qualifier === '-') return [];
  const details = { subjects: [domain], evidence };
  // The redirect= target whose record ends it, when that is not the domain's own.
  const via = ending.domain === domain ? undefined : ending.domain;
  switch (ending.qualifier) {
    case '~':
      return [via ? finding('spf.soft-all', 'softfailVia', { domain, via, all: '~all' }, details) : finding('spf.soft-all', 'softfail', { domain, all: '~all' }, details)];
    case '?':
      return [via ? finding('spf.soft-all', 'neutralVia', { domain, via, all: '?all' }, details) : finding('spf.soft-all', 'neutral', { domain, all: '?all' }, details)];
    case 'default':
      return [finding('spf.soft-all', 'noAll', { domain, all: null }, details)];
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
  const data = { ip, result: evaluation.result, lookups: evaluation.lookups, voidLookups: evaluation.voidLookups, domain: evaluation.domain, why: evaluation.why };
  switch (evaluation.result) {
    case 'pass':
    case 'none':
      return [];
    case 'permerror':
      return [finding('spf.permerror', 'permerror', data, { subjects: [evaluation.domain], evidence })];
    case 'temperror':
      return [finding('spf.temperror', 'temperror', data, { subjects: [evaluation.domain], evidence })];
    default:
      // fail is refused outright; softfail and neutral usually mean spam-folder or a DMARC failure.
      return [finding('spf.ip-not-authorized', unlisted(evaluation) ? 'unlisted' : 'refused', data, { subjects: [ip], evidence, severity: evaluation.result === 'fail' ? 'error' : 'warning' })];
  }
}
