import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { createDnsClient } from '../../src/net/dns/index.js';
import { startZoneServers } from '../helpers/zone-servers.js';

let sim: SimDnsServer;
const big = Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(200, 'x'));

before(async () => {
  sim = await startSimDns({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], TXT: [['v=spf1 ', 'mx -all']] },
    'mx.example.com': { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] },
    'alias.example.com': { CNAME: 'mx.example.com' },
    '_25._tcp.mx.example.com': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32, 0xab) }] },
    'big.example.com': { TXT: [big] },
    'loop-a.example.com': { CNAME: 'loop-b.example.com' },
    'loop-b.example.com': { CNAME: 'loop-a.example.com' },
    'drop.example.com': 'DROP',
    'malformed.example.com': 'MALFORMED',
    'wrong-id.example.com': 'WRONG_ID',
    'tcp-refused.example.com': { action: 'TCP_REFUSED', TXT: [big] },
    'nx-with-answers.example.com': 'NXDOMAIN_WITH_ANSWERS',
    'broken.example.com': 'SERVFAIL',
    'refused.example.com': 'REFUSED',
  });
});
after(() => sim.close());

const client = (timeoutMs = 300) => createDnsClient({ servers: [sim.server], timeoutMs, retries: 0 });

test('typed records for each type', async () => {
  const dns = client();
  const mx = await dns.query('EXAMPLE.com.', 'MX');
  assert.equal(mx.kind, 'records');
  assert.deepEqual(mx.kind === 'records' && mx.records, [{ priority: 10, exchange: 'mx.example.com' }]);
  const txt = await dns.query('example.com', 'TXT');
  assert.deepEqual(txt.kind === 'records' && txt.records, [['v=spf1 ', 'mx -all']]);
  const aaaa = await dns.query('mx.example.com', 'AAAA');
  assert.deepEqual(aaaa.kind === 'records' && aaaa.records, ['2001:db8::10']);
  const tlsa = await dns.query('_25._tcp.mx.example.com', 'TLSA');
  assert.ok(tlsa.kind === 'records');
  assert.deepEqual({ ...tlsa.records[0]!, data: tlsa.records[0]!.data.toString('hex') }, { usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) });
  assert.equal(tlsa.ad, false);
});

test('NXDOMAIN, NODATA, SERVFAIL and REFUSED are distinct values', async () => {
  const dns = client();
  assert.equal((await dns.query('missing.example.com', 'A')).kind, 'nxdomain');
  assert.equal((await dns.query('example.com', 'A')).kind, 'nodata');
  assert.equal((await dns.query('broken.example.com', 'A')).kind, 'servfail');
  assert.equal((await dns.query('refused.example.com', 'A')).kind, 'refused');
  assert.equal((await dns.query('nx-with-answers.example.com', 'A')).kind, 'nxdomain');
});

test('CNAMEs are followed and reported as aliases; a loop is a failure, not a hang', async () => {
  const dns = client();
  const a = await dns.query('alias.example.com', 'A');
  assert.ok(a.kind === 'records');
  assert.deepEqual(a.records, ['192.0.2.10']);
  assert.deepEqual(a.aliases, ['alias.example.com → mx.example.com']);
  assert.equal((await dns.query('loop-a.example.com', 'A')).kind, 'servfail');
});

test('a truncated UDP answer is asked again over TCP', async () => {
  const txt = await client(2000).query('big.example.com', 'TXT');
  assert.ok(txt.kind === 'records');
  assert.equal(txt.records[0]!.join('').length, 60_000);
});

test('TCP refused after truncation is an error that says so', async () => {
  const txt = await client(2000).query('tcp-refused.example.com', 'TXT');
  assert.equal(txt.kind, 'error');
  assert.match(txt.kind === 'error' ? txt.message : '', /TCP/);
});

test('silence, garbage and answers to another question end as timeouts', async () => {
  const dns = client(200);
  for (const name of ['drop.example.com', 'malformed.example.com', 'wrong-id.example.com']) {
    const started = Date.now();
    assert.equal((await dns.query(name, 'A')).kind, 'timeout', name);
    assert.ok(Date.now() - started < 1000, `${name} took too long`);
  }
});

