// The spf check on small simulated worlds, one SPF problem each.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import type { Report } from '../../src/report/schema.js';
import { causesOf, checkOf, diagnoseWorld, type WorldOptions } from '../helpers/diagnosis.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

/** example.com with the given SPF strings (one TXT record each) and any other names. */
async function spfWorld(spf: string[][], extra: SimZone = {}, options: WorldOptions = {}): Promise<Report> {
  const dns = await startSimDns({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], TXT: [['google-site-verification=token'], ...spf] },
    'mx.example.com': { A: ['192.0.2.10'] },
    ...extra,
  });
  servers.push(dns);
  return diagnoseWorld('example.com', { dns, only: ['spf'], options });
}

const findingOf = (report: Report, cause: string) => checkOf(report, 'spf').findings.find(f => f.cause === cause)!;

/** The finding's messageId and its data (only the fields named, when some are). */
function wordsOf(report: Report, cause: string, ...fields: string[]) {
  const { messageId, data = {} } = findingOf(report, cause);
  return { messageId, data: fields.length ? Object.fromEntries(fields.map(field => [field, data[field]])) : data };
}

test('a strict record: nothing to report', async () => {
  const report = await spfWorld([['v=spf1 mx ip4:192.0.2.0/24 -all']]);
  assert.deepEqual(causesOf(report, 'spf'), []);
  assert.equal(checkOf(report, 'spf').data['lookups'], 1);
});

test('a record split over several strings is read joined (RFC 7208 §3.3)', async () => {
  const report = await spfWorld([['v=spf1 ip4:192.0.2.0/24 ', 'include:_spf.example.net', ' -all']], { '_spf.example.net': { TXT: [['v=spf1 ip4:198.51.100.0/24 -all']] } });
  assert.deepEqual(causesOf(report, 'spf'), []);
  assert.equal(checkOf(report, 'spf').data['record'], 'v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all');
});

test('spf.missing when only unrelated TXT records exist', async () => {
  const report = await spfWorld([]);
  assert.deepEqual(causesOf(report, 'spf'), ['spf.missing:warning']);
  assert.match(findingOf(report, 'spf.missing').evidence[0]!, /google-site-verification/);
  assert.deepEqual(wordsOf(report, 'spf.missing'), { messageId: 'none', data: { domain: 'example.com', absence: { code: 'noSpfRecord', txtRecords: 1 } } });
});

test('spf.multiple: two v=spf1 records are a permerror', async () => {
  const report = await spfWorld([['v=spf1 mx -all'], ['v=spf1 ip4:192.0.2.10 -all']]);
  assert.deepEqual(causesOf(report, 'spf'), ['spf.multiple:error']);
  assert.equal(findingOf(report, 'spf.multiple').evidence.length, 2);
  assert.deepEqual(wordsOf(report, 'spf.multiple'), { messageId: 'here', data: { domain: 'example.com', records: 2 } });
});

test('spf.multiple in an included record names the include', async () => {
  const report = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': { TXT: [['v=spf1 -all'], ['v=spf1 mx -all']] } });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.multiple:error']);
  assert.deepEqual(wordsOf(report, 'spf.multiple'), { messageId: 'nested', data: { term: 'include:_spf.example.net', parent: 'example.com', domain: '_spf.example.net', records: 2 } });
});

test('spf.syntax names the term', async () => {
  const report = await spfWorld([['v=spf1 mx ip4:192.0.2.300 -all']]);
  assert.deepEqual(causesOf(report, 'spf'), ['spf.syntax:error']);
  assert.deepEqual(wordsOf(report, 'spf.syntax', 'term', 'problem'), {
    messageId: 'here',
    data: { term: 'ip4:192.0.2.300', problem: { code: 'notAnAddress', address: '192.0.2.300', family: 'ip4' } },
  });
});

test('spf.syntax in an included record names that record', async () => {
  const report = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': { TXT: [['v=spf1 ipv4:198.51.100.1 -all']] } });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.syntax:error']);
  assert.deepEqual(findingOf(report, 'spf.syntax').subjects, ['_spf.example.net']);
});

/** n records chained by include:, each with one a: term, so the total is known. */
function includeChain(n: number): SimZone {
  const zone: SimZone = {};
  for (let i = 1; i <= n; i++) {
    zone[`_s${i}.example.com`] = { TXT: [[`v=spf1 a:h${i}.example.com${i < n ? ` include:_s${i + 1}.example.com` : ''} -all`]] };
    zone[`h${i}.example.com`] = { A: [`192.0.2.${i}`] };
  }
  return zone;
}

