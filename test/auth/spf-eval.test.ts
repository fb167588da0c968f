// evaluateSpf() beyond RFC 7208's suite: the path and counts it reports, names
// that never go on the wire, IPv4-mapped clients, and the walker agreeing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSpf } from '../../src/auth/spf-eval.js';
import { walkSpf } from '../../src/auth/spf-walk.js';
import { createDnsClient } from '../../src/net/dns/index.js';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

async function world(zone: SimZone) {
  const sim = await startSimDns(zone);
  servers.push(sim);
  return { sim, dns: createDnsClient({ servers: [sim.server], timeoutMs: 2000, retries: 1 }) };
}

const identity = (ip: string) => ({ ip, mailFrom: 'alice@example.com', helo: 'out.example.com' });

test('the path names every term from the domain to the one that decided, with the lookups used', async () => {
  const { dns } = await world({
    'example.com': { TXT: [['v=spf1 ip4:192.0.2.1 include:_spf.example.net redirect=_fallback.example.org']] },
    '_spf.example.net': { TXT: [['v=spf1 a:out.example.net -all']] },
    'out.example.net': { A: ['198.51.100.7'] },
    '_fallback.example.org': { TXT: [['v=spf1 ~all']] },
  });
  const passed = await evaluateSpf(identity('198.51.100.7'), dns);
  assert.deepEqual([passed.result, passed.path, passed.lookups, passed.voidLookups], ['pass', ['example.com: include:_spf.example.net', '_spf.example.net: a:out.example.net'], 2, 0]);
  const redirected = await evaluateSpf(identity('203.0.113.9'), dns);
  assert.deepEqual([redirected.result, redirected.path, redirected.lookups], ['softfail', ['example.com: redirect=_fallback.example.org', '_fallback.example.org: ~all'], 3]);
});

test('permerror and temperror carry the path to the term that failed', async () => {
  const { dns } = await world({
    'example.com': { TXT: [['v=spf1 include:_spf.example.net -all']] },
    '_spf.example.net': { TXT: [['v=spf1 include:gone.example.net -all']] },
    'fails.example.com': { TXT: [['v=spf1 a:broken.example.net -all']] },
    'broken.example.net': 'SERVFAIL',
  });
  const perm = await evaluateSpf(identity('192.0.2.1'), dns);
  assert.deepEqual([perm.result, perm.path], ['permerror', ['example.com: include:_spf.example.net', '_spf.example.net: include:gone.example.net']]);
  assert.deepEqual(perm.why, { code: 'includeNone', domain: '_spf.example.net', term: 'include:gone.example.net', inner: { code: 'nxdomain', domain: 'gone.example.net' } });
  const temp = await evaluateSpf({ ...identity('192.0.2.1'), mailFrom: 'bob@fails.example.com' }, dns);
  assert.deepEqual([temp.result, temp.path], ['temperror', ['fails.example.com: a:broken.example.net']]);
  assert.deepEqual(temp.why, { code: 'lookupFailed', domain: 'fails.example.com', term: 'a:broken.example.net', target: 'broken.example.net', failure: 'servfail' });
});

test('a label over 63 octets is never put on the wire, by the evaluation or the walker (RFC 1035 §2.3.4)', async () => {
  const long = `${'a'.repeat(64)}.example.net`;
  const { sim, dns } = await world({ 'example.com': { TXT: [[`v=spf1 a:${long} include:${long} -all`]] } });
  const evaluation = await evaluateSpf(identity('192.0.2.1'), dns);
  // a: does not match a name that cannot exist; include: of it finds no record, a permerror.
  assert.equal(evaluation.result, 'permerror');
  const walk = await walkSpf('example.com', dns);
  assert.deepEqual(walk.root.lookups.map(l => l.outcome), ['invalid-name', 'invalid-name']);
  assert.deepEqual(sim.log.filter(q => q.includes('aaaa')), []);
});

test('an IPv4-mapped IPv6 client is evaluated as the IPv4 address it stands for', async () => {
  const { dns } = await world({ 'example.com': { TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] } });
  const evaluation = await evaluateSpf(identity('::ffff:192.0.2.5'), dns);
  assert.deepEqual([evaluation.result, evaluation.ip], ['pass', '192.0.2.5']);
});

test('%{p} is the validated PTR name, preferring one under the domain; "unknown" without one', async () => {
  const { dns } = await world({
    'example.com': { TXT: [['v=spf1 exists:%{p}.allow.example.com -all']] },
    '1.2.0.192.in-addr.arpa': { PTR: ['other.example.org', 'mail.example.com'] },
    'other.example.org': { A: ['192.0.2.1'] },
    'mail.example.com': { A: ['192.0.2.1'] },
    'mail.example.com.allow.example.com': { A: ['127.0.0.2'] },
  });
  assert.equal((await evaluateSpf(identity('192.0.2.1'), dns)).result, 'pass');
  assert.equal((await evaluateSpf(identity('192.0.2.2'), dns)).result, 'fail');
});
