// smtp-reachability on small simulated worlds: one test per cause it emits,
// plus the verdicts across hosts (primary/backup, IPv6, this network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHuman } from '../../src/render/human.js';
import { GREETING_PATIENCE } from '../../src/net/smtp/index.js';
import type { Report } from '../../src/report/schema.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { withHeard, withIpv6FailingHere } from '../helpers/net.js';
import { allClosed, healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const ONLY = ['smtp-reachability'];
const oneMx = mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] });
const topCause = (report: Report) => report.diagnosis[0]?.cause;

test('a healthy MX: nothing to report, and the probe is handed on as smtp25', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': healthyServer() });
  const net = world.net();
  const report = await world.diagnose('example.com', ONLY, {}, net);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), []);
  const probes = checkOf(report, 'smtp-reachability').data['probes'] as { outcome: string; rcpt: { address: string } }[];
  assert.deepEqual(probes.map(p => [p.outcome, p.rcpt.address]), [['greeted', 'postmaster@example.com']]);
  assert.ok(await allClosed(net));
});

test('connection refused on the only MX: smtp.refused and mx.all-unreachable', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': 'refused' });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.refused:error', 'mx.all-unreachable:error']);
  const [refused, all] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual(refused!.data, { server: { host: 'mx.example.com', ip: '192.0.2.10' }, fallback: { by: 'none' } });
  assert.equal(all!.messageId, 'onlyHost');
  assert.deepEqual(all!.data, { domain: 'example.com', hosts: 1, failures: [{ host: 'mx.example.com', ip: '192.0.2.10', failure: { kind: 'refused' } }] });
});

test('connect timeout on a host whose other ports refuse: smtp.timeout, not this network', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': 'timeout' });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.timeout:error', 'mx.all-unreachable:error']);
  const [timedOut] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([timedOut!.messageId, timedOut!.data!['timeoutMs']], ['timedOut', world.timeoutMs]);
});

test('every port 25 times out while the same host accepts on 443: network.port25-blocked ranks first', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] }), {
    '192.0.2.10:25': 'timeout',
    '192.0.2.11:25': 'timeout',
    '192.0.2.11:443': healthyServer(),
  });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.timeout:error', 'smtp.timeout:error', 'mx.all-unreachable:error', 'network.port25-blocked:error']);
  assert.equal(topCause(report), 'network.port25-blocked');
  assert.equal(report.diagnosis[0]!.side, 'local');
  const blocked = checkOf(report, 'smtp-reachability').findings.find(f => f.cause === 'network.port25-blocked')!;
  assert.deepEqual(blocked.data, { ips: ['192.0.2.10', '192.0.2.11'], open: ['192.0.2.11:443'] });
  const all = checkOf(report, 'smtp-reachability').findings.find(f => f.cause === 'mx.all-unreachable')!;
  assert.deepEqual([all.messageId, all.data!['hosts']], ['noHost', 2]);
});

test('TCP accepted but never a greeting: smtp.no-banner', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': { greeting: null } }, 400);
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.no-banner:error', 'mx.all-unreachable:error']);
  assert.equal(topCause(report), 'smtp.no-banner');
});

test('421 at connect: smtp.busy', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': { greeting: ['421 4.3.2 Service not available - too busy, try again later'], hangUpAfterGreeting: true } });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.busy:error', 'mx.all-unreachable:error']);
  const [busy] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([busy!.messageId, busy!.data!['reply']], ['atConnect', '421 4.3.2 Service not available - too busy, try again later']);
});

test('421 that limits this client\'s connections: smtp.untestable, not a fault of the domain', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': { greeting: ['421 4.7.0 Too many connections from your IP, try again later'], hangUpAfterGreeting: true } });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.untestable:info']);
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.deepEqual([messageId, data!['objection'], data!['command']], ['clientRate', 'rate', 'the connection']);
});

test('a session that stops answering after the greeting: smtp.untestable with the step', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': healthyServer('mx.example.com', { replies: { MAIL: null } }) }, 400);
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.untestable:info']);
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.deepEqual([messageId, data!['step'], (data!['reason'] as { code: string }).code], ['sessionStopped', 'mail', 'read']);
});

test('a server that hangs up after a command without a reply: smtp.session-dropped, and it takes no mail', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': healthyServer('mx.example.com', { closeAfterReply: true }) });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.session-dropped:error', 'mx.all-unreachable:error']);
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.equal(messageId, 'dropped');
  assert.deepEqual(data!['failure'], { kind: 'dropped', step: 'mail', reset: false });
});

