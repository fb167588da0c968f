// The dmarc check on simulated worlds: policy discovery by the RFC 9989 tree
// walk, the policy's strength, and report addresses (RFC 9990).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import type { Report } from '../../src/report/schema.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

async function dmarcWorld(zone: SimZone, target = 'example.com'): Promise<Report> {
  const dns = await startSimDns({ [target]: { MX: [{ priority: 10, exchange: 'mx.example.com' }] }, ...zone });
  servers.push(dns);
  return diagnoseWorld(target, { dns, only: ['dmarc'] });
}

const record = (...txt: string[]): SimZone => ({ '_dmarc.example.com': { TXT: txt.map(t => [t]) } });
const findingOf = (report: Report, cause: string) => checkOf(report, 'dmarc').findings.find(f => f.cause === cause)!;
type Finding = ReturnType<typeof findingOf>;
/** The published policy and the one t=y asks for. */
const policiesOf = (f: Finding) => [f.data?.['policy'], f.data?.['testingPolicy']];
/** Each problem's tag, value as published, and code. */
const problemsOf = (f: Finding) => (f.data?.['problems'] as { tag: string; value: string; code: string }[]).map(p => [p.tag, p.value, p.code]);

test('p=reject with an address at the domain: nothing to report', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(report, 'dmarc'), []);
  assert.equal(checkOf(report, 'dmarc').data['policy'], 'reject');
});

test('dmarc.missing after walking up to the TLD', async () => {
  const report = await dmarcWorld({});
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.missing:warning']);
  assert.equal(findingOf(report, 'dmarc.missing').evidence.length, 2);
  assert.deepEqual(findingOf(report, 'dmarc.missing').data, { names: ['_dmarc.example.com', '_dmarc.com'], domain: 'example.com' });
});

test('dmarc.multiple: every record is discarded', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject', 'v=DMARC1; p=none'));
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.multiple:error']);
  assert.deepEqual(findingOf(report, 'dmarc.multiple').data, { name: '_dmarc.example.com', count: 2 });
});