test('10 lookups is within the limit', async () => {
  // include:_s1 + 5 × a + 4 × include = 10
  const report = await spfWorld([['v=spf1 include:_s1.example.com -all']], includeChain(5));
  assert.deepEqual(causesOf(report, 'spf'), []);
  assert.equal(checkOf(report, 'spf').data['lookups'], 10);
});

test('spf.too-many-lookups at 11, with the count and the tree', async () => {
  // 10 as above + one mx at the top = 11
  const report = await spfWorld([['v=spf1 mx include:_s1.example.com -all']], includeChain(5));
  assert.deepEqual(causesOf(report, 'spf'), ['spf.too-many-lookups:error']);
  const f = findingOf(report, 'spf.too-many-lookups');
  assert.equal(f.data?.['lookups'], 11);
  assert.equal(f.data?.['limit'], 10);
  assert.match(f.evidence[0]!, /^example\.com \(2 lookups\)/);
  assert.match(f.evidence[1]!, /^ {2}include:_s1\.example\.com \(2 lookups\)/);
  assert.equal(f.evidence.length, 6);
});

test('an include loop is reported as endless lookups, and the walk ends', async () => {
  const report = await spfWorld([['v=spf1 include:_a.example.com -all']], {
    '_a.example.com': { TXT: [['v=spf1 include:_b.example.com -all']] },
    '_b.example.com': { TXT: [['v=spf1 include:_a.example.com -all']] },
  });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.too-many-lookups:error']);
  assert.deepEqual(findingOf(report, 'spf.too-many-lookups').data?.['loop'], ['example.com', '_a.example.com', '_b.example.com', '_a.example.com']);
});

test('spf.void-lookups: three names that do not exist, and each include of a missing record', async () => {
  const report = await spfWorld([['v=spf1 a:gone1.example.com mx:gone2.example.com include:_spf.gone.example -all']], { 'gone.example': { A: ['192.0.2.99'] } });
  assert.deepEqual(causesOf(report, 'spf').sort(), ['spf.include-missing:error', 'spf.void-lookups:error']);
  assert.deepEqual(findingOf(report, 'spf.void-lookups').subjects, ['gone1.example.com', 'gone2.example.com', '_spf.gone.example']);
});

test('two void lookups are within the limit; a name with only AAAA is not void', async () => {
  const report = await spfWorld([['v=spf1 a:gone1.example.com a:gone2.example.com a:v6.example.com -all']], { 'v6.example.com': { AAAA: ['2001:db8::1'] } });
  assert.deepEqual(causesOf(report, 'spf'), []);
  assert.equal((checkOf(report, 'spf').data['voidLookups'] as unknown[]).length, 2);
});

test('spf.plus-all for +all, and for an include of a record that passes everything', async () => {
  assert.deepEqual(causesOf(await spfWorld([['v=spf1 +all']]), 'spf'), ['spf.plus-all:error']);
  assert.deepEqual(causesOf(await spfWorld([['v=spf1 all']]), 'spf'), ['spf.plus-all:error']);
  const viaInclude = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': { TXT: [['v=spf1 ip4:0.0.0.0/0 -all']] } });
  assert.deepEqual(causesOf(viaInclude, 'spf'), ['spf.plus-all:error']);
  assert.deepEqual(findingOf(viaInclude, 'spf.plus-all').data?.['chain'], ['example.com: include:_spf.example.net', '_spf.example.net: ip4:0.0.0.0/0']);
});

test('"-all" before "+all" wins: mechanisms after the first match are never tried', async () => {
  assert.deepEqual(causesOf(await spfWorld([['v=spf1 mx -all +all']]), 'spf'), []);
});