test('a backup that drops sessions while the primary works: a warning', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] }), {
    '192.0.2.10:25': healthyServer('mx1.example.com'),
    '192.0.2.11:25': healthyServer('mx2.example.com', { closeAfterReply: true }),
  });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.session-dropped:warning']);
  assert.deepEqual(checkOf(report, 'smtp-reachability').findings[0]!.data!['fallback'], { by: 'otherHost', host: 'mx1.example.com', preference: 10 });
});

test('primary refuses, backup answers: mx.primary-unreachable first, the refusal as a detail', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] }), {
    '192.0.2.10:25': 'refused',
    '192.0.2.11:25': healthyServer('mx2.example.com'),
  });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.refused:info', 'mx.primary-unreachable:warning']);
  assert.equal(topCause(report), 'mx.primary-unreachable');
  const primary = checkOf(report, 'smtp-reachability').findings[1]!;
  assert.deepEqual(primary.data, { primary: ['mx1.example.com'], preference: 10, failures: [{ ip: '192.0.2.10', failure: { kind: 'refused' } }], backup: 'mx2.example.com', backupPreference: 20 });
});

test('a backup that refuses while the primary works: a warning about the backup only', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] }), {
    '192.0.2.10:25': healthyServer('mx1.example.com'),
    '192.0.2.11:25': 'refused',
  });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.refused:warning']);
});

test('no IPv6 route here: one network.ipv6-unavailable note, and the MX is not blamed', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10', '2001:db8::10'] }), {
    '192.0.2.10:25': healthyServer(),
    '[2001:db8::10]:25': { unreachable: 'ENETUNREACH' },
  });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:info']);
  assert.equal(report.diagnosis[0]!.side, 'local');
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.deepEqual([messageId, data], ['oneAddress', { code: 'ENETUNREACH', count: 1, ips: ['2001:db8::10'] }]);
});

test('no route from this machine to an IPv4 MX (ENETUNREACH): the local network is named, not the MX', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), { '192.0.2.10:25': { unreachable: 'ENETUNREACH' } });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side]), [['network.no-route', 'local']]);
  assert.equal(checkOf(report, 'smtp-reachability').findings[0]!.data!['code'], 'ENETUNREACH');
});

test('a router reports the MX host unreachable (EHOSTUNREACH): the host or a network on the way, not "the server is down"', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), { '192.0.2.10:25': { unreachable: 'EHOSTUNREACH' } });
  const report = await world.diagnose('example.com', ONLY);
  const [unreachable, all] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([unreachable!.cause, unreachable!.messageId, unreachable!.data!['code'], unreachable!.side], ['smtp.timeout', 'unreachable', 'EHOSTUNREACH', 'network']);
  assert.deepEqual([all!.cause, all!.messageId, all!.side, all!.severity], ['mx.all-unreachable', 'onlyHostUnreachable', 'network', 'error']);
  assert.match(all!.message, /could not be reached on port 25: .*EHOSTUNREACH.*; a router on the way said so, so the host may be down or a network on the way .* may filter it$/);
  assert.ok(report.diagnosis.every(d => d.side === 'network'), JSON.stringify(report.diagnosis.map(d => [d.cause, d.side])));
});

test('every port 25 is reported unreachable by a router while 443 accepts: this network rejects port 25', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': { unreachable: 'EHOSTUNREACH' }, '192.0.2.10:443': healthyServer() });
  const report = await world.diagnose('example.com', ONLY);
  const blocked = checkOf(report, 'smtp-reachability').findings.find(f => f.cause === 'network.port25-blocked')!;
  assert.deepEqual([blocked.messageId, blocked.data], ['otherPortsOpenFiltered', { ips: ['192.0.2.10'], open: ['192.0.2.10:443'] }]);
  assert.deepEqual([report.diagnosis[0]!.cause, report.diagnosis[0]!.side], ['network.port25-blocked', 'local']);
  assert.ok(blocked.evidence!.some(e => /^192\.0\.2\.10:25: host unreachable \(EHOSTUNREACH/.test(e)), blocked.evidence!.join('\n'));
});

