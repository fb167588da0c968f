// The gate and MX checks on small simulated worlds: each world broken in one way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone, type SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

async function diagnoseIn(zone: SimZone, domain = 'example.com', options: Partial<RunOptions> = {}): Promise<Report> {
  const sim = await startSimDns({ '.': { NS: ['a.root.example'] }, ...zone });
  servers.push(sim);
  const net = testNet(500, [sim.server]);
  return diagnose(parseTarget(domain), defaultRunOptions({ allowPrivate: true, ...options }), net, { only: ['domain', 'mx', 'host-addrs'] });
}

const causesOf = (report: Report) => report.checks.flatMap(c => c.findings.map(f => f.cause));
const top = (report: Report) => report.diagnosis[0]?.cause;
const idsAndData = (report: Report, cause: string) => {
  const found = report.checks.flatMap(c => c.findings).find(f => f.cause === cause);
  return [found?.messageId, found?.data];
};

test('a healthy domain: MX hosts and addresses provided, nothing found', async () => {
  const report = await diagnoseIn({
    'example.com': { MX: [{ priority: 20, exchange: 'mx2.example.com' }, { priority: 10, exchange: 'mx1.example.com' }] },
    'mx1.example.com': { A: ['192.0.2.10'] },
    'mx2.example.com': { A: ['192.0.2.20'], AAAA: ['2001:db8::20'] },
  });
  assert.deepEqual(causesOf(report), []);
  assert.equal(report.verdict, 'ok');
  const hosts = report.checks.find(c => c.id === 'host-addrs')!.data['hosts'] as { host: string; addresses: string[] }[];
  assert.deepEqual(hosts.map(h => [h.host, h.addresses]), [['mx1.example.com', ['192.0.2.10']], ['mx2.example.com', ['192.0.2.20', '2001:db8::20']]]);
});

test('domain.nxdomain, and everything after it is skipped', async () => {
  const report = await diagnoseIn({}, 'missing.example');
  assert.equal(top(report), 'domain.nxdomain');
  const [messageId, data] = idsAndData(report, 'domain.nxdomain') as [string, { domain: string; server: string; why: unknown }];
  // This resolver names no name server above the domain: its NXDOMAIN stands, said to be its word alone.
  assert.deepEqual([messageId, data.domain, data.why], ['unconfirmed', 'missing.example', { code: 'noServers' }]);
  assert.match(data.server, /^127\.0\.0\.1/);
  assert.deepEqual(report.checks.map(c => c.status), ['fail', 'skipped', 'skipped']);
});

test('dns.servfail when the resolver cannot answer for the domain, said to rest on its word when no name server above it can be asked', async () => {
  const report = await diagnoseIn({ 'example.com': 'SERVFAIL' });
  const [messageId, data] = idsAndData(report, 'dns.servfail') as [string, { domain: string; why: unknown }];
  assert.deepEqual([top(report), messageId, data.domain, data.why], ['dns.servfail', 'unconfirmed', 'example.com', { code: 'noServers' }]);
});

test('dns.servfail when the domain is silent but the resolver answers', async () => {
  const report = await diagnoseIn({ 'example.com': 'DROP' });
  assert.deepEqual([top(report), ...idsAndData(report, 'dns.servfail')], ['dns.servfail', 'unanswered', { domain: 'example.com', answer: 'timeout' }]);
});

test('dns.resolver-unreachable when no resolver answers at all', async () => {
  const net = testNet(200, [{ host: '127.0.0.1', port: 9 }]);
  const report = await diagnose(parseTarget('example.com'), defaultRunOptions(), net);
  assert.equal(top(report), 'dns.resolver-unreachable');
  assert.equal(report.diagnosis[0]!.side, 'local');
});

test('mx.missing: no MX and no address', async () => {
  const report = await diagnoseIn({ 'example.com': { TXT: [['hello']] } });
  assert.equal(top(report), 'mx.missing');
  assert.ok(!causesOf(report).includes('mx.implicit'));
});