test('a second resolver answers when the first is dead', async () => {
  const dns = createDnsClient({ servers: [{ host: '127.0.0.1', port: 9 }, sim.server], timeoutMs: 200, retries: 0 });
  assert.equal((await dns.query('example.com', 'MX')).kind, 'records');
});

test('every question goes on the wire once per run', async () => {
  const dns = client();
  await Promise.all([dns.query('mx.example.com', 'A'), dns.query('MX.example.com.', 'A'), dns.query('mx.example.com', 'A')]);
  assert.equal(dns.stats.sent, 1);
  assert.equal(dns.stats.cached, 2);
});

test('a question on the wire is shared however many other questions are asked meanwhile', async () => {
  const dns = client(2000);
  const many = (prefix: string) => Array.from({ length: 6000 }, (_, i) => dns.query(`${prefix}${i}.example.com`, 'A'));
  const before = many('a');
  const first = dns.query('mx.example.com', 'AAAA');
  // More distinct questions than the answer cache keeps, asked while the first is still queued.
  const after = many('b');
  const again = dns.query('mx.example.com', 'AAAA');
  await Promise.all([...before, ...after]);
  assert.equal(await again, await first);
  assert.equal(dns.stats.sent, 12_001);
});

test('a name server asked directly: its authority bit, and a referral\'s NS names and glue as a value', async () => {
  const zones = await startZoneServers([{ host: '127.0.0.1', zone: 'example', records: { 'www.example': { A: ['192.0.2.80'] } }, delegations: { 'shop.example': { 'ns1.shop.example': '192.0.2.53' } } }]);
  try {
    const dns = createDnsClient({ servers: [], timeoutMs: 300, retries: 0 });
    const ask = (name: string) => dns.query(name, 'MX', { servers: [{ host: '127.0.0.1', port: zones.port }], recursive: false });
    const referral = await ask('shop.example');
    assert.deepEqual([referral.kind, 'aa' in referral && referral.aa, referral.kind === 'nodata' && referral.referral], ['nodata', false, { zone: 'shop.example', nameServers: [{ name: 'ns1.shop.example', addresses: ['192.0.2.53'] }] }]);
    const nodata = await ask('www.example');
    assert.deepEqual([nodata.kind, 'aa' in nodata && nodata.aa, nodata.kind === 'nodata' && nodata.referral], ['nodata', true, undefined]);
    const missing = await ask('gone.example');
    assert.deepEqual([missing.kind, 'aa' in missing && missing.aa], ['nxdomain', true]);
  } finally {
    await zones.close();
  }
});

test('loopback only: a name server off this machine is not asked, and the answer says why', async () => {
  const dns = createDnsClient({ servers: [sim.server], timeoutMs: 300, retries: 0, loopbackOnly: true });
  const answer = await dns.query('example.com', 'MX', { servers: [{ host: '192.0.2.53', port: 53 }], recursive: false });
  assert.deepEqual(answer, { kind: 'error', message: 'network access is disabled, and 192.0.2.53 is not on this machine', servers: ['192.0.2.53:53'] });
  assert.equal(dns.stats.sent, 0);
});

test('a question the OS will not send is an error that carries the OS\'s code, the same on every try', async () => {
  // Without SO_BROADCAST the kernel refuses a datagram to the broadcast address at once (EACCES): nothing leaves this machine.
  const dns = createDnsClient({ servers: [{ host: '255.255.255.255', port: 53 }], timeoutMs: 300, retries: 1 });
  const answer = await dns.query('example.com', 'A');
  assert.equal(answer.kind, 'error');
  assert.deepEqual([answer.kind === 'error' && answer.code, answer.kind === 'error' && answer.servers], ['EACCES', ['255.255.255.255:53']]);
  assert.match(answer.kind === 'error' ? answer.message : '', /^255\.255\.255\.255:53: .*EACCES.*; 255\.255\.255\.255:53: /);
});
