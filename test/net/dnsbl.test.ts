// DNSBL lookups at the net layer: query names, return-code tables, and the
// fall-back to a list's own name servers when the resolver is refused (a
// second sim DNS server plays the list's authoritative server).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone, type SimDnsServer } from '../../src/sim/dns-server.js';
import { createDnsClient } from '../../src/net/dns/index.js';
import { checkListing, dnsblQueryName } from '../../src/net/dnsbl.js';
import { DEFAULT_LISTS, readCode, selectLists, type DnsblList } from '../../src/net/dnsbl-lists.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

const listNamed = (zone: string): DnsblList => selectLists([zone])[0]!;
const zen = listNamed('zen.spamhaus.org');
const dbl = listNamed('dbl.spamhaus.org');
const QUERY = '99.2.0.192.zen.spamhaus.org';

test('query names: reversed octets, IPv6 nibbles (RFC 5782 §2.4), domains as they are', () => {
  assert.equal(dnsblQueryName('192.0.2.99', zen), QUERY);
  assert.equal(dnsblQueryName('2001:db8:1:2:3:4:567:89ab', zen), 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org');
  assert.equal(dnsblQueryName('example.com', dbl), 'example.com.dbl.spamhaus.org');
});

test('return codes: listings, refusals and answers no list gives', () => {
  const cases: [DnsblList, string, string][] = [
    [zen, '127.0.0.2', 'listed'],
    [zen, '127.0.0.11', 'listed'],
    [zen, '127.255.255.252', 'refused'],
    [zen, '127.255.255.254', 'refused'],
    [zen, '127.255.255.255', 'refused'],
    [zen, '127.0.0.99', 'unexpected'],
    [zen, '198.51.100.80', 'unexpected'],
    [dbl, '127.0.1.2', 'listed'],
    [dbl, '127.0.1.255', 'refused'],
    [listNamed('multi.uribl.com'), '127.0.0.2', 'listed'],
    [listNamed('multi.uribl.com'), '127.0.0.14', 'listed'],
    [listNamed('multi.uribl.com'), '127.0.0.1', 'refused'],
    [listNamed('multi.surbl.org'), '127.0.0.64', 'listed'],
    [listNamed('multi.surbl.org'), '127.0.0.1', 'refused'],
    [listNamed('bl.example.net'), '127.0.0.7', 'listed'],
    [listNamed('bl.example.net'), '127.255.255.254', 'refused'],
    [listNamed('bl.example.net'), '127.0.1.2', 'unexpected'],
  ];
  for (const [list, address, verdict] of cases) assert.equal(readCode(list, address).verdict, verdict, `${list.zone} ${address}`);
});

test('list selection: the default set, none, known zones with their tables, unknown zones as IP lists', () => {
  assert.deepEqual(selectLists(undefined).map(l => l.zone), DEFAULT_LISTS.map(l => l.zone));
  assert.deepEqual(selectLists([]), []);
  assert.equal(listNamed('dbl.spamhaus.org').kind, 'domain');
  assert.deepEqual(listNamed('bl.example.net'), { zone: 'bl.example.net', name: 'bl.example.net', kind: 'ip', codes: {}, refusals: zen.refusals });
  assert.ok(!DEFAULT_LISTS.some(l => /sorbs|manitu/.test(l.zone)), 'retired lists are not queried by default');
});

/** A resolver that is refused by zen, and zen's own server (on another port) that answers as given. */
async function refusedWorld(authority: SimZone) {
  const own = await startSimDns(authority);
  const resolver = await startSimDns({
    'zen.spamhaus.org': { NS: ['ns1.dnsbl.example'] },
    'ns1.dnsbl.example': { A: ['127.0.0.1'] },
    [QUERY]: { A: ['127.255.255.254'] },
  });
  servers.push(own, resolver);
  const dns = createDnsClient({ servers: [resolver.server], timeoutMs: 1000, retries: 1 });
  return { dns, own, options: { authorityPort: own.port } };
}

test('refused through the resolver, listed at the list\'s own server: listed, path authoritative', async () => {
  const { dns, own, options } = await refusedWorld({ [QUERY]: { A: ['127.0.0.2'], TXT: [['Listed in SBL']] } });
  const result = await checkListing(dns, zen, '192.0.2.99', options);
  assert.equal(result.status, 'listed');
  assert.equal(result.path, 'authoritative');
  assert.equal(result.reason, 'Listed in SBL');
  assert.ok(own.log.includes(`${QUERY} A`));
  assert.ok(result.evidence.includes(`${QUERY} A 127.0.0.2 (asked 127.0.0.1:${own.port} directly)`));
  assert.ok(result.evidence.includes(`${QUERY} A 127.255.255.254`), 'the refusal stays in the evidence');
});

test('refused through the resolver, NXDOMAIN at the list\'s own server: clean, path authoritative', async () => {
  const { dns, options } = await refusedWorld({ 'zen.spamhaus.org': { NS: ['ns1.dnsbl.example'] } });
  const result = await checkListing(dns, zen, '192.0.2.99', options);
  assert.equal(result.status, 'clean');
  assert.equal(result.path, 'authoritative');
});

test('refused both ways: refused, and the reason says the list\'s own servers gave the same answer', async () => {
  const { dns, options } = await refusedWorld({ [QUERY]: { A: ['127.255.255.254'] } });
  const result = await checkListing(dns, zen, '192.0.2.99', options);
  assert.equal(result.status, 'refused');
  assert.equal(result.path, 'authoritative');
  assert.deepEqual([result.why, result.direct], [{ code: 'refusal', address: '127.255.255.254', meaning: 'query via a public or open resolver, which Spamhaus does not answer' }, { code: 'sameAnswer' }]);
});

test('refused through the resolver, no answer from the list\'s own server: the refusal stands', async () => {
  const { dns, options } = await refusedWorld({ [QUERY]: 'DROP' });
  const result = await checkListing(dns, zen, '192.0.2.99', options);
  assert.equal(result.status, 'refused');
  assert.equal(result.path, 'resolver');
  assert.deepEqual([result.why, result.direct], [{ code: 'refusal', address: '127.255.255.254', meaning: 'query via a public or open resolver, which Spamhaus does not answer' }, { code: 'unusable', why: { code: 'timeout' } }]);
});

test('an empty answer from the list\'s own server (a referral) is not taken as clean', async () => {
  const { dns, options } = await refusedWorld({ 'zen.spamhaus.org': { NS: ['elsewhere.example'] }, [QUERY]: { TXT: [['not an A record']] } });
  const result = await checkListing(dns, zen, '192.0.2.99', options);
  assert.equal(result.status, 'refused');
  assert.deepEqual(result.direct, { code: 'unusable', why: { code: 'referral' } });
});