test('spf.soft-all (info) for ~all, ?all, no "all" at all, and ~all or ?all reached by redirect=', async () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['v=spf1 mx ~all', 'softfail', { all: '~all' }],
    ['v=spf1 mx ?all', 'neutral', { all: '?all' }],
    ['v=spf1 mx', 'noAll', { all: null }],
    ['v=spf1 redirect=_spf.example.net', 'softfailVia', { all: '~all', via: '_spf.example.net' }],
    ['v=spf1 redirect=_neutral.example.net', 'neutralVia', { all: '?all', via: '_neutral.example.net' }],
  ];
  for (const [record, messageId, data] of cases) {
    const report = await spfWorld([[record]], { '_spf.example.net': { TXT: [['v=spf1 mx ~all']] }, '_neutral.example.net': { TXT: [['v=spf1 ?all']] } });
    assert.deepEqual(causesOf(report, 'spf'), ['spf.soft-all:info'], record);
    assert.deepEqual(wordsOf(report, 'spf.soft-all'), { messageId, data: { domain: 'example.com', ...data } }, record);
  }
});

test('spf.include-missing: include: of a domain that publishes no SPF', async () => {
  const report = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': { TXT: [['some-other-record']] } });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.include-missing:error']);
  const site = { term: 'include:_spf.example.net', parent: 'example.com', domain: '_spf.example.net' };
  assert.deepEqual(wordsOf(report, 'spf.include-missing'), { messageId: 'none', data: { ...site, absence: { code: 'noSpfRecord', txtRecords: 1 } } });
  const noTxt = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': { A: ['192.0.2.1'] } });
  assert.deepEqual(wordsOf(noTxt, 'spf.include-missing'), { messageId: 'none', data: { ...site, absence: { code: 'noTxt' } } });
});

test('with --ip: an include of a domain without SPF is spf.permerror, saying why it has none', async () => {
  const report = await spfWorld([['v=spf1 include:_spf.example.net -all']], {}, { senderIp: '203.0.113.5' });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.include-missing:error', 'spf.permerror:error']);
  assert.deepEqual(wordsOf(report, 'spf.permerror', 'why'), {
    messageId: 'permerror',
    data: { why: { code: 'includeNone', domain: 'example.com', term: 'include:_spf.example.net', inner: { code: 'nxdomain', domain: '_spf.example.net' } } },
  });
});

test('with --ip: spf.ip-not-authorized with the check_host() result; pass is quiet', async () => {
  const fail = await spfWorld([['v=spf1 ip4:192.0.2.0/24 -all']], {}, { senderIp: '203.0.113.5' });
  assert.deepEqual(causesOf(fail, 'spf'), ['spf.ip-not-authorized:error']);
  assert.deepEqual(wordsOf(fail, 'spf.ip-not-authorized'), {
    messageId: 'unlisted',
    data: { ip: '203.0.113.5', result: 'fail', lookups: 0, voidLookups: 0, domain: 'example.com', why: { code: 'matched', domain: 'example.com', term: '-all' } },
  });
  assert.deepEqual(findingOf(fail, 'spf.ip-not-authorized').evidence.slice(0, 1), ['path: example.com: -all']);
  const refused = await spfWorld([['v=spf1 -ip4:203.0.113.0/24 +all']], {}, { senderIp: '203.0.113.5' });
  assert.deepEqual(wordsOf(refused, 'spf.ip-not-authorized', 'why'), { messageId: 'refused', data: { why: { code: 'matched', domain: 'example.com', term: '-ip4:203.0.113.0/24' } } });
  const softfail = await spfWorld([['v=spf1 ip4:192.0.2.0/24 ~all']], {}, { senderIp: '203.0.113.5' });
  assert.deepEqual(causesOf(softfail, 'spf').sort(), ['spf.ip-not-authorized:warning', 'spf.soft-all:info']);
  const pass = await spfWorld([['v=spf1 mx -all']], {}, { senderIp: '192.0.2.10' });
  assert.deepEqual(causesOf(pass, 'spf'), []);
  assert.equal((checkOf(pass, 'spf').data['senderIp'] as { result: string }).result, 'pass');
});

test('an include whose name servers never answer: the walk ends, temperror is not a finding', async () => {
  const report = await spfWorld([['v=spf1 include:_spf.silent.example -all']], { '_spf.silent.example': 'DROP' }, { timeoutMs: 300 });
  assert.deepEqual(causesOf(report, 'spf'), []);
  const tree = checkOf(report, 'spf').data['tree'] as { lookups: { outcome: string; child: { status: string } }[] };
  assert.deepEqual([tree.lookups[0]!.outcome, tree.lookups[0]!.child.status], ['error', 'dns-error']);
});