// The OS would not send at all: no source address, a firewall rule on this
// machine, an interface down. Nothing left here, so nothing is known of the MX.
for (const [code, words] of [['EPERM', /not permitted \(EPERM: a firewall on this machine refuses it\)/], ['EACCES', /not permitted \(EACCES: a firewall on this machine refuses it\)/], ['EADDRNOTAVAIL', /address not available \(EADDRNOTAVAIL: this machine has no address to send from/], ['ENETDOWN', /network down \(ENETDOWN/]] as const) {
  test(`${code} on every MX address: this machine, never the recipient's MX`, async () => {
    const hosts = { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] };
    const world = await startSmtpWorld(mxZone('example.com', hosts), { '192.0.2.10:25': { unreachable: code }, '192.0.2.11:25': { unreachable: code } });
    const report = await world.diagnose('example.com', ONLY);
    assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.no-route:error', 'network.no-route:error'], 'no mx.all-unreachable');
    assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side, d.severity]), [['network.no-route', 'local', 'error']]);
    for (const f of checkOf(report, 'smtp-reachability').findings) assert.match(f.message, words);
    const text = renderHuman(report, { color: false, verbose: false, width: 100 });
    assert.match(text.split('\n')[0]!, /^example\.com: PROBLEM: 1 error/);
    assert.doesNotMatch(text, /does not accept SMTP|Who fixes it: the recipient/);
    assert.match(text, /This machine cannot send to the mail server/);
  });
}

test('EPERM on one MX host while the other answers: this machine for the one, and no "primary unreachable"', async () => {
  const hosts = { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] };
  const world = await startSmtpWorld(mxZone('example.com', hosts), { '192.0.2.10:25': { unreachable: 'EPERM' }, '192.0.2.11:25': healthyServer('mx2.example.com') });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.no-route:error']);
});

// A machine with a global IPv6 address whose IPv6 goes nowhere sees every
// IPv6 address time out, as a domain whose IPv6 mail service is down would
// look: with nothing at all answering over IPv6 during the run, both suspects.
test('IPv6 failing here (it drops), IPv4 answering: not the recipient\'s timeout, both suspects named, a local warning', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10', '2001:db8::10'] }), {
    '192.0.2.10:25': healthyServer(),
    '[2001:db8::10]:25': healthyServer(),
  }, 400);
  const report = await world.diagnose('example.com', ONLY, {}, withIpv6FailingHere(world.net(), 'timeout'));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:warning']);
  const [unheard] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([unheard!.messageId, unheard!.side, unheard!.data], ['unheardOne', 'local', { count: 1, ips: ['2001:db8::10'], answered: ['192.0.2.10'], timeoutMs: 400 }]);
  assert.match(unheard!.message, /^2001:db8::10 \(IPv6\) timed out on port 25 after .* while 192\.0\.2\.10 \(IPv4\) answered, and nothing answered this machine over IPv6 during the run: either this machine's IPv6 does not work .* or the domain's IPv6 mail service is down, and from here maildiag cannot tell which\. To tell, try IPv6 from this machine \("ping -6" or "curl -6"/);
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side, d.severity]), [['network.ipv6-unavailable', 'local', 'warning']]);
  const headline = renderHuman(report, { color: false, verbose: false, width: 100 }).split('\n')[0]!;
  assert.match(headline, /AT RISK: 1 warning/);
  assert.equal(world.servers.get('[2001:db8::10]:25')!.connections, 0, 'nothing reached it');
});

test('IPv6 failing here across several hosts, every IPv4 address answering: one finding for all the IPv6 addresses', async () => {
  const hosts = { 'mx1.example.com': ['192.0.2.10', '2001:db8::10'], 'mx2.example.com': ['192.0.2.11', '2001:db8::11'] };
  const world = await startSmtpWorld(mxZone('example.com', hosts), { '192.0.2.10:25': healthyServer('mx1.example.com'), '192.0.2.11:25': healthyServer('mx2.example.com') }, 400);
  const report = await world.diagnose('example.com', ONLY, {}, withIpv6FailingHere(world.net(), 'timeout'));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:warning']);
  const [unheard] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([unheard!.messageId, unheard!.data!['ips'], unheard!.data!['answered']], ['unheardAddresses', ['2001:db8::10', '2001:db8::11'], ['192.0.2.10', '192.0.2.11']]);
  assert.match(unheard!.message, /^2 IPv6 addresses \(2001:db8::10, 2001:db8::11\) timed out on port 25 .* cannot tell which/);
});

test('the OS refuses IPv6 here (EADDRNOTAVAIL), IPv4 answering: this machine\'s, as no IPv6 route', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10', '2001:db8::10'] }), { '192.0.2.10:25': healthyServer() });
  const report = await world.diagnose('example.com', ONLY, {}, withIpv6FailingHere(world.net(), 'EADDRNOTAVAIL'));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:info']);
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side]), [['network.ipv6-unavailable', 'local']]);
});

