// The sender-ip check (--ip): reverse DNS and IP blocklists of the sending
// address, reported on the sender's side whatever the recipient's MX looks like.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone, type SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

const TIMEOUT_MS = 1000;
const SENDER = '198.51.100.7';

async function diagnoseIn(zone: SimZone, options: Partial<RunOptions>) {
  const sim = await startSimDns({ '.': { NS: ['a.root.example'] }, 'example.com': { MX: [{ priority: 0, exchange: '' }] }, ...zone });
  servers.push(sim);
  const net = testNet(TIMEOUT_MS, [sim.server]);
  const report = await diagnose(parseTarget('example.com'), defaultRunOptions({ allowPrivate: true, ...options }), net, { only: ['sender-ip'] });
  return report.checks.find(c => c.id === 'sender-ip')!;
}

test('a sending IP without PTR and on a blocklist: both reported, as the sender\'s to fix', async () => {
  const check = await diagnoseIn({ '7.100.51.198.bl.spamcop.net': { A: ['127.0.0.2'] } }, { senderIp: SENDER });
  assert.deepEqual(check.findings.map(f => f.cause), ['ptr.missing', 'rbl.listed']);
  for (const f of check.findings) {
    assert.equal(f.side, 'sender');
    assert.deepEqual(f.subjects, [SENDER]);
  }
  const sender = { ip: SENDER, role: 'sender' };
  assert.deepEqual(check.findings.map(f => [f.messageId, f.data?.['address'] ?? f.data?.['who']]), [['none', sender], ['listed', sender]]);
});

test('a sending IP with a generic, forward-confirmed PTR: ptr.generic only', async () => {
  const check = await diagnoseIn({
    '7.100.51.198.in-addr.arpa': { PTR: ['dsl-198-51-100-7.isp.example'] },
    'dsl-198-51-100-7.isp.example': { A: [SENDER] },
  }, { senderIp: SENDER });
  assert.deepEqual(check.findings.map(f => f.cause), ['ptr.generic']);
  assert.equal((check.data['reverse'] as { ptr: string }).ptr, 'found');
});

test('a sending IP on the PBL is an error on the sender\'s side, with the relay fix, not a cleanup', async () => {
  const check = await diagnoseIn({
    '7.100.51.198.in-addr.arpa': { PTR: ['mail.example.com'] },
    'mail.example.com': { A: [SENDER] },
    '7.100.51.198.zen.spamhaus.org': { A: ['127.0.0.11'] },
  }, { senderIp: SENDER, dnsbl: ['zen.spamhaus.org'] });
  const [f] = check.findings;
  assert.deepEqual([check.findings.length, f!.cause, f!.messageId, f!.severity, f!.side], [1, 'rbl.listed', 'policyListed', 'error', 'sender']);
  assert.match(f!.message, /^the sending IP 198\.51\.100\.7 is on Spamhaus ZEN \(zen\.spamhaus\.org\) by policy, not for mail it sent/);
});

test('the PTR and lists of an IPv6 sending IP are asked by nibbles', async () => {
  const check = await diagnoseIn({
    '5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['mail.example.com'] },
    'mail.example.com': { AAAA: ['2001:db8::5'] },
  }, { senderIp: '2001:db8::5', dnsbl: ['zen.spamhaus.org'] });
  assert.deepEqual(check.findings, []);
  assert.deepEqual((check.data['results'] as { query: string; status: string }[]).map(r => [r.query, r.status]), [
    ['5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org', 'clean'],
  ]);
});

test('without --ip the check says so and asks nothing', async () => {
  const check = await diagnoseIn({}, {});
  assert.deepEqual(check.findings, []);
  assert.equal(check.status, 'skipped');
  assert.equal(check.data['reason'], 'runs only with --ip');
});

test('a private sending IP without --allow-private is left out, with the reason', async () => {
  const check = await diagnoseIn({}, { senderIp: '10.1.2.3', allowPrivate: false });
  assert.deepEqual(check.findings, []);
  assert.equal(check.status, 'info');
  assert.equal(check.data['excluded'], 'private (RFC 1918)');
});
