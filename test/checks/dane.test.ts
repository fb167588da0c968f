import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import dane, { isUsableTlsa, tlsaMatches } from '../../src/checks/dane.js';
import type { CheckContext } from '../../src/checks/define.js';
import { parseTarget } from '../../src/cli/targets.js';
import { testNet } from '../helpers/net.js';
import type { TlsaRecord } from '../../src/net/dns/index.js';
import type { TlsSession } from '../../src/pipeline/facts.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';

const ca = createCa();
const leaf = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const otherKey = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const spki = (der: Buffer) => new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest();
const tlsa = (usage: number, selector: number, matchingType: number, data: Buffer): TlsaRecord => ({ usage, selector, matchingType, data });

test('usage 3 matches the server certificate by full certificate or key, raw or hashed', () => {
  const chain = [leaf.der, ca.der];
  assert.equal(tlsaMatches(tlsa(3, 1, 1, sha256(spki(leaf.der))), chain), true);
  assert.equal(tlsaMatches(tlsa(3, 0, 1, sha256(leaf.der)), chain), true);
  assert.equal(tlsaMatches(tlsa(3, 1, 2, sha512(spki(leaf.der))), chain), true);
  assert.equal(tlsaMatches(tlsa(3, 0, 0, leaf.der), chain), true);
  assert.equal(tlsaMatches(tlsa(3, 1, 1, sha256(spki(otherKey.der))), chain), false);
  assert.equal(tlsaMatches(tlsa(3, 1, 1, sha256(spki(ca.der))), chain), false, 'usage 3 is about the leaf only');
});

test('usage 2 matches a CA certificate in the chain, never the leaf', () => {
  assert.equal(tlsaMatches(tlsa(2, 1, 1, sha256(spki(ca.der))), [leaf.der, ca.der]), true);
  assert.equal(tlsaMatches(tlsa(2, 0, 1, sha256(leaf.der)), [leaf.der, ca.der]), false);
});

test('PKIX usages and malformed records are unusable for SMTP (RFC 7672 §3.1.3)', () => {
  assert.equal(isUsableTlsa(tlsa(3, 1, 1, Buffer.alloc(32))), true);
  assert.equal(isUsableTlsa(tlsa(1, 1, 1, Buffer.alloc(32))), false);
  assert.equal(isUsableTlsa(tlsa(0, 0, 1, Buffer.alloc(32))), false);
  assert.equal(isUsableTlsa(tlsa(3, 1, 1, Buffer.alloc(20))), false);
  assert.equal(isUsableTlsa(tlsa(3, 2, 1, Buffer.alloc(32))), false);
  assert.equal(isUsableTlsa(tlsa(3, 1, 3, Buffer.alloc(32))), false);
});

let dns: SimDnsServer;
before(async () => {
  dns = await startSimDns({
    '_25._tcp.mx.example.com': { TLSA: [tlsa(3, 1, 1, sha256(spki(leaf.der)))] },
    '_25._tcp.mx.example.net': { TLSA: [tlsa(3, 1, 1, sha256(spki(otherKey.der))), tlsa(3, 0, 1, Buffer.alloc(32, 7))] },
    '_25._tcp.mx.example.org': { TLSA: [tlsa(1, 1, 1, Buffer.alloc(32, 7))] },
  });
});
after(() => dns.close());

async function run(host: string) {
  const session: TlsSession = { host, ip: '192.0.2.10', port: 25, preference: 10, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', chain: [leaf.der, ca.der], legacy: false };
  const ctx: CheckContext = {
    target: parseTarget('example.com'),
    options: defaultRunOptions(),
    net: testNet(1000, [dns.server]),
    signal: new AbortController().signal,
  };
  return dane.run({ tlsSessions: [session] }, ctx);
}

test('a matching TLSA record passes', async () => {
  const output = await run('mx.example.com');
  assert.deepEqual(output.findings, []);
  const [host] = (output.data as { hosts: { addresses: { matched: string[] }[] }[] }).hosts;
  assert.equal(host!.addresses[0]!.matched.length, 1);
});

test('no matching record is a mismatch; without DNSSEC validation it is a warning and says so', async () => {
  const output = await run('mx.example.net');
  assert.deepEqual(output.findings.map(f => [f.cause, f.severity]), [['dane.tlsa-mismatch', 'warning']]);
  assert.equal(output.findings[0]!.messageId, 'noMatchUnvalidated');
  assert.deepEqual(output.findings[0]!.data, { dnssecValidated: false, host: 'mx.example.net', ips: ['192.0.2.10'] });
  assert.ok(output.findings[0]!.evidence.some(e => e.includes(sha256(spki(leaf.der)).toString('hex'))), 'the evidence gives the record that would match');
});

test('only unusable records, or none at all, are no DANE', async () => {
  assert.deepEqual((await run('mx.example.org')).findings, []);
  const none = await run('mx.example.info');
  assert.deepEqual(none.findings, []);
  assert.deepEqual((none.data as { hosts: unknown[] }).hosts, [{ host: 'mx.example.info', tlsa: 'nxdomain' }]);
});