test('dmarc.syntax: an unreadable record, a bad policy value, a record that does not start with v=DMARC1', async () => {
  const unreadable = await dmarcWorld(record('v=DMARC1; p=reject; p=none'));
  assert.deepEqual(causesOf(unreadable, 'dmarc'), ['dmarc.syntax:error']);
  assert.deepEqual(findingOf(unreadable, 'dmarc.syntax').data, { name: '_dmarc.example.com', problem: { code: 'repeated', name: 'p' }, reason: 'p= appears more than once' });
  const badPolicy = await dmarcWorld(record('v=DMARC1; p=rejct; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(badPolicy, 'dmarc'), ['dmarc.syntax:error', 'dmarc.policy-none:warning']);
  assert.deepEqual(findingOf(badPolicy, 'dmarc.syntax').data?.['problems'], [
    { tag: 'p', value: 'rejct', code: 'notOneOf', allowed: ['none', 'quarantine', 'reject'], reason: 'p= must be one of none, quarantine, reject' },
  ]);
  const lookalike = await dmarcWorld(record('p=reject; v=DMARC1'));
  assert.deepEqual(causesOf(lookalike, 'dmarc'), ['dmarc.syntax:error']);
  assert.equal(findingOf(lookalike, 'dmarc.syntax').messageId, 'lookalike');
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=reject; adkim=x; rua=mailto:dmarc@example.com')), 'dmarc'), ['dmarc.syntax:warning']);
});

test('unknown tags are ignored: no finding, listed in the data', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; x-vendor=42; rua=mailto:dmarc@example.com; future=1'));
  assert.deepEqual(causesOf(report, 'dmarc'), []);
  assert.deepEqual(checkOf(report, 'dmarc').data['unknownTags'], ['x-vendor', 'future']);
});

test('dmarc.policy-none for p=none, and for a record without p= but with rua (RFC 9989)', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=none; rua=mailto:dmarc@example.com')), 'dmarc'), ['dmarc.policy-none:warning']);
  const noPolicy = await dmarcWorld(record('v=DMARC1; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(noPolicy, 'dmarc'), ['dmarc.policy-none:warning']);
  const readAsNone = findingOf(noPolicy, 'dmarc.policy-none');
  assert.equal(readAsNone.messageId, 'brokenReadAsNoneNorP');
  assert.deepEqual(readAsNone.data?.['broken'], [{ tag: 'p' }]);
});

test('a record with neither p= nor rua= applies no DMARC', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; adkim=s')), 'dmarc'), ['dmarc.syntax:error']);
});

test('dmarc.testing for t=y names the next lower policy receivers apply (RFC 9989 §4.7); dmarc.partial for pct below 100', async () => {
  const testing = await dmarcWorld(record('v=DMARC1; p=reject; t=y; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(testing, 'dmarc'), ['dmarc.testing:warning']);
  assert.equal(findingOf(testing, 'dmarc.testing').messageId, 'nextLower');
  assert.deepEqual(policiesOf(findingOf(testing, 'dmarc.testing')), ['reject', 'quarantine']);
  assert.equal(checkOf(testing, 'dmarc').data['testingPolicy'], 'quarantine');
  const quarantine = await dmarcWorld(record('v=DMARC1; p=quarantine; t=y; rua=mailto:dmarc@example.com'));
  assert.deepEqual(policiesOf(findingOf(quarantine, 'dmarc.testing')), ['quarantine', 'none']);
  const partial = await dmarcWorld(record('v=DMARC1; p=quarantine; pct=20; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(partial, 'dmarc'), ['dmarc.partial:info']);
  assert.equal(findingOf(partial, 'dmarc.partial').data?.['pct'], 20);
  assert.deepEqual(checkOf(partial, 'dmarc').data['removedTags'], ['pct']);
});

test('sp=none or np=none under an enforcing p= is a note about subdomains', async () => {
  const cases = [
    ['sp=none', 'subdomainsUnprotected', ['sp']],
    ['np=none', 'nonExistentUnprotected', ['np']],
    ['sp=none; np=none', 'bothUnprotected', ['sp', 'np']],
  ] as const;
  for (const [tags, messageId, unprotected] of cases) {
    const report = await dmarcWorld(record(`v=DMARC1; p=reject; ${tags}; rua=mailto:dmarc@example.com`));
    assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.policy-none:info'], tags);
    const note = findingOf(report, 'dmarc.policy-none');
    assert.deepEqual([note.messageId, note.data?.['policy'], note.data?.['unprotected']], [messageId, 'reject', unprotected], tags);
  }
});

test('dmarc.no-reports without rua=', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=reject')), 'dmarc'), ['dmarc.no-reports:info']);
});

test('dmarc.rua-unauthorized: an address at another organisation without its _report._dmarc record', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; rua=mailto:agg@reports.example.net; ruf=mailto:fail@reports.example.net'));
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.rua-unauthorized:warning', 'dmarc.rua-unauthorized:warning']);
  assert.equal(findingOf(report, 'dmarc.rua-unauthorized').data?.['authorizationName'], 'example.com._report._dmarc.reports.example.net');
  assert.deepEqual(checkOf(report, 'dmarc').findings.map(f => [f.messageId, f.data?.['uri']]), [['aggregate', 'mailto:agg@reports.example.net'], ['failure', 'mailto:fail@reports.example.net']]);
});

test('an external address that authorises the domain is fine', async () => {
  const report = await dmarcWorld({
    ...record('v=DMARC1; p=reject; rua=mailto:agg@reports.example.net'),
    'example.com._report._dmarc.reports.example.net': { TXT: [['v=DMARC1']] },
  });
  assert.deepEqual(causesOf(report, 'dmarc'), []);
});

test('an address at a subdomain of the same organisation (by the tree walk) needs no authorisation', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; rua=mailto:agg@reports.example.com'));
  assert.deepEqual(causesOf(report, 'dmarc'), []);
  const [destination] = checkOf(report, 'dmarc').data['reportDestinations'] as { organization: string; external: boolean }[];
  assert.deepEqual([destination!.organization, destination!.external], ['example.com', false]);
});

test('a subdomain without its own record inherits the organisation\'s sp=', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@example.com'), 'mail.example.com');
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.policy-none:warning']);
  assert.equal(checkOf(report, 'dmarc').data['policyDomain'], 'example.com');
  const inherited = findingOf(report, 'dmarc.policy-none');
  assert.equal(inherited.messageId, 'none');
  assert.deepEqual([inherited.data?.['tag'], inherited.data?.['source']], ['sp', { domain: 'mail.example.com', policyDomain: 'example.com', inherited: true }]);
  assert.equal(inherited.message, 'mail.example.com has no usable DMARC record of its own; the tree walk continues and the record at _dmarc.example.com applies: sp=none; failing mail is delivered as usual');
});

test('a failing _dmarc lookup is the domain\'s DNS failing (receivers get a temperror too), not dmarc.missing and not a pass', async () => {
  const report = await dmarcWorld({ '_dmarc.example.com': 'SERVFAIL' });
  assert.deepEqual(causesOf(report, 'dmarc'), ['dns.servfail:error']);
  assert.equal(findingOf(report, 'dns.servfail').messageId, 'dmarcLookupFailed');
  assert.equal(findingOf(report, 'dns.servfail').side, 'sender');
  assert.notEqual(checkOf(report, 'dmarc').status, 'pass');
});

test('RFC 9989 §4.10: an unreadable record on a subdomain does not end the walk; the organisation\'s record applies', async () => {
  const report = await dmarcWorld({
    'mail.example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    '_dmarc.mail.example.com': { TXT: [['v=DMARC1; p=reject; p=none']] },
    '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.com']] },
  }, 'mail.example.com');
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.syntax:error']);
  assert.equal(checkOf(report, 'dmarc').data['policyDomain'], 'example.com');
  assert.equal(checkOf(report, 'dmarc').data['policy'], 'quarantine');
});

