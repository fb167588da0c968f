// The observer before the observed: a resolver that fails or lies about every
// name is this machine's problem, named first on the local side, and the
// domain-side causes it would otherwise produce are folded under it. With a
// healthy resolver nothing changes, and it is asked about itself only when an
// answer would blame the domain, once per run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import type { DnsServer } from '../../src/net/dns/types.js';
import type { Report } from '../../src/report/schema.js';
import { startLyingResolver, SEARCH_ASSIST_ADDRESS, type Lie } from '../helpers/lying-resolver.js';

const TIMEOUT_MS = 1000;
const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map(close => close())));

function diagnoseWith(resolver: DnsServer, domain: string, net = testNet(TIMEOUT_MS, [resolver])): Promise<Report> {
  return diagnose(parseTarget(domain), defaultRunOptions({ allowPrivate: true }), net);
}

async function lying(lie: Lie) {
  const resolver = await startLyingResolver(lie);
  closers.push(resolver.close);
  return resolver;
}

async function healthy(): Promise<SimDnsServer> {
  const sim = await startSimDns({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: ['192.0.2.10'] },
    '10.2.0.192.in-addr.arpa': { PTR: ['mx.example.com'] },
    'noexist-mx.example': { A: ['192.0.2.30'] },
  });
  closers.push(() => sim.close());
  return sim;
}

/** The sim logs the root as an empty name. */
const isRootQuery = (q: string) => q === ' NS' || q === '. NS';

const expected: Record<Lie, [cause: string, messageId: string]> = {
  NXDOMAIN: ['dns.resolver-failing', 'failing'],
  SERVFAIL: ['dns.resolver-failing', 'failing'],
  REFUSED: ['dns.resolver-unreachable', 'refused'],
  REWRITE: ['dns.resolver-hijacked', 'invented'],
};

for (const lie of Object.keys(expected) as Lie[]) {
  test(`a resolver answering ${lie} for everything is named first, on this machine's side, and no domain-side cause it explains is reported`, async () => {
    const resolver = await lying(lie);
    const report = await diagnoseWith(resolver.server, 'gmail.com');
    const [first] = report.diagnosis;
    assert.equal(first?.cause, expected[lie][0]);
    assert.deepEqual(report.checks.flatMap(c => c.findings).filter(f => f.cause === first?.cause).map(f => f.messageId), [expected[lie][1]]);
    assert.equal(first?.side, 'local');
    assert.deepEqual(first?.subjects, ['127.0.0.1']);
    assert.deepEqual(report.diagnosis.filter(d => d.side !== 'local').map(d => d.cause), []);
    assert.ok(!report.diagnosis.some(d => ['domain.nxdomain', 'dns.servfail', 'mx.implicit'].includes(d.cause)));
  });
}

test('a rewriting resolver: the invented address is never probed as the domain\'s implicit MX', async () => {
  const resolver = await lying('REWRITE');
  const report = await diagnoseWith(resolver.server, 'no-such-domain.example');
  const mx = report.checks.find(c => c.id === 'mx')!;
  assert.deepEqual(mx.findings.map(f => [f.cause, f.messageId, f.data]), [['dns.resolver-hijacked', 'invented', { addresses: [SEARCH_ASSIST_ADDRESS], domain: 'no-such-domain.example' }]]);
  assert.ok(mx.findings[0]!.evidence.some(e => e.includes(SEARCH_ASSIST_ADDRESS)));
  assert.equal(report.checks.find(c => c.id === 'smtp-reachability')?.status, 'skipped');
});

test('a healthy resolver: a domain that does not exist is the domain\'s, and the resolver was asked about itself once', async () => {
  const sim = await healthy();
  const net = testNet(TIMEOUT_MS, [sim.server]);
  const first = await diagnoseWith(sim.server, 'missing.example', net);
  const second = await diagnoseWith(sim.server, 'also-missing.example', net);
  for (const report of [first, second]) {
    assert.equal(report.diagnosis[0]?.cause, 'domain.nxdomain');
    assert.equal(report.diagnosis[0]?.side, 'recipient');
  }
  assert.equal(sim.log.filter(isRootQuery).length, 1);
  assert.equal(sim.log.filter(q => /^maildiag-nxdomain-probe-[0-9a-f]{16}\.com A$/.test(q)).length, 1);
});

test('a healthy resolver: an implicit MX stays the domain\'s, and a domain that resolves never costs a sanity probe', async () => {
  const sim = await healthy();
  const implicit = await diagnoseWith(sim.server, 'noexist-mx.example');
  assert.ok(implicit.diagnosis.some(d => d.cause === 'mx.implicit' && d.side === 'recipient'));
  const before = sim.log.length;
  await diagnoseWith(sim.server, 'example.com');
  assert.ok(!sim.log.slice(before).some(isRootQuery), 'no root query for a domain that resolves');
});

test('an IP target: "no PTR" from a resolver that fails everything is the resolver\'s, not the address\'s', async () => {
  const resolver = await lying('NXDOMAIN');
  const net = testNet(TIMEOUT_MS, [resolver.server]);
  const report = await diagnose(parseTarget('192.0.2.10'), defaultRunOptions({ allowPrivate: true }), net, { only: ['ptr'] });
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side]), [['dns.resolver-failing', 'local']]);
  const { messageId, data } = report.checks[0]!.findings[0]!;
  assert.deepEqual([messageId, data], ['failing', { resolvers: [`127.0.0.1:${resolver.server.port}`], rootAnswer: 'nxdomain', answer: 'nxdomain', about: '192.0.2.10' }]);
});

test('an IP target with a healthy resolver: its PTR is read, and no PTR stays the address\'s', async () => {
  const sim = await healthy();
  const net = testNet(TIMEOUT_MS, [sim.server]);
  const report = await diagnose(parseTarget('192.0.2.10'), defaultRunOptions({ allowPrivate: true }), net, { only: ['ptr'] });
  assert.deepEqual(report.diagnosis.map(d => d.cause), []);
  const missing = await diagnose(parseTarget('192.0.2.11'), defaultRunOptions({ allowPrivate: true }), net, { only: ['ptr'] });
  assert.deepEqual(missing.diagnosis.map(d => d.cause), ['ptr.missing']);
});
