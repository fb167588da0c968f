// A SERVFAIL has owners on both sides: the domain's DNSSEC (validating
// resolvers fail, the data is there with checking disabled), the domain's
// dead or lame name servers, or the resolver and its path while the domain's
// servers answer. The domain's own servers, asked directly, and the resolver
// asked again with CD tell them apart; when they cannot be asked, the finding
// says the SERVFAIL is the resolver's word alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone } from '../../src/sim/dns-server.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import { testNet, withHeard, withIpv6FailingHere } from '../helpers/net.js';
import type { Net } from '../../src/net/context.js';
import { checkOf } from '../helpers/diagnosis.js';
import { startZoneServers, type ZoneSpec } from '../helpers/zone-servers.js';

const TIMEOUT_MS = 1000;
const DOMAIN = 'shop.example';
const PARENT = '127.0.0.1';
const OWN = '127.0.0.2';
const OTHER_OWN = '127.0.0.3';
const MX = { priority: 10, exchange: 'mx.shop.example' };
const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map(close => close())));

/** The resolver: the NS of the zone above the domain, and the domain as told (SERVFAIL by default). */
const resolverWith = (domain: SimZone[string] = 'SERVFAIL'): SimZone => ({ [DOMAIN]: domain, example: { NS: ['a.nic.example'] }, 'a.nic.example': { A: [PARENT] } });

const delegating = (servers: Record<string, string> = { 'ns1.shop.example': OWN }): ZoneSpec => ({ host: PARENT, zone: 'example', delegations: { [DOMAIN]: servers } });
const serving: ZoneSpec = { host: OWN, zone: DOMAIN, records: { [DOMAIN]: { MX: [MX] } } };

/** This run's clock, which the RRSIGs' dates are judged by. */
const NOW = new Date('2026-12-05T12:00:00Z');
const seconds = (iso: string): number => Date.parse(iso) / 1000;

/**
 * `ipv6`: whether this machine has an IPv6 route, as the run is told (the
 * sandbox's ::1 answers either way); `path`: what this machine's network
 * does to the run's questions (by default, nothing).
 */
async function world(specs: ZoneSpec[], resolverZone: SimZone, ipv6 = true, path: (net: Net) => Net = net => net) {
  const resolver = await startSimDns(resolverZone);
  const zones = await startZoneServers(specs);
  closers.push(() => resolver.close(), zones.close);
  const run = (target = DOMAIN): Promise<Report> =>
    diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true }), path(testNet(TIMEOUT_MS, [resolver.server], { authorityPort: zones.port, now: () => NOW, ipv6 })), { only: ['domain'] });
  return { resolver, zones, run };
}

const domainFindings = (report: Report) => checkOf(report, 'domain').findings;

test('the resolver SERVFAILs, answers with checking disabled, and the domain\'s own server answers: its DNSSEC is broken, the domain\'s side', async () => {
  const { resolver, zones, run } = await world([delegating(), serving], resolverWith({ MX: [MX], action: 'DNSSEC_BOGUS' }));
  const report = await run();
  assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId, f.side]), [['dns.servfail', 'dnssecBroken', 'recipient']]);
  const [broken] = domainFindings(report);
  assert.deepEqual([broken!.data['answer'], broken!.data['authority'], broken!.data['zone']], [['10 mx.shop.example'], `${OWN}:${zones.port}`, DOMAIN]);
  assert.match(broken!.message, /^shop\.example's DNSSEC does not validate: the resolver 127\.0\.0\.1:\d+ answers SERVFAIL for it, yet with checking disabled \(CD\) it answers MX 10 mx\.shop\.example, unvalidated \(no AD bit\)/);
  assert.ok(broken!.evidence.includes(`${DOMAIN} MX 10 mx.shop.example (asked with checking disabled, CD)`));
  assert.ok(broken!.evidence.includes(`${DOMAIN} MX 10 mx.shop.example (asked ${OWN}:${zones.port} directly)`));
  assert.deepEqual(resolver.log.filter(q => q === `${DOMAIN} MX`).length, 2, 'the plain question, then the one with CD: not one answer from the cache');
  assert.equal(report.diagnosis[0]?.side, 'recipient');
  // Its server serves no signature at all: a zone left unsigned under a DS is the usual cause, and the finding says so.
  assert.deepEqual(broken!.data['signatures'], { code: 'unsigned', authority: `${OWN}:${zones.port}` });
  assert.match(broken!.message, /; 127\.0\.0\.2:\d+ serves no RRSIG over its MX records: the zone is not signed \(any more\)/);
});

