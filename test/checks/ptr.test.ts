// The ptr check on small simulated worlds: reverse DNS of MX addresses and of
// IP targets, each world broken in one way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone, type SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import ptr from '../../src/checks/ptr.js';
import { formatMessage } from '../../src/causes.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

const TIMEOUT_MS = 1000;

async function startWorld(zone: SimZone) {
  const sim = await startSimDns({ '.': { NS: ['a.root.example'] }, ...zone });
  servers.push(sim);
  return testNet(TIMEOUT_MS, [sim.server]);
}

async function diagnoseIn(zone: SimZone, target = 'example.com', options: Partial<RunOptions> = {}): Promise<Report> {
  const net = await startWorld(zone);
  return diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true, ...options }), net, { only: ['ptr'] });
}

/** A domain whose one MX host is mx.example.com at 192.0.2.10, plus the reverse records given. */
const mxWorld = (reverse: SimZone): SimZone => ({
  'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
  'mx.example.com': { A: ['192.0.2.10'] },
  ...reverse,
});

const findingsOf = (report: Report) => report.checks.find(c => c.id === 'ptr')!.findings;
const causesOf = (report: Report) => findingsOf(report).map(f => f.cause);

test('a forward-confirmed, specific PTR: nothing to report', async () => {
  const report = await diagnoseIn(mxWorld({ '10.2.0.192.in-addr.arpa': { PTR: ['mx.example.com'] } }));
  assert.deepEqual(causesOf(report), []);
  const data = report.checks.find(c => c.id === 'ptr')!.data;
  assert.deepEqual(data['addresses'], [{ ip: '192.0.2.10', host: 'mx.example.com', ptr: 'found', names: [{ name: 'mx.example.com', addresses: ['192.0.2.10'], forwardConfirmed: true }] }]);
});

test('ptr.missing for an MX address without PTR: the recipient side fixes it', async () => {
  const report = await diagnoseIn(mxWorld({}));
  assert.equal(report.diagnosis[0]?.cause, 'ptr.missing');
  const [f] = findingsOf(report);
  assert.equal(f!.side, 'recipient');
  assert.equal(f!.severity, 'warning');
  assert.deepEqual(f!.subjects, ['192.0.2.10', 'mx.example.com']);
  assert.match(f!.evidence[0]!, /^10\.2\.0\.192\.in-addr\.arpa PTR: NXDOMAIN/);
  assert.deepEqual([f!.messageId, f!.data], ['none', { ip: '192.0.2.10', address: { ip: '192.0.2.10', role: 'mx', host: 'mx.example.com' } }]);
});

test('ptr.not-fcrdns when the PTR name resolves to another address, and says which', async () => {
  const report = await diagnoseIn(mxWorld({
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.isp.example'] },
    'mail.isp.example': { A: ['198.51.100.3'] },
  }));
  assert.deepEqual(causesOf(report), ['ptr.not-fcrdns']);
  const [f] = findingsOf(report);
  const forward = [{ name: 'mail.isp.example', addresses: ['198.51.100.3'], outcome: 'records' }];
  assert.equal(f!.messageId, 'notConfirmed');
  assert.deepEqual(f!.data, { ip: '192.0.2.10', names: forward, address: { ip: '192.0.2.10', role: 'mx', host: 'mx.example.com' }, ptrNames: ['mail.isp.example'], disproved: forward });
});

test('ptr.not-fcrdns when the PTR name does not exist', async () => {
  const report = await diagnoseIn(mxWorld({ '10.2.0.192.in-addr.arpa': { PTR: ['gone.isp.example'] } }));
  assert.deepEqual(causesOf(report), ['ptr.not-fcrdns']);
  assert.equal((findingsOf(report)[0]!.data as { names: { outcome: string }[] }).names[0]!.outcome, 'nxdomain');
});

test('ptr.not-fcrdns words each name that does not lead back: gone, without an address, or elsewhere', () => {
  const disproved = [
    { name: 'gone.isp.example', addresses: [], outcome: 'nxdomain' },
    { name: 'bare.isp.example', addresses: [], outcome: 'nodata' },
    { name: 'mail.isp.example', addresses: ['198.51.100.3', '198.51.100.4'], outcome: 'records' },
  ];
  const data = { address: { ip: '192.0.2.10', role: 'mx', host: 'mx.example.com' } as const, ip: '192.0.2.10', ptrNames: disproved.map(d => d.name), disproved };
  assert.equal(formatMessage('ptr.not-fcrdns', 'notConfirmed', data),
    'MX host mx.example.com (192.0.2.10) has PTR gone.isp.example, bare.isp.example, mail.isp.example, but gone.isp.example does not exist (NXDOMAIN); '
    + 'bare.isp.example has no address record; mail.isp.example resolves to 198.51.100.3, 198.51.100.4, not to 192.0.2.10');
  assert.equal(formatMessage('ptr.missing', 'none', { address: { ip: '192.0.2.10', role: 'target' } }), '192.0.2.10 has no PTR record: a reverse lookup returns no name');
});