test('IPv6 works here (another IPv6 MX address answers) and one IPv6 address times out: the recipient\'s, as before', async () => {
  const hosts = { 'mx1.example.com': ['192.0.2.10', '2001:db8::10'], 'mx2.example.com': ['2001:db8::20'] };
  const world = await startSmtpWorld(mxZone('example.com', hosts), {
    '192.0.2.10:25': healthyServer('mx1.example.com'),
    '[2001:db8::10]:25': 'timeout',
    '[2001:db8::20]:25': healthyServer('mx2.example.com'),
  }, 400);
  const net = world.net();
  const report = await world.diagnose('example.com', ONLY, {}, net);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.timeout:warning']);
  const [timedOut] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([timedOut!.messageId, timedOut!.side, timedOut!.data!['server']], ['timedOut', 'recipient', { host: 'mx1.example.com', ip: '2001:db8::10' }]);
  assert.deepEqual([...net.heard].sort(), [4, 6]);
});

test('an IPv6 address that times out where no IPv4 address answers on port 25: the recipient\'s, as before (the IPv6 silence is no sign of this machine)', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10', '2001:db8::10'] }), { '192.0.2.10:25': 'refused', '[2001:db8::10]:25': 'timeout' }, 400);
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.refused:error', 'smtp.timeout:error', 'mx.all-unreachable:error']);
});

test('an MX reachable only over IPv6, from a machine without IPv6: a note, not mx.all-unreachable', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['2001:db8::10'] }), { '[2001:db8::10]:25': { unreachable: 'ENETUNREACH' } });
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:info']);
  // Nothing was looked at: the check did not pass, and the report says it did not finish.
  assert.equal(checkOf(report, 'smtp-reachability').status, 'untestable');
  assert.match(report.incomplete.find(i => i.id === 'smtp-reachability')?.reason ?? '', /could not send over IPv6, .*network unreachable \(ENETUNREACH: this machine has no route to it\)/);
});

test('a firewall rule here refuses IPv6 (EACCES), IPv4 answering: worded as this machine\'s firewall, not as a missing route', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10', '2001:db8::10'] }), { '192.0.2.10:25': healthyServer() });
  const report = await world.diagnose('example.com', ONLY, {}, withIpv6FailingHere(world.net(), 'EACCES'));
  const [refused] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([refused!.cause, refused!.messageId, refused!.side, refused!.severity], ['network.ipv6-unavailable', 'oneAddress', 'local', 'info']);
  assert.equal(refused!.message, 'this machine could not send over IPv6, so 1 IPv6 address (2001:db8::10) could not be probed: not permitted (EACCES: a firewall on this machine refuses it)');
  assert.doesNotMatch(renderHuman(report, { color: false, verbose: false, width: 100 }), /no IPv6 route/);
});

test('MX hosts that all hang cost about one timeout, not one per host', async () => {
  const hosts = { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'], 'mx3.example.com': ['192.0.2.12'] };
  const tarpit = { greeting: null };
  const world = await startSmtpWorld(mxZone('example.com', hosts), { '192.0.2.10:25': tarpit, '192.0.2.11:25': tarpit, '192.0.2.12:25': tarpit }, 500);
  const started = performance.now();
  const report = await world.diagnose('example.com', ONLY);
  // One greeting wait (GREETING_PATIENCE timeouts) for all three, not three of them.
  assert.ok(performance.now() - started < 500 * GREETING_PATIENCE + 700, `${performance.now() - started} ms`);
  assert.equal(causesOf(report, 'smtp-reachability').filter(c => c === 'smtp.no-banner:error').length, 3);
});

test('--no-smtp: no connection at all, and the check says why', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': healthyServer() });
  const report = await world.diagnose('example.com', ['smtp-reachability', 'smtp-policy'], { smtp: false });
  assert.equal(world.servers.get('192.0.2.10:25')!.connections, 0);
  assert.equal(checkOf(report, 'smtp-reachability').data['sessions'], 'off');
  assert.equal(checkOf(report, 'smtp-policy').status, 'skipped');
  assert.deepEqual(report.diagnosis, []);
});

test('an IP target: the address is probed, without a RCPT unless --rcpt names one', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': healthyServer() });
  const report = await world.diagnose('192.0.2.10', ONLY);
  const [probe] = checkOf(report, 'smtp-reachability').data['probes'] as { outcome: string; rcpt?: unknown; relay?: unknown }[];
  assert.equal(probe!.outcome, 'greeted');
  assert.equal(probe!.rcpt, undefined);
  assert.ok(probe!.relay, 'the open-relay probe still runs');
  const withRcpt = await world.diagnose('192.0.2.10', ONLY, { rcpt: 'someone@example.com' });
  assert.deepEqual((checkOf(withRcpt, 'smtp-reachability').data['probes'] as { rcpt: { address: string } }[])[0]!.rcpt.address, 'someone@example.com');
});

