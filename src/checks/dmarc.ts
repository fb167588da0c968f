// The DMARC policy receivers apply to mail from the domain, found by the DNS
// Tree Walk of RFC 9989 (its own record, else its Organizational Domain's),
// and whether the owner will get the reports it asks for (RFC 9990).
import { describeAnswer, type DnsClient } from '../net/dns/index.js';
import { discoverPolicy, effectivePolicy, walkDmarcTree, type DmarcLookup, type PolicyDiscovery } from '../auth/dmarc-discovery.js';
import { checkReportDestinations, type ReportDestination } from '../auth/dmarc-reports.js';
import { testingPolicy, type DmarcPolicy, type DmarcRecord } from '../auth/dmarc-record.js';
import { say } from '../causes.js';
import { defineCheck, finding, type Finding } from './define.js';

export default defineCheck({
  id: 'dmarc',
  title: 'DMARC policy',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: ['dns.servfail', 'dmarc.missing', 'dmarc.multiple', 'dmarc.syntax', 'dmarc.policy-none', 'dmarc.testing', 'dmarc.partial', 'dmarc.no-reports', 'dmarc.rua-unauthorized'],
  async run({ domain }, { net }) {
    const walk = await walkDmarcTree(domain, net.dns);
    const own = walk.lookups[0]!;
    const discovery = discoverPolicy(walk);
    const data: Record<string, unknown> = {
      treeWalk: walk.lookups.map(l => ({ name: `_dmarc.${l.domain}`, answer: l.outcome, records: [...l.records, ...l.others] })),
      organizationalDomain: discovery.organizationalDomain,
      policyDomain: discovery.policyDomain ?? null,
      record: discovery.record?.text ?? null,
    };
    const name = `_dmarc.${domain}`;
    // SERVFAIL: the domain's servers fail the lookup for receivers too, a DMARC temperror (RFC 7489 §6.6.3), not "no policy". A transport failure may be this machine's: inconclusive.
    if (own.outcome === 'servfail') {
      const failed = finding('dns.servfail', 'dmarcLookupFailed', { name, answer: own.outcome }, { subjects: [name], evidence: [describeAnswer(name, 'TXT', await net.dns.query(name, 'TXT'))], side: 'sender' });
      return { findings: [failed], data: { ...data, error: `the TXT lookup for ${name} failed (${own.outcome})` } };
    }
    if (!['records', 'nodata', 'nxdomain'].includes(own.outcome)) {
      return { findings: [], data: { ...data, error: `the TXT lookup for ${name} failed (${own.outcome})` }, status: 'info' };
    }
    // A record at the domain that cannot be used does not end the walk: receivers go on up the tree (RFC 9989 §4.10).
    const findings = recordShapeFindings(own);
    if (!discovery.record) {
      return { findings: findings.length ? findings : [await missingFinding(domain, walk.lookups, net.dns)], data };
    }
    const policyFindings = await recordFindings(domain, discovery, net.dns);
    return { findings: [...findings, ...policyFindings.findings], data: { ...data, ...policyFindings.data } };
  },
});

/** What is wrong with the TXT records at _dmarc.<domain> itself. */
function recordShapeFindings(own: DmarcLookup): Finding[] {
  const name = `_dmarc.${own.domain}`;
  const evidence = [...own.records, ...own.others].map(r => `${name} TXT "${r}"`);
  const subjects = [name];
  if (own.records.length > 1) {
    return [finding('dmarc.multiple', 'several', { name, count: own.records.length }, { subjects, evidence })];
  }
  if (own.invalid) {
    return [finding('dmarc.syntax', 'unreadable', { name, problem: own.invalid, reason: say('dmarcUnreadable', own.invalid) }, { subjects, evidence })];
  }
  const lookalike = own.records.length === 0 ? own.others.find(r => /v\s*=\s*DMARC|\bp\s*=\s*(none|quarantine|reject)\b/i.test(r)) : undefined;
  if (lookalike) {
    return [finding('dmarc.syntax', 'lookalike', { name, record: lookalike }, { subjects, evidence })];
  }
  return [];
}

async function missingFinding(domain: string, lookups: DmarcLookup[], dns: DnsClient): Promise<Finding> {
  const names = lookups.map(l => `_dmarc.${l.domain}`);
  const evidence = await Promise.all(names.map(async n => describeAnswer(n, 'TXT', await dns.query(n, 'TXT'))));
  return finding('dmarc.missing', 'none', { names, domain }, { subjects: [domain], evidence });
}

