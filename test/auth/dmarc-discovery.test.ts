// The RFC 9989 DNS Tree Walk: which names it asks, where it stops, and the
// Organizational Domain and policy it finds.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { discoverPolicy, effectivePolicy, organizationalDomain, treeWalkDomains, walkDmarcTree } from '../../src/auth/dmarc-discovery.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

async function walkIn(zone: SimZone, domain: string) {
  const sim = await startSimDns(zone);
  servers.push(sim);
  const walk = await walkDmarcTree(domain, testNet(500, [sim.server]).dns);
  return { walk, asked: sim.log.filter(q => q.startsWith('_dmarc.')) };
}

test('treeWalkDomains: every parent up to the TLD, at most 8 names', () => {
  assert.deepEqual(treeWalkDomains('a.mail.example.com'), ['a.mail.example.com', 'mail.example.com', 'example.com', 'com']);
  assert.deepEqual(treeWalkDomains('example'), ['example']);
  // More than 8 labels: the domain, then straight to its last 7 labels.
  assert.deepEqual(treeWalkDomains('a.b.c.d.e.f.g.h.i.example.com'), [
    'a.b.c.d.e.f.g.h.i.example.com',
    'e.f.g.h.i.example.com',
    'f.g.h.i.example.com',
    'g.h.i.example.com',
    'h.i.example.com',
    'i.example.com',
    'example.com',
    'com',
  ]);
  assert.equal(treeWalkDomains('a.b.c.d.e.f.g.h.i.j.k.example.com').length, 8);
});

test('a record at the domain: policy p=, Organizational Domain = the highest record found', async () => {
  const { walk, asked } = await walkIn({
    '_dmarc.mail.example.com': { TXT: [['v=DMARC1; p=quarantine']] },
    '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; sp=none']] },
  }, 'mail.example.com');
  assert.deepEqual(asked, ['_dmarc.mail.example.com TXT', '_dmarc.example.com TXT', '_dmarc.com TXT']);
  assert.equal(organizationalDomain(walk), 'example.com');
  const discovery = discoverPolicy(walk);
  assert.equal(discovery.policyDomain, 'mail.example.com');
  assert.equal(effectivePolicy(discovery), 'quarantine');
});

test('no record at the domain: the Organizational Domain\'s sp= applies, np= when the domain does not exist', async () => {
  const { walk } = await walkIn({ '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; sp=quarantine; np=none']] } }, 'a.mail.example.com');
  const discovery = discoverPolicy(walk);
  assert.deepEqual([discovery.policyDomain, discovery.inherited, discovery.organizationalDomain], ['example.com', true, 'example.com']);
  assert.equal(effectivePolicy(discovery), 'quarantine');
  assert.equal(effectivePolicy(discovery, false), 'none');
});

test('psd=y above the start stops the walk; the Organizational Domain is one label below it', async () => {
  const { walk, asked } = await walkIn({ '_dmarc.example': { TXT: [['v=DMARC1; p=reject; psd=y']] } }, 'a.b.org.example');
  assert.deepEqual(asked, ['_dmarc.a.b.org.example TXT', '_dmarc.b.org.example TXT', '_dmarc.org.example TXT', '_dmarc.example TXT']);
  assert.equal(organizationalDomain(walk), 'org.example');
  const discovery = discoverPolicy(walk);
  assert.deepEqual([discovery.policyDomain, discovery.inherited], ['example', true]);
});

test('psd=n at the start stops the walk at once', async () => {
  const { walk, asked } = await walkIn({ '_dmarc.sub.example.com': { TXT: [['v=DMARC1; p=none; psd=n']] } }, 'sub.example.com');
  assert.deepEqual(asked, ['_dmarc.sub.example.com TXT']);
  assert.equal(organizationalDomain(walk), 'sub.example.com');
});

test('several DMARC records at a name are all discarded; a record without p= but with rua reads as p=none', async () => {
  const { walk } = await walkIn({
    '_dmarc.sub.example.com': { TXT: [['v=DMARC1; p=reject'], ['v=DMARC1; p=none']] },
    '_dmarc.example.com': { TXT: [['v=DMARC1; rua=mailto:agg@example.com']] },
  }, 'sub.example.com');
  assert.equal(walk.lookups[0]!.record, undefined);
  const discovery = discoverPolicy(walk);
  assert.equal(discovery.policyDomain, 'example.com');
  assert.equal(effectivePolicy(discovery), 'none');
});
