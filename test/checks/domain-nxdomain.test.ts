// "The domain does not exist" is not the resolver's word alone: its NXDOMAIN
// is put to the zone above, asked directly, and to the domain's own name
// servers it refers to. A domain they serve is one the resolver (or a DNS
// filter in front of it) denies: this machine's side. One they do not serve,
// or that the zone above says does not exist, is the domain's. When they
// cannot be asked, the finding says only the resolver said so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone } from '../../src/sim/dns-server.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import { testNet } from '../helpers/net.js';
import { checkOf } from '../helpers/diagnosis.js';
import { startZoneServers, type ZoneSpec } from '../helpers/zone-servers.js';

const TIMEOUT_MS = 1000;
const DOMAIN = 'shop.example';
const PARENT = '127.0.0.1';
const OWN = '127.0.0.2';
const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map(close => close())));

/** The resolver: NXDOMAIN for the domain (a filter's answer, or the truth), and the NS of the zone above it. */
const FILTERING_RESOLVER: SimZone = {
  [DOMAIN]: 'NXDOMAIN',
  example: { NS: ['a.nic.example'] },
  'a.nic.example': { A: [PARENT] },
};

const delegating: ZoneSpec = { host: PARENT, zone: 'example', delegations: { [DOMAIN]: { 'ns1.shop.example': OWN } } };

/** `ipv6`: whether this machine has an IPv6 route, as the run is told. */
async function world(specs: ZoneSpec[], resolverZone: SimZone = FILTERING_RESOLVER, ipv6 = true) {
  const resolver = await startSimDns(resolverZone);
  const zones = await startZoneServers(specs);
  closers.push(() => resolver.close(), zones.close);
  const run = (target = DOMAIN, only?: string[]): Promise<Report> =>
    diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true }), testNet(TIMEOUT_MS, [resolver.server], { authorityPort: zones.port, ipv6 }), only ? { only } : {});
  return { resolver, zones, run };
}

const domainFindings = (report: Report) => checkOf(report, 'domain').findings;

test('the zone above delegates the domain and its own server publishes an MX: the resolver denies it, this machine\'s side, ranked first', async () => {
  const { zones, run } = await world([delegating, { host: OWN, zone: DOMAIN, records: { [DOMAIN]: { MX: [{ priority: 10, exchange: 'mx.shop.example' }] } } }]);
  const report = await run();
  const domain = checkOf(report, 'domain');
  assert.equal(domain.status, 'fail');
  assert.deepEqual(domain.findings.map(f => [f.cause, f.messageId, f.side, f.severity]), [['dns.resolver-filtered', 'denied', 'local', 'error']]);
  const [filtered] = domain.findings;
  assert.deepEqual(filtered!.subjects, ['127.0.0.1']);
  assert.deepEqual(
    [filtered!.data['zone'], filtered!.data['authority'], filtered!.data['exchanges'], filtered!.data['nameServers']],
    [DOMAIN, `${OWN}:${zones.port}`, ['10 mx.shop.example'], ['ns1.shop.example']],
  );
  assert.match(filtered!.message, /says shop\.example does not exist, but 127\.0\.0\.2:\d+, a name server of shop\.example, asked directly, publishes its MX 10 mx\.shop\.example/);
  assert.ok(filtered!.evidence.includes(`${DOMAIN} MX: referral to ${DOMAIN} NS ns1.shop.example from ${PARENT}:${zones.port} (asked ${PARENT}:${zones.port} directly)`));
  assert.ok(filtered!.evidence.includes(`${DOMAIN} MX 10 mx.shop.example (asked ${OWN}:${zones.port} directly)`));
  assert.deepEqual([report.diagnosis[0]?.cause, report.diagnosis[0]?.side], ['dns.resolver-filtered', 'local']);
  assert.deepEqual(report.diagnosis.filter(d => d.side === 'recipient').map(d => d.cause), []);
  assert.equal(checkOf(report, 'mx').status, 'skipped', 'nothing is said about a domain the resolver cannot see');
  assert.deepEqual([zones.log[PARENT], zones.log[OWN]], [[`${DOMAIN} MX`], [`${DOMAIN} MX`]]);
});