async function recordFindings(domain: string, discovery: PolicyDiscovery, dns: DnsClient): Promise<{ findings: Finding[]; data: Record<string, unknown> }> {
  const record = discovery.record!;
  const policyDomain = discovery.policyDomain!;
  const name = `_dmarc.${policyDomain}`;
  const details = { subjects: [name], evidence: [`${name} TXT "${record.text}"`] };
  const source: RecordSource = { domain, policyDomain, inherited: discovery.inherited };
  const findings: Finding[] = [];
  if (record.problems.length) {
    const policyTag = record.problems.some(p => POLICY_TAGS.includes(p.tag));
    const problems = record.problems.map(p => ({ ...p, reason: say('dmarcProblemReason', p) }));
    // A bad policy value changes what receivers do; a bad report address or flag only loses that tag.
    findings.push(finding('dmarc.syntax', 'problems', { source, problems }, { ...details, severity: policyTag ? 'error' : 'warning' }));
  }
  const policy = effectivePolicy(discovery);
  findings.push(...policyFindings(source, record, policy, details));
  if (!policy) return { findings, data: { policy: null } };
  if (!record.rua.length) findings.push(finding('dmarc.no-reports', 'noRua', { source }, details));
  const destinations = await checkReportDestinations(policyDomain, discovery.organizationalDomain, record, dns);
  findings.push(...destinations.filter(d => d.authorized === false).map(d => unauthorizedFinding(policyDomain, d, details.evidence)));
  return {
    findings,
    data: {
      policy,
      testing: record.testing,
      ...(record.testing ? { testingPolicy: testingPolicy(policy) } : {}),
      unknownTags: record.unknownTags,
      removedTags: record.removedTags,
      ...(record.removedTags.length ? { removedTagsNote: `${record.removedTags.join(', ')}: removed by RFC 9989, whose receivers ignore them; receivers that follow RFC 7489 still honour them` } : {}),
      reportDestinations: destinations,
    },
  };
}

/** The domain the diagnosis is about and the one whose record applies to it. */
type RecordSource = { domain: string; policyDomain: string; inherited: boolean };

/** The policy itself: monitoring only, testing, partial, or absent (RFC 9989). */
function policyFindings(source: RecordSource, record: DmarcRecord, policy: DmarcPolicy | undefined, details: { subjects: string[]; evidence: string[] }): Finding[] {
  const broken = brokenPolicyTags(record);
  if (!policy) return [finding('dmarc.syntax', record.p ? 'noPolicy' : 'noPolicyNorP', { source, broken }, details)];
  if (policy === 'none') {
    if (broken.length) return [finding('dmarc.policy-none', record.p ? 'brokenReadAsNone' : 'brokenReadAsNoneNorP', { source, broken }, details)];
    const tag = source.inherited && record.sp ? 'sp' : 'p';
    return [finding('dmarc.policy-none', 'none', { source, tag, policy: record[tag]! }, details)];
  }
  const findings: Finding[] = [];
  if (record.testing) {
    findings.push(finding('dmarc.testing', 'nextLower', { source, policy, testingPolicy: testingPolicy(policy) }, details));
  }
  if (record.pct !== undefined && record.pct < 100) {
    findings.push(finding('dmarc.partial', 'pct', { source, policy, pct: record.pct }, details));
  }
  const unprotected = source.inherited ? [] : (['sp', 'np'] as const).filter(tag => record[tag] === 'none');
  if (unprotected.length) {
    const messageId = unprotected.length === 2 ? 'bothUnprotected' : unprotected[0] === 'sp' ? 'subdomainsUnprotected' : 'nonExistentUnprotected';
    findings.push(finding('dmarc.policy-none', messageId, { source, policy, unprotected }, { ...details, severity: 'info' }));
  }
  return findings;
}

const POLICY_TAGS: readonly string[] = ['p', 'sp', 'np'];

/** The policy tags that make receivers fall back: a missing p= (no value), then each invalid policy value as published. */
function brokenPolicyTags(record: DmarcRecord): { tag: string; value?: string }[] {
  const invalid = record.problems.filter(p => POLICY_TAGS.includes(p.tag)).map(({ tag, value }) => ({ tag, value }));
  return !record.p && !invalid.some(t => t.tag === 'p') ? [{ tag: 'p' }, ...invalid] : invalid;
}

function unauthorizedFinding(policyDomain: string, destination: ReportDestination, evidence: string[]): Finding {
  const { tag, uri, domain, organization } = destination;
  return finding(
    'dmarc.rua-unauthorized',
    tag === 'rua' ? 'aggregate' : 'failure',
    { tag, uri, policyDomain, destination: domain, organization, authorizationName: destination.authorizationName! },
    { subjects: [uri], evidence: [...evidence, destination.authorizationEvidence!] },
  );
}