test('a banner full of escape codes never reaches the terminal through the human report', async () => {
  const escapes = '\u001b[2J\u001b]0;pwned\u0007\u001b[31mBUSY\u001b[0m \u009b31m';
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': { greeting: [`421 4.3.2 ${escapes} try later`], hangUpAfterGreeting: true } });
  const report = await world.diagnose('example.com', ONLY);
  assert.ok(report.diagnosis.some(d => d.messages.some(m => m.includes('\u001b'))), 'the report keeps the server\'s raw words');
  for (const verbose of [false, true]) {
    const text = renderHuman(report, { color: false, verbose, width: 100 });
    assert.ok(!/[\u001b\u009b\u0007]/.test(text), `no escape or control character in the ${verbose ? 'verbose ' : ''}output`);
    assert.match(text, /BUSY/);
  }
});

test('when no session gets past the connect, the session checks say they could not look instead of passing', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': 'refused' });
  const report = await world.diagnose('example.com', ['smtp-reachability', 'smtp-policy', 'starttls']);
  for (const id of ['smtp-policy', 'starttls']) {
    const check = checkOf(report, id);
    assert.equal(check.status, 'info', id);
    assert.match(String(check.data['reason']), /no SMTP session got that far/);
  }
  assert.match(renderHuman(report, { color: false, verbose: false, width: 80 }), /STARTTLS on port 25 +no SMTP session got that far/);
});

// An MX with IPv6 addresses only, all silent, from a machine over whose IPv6
// nothing answered during the run: this machine's IPv6 and the domain's mail
// service are suspects alike, and no IPv4 address tells them apart.
test('an IPv6-only MX that times out where nothing answered over IPv6 here: both suspects, not the recipient\'s mx.all-unreachable, and never OK', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['2001:db8::10'] }), { '[2001:db8::10]:25': healthyServer() }, 400);
  const report = await world.diagnose('example.com', ONLY, {}, withIpv6FailingHere(world.net(), 'timeout'));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['network.ipv6-unavailable:warning'], 'no smtp.timeout, no mx.all-unreachable');
  const [unheard] = checkOf(report, 'smtp-reachability').findings;
  assert.deepEqual([unheard!.messageId, unheard!.side, unheard!.data!['ips']], ['unheardIpv6OnlyOne', 'local', ['2001:db8::10']]);
  assert.match(unheard!.message, /^2001:db8::10, the only address of the domain's MX hosts \(IPv6, no IPv4 address\), timed out on port 25 after .*: either this machine's IPv6 does not work .* or the domain's mail service is down, and from here maildiag cannot tell which\. To tell, try IPv6 from this machine \("ping -6" or "curl -6" to a known IPv6 host\) or test 2001:db8::10 from another host/);
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side, d.severity]), [['network.ipv6-unavailable', 'local', 'warning']]);
  const text = renderHuman(report, { color: false, verbose: false, width: 100 });
  assert.match(text.split('\n')[0]!, /^example\.com: AT RISK: 1 warning/);
  assert.doesNotMatch(text, /Who fixes it: the recipient/);
  // The whole diagnosis too: no other check takes the silence for the domain's, and the headline is never OK.
  const full = renderHuman(await world.diagnose('example.com', [], {}, withIpv6FailingHere(world.net(), 'timeout')), { color: false, verbose: false, width: 100 });
  assert.match(full.split('\n')[0]!, /^example\.com: AT RISK: /);
  assert.doesNotMatch(full, /mx\.all-unreachable|smtp\.timeout/);
});

test('the same IPv6-only MX timing out where IPv6 answered this machine earlier in the run: the recipient\'s, as before', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['2001:db8::10'] }), { '[2001:db8::10]:25': 'timeout' }, 400);
  const report = await world.diagnose('example.com', ONLY, {}, withHeard(world.net(), [6]));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.timeout:error', 'mx.all-unreachable:error']);
  assert.deepEqual(report.diagnosis.map(d => [d.cause, d.side, d.severity]), [['smtp.timeout', 'recipient', 'error'], ['mx.all-unreachable', 'recipient', 'error']]);
  assert.match(renderHuman(report, { color: false, verbose: false, width: 100 }).split('\n')[0]!, /PROBLEM/);
});

test('an IPv6 address given as the target, timing out where nothing answered over IPv6: its smtp.timeout, never words about a domain\'s MX hosts', async () => {
  const world = await startSmtpWorld({}, { '[2001:db8::10]:25': healthyServer() }, 400);
  const report = await world.diagnose('2001:db8::10', ONLY, {}, withIpv6FailingHere(world.net(), 'timeout'));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.timeout:error']);
});
