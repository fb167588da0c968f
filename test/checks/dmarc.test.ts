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

test('p=reject with an address at the domain: nothing to report', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(report, 'dmarc'), []);
  assert.equal(checkOf(report, 'dmarc').data['policy'], 'reject');
});

test('dmarc.missing after walking up to the TLD', async () => {
  const report = await dmarcWorld({});
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.missing:warning']);
  assert.equal(findingOf(report, 'dmarc.missing').evidence.length, 2);
});

test('dmarc.multiple: every record is discarded', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject', 'v=DMARC1; p=none'));
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.multiple:error']);
});

test('dmarc.syntax: an unreadable record, a bad policy value, a record that does not start with v=DMARC1', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=reject; p=none')), 'dmarc'), ['dmarc.syntax:error']);
  const badPolicy = await dmarcWorld(record('v=DMARC1; p=rejct; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(badPolicy, 'dmarc'), ['dmarc.syntax:error', 'dmarc.policy-none:warning']);
  assert.deepEqual(causesOf(await dmarcWorld(record('p=reject; v=DMARC1')), 'dmarc'), ['dmarc.syntax:error']);
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
  assert.match(findingOf(noPolicy, 'dmarc.policy-none').message, /RFC 7489/);
});

test('a record with neither p= nor rua= applies no DMARC', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; adkim=s')), 'dmarc'), ['dmarc.syntax:error']);
});

test('dmarc.testing for t=y names the next lower policy receivers apply (RFC 9989 §4.7); dmarc.partial for pct below 100', async () => {
  const testing = await dmarcWorld(record('v=DMARC1; p=reject; t=y; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(testing, 'dmarc'), ['dmarc.testing:warning']);
  assert.match(findingOf(testing, 'dmarc.testing').message, /next lower policy, quarantine instead of reject/);
  assert.equal(checkOf(testing, 'dmarc').data['testingPolicy'], 'quarantine');
  const quarantine = await dmarcWorld(record('v=DMARC1; p=quarantine; t=y; rua=mailto:dmarc@example.com'));
  assert.match(findingOf(quarantine, 'dmarc.testing').message, /none instead of quarantine/);
  const partial = await dmarcWorld(record('v=DMARC1; p=quarantine; pct=20; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(partial, 'dmarc'), ['dmarc.partial:info']);
  assert.deepEqual(checkOf(partial, 'dmarc').data['removedTags'], ['pct']);
});

test('sp=none under an enforcing p= is a note about subdomains', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@example.com')), 'dmarc'), ['dmarc.policy-none:info']);
});

test('dmarc.no-reports without rua=', async () => {
  assert.deepEqual(causesOf(await dmarcWorld(record('v=DMARC1; p=reject')), 'dmarc'), ['dmarc.no-reports:info']);
});

test('dmarc.rua-unauthorized: an address at another organisation without its _report._dmarc record', async () => {
  const report = await dmarcWorld(record('v=DMARC1; p=reject; rua=mailto:agg@reports.example.net; ruf=mailto:fail@reports.example.net'));
  assert.deepEqual(causesOf(report, 'dmarc'), ['dmarc.rua-unauthorized:warning', 'dmarc.rua-unauthorized:warning']);
  assert.equal(findingOf(report, 'dmarc.rua-unauthorized').data?.['authorizationName'], 'example.com._report._dmarc.reports.example.net');
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
  assert.match(findingOf(report, 'dmarc.policy-none').message, /sp=none/);
});

test('a failing _dmarc lookup is inconclusive, not dmarc.missing', async () => {
  const report = await dmarcWorld({ '_dmarc.example.com': 'SERVFAIL' });
  assert.deepEqual(causesOf(report, 'dmarc'), []);
  assert.equal(checkOf(report, 'dmarc').status, 'info');
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
  assert.match(findingOf(report, 'dmarc.syntax').message, /"tagonly"/);
  assert.equal(checkOf(report, 'dmarc').data['policy'], 'reject');
  const spaced = await dmarcWorld(record(' v=DMARC1; p=reject; fo=2; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(spaced, 'dmarc'), ['dmarc.syntax:warning']);
  assert.match(findingOf(spaced, 'dmarc.syntax').message, /whitespace before "v=DMARC1".*fo=2/);
});

test('an invalid sp= or np= is named, not blamed on p=', async () => {
  const withRua = await dmarcWorld(record('v=DMARC1; p=reject; np=nope; rua=mailto:dmarc@example.com'));
  assert.deepEqual(causesOf(withRua, 'dmarc'), ['dmarc.syntax:error', 'dmarc.policy-none:warning']);
  assert.match(findingOf(withRua, 'dmarc.policy-none').message, /np=nope is not a policy, which RFC 9989 reads as p=none/);
  assert.doesNotMatch(findingOf(withRua, 'dmarc.policy-none').message, /no valid p=|no p=/);
  const withoutRua = await dmarcWorld(record('v=DMARC1; p=reject; sp=rejectt'));
  assert.match(checkOf(withoutRua, 'dmarc').findings.at(-1)!.message, /sp=rejectt is not a policy and no rua=/);
});
