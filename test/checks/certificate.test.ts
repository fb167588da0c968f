import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import certificate from '../../src/checks/certificate.js';
import type { CheckContext } from '../../src/checks/define.js';
import { parseTarget } from '../../src/cli/targets.js';
import { testNet } from '../helpers/net.js';
import type { TlsSession } from '../../src/pipeline/facts.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { createCa, createCertificate, daysFromNow, type CertificateSpec, type SimCertificate } from '../../src/sim/tls-certs.js';

const ca = createCa('Example Test Root');
const HOST = 'mx.example.com';
const DAY = 86_400_000;

const session = (chain: SimCertificate[], host = HOST, ip = '192.0.2.10'): TlsSession => ({
  host, ip, port: 25, preference: 10, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', chain: chain.map(c => c.der), legacy: false,
});

const issued = (spec: Partial<CertificateSpec> = {}) => createCertificate({ commonName: HOST, altNames: [HOST], issuer: ca, ...spec });

function context(target = 'example.com'): CheckContext {
  return {
    target: parseTarget(target),
    options: defaultRunOptions({ caCerts: [ca.certPem] }),
    net: testNet(100, [{ host: '127.0.0.1', port: 9 }]),
    signal: new AbortController().signal,
  };
}

async function judge(sessions: TlsSession[], target?: string) {
  const output = await certificate.run({ tlsSessions: sessions }, context(target));
  return { causes: output.findings.map(f => f.cause).sort(), output };
}

test('a valid certificate from a trusted CA for the MX name passes, and its facts are reported', async () => {
  const { causes, output } = await judge([session([issued({ key: 'rsa' })])]);
  assert.deepEqual(causes, []);
  const [reported] = (output.data as { certificates: Record<string, unknown>[] }).certificates;
  assert.equal(reported!.subject, `CN=${HOST}`);
  assert.equal(reported!.issuer, 'CN=Example Test Root');
  assert.deepEqual(reported!.altNames, [`DNS:${HOST}`]);
  assert.deepEqual(reported!.key, { type: 'rsa', bits: 2048 });
  assert.deepEqual(reported!.trust, { kind: 'trusted', anchor: 'CN=Example Test Root' });
  assert.deepEqual(reported!.addresses, ['192.0.2.10']);
});

test('self-signed and expired are both reported, as a strict sender sees them', async () => {
  const old = createCertificate({ commonName: HOST, altNames: [HOST], notBefore: new Date('2019-01-01'), notAfter: new Date('2020-01-01') });
  const { causes, output } = await judge([session([old])]);
  assert.deepEqual(causes, ['tls.cert-expired', 'tls.cert-untrusted']);
  assert.ok(output.findings.every(f => f.subjects.includes(HOST) && f.subjects.includes('192.0.2.10')));
});

test('an unknown CA is untrusted', async () => {
  const stranger = createCa('Unknown Root');
  const { causes } = await judge([session([createCertificate({ commonName: HOST, altNames: [HOST], issuer: stranger })])]);
  assert.deepEqual(causes, ['tls.cert-untrusted']);
});

test('an expired certificate from a trusted CA is only expired', async () => {
  const { causes, output } = await judge([session([issued({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-30) })])]);
  assert.deepEqual(causes, ['tls.cert-expired']);
  assert.equal(output.findings[0]!.severity, 'warning');
});

test('an expired intermediate counts too', async () => {
  const intermediate = createCertificate({ commonName: 'Example Intermediate', issuer: ca, isCa: true, notBefore: daysFromNow(-400), notAfter: daysFromNow(-1) });
  const leaf = createCertificate({ commonName: HOST, altNames: [HOST], issuer: intermediate });
  const { causes, output } = await judge([session([leaf, intermediate])]);
  assert.deepEqual(causes, ['tls.cert-expired']);
  const finding = output.findings[0]!;
  assert.equal(finding.messageId, 'intermediateExpired');
  assert.equal(finding.data?.['subject'], 'CN=Example Intermediate');
});

test('expiring within 14 days is a warning of its own', async () => {
  const { causes } = await judge([session([issued({ notAfter: daysFromNow(3) })])]);
  assert.deepEqual(causes, ['tls.cert-expiring']);
  assert.deepEqual((await judge([session([issued({ notAfter: daysFromNow(30) })])])).causes, []);
});

test('a certificate that is not valid yet', async () => {
  const { causes } = await judge([session([issued({ notBefore: daysFromNow(2), notAfter: daysFromNow(90) })])]);
  assert.deepEqual(causes, ['tls.cert-not-yet-valid']);
});

