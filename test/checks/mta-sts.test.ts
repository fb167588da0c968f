import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mxMatchesPattern, parseStsPolicy, parseStsRecord } from '../../src/checks/mta-sts.js';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import { startSimHttps, type SimHttpsReply, type SimHttpsServer } from '../../src/sim/https-server.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';

const PATH = '/.well-known/mta-sts.txt';
const policy = (mode: string, ...mx: string[]) => `version: STSv1\r\nmode: ${mode}\r\n${mx.map(m => `mx: ${m}\r\n`).join('')}max_age: 604800\r\n`;

/** Every case is a domain with MX mx.example.net, an _mta-sts record and a policy host at 192.0.2.20 (or .21: self-signed certificate; .22: expired). */
const CASES: Record<string, SimHttpsReply> = {
  'ok.example': { kind: 'body', body: policy('enforce', 'mx.example.net') },
  'wildcard.example': { kind: 'body', body: policy('enforce', '*.example.net') },
  'wrongmx.example': { kind: 'body', body: policy('enforce', 'mail.wrongmx.example') },
  'deepwildcard.example': { kind: 'body', body: policy('enforce', '*.net') },
  'testing.example': { kind: 'body', body: policy('testing', 'mail.testing.example') },
  'none.example': { kind: 'body', body: 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n' },
  'lf.example': { kind: 'body', body: 'version: STSv1\nmode: enforce\nmx: mx.example.net\nmax_age: 86400\n' },
  'oversized.example': { kind: 'oversized', bytes: 10 * 1024 * 1024 },
  'redirect.example': { kind: 'redirect', location: 'https://policies.example.org/mta-sts.txt' },
  'notfound.example': { kind: 'body', status: 404, body: 'no' },
  'html.example': { kind: 'body', contentType: 'text/html', body: policy('enforce', 'mx.example.net') },
  'noversion.example': { kind: 'body', body: 'mode: enforce\r\nmx: mx.example.net\r\nmax_age: 86400\r\n' },
  'nomx.example': { kind: 'body', body: 'version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n' },
  'slow.example': { kind: 'slow', intervalMs: 50 },
};

const POLICY_HOSTS: Record<string, string> = { 'badcert.example': '192.0.2.21', 'stale.example': '192.0.2.22' };
const ca = createCa();
let dns: SimDnsServer;
let https: SimHttpsServer;
let selfSigned: SimHttpsServer;
let expired: SimHttpsServer;

before(async () => {
  const names = [...Object.keys(CASES), 'badcert.example', 'stale.example', 'twotxt.example', 'badtxt.example', 'nohost.example', 'none-at-all.example'];
  const cert = createCertificate({ commonName: 'mta-sts', altNames: names.map(n => `mta-sts.${n}`), issuer: ca });
  https = await startSimHttps({ cert: cert.certPem, key: cert.keyPem, routes: Object.fromEntries(Object.entries(CASES).map(([d, reply]) => [`mta-sts.${d}${PATH}`, reply])) });
  const self = createCertificate({ commonName: 'mta-sts.badcert.example', altNames: ['mta-sts.badcert.example'] });
  selfSigned = await startSimHttps({ cert: self.certPem, key: self.keyPem, routes: { [`mta-sts.badcert.example${PATH}`]: { kind: 'body', body: policy('enforce', 'mx.example.net') } } });
  const DAY_MS = 86_400_000;
  const stale = createCertificate({ commonName: 'mta-sts.stale.example', altNames: ['mta-sts.stale.example'], issuer: ca, notBefore: new Date(Date.now() - 100 * DAY_MS), notAfter: new Date(Date.now() - 10 * DAY_MS) });
  expired = await startSimHttps({ cert: stale.certPem, key: stale.keyPem, routes: { [`mta-sts.stale.example${PATH}`]: { kind: 'body', body: policy('enforce', 'mx.example.net') } } });
  const zone: SimZone = { 'mx.example.net': { A: ['192.0.2.10'] } };
  for (const name of names) {
    zone[name] = { MX: [{ priority: 10, exchange: 'mx.example.net' }] };
    zone[`_mta-sts.${name}`] = { TXT: [['v=STSv1; id=20240101T000000']] };
    zone[`mta-sts.${name}`] = { A: [POLICY_HOSTS[name] ?? '192.0.2.20'] };
  }
  zone['_mta-sts.twotxt.example'] = { TXT: [['v=STSv1; id=1'], ['v=STSv1; id=2']] };
  zone['_mta-sts.badtxt.example'] = { TXT: [['v=STSv1; id=not-alnum!']] };
  zone['mta-sts.nohost.example'] = 'NXDOMAIN';
  zone['_mta-sts.none-at-all.example'] = { TXT: [['some-verification=abc']] };
  dns = await startSimDns(zone);
});
after(async () => {
  await Promise.all([dns.close(), https.close(), selfSigned.close(), expired.close()]);
});

const diagnoseSts = (domain: string, timeoutMs = 2000) =>
  diagnoseWorld(domain, {
    dns,
    ports: { '192.0.2.20:443': https.port, '192.0.2.21:443': selfSigned.port, '192.0.2.22:443': expired.port },
    only: ['mta-sts'],
    options: { caCerts: [ca.certPem], timeoutMs },
  });

/** Which of mta-sts.invalid's messages the check chose. */
const messageIds = (report: Awaited<ReturnType<typeof diagnoseSts>>) => checkOf(report, 'mta-sts').findings.map(f => f.messageId);

test('a valid enforce policy listing the MX is fine, exact or by one-label wildcard', async () => {
  for (const domain of ['ok.example', 'wildcard.example', 'lf.example']) {
    const report = await diagnoseSts(domain);
    assert.deepEqual(causesOf(report, 'mta-sts'), [], domain);
    const data = checkOf(report, 'mta-sts').data as { policy: { mode: string }; mxMatches: { host: string; pattern: string }[] };
    assert.equal(data.policy.mode, 'enforce');
    assert.equal(data.mxMatches[0]!.host, 'mx.example.net');
  }
});

test('a policy that does not list the MX host is invalid in enforce mode, info in testing mode', async () => {
  const wrongMx = await diagnoseSts('wrongmx.example');
  assert.deepEqual(causesOf(wrongMx, 'mta-sts'), ['mta-sts.invalid:warning']);
  const unlisted = checkOf(wrongMx, 'mta-sts').findings[0]!;
  assert.equal(unlisted.messageId, 'mxUnlisted');
  assert.deepEqual(unlisted.data, { domain: 'wrongmx.example', mode: 'enforce', unlisted: ['mx.example.net'], allowed: ['mail.wrongmx.example'] });
  assert.deepEqual(causesOf(await diagnoseSts('deepwildcard.example'), 'mta-sts'), ['mta-sts.invalid:warning']);
  assert.deepEqual(causesOf(await diagnoseSts('testing.example'), 'mta-sts'), ['mta-sts.invalid:info']);
  assert.deepEqual(causesOf(await diagnoseSts('none.example'), 'mta-sts'), []);
});

test('fetch problems make the policy invalid: oversized, redirect, 404, wrong type, bad certificate, slow', async () => {
  const expected = { 'oversized.example': 'tooLarge', 'redirect.example': 'redirect', 'notfound.example': 'httpStatus', 'html.example': 'notTextPlain', 'badcert.example': 'certInvalid', 'stale.example': 'certOutOfDate' };
  for (const [domain, messageId] of Object.entries(expected)) {
    const report = await diagnoseSts(domain);
    assert.deepEqual(causesOf(report, 'mta-sts'), ['mta-sts.invalid:warning'], domain);
    assert.deepEqual(messageIds(report), [messageId], domain);
  }
  const redirect = checkOf(await diagnoseSts('redirect.example'), 'mta-sts').data as { fetch: { status: number; location: string }[] };
  assert.deepEqual(redirect.fetch.map(f => [f.status, f.location]), [[301, 'https://policies.example.org/mta-sts.txt']]);
  assert.ok(!https.log.some(r => r.startsWith('policies.example.org')), 'the redirect was not followed');
  const badcert = checkOf(await diagnoseSts('badcert.example'), 'mta-sts').data as { fetch: { kind: string; reason: string }[] };
  assert.equal(badcert.fetch[0]!.kind, 'cert-invalid');
  // Only dates refused by this clock are a policy certificate a wrong clock could explain; an untrusted one is not.
  const stale = checkOf(await diagnoseSts('stale.example'), 'mta-sts').findings[0]!;
  assert.deepEqual(stale.data, { domain: 'stale.example', url: 'https://mta-sts.stale.example/.well-known/mta-sts.txt', host: 'mta-sts.stale.example', reason: 'CERT_HAS_EXPIRED' });
  assert.equal(stale.side, 'recipient');
  const slow = await diagnoseSts('slow.example', 300);
  assert.deepEqual(causesOf(slow, 'mta-sts'), ['mta-sts.invalid:warning']);
  assert.deepEqual(messageIds(slow), ['downloadTimedOut']);
});

test('malformed policies and records are invalid; a policy host without address too', async () => {
  const expected = { 'noversion.example': 'policyVersion', 'nomx.example': 'policyNoMx', 'twotxt.example': 'severalRecords', 'badtxt.example': 'recordBadId', 'nohost.example': 'noAddress' };
  for (const [domain, messageId] of Object.entries(expected)) {
    const report = await diagnoseSts(domain);
    assert.deepEqual(causesOf(report, 'mta-sts'), ['mta-sts.invalid:warning'], domain);
    assert.deepEqual(messageIds(report), [messageId], domain);
  }
  assert.ok(!https.log.some(r => r.startsWith('mta-sts.twotxt.example')), 'no policy fetch without exactly one record');
});

test('no STSv1 record means no MTA-STS and no finding', async () => {
  const report = await diagnoseSts('none-at-all.example');
  assert.deepEqual(causesOf(report, 'mta-sts'), []);
  assert.deepEqual(checkOf(report, 'mta-sts').data, { record: null });
});

test('record syntax (RFC 8461 §3.1)', () => {
  assert.deepEqual(parseStsRecord('v=STSv1; id=20160831085700Z;'), { ok: true, id: '20160831085700Z' });
  assert.deepEqual(parseStsRecord('v=STSv1;id=abc; ext_1=value'), { ok: true, id: 'abc' });
  assert.deepEqual(parseStsRecord('v=STSv1'), { ok: false, problem: { messageId: 'recordNoId', data: {} } });
  assert.deepEqual(parseStsRecord('v=STSv1; id=a; id=b'), { ok: false, problem: { messageId: 'recordSeveralIds', data: {} } });
  assert.deepEqual(parseStsRecord('v=STSv1; id=' + 'a'.repeat(33)), { ok: false, problem: { messageId: 'recordBadId', data: { id: 'a'.repeat(33) } } });
  assert.deepEqual(parseStsRecord('v=STSV1; id=abc'), { ok: false, problem: { messageId: 'recordVersion', data: { version: 'v=STSV1' } } });
  assert.deepEqual(parseStsRecord('id=abc; v=STSv1'), { ok: false, problem: { messageId: 'recordVersion', data: { version: 'id=abc' } } });
  assert.deepEqual(parseStsRecord('v=STSv1; id=abc; junk'), { ok: false, problem: { messageId: 'recordField', data: { field: 'junk' } } });
});

test('mx patterns: a wildcard stands for exactly one label (RFC 8461 §4.1)', () => {
  assert.equal(mxMatchesPattern('mail.example.com', 'mail.example.com'), true);
  assert.equal(mxMatchesPattern('Mail.Example.com.', 'mail.example.com'), true);
  assert.equal(mxMatchesPattern('mail.example.com', '*.example.com'), true);
  assert.equal(mxMatchesPattern('a.b.example.com', '*.example.com'), false);
  assert.equal(mxMatchesPattern('example.com', '*.example.com'), false);
  assert.equal(mxMatchesPattern('mail.example.com', 'example.com'), false);
});

test('policy parsing reports what is wrong', async () => {
  assert.deepEqual(await parseStsPolicy(policy('enforce', 'a.example.com', '*.example.org')), { ok: true, policy: { mode: 'enforce', maxAge: 604800, mx: ['a.example.com', '*.example.org'] } });
  const badMode = await parseStsPolicy('version: STSv1\nmode: strict\nmx: a.example.com\nmax_age: 1\n');
  assert.deepEqual(badMode, { ok: false, problem: { messageId: 'policyMode', data: {} } });
  const noMaxAge = await parseStsPolicy('version: STSv1\nmode: enforce\nmx: a.example.com\n');
  assert.deepEqual(noMaxAge, { ok: false, problem: { messageId: 'policyMaxAge', data: {} } });
});

test('policy grammar (RFC 8461 §3.2) beyond what mailauth checks: max_age digits only, mx a host name or "*." pattern', async () => {
  const withLines = (...lines: string[]) => parseStsPolicy(['version: STSv1', 'mode: enforce', ...lines].join('\r\n'));
  for (const maxAge of ['1.5', '0x10', '1e3', '-0', ' ', '86400s', '12345678901']) {
    const parsed = await withLines('mx: a.example.com', `max_age: ${maxAge}`);
    // Values mailauth's reading refuses (policyMaxAge) or the grammar does (policyMaxAgeDigits, with the value).
    assert.ok(!parsed.ok && ['policyMaxAge', 'policyMaxAgeDigits'].includes(parsed.problem.messageId), `max_age: ${maxAge}`);
  }
  for (const mx of ['', 'a.example.com b.example.com', '*.*.example.com', 'mx_1.example.com', 'a..example.com', 'https://a.example.com']) {
    const parsed = await withLines(`mx: ${mx}`, 'max_age: 86400');
    assert.ok(!parsed.ok && ['policyNoMx', 'policyMxPattern'].includes(parsed.problem.messageId), `mx: ${mx}`);
  }
  assert.ok((await withLines('mx: A.Example.COM.', 'mx: *.example.org', 'max_age: 0086400')).ok);
  assert.deepEqual(await withLines('mx: a.example.com', 'max_age: 1.5'), { ok: false, problem: { messageId: 'policyMaxAgeDigits', data: { value: '1.5' } } });
  assert.deepEqual(await withLines('mx: mx_1.example.com', 'max_age: 86400'), { ok: false, problem: { messageId: 'policyMxPattern', data: { value: 'mx_1.example.com' } } });
});