test('with --ip: permerror on the address\'s path is spf.permerror, never a pass', async () => {
  // Each record looks well-formed to the walker; only evaluating it for the address shows the error.
  const cases: [string, SimZone, Record<string, unknown>][] = [
    // The sender's local part ("postmaster") makes a name with an empty label: no record to include.
    ['v=spf1 include:%{l}..example.net -all', {}, { code: 'includeInvalid', domain: 'example.com', term: 'include:%{l}..example.net' }],
    // Three MX hosts without addresses: three void lookups (counted per host, RFC 7208 §4.6.4).
    [
      'v=spf1 mx:mail.example.net -all',
      { 'mail.example.net': { MX: [1, 2, 3].map(n => ({ priority: n, exchange: `gone${n}.example.net` })) } },
      { code: 'voidLimit', domain: 'example.com', term: 'mx:mail.example.net', target: 'gone3.example.net', voids: 3, limit: 2 },
    ],
  ];
  for (const [record, zone, why] of cases) {
    const report = await spfWorld([[record]], zone, { senderIp: '203.0.113.5' });
    assert.deepEqual(causesOf(report, 'spf').filter(c => c.startsWith('spf.permerror')), ['spf.permerror:error'], record);
    assert.deepEqual(wordsOf(report, 'spf.permerror', 'why'), { messageId: 'permerror', data: { why } });
    assert.equal((checkOf(report, 'spf').data['senderIp'] as { result: string }).result, 'permerror');
  }
});

test('with --ip: an exists: whose name servers fail is spf.temperror, not a pass', async () => {
  const report = await spfWorld([['v=spf1 exists:%{i}.list.example.net -all']], { '203.0.113.5.list.example.net': 'SERVFAIL' }, { senderIp: '203.0.113.5' });
  assert.deepEqual(causesOf(report, 'spf'), ['spf.temperror:warning']);
  assert.deepEqual(findingOf(report, 'spf.temperror').evidence[0], 'path: example.com: exists:%{i}.list.example.net');
  assert.deepEqual(wordsOf(report, 'spf.temperror', 'why'), {
    messageId: 'temperror',
    data: { why: { code: 'lookupFailed', domain: 'example.com', term: 'exists:%{i}.list.example.net', target: '203.0.113.5.list.example.net', failure: 'servfail' } },
  });
  const include = await spfWorld([['v=spf1 include:_spf.example.net -all']], { '_spf.example.net': 'SERVFAIL' }, { senderIp: '203.0.113.5' });
  assert.deepEqual(wordsOf(include, 'spf.temperror', 'why'), { messageId: 'temperror', data: { why: { code: 'txtLookupFailed', domain: '_spf.example.net', failure: 'servfail' } } });
});

test('spf.too-many-lookups for an mx with more than 10 MX hosts, and for a walk cut short', async () => {
  const manyMx = { 'mail.example.net': { MX: Array.from({ length: 12 }, (_, i) => ({ priority: i, exchange: `m${i}.example.net` })) } };
  const mx = await spfWorld([['v=spf1 mx:mail.example.net -all']], manyMx);
  assert.deepEqual(wordsOf(mx, 'spf.too-many-lookups'), { messageId: 'mxHosts', data: { mxHosts: 12, limit: 10, term: 'mx:mail.example.net', domain: 'example.com' } });
  // A chain of 45 includes: the walk stops fetching after 40 records.
  const chain: SimZone = {};
  for (let i = 0; i < 45; i++) chain[`_c${i}.example.com`] = { TXT: [[`v=spf1 include:_c${i + 1}.example.com -all`]] };
  const long = await spfWorld([['v=spf1 include:_c0.example.com -all']], chain);
  assert.deepEqual(wordsOf(long, 'spf.too-many-lookups', 'truncated'), { messageId: 'overLimitUncounted', data: { truncated: true } });
});

