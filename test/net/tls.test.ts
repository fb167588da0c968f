import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { certificateCoversHost, inspectChain, pemToDer, recordHandshake, splitPem, upgradeToTls, type TlsOptions } from '../../src/net/tls.js';
import { createCa, createCertificate, daysFromNow, type SimCertificate } from '../../src/sim/tls-certs.js';

const ca = createCa('Example Test Root');
const intermediate = createCertificate({ commonName: 'Example Test Intermediate', issuer: ca, isCa: true });
const leaf = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: intermediate });
const servers: net.Server[] = [];
after(() => servers.forEach(s => s.close()));

/** A plain TCP server that turns TLS on at once, as an SMTP server does after "220 Ready to start TLS". */
async function tlsServer(cert: SimCertificate, chainPem: string, options: tls.SecureContextOptions = {}): Promise<number> {
  const server = net.createServer(socket => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: tls.createSecureContext({ key: cert.keyPem, cert: chainPem, ...options }) });
    secure.on('error', () => undefined);
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function handshake(port: number, options: Partial<TlsOptions> = {}, timeoutMs = 2000) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise(resolve => socket.once('connect', resolve));
  const result = await upgradeToTls(socket, { servername: 'mx.example.com', caCerts: [], ...options }, timeoutMs);
  if (result.kind === 'ok') result.socket.destroy();
  socket.destroy();
  return recordHandshake(result);
}

test('a handshake records protocol, cipher and the chain as sent, leaf first', async () => {
  const port = await tlsServer(leaf, leaf.certPem + intermediate.certPem);
  const result = await handshake(port, { caCerts: [ca.certPem] });
  assert.equal(result.kind, 'ok');
  assert.ok(result.kind === 'ok');
  assert.equal(result.protocol, 'TLSv1.3');
  assert.match(result.cipher, /^TLS_/);
  assert.deepEqual(result.chain.slice(0, 2), [leaf.der, intermediate.der]);
  assert.equal(result.authorizationError, undefined);
  assert.ok(!('socket' in result), 'the recorded handshake holds no live socket');
});

test('an untrusted certificate still completes the handshake, with OpenSSL\'s verdict', async () => {
  const port = await tlsServer(leaf, leaf.certPem + intermediate.certPem);
  const result = await handshake(port);
  assert.equal(result.kind === 'ok' && result.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
});

test('a TLS 1.0/1.1-only server fails by default and works when legacy versions are allowed', async () => {
  const port = await tlsServer(leaf, leaf.certPem, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
  const modern = await handshake(port);
  assert.equal(modern.kind, 'failed');
  // The peer's alert or OpenSSL's reason names the version mismatch ("protocol version", "unsupported protocol").
  const said = modern.kind === 'failed' && (modern.reason.code === 'alert' ? modern.reason.alert : modern.reason.code === 'openssl' ? modern.reason.error : '');
  assert.match(said || '', /version|protocol/i, JSON.stringify(modern));
  const legacy = await handshake(port, { minVersion: 'TLSv1', allowLegacy: true });
  assert.equal(legacy.kind === 'ok' && legacy.protocol, 'TLSv1.1');
});

test('a server that never answers the handshake times out', async () => {
  const silent = net.createServer(socket => socket.on('error', () => undefined));
  servers.push(silent);
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
  const result = await handshake((silent.address() as net.AddressInfo).port, {}, 200);
  assert.deepEqual(result, { kind: 'timeout' });
});

test('a chain through a presented intermediate to a trusted root is trusted', () => {
  const facts = inspectChain([leaf.der, intermediate.der], [ca.certPem]);
  assert.deepEqual(facts.trust, { kind: 'trusted', anchor: 'CN=Example Test Root' });
  assert.deepEqual(facts.path.map(c => c.subject), ['CN=mx.example.com', 'CN=Example Test Intermediate']);
  assert.equal(facts.leaf.issuer, 'CN=Example Test Intermediate');
  assert.deepEqual(facts.leaf.altNames, ['DNS:mx.example.com']);
  assert.deepEqual(facts.leaf.key, { type: 'ec', curve: 'prime256v1' });
  assert.equal(facts.leaf.selfSigned, false);
});

test('trust anchors may come as one bundle', () => {
  const bundle = createCa('Other Root').certPem + ca.certPem;
  assert.equal(splitPem(bundle).length, 2);
  assert.equal(inspectChain([leaf.der, intermediate.der], [bundle]).trust.kind, 'trusted');
});

test('a missing intermediate and an unknown CA are told apart from self-signed', () => {
  assert.deepEqual(inspectChain([leaf.der], [ca.certPem]).trust, { kind: 'incomplete', missingIssuer: 'CN=Example Test Intermediate' });
  assert.deepEqual(inspectChain([leaf.der, intermediate.der, ca.der], []).trust, { kind: 'untrusted-root', root: 'CN=Example Test Root' });
  const self = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], key: 'rsa' });
  const facts = inspectChain([self.der], []);
  assert.deepEqual(facts.trust, { kind: 'self-signed' });
  assert.deepEqual(facts.leaf.key, { type: 'rsa', bits: 2048 });
  assert.equal(facts.leaf.selfSigned, true);
});

