// The DMARC policy receivers apply to mail from the domain, found by the DNS
// Tree Walk of RFC 9989 (its own record, else its Organizational Domain's),
// and whether the owner will get the reports it asks for (RFC 9990).
import { describeAnswer, type DnsClient } from '../net/dns/index.js';
import { discoverPolicy, effectivePolicy, walkDmarcTree, type DmarcLookup, type PolicyDiscovery } from '../auth/dmarc-discovery.js';
import { checkReportDestinations, type ReportDestination } from '../auth/dmarc-reports.js';
import { describeProblem, testingPolicy, type DmarcPolicy, type DmarcRecord } from '../auth/dmarc-record.js';
import { defineCheck, legacyFinding, type Finding } from './define.js';

export default defineCheck({
  id: 'dmarc',
  title: 'DMARC policy',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: ['dmarc.missing', 'dmarc.multiple', 'dmarc.syntax', 'dmarc.policy-none', 'dmarc.testing', 'dmarc.partial', 'dmarc.no-reports', 'dmarc.rua-unauthorized'],
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
    if (!['records', 'nodata', 'nxdomain'].includes(own.outcome)) {
      return { findings: [], data: { ...data, error: `the TXT lookup for _dmarc.${domain} failed (${own.outcome})` }, status: 'info' };
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
    return [legacyFinding('dmarc.multiple', `${name} has ${own.records.length} DMARC records; receivers discard them all (RFC 9989 §4.10)`, { subjects, evidence })];
  }
  if (own.invalid) {
    return [legacyFinding('dmarc.syntax', `the DMARC record at ${name} cannot be read: ${own.invalid}; receivers ignore it`, { subjects, evidence, data: { reason: own.invalid } })];
  }
  const lookalike = own.records.length === 0 ? own.others.find(r => /v\s*=\s*DMARC|\bp\s*=\s*(none|quarantine|reject)\b/i.test(r)) : undefined;
  if (lookalike) {
    return [legacyFinding('dmarc.syntax', `the TXT record at ${name} looks like DMARC but does not start with "v=DMARC1;", so receivers ignore it`, { subjects, evidence })];
  }
  return [];
}

async function missingFinding(domain: string, lookups: DmarcLookup[], dns: DnsClient): Promise<Finding> {
  const names = lookups.map(l => `_dmarc.${l.domain}`);
  const evidence = await Promise.all(names.map(async n => describeAnswer(n, 'TXT', await dns.query(n, 'TXT'))));
  return legacyFinding('dmarc.missing', `no DMARC record at ${names.join(', ')}: receivers apply no DMARC policy to mail from ${domain}`, { subjects: [domain], evidence });
}

async function recordFindings(domain: string, discovery: PolicyDiscovery, dns: DnsClient): Promise<{ findings: Finding[]; data: Record<string, unknown> }> {
  const record = discovery.record!;
  const policyDomain = discovery.policyDomain!;
  const name = `_dmarc.${policyDomain}`;
  const evidence = [`${name} TXT "${record.text}"`];
  const subjects = [name];
  const source = discovery.inherited ? `${domain} has no usable DMARC record of its own; the tree walk continues and the record at ${name} applies` : `${name}`;
  const findings: Finding[] = [];
  if (record.problems.length) {
    const policyTag = record.problems.some(p => POLICY_TAGS.includes(p.tag));
    findings.push(legacyFinding('dmarc.syntax', `${source}: ${record.problems.map(describeProblem).join('; ')}`, {
      subjects,
      evidence,
      data: { problems: record.problems },
      // A bad policy value changes what receivers do; a bad report address or flag only loses that tag.
      severity: policyTag ? 'error' : 'warning',
    }));
  }
  const policy = effectivePolicy(discovery);
  findings.push(...policyFindings(source, record, policy, discovery.inherited, { subjects, evidence }));
  if (!policy) return { findings, data: { policy: null } };
  if (!record.rua.length) findings.push(legacyFinding('dmarc.no-reports', `${source}: no rua= address, so no receiver sends aggregate reports`, { subjects, evidence }));
  const destinations = await checkReportDestinations(policyDomain, discovery.organizationalDomain, record, dns);
  findings.push(...destinations.filter(d => d.authorized === false).map(d => unauthorizedFinding(policyDomain, d, evidence)));
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

/** The policy itself: monitoring only, testing, partial, or absent (RFC 9989). */
function policyFindings(
  source: string,
  record: DmarcRecord,
  policy: DmarcPolicy | undefined,
  inherited: boolean,
  details: { subjects: string[]; evidence: string[] },
): Finding[] {
  const broken = brokenPolicyTags(record);
  if (!policy) {
    return [legacyFinding('dmarc.syntax', `${source}: ${broken} and no rua=, so RFC 9989 receivers apply no DMARC${record.p ? '' : ' and RFC 7489 receivers discard the record (p= is required there)'}`, details)];
  }
  if (policy === 'none') {
    const why = broken
      ? `${broken}, which RFC 9989 reads as p=none because rua= is set${record.p ? '' : ' (RFC 7489 receivers discard a record without p=)'}`
      : `${inherited && record.sp ? `sp=${record.sp}` : `p=${record.p}`}`;
    return [legacyFinding('dmarc.policy-none', `${source}: ${why}; failing mail is delivered as usual`, details)];
  }
  const findings: Finding[] = [];
  if (record.testing) {
    findings.push(legacyFinding('dmarc.testing', `${source}: t=y asks receivers to apply the next lower policy, ${testingPolicy(policy)} instead of ${policy} (RFC 9989 §4.7)`, details));
  }
  if (record.pct !== undefined && record.pct < 100) {
    findings.push(legacyFinding('dmarc.partial', `${source}: pct=${record.pct}; RFC 7489 receivers apply p=${policy} to ${record.pct}% of failing mail, RFC 9989 receivers ignore pct and apply it to all`, details));
  }
  const unprotected = inherited ? [] : (['sp', 'np'] as const).filter(tag => record[tag] === 'none');
  if (unprotected.length) {
    findings.push(legacyFinding('dmarc.policy-none', `${source}: p=${policy}, but ${unprotected.map(t => `${t}=none`).join(' and ')} leaves ${unprotected.includes('sp') ? 'subdomains' : 'non-existent subdomains'} unprotected`, {
      ...details,
      severity: 'info',
    }));
  }
  return findings;
}

const POLICY_TAGS: readonly string[] = ['p', 'sp', 'np'];

/** "no valid p=", "sp=rejct is not a policy": the policy tags that make receivers fall back, by name. */
function brokenPolicyTags(record: DmarcRecord): string {
  const invalid = record.problems.filter(p => POLICY_TAGS.includes(p.tag)).map(p => `${p.tag}=${p.value} is not a policy`);
  if (!record.p && !invalid.some(text => text.startsWith('p='))) invalid.unshift('no p=');
  return invalid.join(', ');
}

function unauthorizedFinding(policyDomain: string, destination: ReportDestination, evidence: string[]): Finding {
  const kind = destination.tag === 'rua' ? 'aggregate' : 'failure';
  return legacyFinding('dmarc.rua-unauthorized', `${destination.tag}=${destination.uri} is outside ${policyDomain}'s organisation and ${destination.authorizationName} has no "v=DMARC1" record, so receivers send no ${kind} reports there (RFC 9990)`, {
    subjects: [destination.uri],
    evidence: [...evidence, destination.authorizationEvidence!],
    data: { tag: destination.tag, destination: destination.domain, organization: destination.organization, authorizationName: destination.authorizationName },
  });
}
