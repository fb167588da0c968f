import { X509Certificate } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { httpsGet, type HttpsOptions } from '../../src/net/https.js';
import { startSimHttps, type SimHttpsServer } from '../../src/sim/https-server.js';
import { chainPem, createCa, createCertificate, daysFromNow } from '../../src/sim/tls-certs.js';
import { testNet } from '../helpers/net.js';

const HOST = 'mta-sts.example.com';
const PATH = '/.well-known/mta-sts.txt';
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400\r\n';

const ca = createCa();
const good = createCertificate({ commonName: HOST, altNames: [HOST, '*.example.com'], issuer: ca });
let server: SimHttpsServer;
const extra: SimHttpsServer[] = [];

before(async () => {
  server = await startSimHttps({
    cert: chainPem(good),
    key: good.keyPem,
    routes: {
      [`${HOST}${PATH}`]: { kind: 'body', body: POLICY },
      [`big.example.com${PATH}`]: { kind: 'oversized', bytes: 10 * 1024 * 1024 },
      [`moved.example.com${PATH}`]: { kind: 'redirect', location: 'https://elsewhere.example.net/policy.txt' },
      [`slow.example.com${PATH}`]: { kind: 'slow', intervalMs: 50 },
      [`silent.example.com${PATH}`]: { kind: 'silent' },
    },
  });
});
after(async () => {
  await server.close();
  await Promise.all(extra.map(s => s.close()));
});

const netFor = (port: number, timeoutMs: number) => testNet(timeoutMs, [], { addressMap: new Map([['192.0.2.20:443', { host: '127.0.0.1', port }]]) });
const options = (overrides: Partial<HttpsOptions> = {}): HttpsOptions => ({ maxBytes: 64 * 1024, caCerts: [ca.certPem], ...overrides });
const get = (host: string, overrides: Partial<HttpsOptions> = {}, port = server.port, timeoutMs = 2000) =>
  httpsGet(netFor(port, timeoutMs), { host, ip: '192.0.2.20', path: PATH }, options(overrides));

/** Certificates for names the fixture serves under other names: a second server with that certificate. */
async function serverWith(cert: string, key: string, host = HOST): Promise<SimHttpsServer> {
  const s = await startSimHttps({ cert, key, routes: { [`${host}${PATH}`]: { kind: 'body', body: POLICY } } });
  extra.push(s);
  return s;
}

test('a valid policy comes back with status, headers and body', async () => {
  const result = await get(HOST);
  assert.equal(result.kind, 'response');
  assert.ok(result.kind === 'response');
  assert.equal(result.status, 200);
  assert.equal(result.headers['content-type'], 'text/plain');
  assert.equal(result.body.toString(), POLICY);
  assert.ok(server.log.includes(`${HOST}${PATH}`), 'the Host header names the policy host');
});

test('a 10 MB body is cut off at the limit', async () => {
  const result = await get(`big.example.com`, { maxBytes: 64 * 1024 });
  assert.deepEqual(result, { kind: 'too-large', status: 200, maxBytes: 64 * 1024 });
});

test('a redirect is reported, not followed', async () => {
  const result = await get('moved.example.com');
  assert.equal(result.kind, 'response');
  assert.ok(result.kind === 'response');
  assert.equal(result.status, 301);
  assert.equal(result.headers.location, 'https://elsewhere.example.net/policy.txt');
  assert.ok(!server.log.some(r => r.startsWith('elsewhere')));
});

test('a body dribbled a byte at a time is bounded by the response timeout', async () => {
  const started = Date.now();
  const result = await get('slow.example.com', {}, server.port, 400);
  assert.deepEqual(result, { kind: 'timeout', phase: 'response' });
  assert.ok(Date.now() - started < 1500);
});

test('a server that never answers the request times out', async () => {
  assert.deepEqual(await get('silent.example.com', {}, server.port, 300), { kind: 'timeout', phase: 'response' });
});

test('a certificate from an unknown CA is refused before the request', async () => {
  const result = await get(HOST, { caCerts: [] });
  assert.equal(result.kind, 'cert-invalid');
  assert.ok(result.kind === 'cert-invalid' && /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to get local issuer/i.test(result.reason), JSON.stringify(result));
});

test('a self-signed certificate is refused', async () => {
  const self = createCertificate({ commonName: HOST, altNames: [HOST] });
  const s = await serverWith(self.certPem, self.keyPem);
  const result = await get(HOST, {}, s.port);
  assert.equal(result.kind, 'cert-invalid');
  assert.ok(result.kind === 'cert-invalid' && /SELF_SIGNED/.test(result.reason), JSON.stringify(result));
});

test('an expired certificate is refused', async () => {
  const expired = createCertificate({ commonName: HOST, altNames: [HOST], issuer: ca, notBefore: daysFromNow(-100), notAfter: daysFromNow(-10) });
  const s = await serverWith(expired.certPem, expired.keyPem);
  const result = await get(HOST, {}, s.port);
  assert.equal(result.kind, 'cert-invalid');
  assert.ok(result.kind === 'cert-invalid');
  assert.equal(result.reason, 'CERT_HAS_EXPIRED');
  // The chain it presented comes back, so its dates can be judged by the servers' time too.
  assert.equal(new X509Certificate(result.chain[0]!).validTo, new X509Certificate(expired.certPem).validTo);
});

test('a certificate for another name is refused', async () => {
  const other = createCertificate({ commonName: 'www.example.com', altNames: ['www.example.com'], issuer: ca });
  const s = await serverWith(other.certPem, other.keyPem);
  const result = await get(HOST, {}, s.port);
  assert.equal(result.kind, 'cert-invalid');
  assert.ok(result.kind === 'cert-invalid' && result.reason.includes(HOST), JSON.stringify(result));
});

test('nothing listening is a connect failure', async () => {
  const closed = net.createServer();
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => closed.close(() => resolve()));
  assert.deepEqual(await get(HOST, {}, port), { kind: 'connect-failed', outcome: 'refused' });
});

test('a server that does not speak TLS fails the handshake', async () => {
  const plain = net.createServer(socket => socket.end('HTTP/1.1 200 OK\r\n\r\nhello'));
  await new Promise<void>(resolve => plain.listen(0, '127.0.0.1', resolve));
  try {
    const result = await get(HOST, {}, (plain.address() as net.AddressInfo).port);
    assert.equal(result.kind, 'tls-failed');
  } finally {
    plain.close();
  }
});

test('a TLS server that answers garbage is an HTTP error, not a crash', async () => {
  const { default: tls } = await import('node:tls');
  const garbage = tls.createServer({ cert: good.certPem, key: good.keyPem }, socket => socket.end('\u001b[31mnot http at all\r\n\r\n'));
  await new Promise<void>(resolve => garbage.listen(0, '127.0.0.1', resolve));
  try {
    const result = await get(HOST, {}, (garbage.address() as net.AddressInfo).port);
    assert.equal(result.kind, 'http-error');
    assert.equal(result.kind === 'http-error' && result.reason.code, 'error', 'Node\'s parser says why, not maildiag');
  } finally {
    garbage.close();
  }
});