test('mx.implicit: no MX, the A record is used', async () => {
  const report = await diagnoseIn({ 'example.com': { A: ['192.0.2.30'] } });
  assert.equal(top(report), 'mx.implicit');
  assert.deepEqual(idsAndData(report, 'mx.implicit'), ['fallback', { domain: 'example.com', addresses: ['192.0.2.30'] }]);
  assert.equal(report.diagnosis[0]!.severity, 'warning');
  assert.equal(report.checks.find(c => c.id === 'host-addrs')!.status, 'pass');
});

test('mx.null: "0 ." and nothing probed', async () => {
  const report = await diagnoseIn({ 'example.com': { MX: [{ priority: 0, exchange: '' }] } });
  assert.deepEqual([top(report), ...idsAndData(report, 'mx.null')], ['mx.null', 'alone', { domain: 'example.com' }]);
  assert.equal(report.checks.find(c => c.id === 'host-addrs')!.status, 'skipped');
});

test('a null MX mixed with real ones is a warning and the real ones are used', async () => {
  const report = await diagnoseIn({
    'example.com': { MX: [{ priority: 0, exchange: '' }, { priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: ['192.0.2.10'] },
  });
  assert.equal(report.diagnosis[0]!.cause, 'mx.null');
  assert.equal(report.diagnosis[0]!.severity, 'warning');
  assert.equal(idsAndData(report, 'mx.null')[0], 'mixed');
});

test('mx.target-nxdomain for a host that does not exist or has no address', async () => {
  const report = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'gone.example.com' }, { priority: 20, exchange: 'empty.example.com' }] },
    'empty.example.com': { TXT: [['x']] },
  });
  assert.equal(top(report), 'mx.target-nxdomain');
  assert.deepEqual(report.diagnosis[0]!.subjects, ['gone.example.com', 'empty.example.com']);
  const findings = report.checks.find(c => c.id === 'host-addrs')!.findings;
  assert.deepEqual(findings.map(f => [f.messageId, f.data]), [['nxdomain', { host: 'gone.example.com' }], ['noAddress', { host: 'empty.example.com' }]]);
});

test('mx.target-invalid for a CNAME target and an IP literal', async () => {
  const report = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'alias.example.com' }, { priority: 20, exchange: '192.0.2.99' }] },
    'alias.example.com': { CNAME: 'real.example.net' },
    'real.example.net': { A: ['192.0.2.10'] },
  });
  assert.equal(top(report), 'mx.target-invalid');
  assert.deepEqual([...report.diagnosis[0]!.subjects].sort(), ['192.0.2.99', 'alias.example.com']);
});

test('an MX written as an IP address: an error when it is the only MX (no sender can deliver), a warning beside a named one', async () => {
  const only = await diagnoseIn({ 'example.com': { MX: [{ priority: 10, exchange: '192.0.2.10' }] } });
  assert.deepEqual([top(only), only.diagnosis[0]!.severity], ['mx.target-invalid', 'error']);
  assert.deepEqual(idsAndData(only, 'mx.target-invalid'), ['addressOnly', { domain: 'example.com', preference: 10, exchange: '192.0.2.10' }]);
  const beside = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: '192.0.2.10' }, { priority: 20, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: ['192.0.2.20'] },
  });
  assert.deepEqual([top(beside), beside.diagnosis[0]!.severity], ['mx.target-invalid', 'warning']);
  assert.deepEqual(idsAndData(beside, 'mx.target-invalid'), ['addressBesideHosts', { domain: 'example.com', preference: 10, exchange: '192.0.2.10' }]);
});

test('mx.target-private without --allow-private, and the address is not probed', async () => {
  const zone: SimZone = { 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] }, 'mx.example.com': { A: ['10.1.2.3'] } };
  const report = await diagnoseIn(zone, 'example.com', { allowPrivate: false });
  assert.equal(top(report), 'mx.target-private');
  assert.deepEqual(report.checks.find(c => c.id === 'host-addrs')!.findings[0]!.data, { host: 'mx.example.com', addresses: [{ ip: '10.1.2.3', range: 'private (RFC 1918)' }] });
  const hosts = report.checks.find(c => c.id === 'host-addrs')!.data['hosts'] as { addresses: string[] }[];
  assert.deepEqual(hosts[0]!.addresses, []);
  assert.deepEqual(causesOf(await diagnoseIn(zone, 'example.com', { allowPrivate: true })), []);
});