test('trust is judged apart from dates: expired and self-signed are both visible', () => {
  const old = createCertificate({ commonName: 'mx.example.com', notBefore: new Date('2019-01-01'), notAfter: new Date('2020-01-01') });
  const facts = inspectChain([old.der], []);
  assert.deepEqual(facts.trust, { kind: 'self-signed' });
  assert.equal(facts.leaf.validTo, '2020-01-01T00:00:00.000Z');
  const expiredButTrusted = createCertificate({ commonName: 'mx.example.com', issuer: ca, notBefore: daysFromNow(-60), notAfter: daysFromNow(-1) });
  assert.equal(inspectChain([expiredButTrusted.der], [ca.certPem]).trust.kind, 'trusted');
});

test('host names match SANs, wildcards cover one label only (RFC 6125 §6.4.3)', () => {
  const wildcard = createCertificate({ commonName: 'wild', altNames: ['*.example.com', 'example.org'], issuer: ca });
  assert.equal(certificateCoversHost(wildcard.der, 'mx.example.com'), true);
  assert.equal(certificateCoversHost(wildcard.der, 'MX.Example.COM.'), true);
  assert.equal(certificateCoversHost(wildcard.der, 'a.b.example.com'), false);
  assert.equal(certificateCoversHost(wildcard.der, 'example.com'), false);
  assert.equal(certificateCoversHost(wildcard.der, 'example.org'), true);
  const partial = createCertificate({ commonName: 'partial', altNames: ['mx*.example.net'], issuer: ca });
  assert.equal(certificateCoversHost(partial.der, 'mx1.example.net'), false);
  // The common name counts only when there is no DNS name in the SAN.
  const cnOnly = createCertificate({ commonName: 'mx.example.net', issuer: ca });
  assert.equal(certificateCoversHost(cnOnly.der, 'mx.example.net'), true);
  assert.equal(certificateCoversHost(wildcard.der, 'wild'), false);
});

test('the first command after a TLS 1.3 handshake waits for the session ticket, so the reply never waits on a delayed ACK', async () => {
  // Node's TLS server sends tickets and leaves Nagle on, like Postfix: a command
  // sent before the ticket arrives has its reply held until we ACK the ticket.
  // Without the wait the ticket can never come first (the server sends it only
  // after our Finished); the wait is bounded by the handshake's own duration, so
  // a loaded machine may let it pass now and then: a few tries, one must show it.
  const port = await tlsServer(leaf, leaf.certPem + intermediate.certPem);
  const connect = tls.connect;
  const orders: string[][] = [];
  try {
    for (let attempt = 0; attempt < 5 && !orders.some(o => o[1] === 'ticket'); attempt++) {
      const events: string[] = [];
      tls.connect = ((...args: Parameters<typeof tls.connect>) => {
        const secure = connect(...args);
        secure.once('secureConnect', () => events.push('handshake'));
        secure.once('session', () => events.push('ticket'));
        return secure;
      }) as typeof tls.connect;
      const socket = net.connect(port, '127.0.0.1');
      await new Promise(resolve => socket.once('connect', resolve));
      const result = await upgradeToTls(socket, { servername: 'mx.example.com', caCerts: [ca.certPem] }, 10_000);
      events.push('ready for the first command');
      if (result.kind === 'ok') result.socket.destroy();
      assert.equal(result.kind === 'ok' && result.protocol, 'TLSv1.3');
      orders.push(events.slice(0, 3));
    }
  } finally {
    tls.connect = connect;
  }
  assert.ok(orders.some(o => o.join(' > ') === 'handshake > ticket > ready for the first command'), orders.map(o => o.join(' > ')).join('\n'));
});

test('every one of Node\'s roots is found as a trust anchor by its subject, without a full scan', () => {
  const untrusted = tls.rootCertificates.filter(pem => inspectChain([pemToDer(pem)], []).trust.kind !== 'trusted');
  assert.deepEqual(untrusted, []);
});