for (const [dates, clue, words] of [
  [{ inception: '2026-10-01T00:00:00Z', expiration: '2026-11-30T00:00:00Z' }, { code: 'expired', expiration: '2026-11-30T00:00:00.000Z' }, /expired on 2026-11-30T00:00:00\.000Z: the zone is no longer re-signed$/],
  [{ inception: '2027-01-01T00:00:00Z', expiration: '2027-02-01T00:00:00Z' }, { code: 'notYetValid', inception: '2027-01-01T00:00:00.000Z' }, /are valid only from 2027-01-01T00:00:00\.000Z/],
  [{ inception: '2026-12-01T00:00:00Z', expiration: '2026-12-31T00:00:00Z' }, { code: 'current', inception: '2026-12-01T00:00:00.000Z', expiration: '2026-12-31T00:00:00.000Z' }, /within their dates .*a DS record at the zone above that matches no DNSKEY/],
] as const) {
  test(`DNSSEC broken, and the RRSIGs its own server serves are ${clue.code} by this run's clock: the finding says so`, async () => {
    const signedZone = { ...serving, signatures: { inception: seconds(dates.inception), expiration: seconds(dates.expiration) } };
    const { zones, run } = await world([delegating(), signedZone], resolverWith({ MX: [MX], action: 'DNSSEC_BOGUS' }));
    const [broken] = domainFindings(await run());
    assert.deepEqual([broken?.cause, broken?.messageId, broken?.data['signatures']], ['dns.servfail', 'dnssecBroken', { ...clue, authority: `${OWN}:${zones.port}` }]);
    assert.match(broken!.message, words);
    assert.deepEqual(zones.log[OWN], [`${DOMAIN} MX`, `${DOMAIN} MX`], 'asked once for the answer, once more with DO for its signatures');
  });
}

for (const [own, messageId, reply] of [
  [{ ...serving, misbehave: 'REFUSED' }, 'lameServers', 'refused'],
  [{ ...serving, misbehave: 'DROP' }, 'deadServers', 'timeout'],
  [{ host: OWN, zone: 'example' }, 'lameServers', 'nxdomain'],
] as const) {
  test(`the domain's own server answers ${reply}: ${messageId}, the domain's side, and the resolver is not asked with CD`, async () => {
    const { resolver, zones, run } = await world([delegating(), own], resolverWith());
    const report = await run();
    assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId, f.side]), [['dns.servfail', messageId, 'recipient']]);
    const [failed] = domainFindings(report);
    assert.deepEqual([failed!.data['delegatedBy'], failed!.data['nameServers'], failed!.data['servers']], ['example', ['ns1.shop.example'], [{ server: `${OWN}:${zones.port}`, reply }]]);
    assert.match(failed!.message, /^example delegates shop\.example to ns1\.shop\.example, /);
    assert.deepEqual(resolver.log.filter(q => q === `${DOMAIN} MX`).length, 1);
  });
}

test('an own server reached only over IPv6 answers: asked over IPv6, the domain is not blamed; without an IPv6 route it is not asked, and the SERVFAIL stays unconfirmed', async () => {
  const ownV6: ZoneSpec = { ...serving, host: '::1' };
  const asked = await world([delegating({ 'ns1.shop.example': '::1' }), ownV6], resolverWith());
  assert.deepEqual(domainFindings(await asked.run()).map(f => [f.cause, f.messageId]), [['dns.resolver-servfail', 'ownServersAnswer']]);
  assert.ok(asked.zones.log['::1']!.includes(`${DOMAIN} MX`));

  const noRoute = await world([delegating({ 'ns1.shop.example': '::1' }), ownV6], resolverWith(), false);
  const [unconfirmed] = domainFindings(await noRoute.run());
  assert.deepEqual([unconfirmed?.cause, unconfirmed?.messageId], ['dns.servfail', 'unconfirmed']);
  assert.deepEqual(unconfirmed!.data['why'], { code: 'notReached', zone: DOMAIN, nameServers: ['ns1.shop.example'], servers: [{ server: `[::1]:${noRoute.zones.port}`, reply: 'noIpv6' }] });
  assert.match(unconfirmed!.message, /could not be reached from this machine, which says nothing about them: \[::1\]:\d+ gave nothing: not asked, as this machine has no IPv6 route$/);
  assert.doesNotMatch(unconfirmed!.message, /block DNS/, 'no IPv6 route is the reason, not a network that blocks DNS');
  assert.deepEqual(noRoute.zones.log['::1'], []);
});