test('a certificate for another name does not cover the MX host; a wildcard does', async () => {
  assert.deepEqual((await judge([session([issued({ commonName: 'mail.other.example', altNames: ['mail.other.example'] })])])).causes, ['tls.cert-name-mismatch']);
  assert.deepEqual((await judge([session([issued({ commonName: 'wild', altNames: ['*.example.com'] })])])).causes, []);
  assert.deepEqual((await judge([session([issued({ commonName: 'wild', altNames: ['*.example.com'] })], 'a.mx.example.com')])).causes, ['tls.cert-name-mismatch']);
});

test('an IP target has no name to match', async () => {
  const { causes } = await judge([session([issued()], '192.0.2.10', '192.0.2.10')], '192.0.2.10');
  assert.deepEqual(causes, []);
});

test('addresses of one host with the same certificate make one finding; different certificates one each', async () => {
  const expired = issued({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-30) });
  const other = issued({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-30) });
  const { output } = await judge([session([expired], HOST, '192.0.2.10'), session([expired], HOST, '2001:db8::10'), session([other], HOST, '192.0.2.11')]);
  assert.deepEqual(output.findings.map(f => f.subjects), [[HOST, '192.0.2.10', '2001:db8::10'], [HOST, '192.0.2.11']]);
  assert.deepEqual(output.findings[0]!.data?.['server'], { host: HOST, ips: ['192.0.2.10', '2001:db8::10'] });
  assert.match(output.findings[0]!.message, /^the certificate of mx\.example\.com \(192\.0\.2\.10, 2001:db8::10\) expired on /, 'the server with every address that presents it');
});

test('an IP target is named by its address alone', async () => {
  const expired = issued({ notBefore: daysFromNow(-400), notAfter: daysFromNow(-30) });
  const { output } = await judge([session([expired], '192.0.2.10', '192.0.2.10')], '192.0.2.10');
  assert.deepEqual(output.findings.map(f => f.messageId), ['expired']);
  assert.match(output.findings[0]!.message, /^the certificate of 192\.0\.2\.10 expired on /);
});

test('every host\'s certificate valid only from a later date: this machine\'s clock is behind, not each server', async () => {
  const later = (host: string) => createCertificate({ commonName: host, altNames: [host], issuer: ca, notBefore: daysFromNow(2), notAfter: daysFromNow(90) });
  const { output } = await judge([session([later(HOST)]), session([later('mx2.example.com')], 'mx2.example.com', '192.0.2.11')]);
  const clock = output.findings.find(f => f.cause === 'clock.skewed')!;
  assert.equal(clock.messageId, 'certificatesFromLater');
  assert.equal(clock.data?.['certificates'], 2);
  assert.ok(Date.parse(String(clock.data?.['earliestValidFrom'])) > Date.parse(String(clock.data?.['clock'])));
});

test('a server whose clock is far off never makes a certificate that is fine by this clock a finding', async () => {
  const yearAgo = new Date(Date.now() - 365 * DAY);
  const httpClocks = [{ host: 'mta-sts.example.com', source: 'http-date' as const, stated: yearAgo.toUTCString(), at: yearAgo.toISOString() }];
  const output = await certificate.run({ tlsSessions: [session([issued()])], httpClocks }, context());
  assert.deepEqual(output.findings, []);
  assert.deepEqual((output.data as { serverClocks: unknown[] }).serverClocks, httpClocks, 'what the servers said is in the data');
});

test('a publicly trusted certificate that starts later than this clock: public CAs never date ahead, so the clock is behind', async () => {
  const root = new X509Certificate(rootCertificates.find(pem => new X509Certificate(pem).checkIssued(new X509Certificate(pem)))!);
  const clock = new Date(Date.parse(root.validFrom) - 30 * DAY);
  const ctx = { ...context(), options: defaultRunOptions(), net: testNet(100, [], { now: () => clock }) };
  const output = await certificate.run({ tlsSessions: [session([{ der: root.raw } as SimCertificate])] }, ctx);
  const skewed = output.findings.find(f => f.cause === 'clock.skewed')!;
  assert.equal(skewed.messageId, 'publicCaDatedLater');
  assert.equal(skewed.side, 'local');
  assert.equal(skewed.severity, 'warning');
  assert.equal(skewed.data['clock'], clock.toISOString());
  assert.ok(!output.findings.some(f => f.cause === 'tls.cert-not-yet-valid'), 'not the recipient\'s certificate');
  // The same certificate by this machine's own CA (--ca-file) proves nothing about the clock.
  const pinned = await certificate.run({ tlsSessions: [session([{ der: root.raw } as SimCertificate])] }, { ...ctx, options: defaultRunOptions({ caCerts: [root.toString()] }) });
  assert.deepEqual(pinned.findings.filter(f => f.cause !== 'tls.cert-name-mismatch').map(f => `${f.cause}:${f.messageId}`), ['tls.cert-not-yet-valid:notYetValidOrClock']);
});