test('its own server answers NODATA for MX: the domain exists all the same, and the resolver denies it', async () => {
  const { run } = await world([delegating, { host: OWN, zone: DOMAIN, records: { [DOMAIN]: { A: ['192.0.2.1'] } } }]);
  const [filtered] = domainFindings(await run(DOMAIN, ['domain']));
  assert.deepEqual([filtered?.cause, filtered?.messageId, filtered?.side], ['dns.resolver-filtered', 'deniedNoMx', 'local']);
});

test('its own server answers with an alias: the resolver\'s NXDOMAIN is about the name it points to, and stays the domain\'s', async () => {
  const { run } = await world([delegating, { host: OWN, zone: DOMAIN, records: { [DOMAIN]: { CNAME: ['gone.host.example'] } } }]);
  const report = await run(DOMAIN, ['domain']);
  assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId, f.side, f.data['alias']]), [['domain.nxdomain', 'aliasTarget', 'recipient', 'shop.example → gone.host.example']]);
});

test('the zone above says NXDOMAIN with authority: the domain does not exist, and the evidence says who confirmed it', async () => {
  const { zones, run } = await world([{ host: PARENT, zone: 'example' }]);
  const report = await run();
  const [nx] = domainFindings(report);
  assert.deepEqual([nx?.cause, nx?.messageId, nx?.side], ['domain.nxdomain', 'nxdomain', 'recipient']);
  assert.deepEqual([nx!.data['zone'], nx!.data['confirmedBy']], ['example', `${PARENT}:${zones.port}`]);
  assert.ok(nx!.evidence.includes(`${DOMAIN} MX: NXDOMAIN from ${PARENT}:${zones.port} (asked ${PARENT}:${zones.port} directly)`));
  assert.ok(nx!.evidence.includes('example NS a.nic.example'));
  assert.equal(report.diagnosis[0]?.cause, 'domain.nxdomain');
});

for (const [own, reply] of [
  [{ host: OWN, zone: 'example' }, 'nxdomain'],
  [{ host: OWN, zone: DOMAIN, misbehave: 'REFUSED' }, 'refused'],
  [{ host: OWN, zone: DOMAIN, misbehave: 'DROP' }, 'timeout'],
] as const) {
  test(`the zone above delegates the domain, but its own server answers ${reply}: the domain's side, never the resolver's`, async () => {
    const { run } = await world([delegating, own]);
    const report = await run();
    assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId, f.side]), [['domain.nxdomain', 'notServed', 'recipient']]);
    const [nx] = domainFindings(report);
    assert.deepEqual([nx!.data['delegatedBy'], nx!.data['nameServers'], nx!.data['replies']], ['example', ['ns1.shop.example'], [reply]]);
    assert.match(nx!.message, /^example delegates shop\.example to ns1\.shop\.example, but they do not serve it/);
    assert.ok(!report.diagnosis.some(d => d.cause === 'dns.resolver-filtered'));
    assert.equal(report.diagnosis[0]?.side, 'recipient');
  });
}