// A machine with a global IPv6 address whose IPv6 does not work (a router
// advertising a prefix with no upstream, a container with no route out, a
// firewall dropping IPv6) sends to IPv6 name servers and hears nothing, or
// the OS refuses at once: that is this machine's, never dead servers.
test('the only own server is IPv6, and IPv6 here drops everything while IPv4 answers: not dead servers but unconfirmed, IPv6 here the suspect', async () => {
  const { zones, run } = await world([delegating({ 'ns1.shop.example': '::1' }), { ...serving, host: '::1', misbehave: 'DROP' }], resolverWith());
  const report = await run();
  assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId]), [['dns.servfail', 'unconfirmed']]);
  const [unconfirmed] = domainFindings(report);
  assert.deepEqual(unconfirmed!.data['why'], { code: 'notReached', zone: DOMAIN, nameServers: ['ns1.shop.example'], servers: [{ server: `[::1]:${zones.port}`, reply: 'familyUnheard' }] });
  assert.match(unconfirmed!.message, /\[::1\]:\d+ gave no answer, and nothing at all answered this machine over IPv6 while IPv4 servers did: this machine's IPv6 most likely does not work/);
  assert.ok(zones.log['::1']!.includes(`${DOMAIN} MX`), 'it was asked');
});

test('the same silent IPv6 server where IPv6 answers this machine (the zone above answered over it): its silence is its own, dead servers', async () => {
  const v6Parent = '::1';
  const own = '::ffff:127.0.0.2';
  const resolverZone = { ...resolverWith(), 'a.nic.example': { AAAA: [v6Parent] } };
  const { zones, run } = await world([{ ...delegating({ 'ns1.shop.example': own }), host: v6Parent }, { ...serving, host: own, misbehave: 'DROP' }], resolverZone);
  const [dead] = domainFindings(await run());
  assert.deepEqual([dead?.cause, dead?.messageId, dead?.side], ['dns.servfail', 'deadServers', 'recipient']);
  // The glue carries 127.0.0.2 mapped into IPv6, as DNS writes it.
  assert.deepEqual(dead!.data['servers'], [{ server: `[::ffff:7f00:2]:${zones.port}`, reply: 'timeout' }]);
});

