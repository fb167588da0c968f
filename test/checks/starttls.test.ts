// STARTTLS through the whole pipeline: sim DNS, the SMTP probe against
// scripted servers, then the starttls, certificate and DANE checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import type { SimZone } from '../../src/sim/dns-server.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { createCa, createCertificate, daysFromNow, type CertificateSpec, type SimCertificate } from '../../src/sim/tls-certs.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { allClosed, healthyServer, mxZone, startSmtpWorld, type SmtpWorld } from '../helpers/smtp-world.js';

const ca = createCa();
const certFor = (host: string, extra: Partial<CertificateSpec> = {}) => createCertificate({ commonName: host, altNames: [host], issuer: ca, ...extra });
const tlsWith = (cert: SimCertificate) => ({ key: cert.keyPem, cert: cert.certPem });
/** OpenSSL 3 negotiates TLS 1.0/1.1 only at security level 0, on both ends; the persona passes `ciphers` on to the TLS context. */
function legacyOnly(cert: SimCertificate): SmtpPersona['tls'] {
  const config = { ...tlsWith(cert), minVersion: 'TLSv1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT:@SECLEVEL=0' };
  return config;
}
const spkiSha256 = (der: Buffer) => createHash('sha256').update(new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' })).digest();

const good = certFor('mx.good.example');
const expired = createCertificate({ commonName: 'mx.expired.example', altNames: ['mx.expired.example'], notBefore: new Date('2019-01-01'), notAfter: new Date('2020-01-01') });

/** domain → the persona of its one MX host, mx.<domain>. */
const WORLD: Record<string, Partial<SmtpPersona>> = {
  'good.example': { tls: tlsWith(good) },
  'notls.example': {},
  'old.example': { tls: legacyOnly(certFor('mx.old.example')) },
  'broken.example': { tls: 'broken' },
  'refused.example': { tls: tlsWith(certFor('mx.refused.example')), replies: { STARTTLS: '454 4.7.0 TLS not available due to local problem' } },
  'expired.example': { tls: tlsWith(expired) },
  'wrongname.example': { tls: tlsWith(certFor('mail.provider.example')) },
  'expiring.example': { tls: tlsWith(certFor('mx.expiring.example', { notAfter: daysFromNow(3) })) },
  'badtlsa.example': { tls: tlsWith(certFor('mx.badtlsa.example')) },
};

let world: SmtpWorld;

before(async () => {
  let zone: SimZone = {
    '_25._tcp.mx.good.example': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: spkiSha256(good.der) }] },
    '_25._tcp.mx.badtlsa.example': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32, 0xab) }] },
  };
  const endpoints: Record<string, SmtpPersona> = {};
  for (const [i, [domain, persona]] of Object.entries(WORLD).entries()) {
    const ip = `192.0.2.${10 + i}`;
    zone = mxZone(domain, { [`mx.${domain}`]: [ip] }, zone);
    endpoints[`${ip}:25`] = healthyServer(`mx.${domain}`, persona);
  }
  world = await startSmtpWorld(zone, endpoints, 2000);
});

async function run(domain: string) {
  const net = world.net();
  const report = await world.diagnose(domain, ['starttls', 'certificate', 'dane'], { caCerts: [ca.certPem], relayTest: false }, net);
  assert.ok(await allClosed(net), 'every connection is closed');
  return report;
}

/** A check's findings as messageIds. */
const messageIds = (report: Awaited<ReturnType<typeof run>>, check: string) => checkOf(report, check).findings.map(f => f.messageId);

test('a good server: TLS 1.3, trusted certificate for the MX name, matching TLSA', async () => {
  const report = await run('good.example');
  for (const id of ['starttls', 'certificate', 'dane']) assert.deepEqual(causesOf(report, id), [], id);
  const [address] = (checkOf(report, 'starttls').data as { addresses: { protocol: string }[] }).addresses;
  assert.equal(address!.protocol, 'TLSv1.3');
  const [host] = (checkOf(report, 'dane').data as { hosts: { addresses: { matched: string[] }[] }[] }).hosts;
  assert.equal(host!.addresses[0]!.matched.length, 1);
});

test('no STARTTLS: the certificate and DANE checks have nothing to look at', async () => {
  const report = await run('notls.example');
  assert.deepEqual(causesOf(report, 'starttls'), ['tls.starttls-missing:warning']);
  assert.deepEqual(checkOf(report, 'starttls').findings[0]!.data, { server: { host: 'mx.notls.example', ip: '192.0.2.11' } });
  assert.equal(checkOf(report, 'certificate').status, 'skipped');
  assert.equal(checkOf(report, 'dane').status, 'skipped');
});

test('TLS 1.0/1.1 only: old, not broken, and the certificate is still checked', async () => {
  const report = await run('old.example');
  assert.deepEqual(causesOf(report, 'starttls'), ['tls.protocol-old:warning']);
  const old = checkOf(report, 'starttls').findings[0]!;
  assert.equal(old.messageId, 'oldOnly');
  assert.match(String(old.data?.['protocol']), /^TLSv1(\.1)?$/);
  assert.equal((old.data?.['handshake'] as { kind: string }).kind, 'failed', 'the modern handshake failed with OpenSSL\'s reason');
  assert.equal(checkOf(report, 'certificate').status, 'pass');
});

test('a handshake that fails even with legacy settings, and a 454 to STARTTLS', async () => {
  const broken = await run('broken.example');
  assert.deepEqual(causesOf(broken, 'starttls'), ['tls.handshake-failed:warning']);
  assert.deepEqual(messageIds(broken, 'starttls'), ['handshakeFailed']);
  const refused = await run('refused.example');
  assert.deepEqual(causesOf(refused, 'starttls'), ['tls.handshake-failed:warning']);
  assert.deepEqual(messageIds(refused, 'starttls'), ['startTlsRefused']);
  assert.equal(checkOf(refused, 'starttls').findings[0]!.data?.['reply'], '454 4.7.0 TLS not available due to local problem');
});

test('certificate problems as a verifying sender sees them', async () => {
  const expiredReport = await run('expired.example');
  assert.deepEqual(causesOf(expiredReport, 'certificate').sort(), ['tls.cert-expired:warning', 'tls.cert-untrusted:warning']);
  assert.deepEqual(messageIds(expiredReport, 'certificate').sort(), ['expired', 'selfSigned']);
  const wrongName = await run('wrongname.example');
  assert.deepEqual(causesOf(wrongName, 'certificate'), ['tls.cert-name-mismatch:warning']);
  const mismatch = checkOf(wrongName, 'certificate').findings[0]!;
  assert.equal(mismatch.messageId, 'otherNames');
  assert.deepEqual([mismatch.data?.['names'], mismatch.data?.['host']], [['mail.provider.example'], 'mx.wrongname.example']);
  const expiring = await run('expiring.example');
  assert.deepEqual(causesOf(expiring, 'certificate'), ['tls.cert-expiring:warning']);
  assert.equal(checkOf(expiring, 'certificate').findings[0]!.data?.['daysLeft'], 3);
});

test('a TLSA record for another key', async () => {
  assert.deepEqual(causesOf(await run('badtlsa.example'), 'dane'), ['dane.tlsa-mismatch:warning']);
});