test('RFC 9989 §4.8: a malformed tag-spec is a warning that names it; the policy still applies', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; tagonly; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.syntax:warning']);
  assert.deepEqual(problemsOf(findingOf(report, 'dmarc.syntax')), [['', 'tagonly', 'malformed']]);
  assert.equal(checkOf(report, 'dmarc').data['policy'], 'reject');
  const spaced = await dmarcWorld(record(' v=DMARC1; p=reject; fo=2; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(spaced, 'dmarc'), ['dmarc.syntax:warning']);
  assert.deepEqual(problemsOf(findingOf(spaced, 'dmarc.syntax')), [['v', 'DMARC1', 'leadingSpace'], ['fo', '2', 'failureOptions']]);
  assert.equal(
    findingOf(report, 'dmarc.syntax').message,
    '_dmarc.example.com: "tagonly" ("tagonly" has no "="; receivers ignore it (RFC 9989 §4.8))',
  );
});

test('an invalid sp= or np= is named, not blamed on p=', async () => {
  const withRua = await dmarcWorld(record('v=DMARC1; p=reject; np=nope; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(withRua, 'dmarc'), ['dmarc.syntax:error', 'dmarc.policy-none:warning']);
  const readAsNone = findingOf(withRua, 'dmarc.policy-none');
  assert.deepEqual([readAsNone.messageId, readAsNone.data?.['broken']], ['brokenReadAsNone', [{ tag: 'np', value: 'nope' }]]);
  const withoutRua = await dmarcWorld(record('v=DMARC1; p=reject; sp=rejectt'));
  const noPolicy = checkOf(withoutRua, 'dmarc').findings.at(-1)!;
  assert.deepEqual([noPolicy.cause, noPolicy.messageId, noPolicy.data?.['broken']], ['dmarc.syntax', 'noPolicy', [{ tag: 'sp', value: 'rejectt' }]]);
});