test('one confirming name among several PTR names is enough', async () => {
  const report = await diagnoseIn(mxWorld({
    '10.2.0.192.in-addr.arpa': { PTR: ['old.isp.example', 'mx.example.com'] },
    'old.isp.example': { A: ['198.51.100.3'] },
  }));
  assert.deepEqual(causesOf(report), []);
});

test('a forward lookup that fails proves nothing: no ptr.not-fcrdns', async () => {
  const report = await diagnoseIn(mxWorld({
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.broken.example'] },
    'mail.broken.example': 'SERVFAIL',
  }));
  assert.deepEqual(causesOf(report), []);
});

test('ptr.generic for a forward-confirmed dynamic-pool name, with the rule that fired', async () => {
  const report = await diagnoseIn(mxWorld({
    '10.2.0.192.in-addr.arpa': { PTR: ['192-0-2-10.dynamic.pool.isp.example'] },
    '192-0-2-10.dynamic.pool.isp.example': { A: ['192.0.2.10'] },
  }));
  assert.deepEqual(causesOf(report), ['ptr.generic']);
  const [f] = findingsOf(report);
  assert.equal(f!.messageId, 'generic');
  assert.deepEqual(f!.data, {
    ip: '192.0.2.10',
    name: '192-0-2-10.dynamic.pool.isp.example',
    reasons: [{ code: 'embedsAddress', ip: '192.0.2.10', form: 'inOrder' }, { code: 'accessWords', words: ['dynamic', 'pool'] }],
    address: { ip: '192.0.2.10', role: 'mx', host: 'mx.example.com' },
  });
});

test('a failed reverse lookup is no finding, but the check says it could not conclude', async () => {
  const report = await diagnoseIn(mxWorld({ '10.2.0.192.in-addr.arpa': 'SERVFAIL' }));
  const check = report.checks.find(c => c.id === 'ptr')!;
  assert.deepEqual(check.findings, []);
  assert.equal(check.status, 'info');
  assert.deepEqual(check.data['addresses'], [{ ip: '192.0.2.10', host: 'mx.example.com', ptr: 'failed', outcome: 'servfail' }]);
});

test('an IPv6 MX address is looked up under ip6.arpa and confirmed with AAAA', async () => {
  const report = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { AAAA: ['2001:db8::25'] },
    '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['mx.example.com'] },
  });
  assert.deepEqual(causesOf(report), []);
  assert.equal((report.checks.find(c => c.id === 'ptr')!.data['addresses'] as { ptr: string }[])[0]!.ptr, 'found');
});

test('an IP target: the address itself, with the registry side (sender)', async () => {
  const report = await diagnoseIn({}, '203.0.113.5');
  assert.deepEqual(causesOf(report), ['ptr.missing']);
  assert.equal(findingsOf(report)[0]!.side, 'sender');
  assert.deepEqual(findingsOf(report)[0]!.subjects, ['203.0.113.5']);
});

test('without --allow-private, a documentation-range IP target is left out, not reported', async () => {
  const report = await diagnoseIn({}, '203.0.113.5', { allowPrivate: false });
  const check = report.checks.find(c => c.id === 'ptr')!;
  assert.deepEqual(check.findings, []);
  assert.deepEqual(check.data['excluded'], [{ ip: '203.0.113.5', reason: 'documentation (RFC 5737)' }]);
});

test('provides ptrNames per address: names and whether they are forward-confirmed', async () => {
  const net = await startWorld({
    '10.2.0.192.in-addr.arpa': { PTR: ['mx.example.com'] },
    'mx.example.com': { A: ['192.0.2.10'] },
    '20.2.0.192.in-addr.arpa': { PTR: ['mail.isp.example'] },
  });
  const hostAddrs = [
    { host: 'mx.example.com', ip: '192.0.2.10', family: 4 as const, preference: 10 },
    { host: 'mx2.example.com', ip: '192.0.2.20', family: 4 as const, preference: 20 },
    { host: 'mx3.example.com', ip: '192.0.2.30', family: 4 as const, preference: 30 },
  ];
  const output = await ptr.run({ hostAddrs }, {
    target: parseTarget('example.com'),
    options: defaultRunOptions({ allowPrivate: true }),
    net,
    signal: new AbortController().signal,
  });
  assert.deepEqual(output.provided?.ptrNames, [
    { ip: '192.0.2.10', names: ['mx.example.com'], forwardConfirmed: true },
    { ip: '192.0.2.20', names: ['mail.isp.example'], forwardConfirmed: false },
    { ip: '192.0.2.30', names: [], forwardConfirmed: false },
  ]);
});