// What answered earlier in the run counts too (Net.heard): IPv6 that answered
// this machine (an MX on port 25, a resolver) proves IPv6 works here, and
// IPv4 that answered proves nothing about IPv6.
test('the only own server is IPv6 and silent, and IPv6 answered this machine earlier in the run: its silence is its own, dead servers', async () => {
  const { zones, run } = await world([delegating({ 'ns1.shop.example': '::1' }), { ...serving, host: '::1', misbehave: 'DROP' }], resolverWith(), true, net => withHeard(net, [6]));
  const report = await run();
  const [dead] = domainFindings(report);
  assert.deepEqual([dead?.cause, dead?.messageId, dead?.side, dead?.severity], ['dns.servfail', 'deadServers', 'recipient', 'error']);
  assert.deepEqual(dead!.data['servers'], [{ server: `[::1]:${zones.port}`, reply: 'timeout' }]);
  assert.doesNotMatch(dead!.message, /this machine's IPv6/);
});

test('the same silent IPv6 server where only IPv4 answered this machine earlier in the run: still unconfirmed, IPv6 here the suspect', async () => {
  const { zones, run } = await world([delegating({ 'ns1.shop.example': '::1' }), { ...serving, host: '::1', misbehave: 'DROP' }], resolverWith(), true, net => withHeard(net, [4]));
  const [unconfirmed] = domainFindings(await run());
  assert.deepEqual([unconfirmed?.cause, unconfirmed?.messageId], ['dns.servfail', 'unconfirmed']);
  assert.deepEqual((unconfirmed!.data['why'] as { servers: unknown }).servers, [{ server: `[::1]:${zones.port}`, reply: 'familyUnheard' }]);
  assert.match(unconfirmed!.message, /nothing at all answered this machine over IPv6 while IPv4 servers did: this machine's IPv6 most likely does not work/);
});

for (const code of ['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EPERM']) {
  test(`sending to IPv6 name servers fails here (${code}): never dead servers, even beside a dead IPv4 one; the OS error is named`, async () => {
    const specs = [delegating({ 'ns1.shop.example': OWN, 'ns2.shop.example': '::1' }), { ...serving, misbehave: 'DROP' as const }, { ...serving, host: '::1', misbehave: 'DROP' as const }];
    const { zones, run } = await world(specs, resolverWith(), true, net => withIpv6FailingHere(net, code));
    const [unconfirmed] = domainFindings(await run());
    assert.deepEqual([unconfirmed?.cause, unconfirmed?.messageId], ['dns.servfail', 'unconfirmed']);
    const why = unconfirmed!.data['why'] as { code: string; servers: { server: string; reply: string }[] };
    assert.equal(why.code, 'notReached');
    assert.deepEqual([...why.servers].sort((a, b) => a.server.localeCompare(b.server)), [{ server: `[::1]:${zones.port}`, reply: 'failedHere', code }, { server: `${OWN}:${zones.port}`, reply: 'timeout' }]);
    assert.match(unconfirmed!.message, /were not all reached from this machine, which says nothing about them: /);
    assert.match(unconfirmed!.message, new RegExp(`\\[::1\\]:\\d+ got nothing: this machine could not send to it, [^;]*\\(${code}[:)]`));
    assert.deepEqual(zones.log['::1'], [], 'nothing left this machine for it');
  });
}

test('the IPv4 server is dead and the IPv6 one answers: not dead servers; from a machine without IPv6, not dead either, only unconfirmed', async () => {
  const specs = [delegating({ 'ns1.shop.example': OWN, 'ns2.shop.example': '::1' }), { ...serving, misbehave: 'DROP' as const }, { ...serving, host: '::1' }];
  const dual = await world(specs, resolverWith());
  assert.deepEqual(domainFindings(await dual.run()).map(f => [f.cause, f.messageId]), [['dns.resolver-servfail', 'ownServersAnswer']]);
  const v4Only = await world(specs, resolverWith(), false);
  const [unconfirmed] = domainFindings(await v4Only.run());
  assert.deepEqual([unconfirmed?.cause, unconfirmed?.messageId], ['dns.servfail', 'unconfirmed']);
  assert.ok(v4Only.zones.log[OWN]!.includes(`${DOMAIN} MX`), 'the IPv4 server was asked');
  assert.deepEqual(v4Only.zones.log['::1'], [], 'the IPv6 one was not');
});

test('two own servers, one refusing and one silent: lame, and the finding says which server gave what', async () => {
  const { zones, run } = await world(
    [delegating({ 'ns1.shop.example': OWN, 'ns2.shop.example': OTHER_OWN }), { ...serving, misbehave: 'REFUSED' }, { ...serving, host: OTHER_OWN, misbehave: 'DROP' }],
    resolverWith(),
  );
  const [lame] = domainFindings(await run());
  assert.deepEqual([lame?.cause, lame?.messageId], ['dns.servfail', 'lameServers']);
  const servers = lame!.data['servers'] as { server: string; reply: string }[];
  assert.deepEqual([...servers].sort((a, b) => a.server.localeCompare(b.server)), [{ server: `${OWN}:${zones.port}`, reply: 'refused' }, { server: `${OTHER_OWN}:${zones.port}`, reply: 'timeout' }]);
  assert.match(lame!.message, new RegExp(`${OWN.replaceAll('.', '\\.')}:\\d+ gave REFUSED`));
  assert.match(lame!.message, new RegExp(`${OTHER_OWN.replaceAll('.', '\\.')}:\\d+ gave no answer`));
});

test('the domain\'s own server answers, and the resolver SERVFAILs even with checking disabled: the resolver or its path, this machine\'s side', async () => {
  const { run } = await world([delegating(), serving], resolverWith());
  const report = await run();
  assert.deepEqual(domainFindings(report).map(f => [f.cause, f.messageId, f.side]), [['dns.resolver-servfail', 'ownServersAnswer', 'local']]);
  const [resolverFails] = domainFindings(report);
  assert.deepEqual(resolverFails!.subjects, ['127.0.0.1']);
  assert.match(resolverFails!.message, /answers SERVFAIL for shop\.example, even with DNSSEC checking disabled \(CD\), while 127\.0\.0\.2:\d+, a name server of shop\.example, asked directly, answers it \(MX 10 mx\.shop\.example\)/);
  assert.ok(resolverFails!.evidence.some(line => /^shop\.example MX: SERVFAIL from 127\.0\.0\.1:\d+ \(asked with checking disabled, CD\)$/.test(line)));
  assert.deepEqual(report.diagnosis.filter(d => d.side === 'recipient').map(d => d.cause), []);
});

test('the zone above cannot be asked directly (this network blocks DNS): SERVFAIL stays, said to rest on the resolver\'s word alone', async () => {
  const { run } = await world([{ host: PARENT, zone: 'example', misbehave: 'DROP' }], resolverWith());
  const [servfail] = domainFindings(await run());
  assert.deepEqual([servfail?.cause, servfail?.messageId, servfail?.side], ['dns.servfail', 'unconfirmed', 'recipient']);
  assert.deepEqual(servfail!.data['why'], { code: 'unanswered', zone: 'example', nameServers: ['a.nic.example'], replies: ['timeout'] });
  assert.match(servfail!.message, /answers SERVFAIL for shop\.example, and this could not be confirmed: the name servers of example \(a\.nic\.example\), asked directly, gave no answer; this network may block DNS/);
});

test('a healthy domain costs no question to the zones\' servers, nor one with checking disabled', async () => {
  const { resolver, zones, run } = await world([delegating(), serving], { ...resolverWith(), 'good.example': { MX: [MX] } });
  const report = await run('good.example');
  assert.equal(checkOf(report, 'domain').status, 'pass');
  assert.deepEqual([zones.log[PARENT], zones.log[OWN]], [[], []]);
  assert.deepEqual(resolver.log, ['good.example MX']);
});