test('with --ip: the lookup limit belongs to an evaluation; an address matched early passes', async () => {
  const includes = Array.from({ length: 11 }, (_, i) => `include:s${i}.example.net`);
  const zone: SimZone = Object.fromEntries(includes.map((_, i) => [`s${i}.example.net`, { TXT: [[`v=spf1 ip4:198.51.100.${i} -all`]] }]));
  // Over 255 characters: one string per term, joined by the reader (RFC 7208 §3.3).
  const early = await spfWorld([['v=spf1 ip4:192.0.2.10', ...includes.map(i => ` ${i}`), ' -all']], zone, { senderIp: '192.0.2.10' });
  assert.deepEqual(causesOf(early, 'spf'), ['spf.too-many-lookups:error']);
  assert.deepEqual(wordsOf(early, 'spf.too-many-lookups', 'lookups', 'ip', 'ipLookups', 'ipVoidLookups', 'ipResult'), {
    messageId: 'overLimitIpStopsEarlier',
    data: { lookups: 11, ip: '192.0.2.10', ipLookups: 0, ipVoidLookups: 0, ipResult: 'pass' },
  });
  const late = await spfWorld([['v=spf1', ...includes.map(i => ` ${i}`), ' -all']], zone, { senderIp: '192.0.2.10' });
  assert.deepEqual(causesOf(late, 'spf'), ['spf.too-many-lookups:error', 'spf.permerror:error']);
  assert.equal(findingOf(late, 'spf.too-many-lookups').messageId, 'overLimit');
});

test('with --ip: --from and --helo are the sender and HELO of the evaluation (%{l}, %{h})', async () => {
  const zone: SimZone = { 'alice.senders.example.com': { A: ['127.0.0.2'] }, 'out.example.com': { A: ['203.0.113.5'] } };
  const record = 'v=spf1 exists:%{l}.senders.%{d} a:%{h} -all';
  const bySender = await spfWorld([[record]], zone, { senderIp: '198.51.100.1', from: 'alice@example.com' });
  assert.deepEqual((checkOf(bySender, 'spf').data['senderIp'] as { path: string[] }).path, ['example.com: exists:%{l}.senders.%{d}']);
  const byHelo = await spfWorld([[record]], zone, { senderIp: '203.0.113.5', from: 'bob@example.com', helo: 'out.example.com' });
  assert.deepEqual((checkOf(byHelo, 'spf').data['senderIp'] as { path: string[] }).path, ['example.com: a:%{h}']);
  const neither = await spfWorld([[record]], zone, { senderIp: '203.0.113.5', from: 'bob@example.com', helo: 'other.example.com' });
  assert.deepEqual(causesOf(neither, 'spf'), ['spf.ip-not-authorized:error']);
});

test('an MX host without addresses is a void lookup of its own (RFC 7208 §4.6.4), named with its mx term', async () => {
  const report = await spfWorld([['v=spf1 mx:mail.example.net -all']], {
    'mail.example.net': { MX: [1, 2, 3].map(n => ({ priority: n, exchange: `mx${n}.example.net` })) },
    'mx1.example.net': { A: ['192.0.2.1'] },
    'mx2.example.net': { AAAA: ['2001:db8::2'] },
  });
  assert.deepEqual(causesOf(report, 'spf'), []);
  assert.deepEqual((checkOf(report, 'spf').data['voidLookups'] as { target: string }[]).map(v => v.target), ['mx3.example.net']);
  const worse = await spfWorld([['v=spf1 a:gone.example.com mx:mail.example.net -all']], { 'mail.example.net': { MX: [1, 2].map(n => ({ priority: n, exchange: `gone${n}.example.net` })) } });
  assert.deepEqual(causesOf(worse, 'spf'), ['spf.void-lookups:error']);
  assert.deepEqual(wordsOf(worse, 'spf.void-lookups', 'voidLookups', 'voids'), {
    messageId: 'overLimit',
    data: {
      voidLookups: 3,
      voids: [
        { domain: 'example.com', term: 'a:gone.example.com', target: 'gone.example.com' },
        { domain: 'example.com', term: 'mx:mail.example.net', target: 'gone1.example.net', mxHost: true },
        { domain: 'example.com', term: 'mx:mail.example.net', target: 'gone2.example.net', mxHost: true },
      ],
    },
  });
});

test('a TXT lookup of the domain that fails is dns.servfail on the sender side (receivers get a temperror too), not spf.missing and not a pass', async () => {
  const report = await spfWorld([['v=spf1 mx -all']], { 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], actionByType: { TXT: 'SERVFAIL' } } });
  assert.deepEqual(causesOf(report, 'spf'), ['dns.servfail:error']);
  const failed = findingOf(report, 'dns.servfail');
  assert.deepEqual([failed.messageId, failed.side, failed.data['answer']], ['spfLookupFailed', 'sender', 'servfail']);
  assert.notEqual(checkOf(report, 'spf').status, 'pass');
});