test('the domain\'s only server has an IPv6 address: asked over IPv6 it shows the resolver denies the domain; without an IPv6 route, not asked, and the domain is not said to be unserved', async () => {
  const specs: ZoneSpec[] = [{ ...delegating, delegations: { [DOMAIN]: { 'ns1.shop.example': '::1' } } }, { host: '::1', zone: DOMAIN, records: { [DOMAIN]: { MX: [{ priority: 10, exchange: 'mx.shop.example' }] } } }];
  const asked = await world(specs);
  assert.deepEqual(domainFindings(await asked.run()).map(f => [f.cause, f.messageId]), [['dns.resolver-filtered', 'denied']]);
  const noRoute = await world(specs, FILTERING_RESOLVER, false);
  const [nx] = domainFindings(await noRoute.run());
  assert.deepEqual([nx?.cause, nx?.messageId, nx?.data['why']], ['domain.nxdomain', 'unconfirmed', { code: 'notReached', zone: DOMAIN, nameServers: ['ns1.shop.example'], servers: [{ server: `[::1]:${noRoute.zones.port}`, reply: 'noIpv6' }] }]);
  assert.match(nx!.message, /and only the resolver: the name servers of shop\.example \(ns1\.shop\.example\), asked directly, could not be reached from this machine, which says nothing about them: \[::1\]:\d+ gave nothing: not asked, as this machine has no IPv6 route$/);
  assert.deepEqual(noRoute.zones.log['::1'], []);
});

test('the domain\'s only server is IPv6, and this machine has an IPv6 address over which nothing answers: not "not served", unconfirmed with IPv6 here the suspect', async () => {
  const specs: ZoneSpec[] = [{ ...delegating, delegations: { [DOMAIN]: { 'ns1.shop.example': '::1' } } }, { host: '::1', zone: DOMAIN, misbehave: 'DROP' }];
  const { zones, run } = await world(specs);
  const report = await run(DOMAIN, ['domain']);
  const [nx] = domainFindings(report);
  assert.deepEqual([nx?.cause, nx?.messageId], ['domain.nxdomain', 'unconfirmed']);
  assert.deepEqual(nx!.data['why'], { code: 'notReached', zone: DOMAIN, nameServers: ['ns1.shop.example'], servers: [{ server: `[::1]:${zones.port}`, reply: 'familyUnheard' }] });
  assert.match(nx!.message, /this machine's IPv6 most likely does not work/);
  assert.doesNotMatch(nx!.message, /do not serve it/);
});

for (const [misbehave, reply, words] of [
  ['DROP', 'timeout', /gave no answer; this network may block DNS/],
  ['INTERCEPT', 'notAuthoritative', /gave an answer without authority/],
] as const) {
  test(`the zone above cannot be asked (${misbehave}): NXDOMAIN stays, said to rest on the resolver's word alone`, async () => {
    const { run } = await world([{ host: PARENT, zone: 'example', misbehave }]);
    const report = await run();
    const [nx] = domainFindings(report);
    assert.deepEqual([nx?.cause, nx?.messageId, nx?.side], ['domain.nxdomain', 'unconfirmed', 'recipient']);
    assert.deepEqual(nx!.data['why'], { code: 'unanswered', zone: 'example', nameServers: ['a.nic.example'], replies: [reply] });
    assert.match(nx!.message, /^shop\.example does not exist, says the resolver 127\.0\.0\.1:\d+, and only the resolver: the name servers of example \(a\.nic\.example\), asked directly, /);
    assert.match(nx!.message, words);
  });
}

test('no name server above the domain can be found through the resolver: NXDOMAIN, said to rest on the resolver\'s word alone', async () => {
  const { run } = await world([], { [DOMAIN]: 'NXDOMAIN' });
  const [nx] = domainFindings(await run(DOMAIN, ['domain']));
  assert.deepEqual([nx?.cause, nx?.messageId, nx?.data['why']], ['domain.nxdomain', 'unconfirmed', { code: 'noServers' }]);
});

test('a domain that resolves costs no question to any other server, nor an NS lookup', async () => {
  const { resolver, zones, run } = await world([delegating], { ...FILTERING_RESOLVER, 'good.example': { MX: [{ priority: 10, exchange: 'mx.good.example' }] } });
  const report = await run('good.example', ['domain']);
  assert.equal(checkOf(report, 'domain').status, 'pass');
  assert.deepEqual(zones.log[PARENT], []);
  assert.deepEqual(resolver.log, ['good.example MX']);
});
