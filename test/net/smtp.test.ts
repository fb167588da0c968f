// The SMTP client against scripted servers, hostile ones included: every case
// ends within its timeout, is classified, reads a bounded number of bytes,
// never sends DATA, and ends with QUIT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Net } from '../../src/net/context.js';
import {
  GREETING_PATIENCE,
  MAX_LINE_BYTES,
  HOST_WIDE_SAMPLES,
  MAX_RECIPIENTS_PER_TRANSACTION,
  openStartTls,
  parseEhlo,
  probeMx,
  probeSubmission,
  RELAY_PROBE_ADDRESS,
  ReplyReader,
  type SmtpProbe,
  type SmtpProbeSettings,
} from '../../src/net/smtp/index.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { allClosed, healthyServer, startSmtpWorld, type Endpoint } from '../helpers/smtp-world.js';

const TIMEOUT_MS = 800;
const ca = createCa();
const cert = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const tlsPersona = { key: cert.keyPem, cert: cert.certPem };
const MX = { host: 'mx.example.com', ip: '192.0.2.10', family: 4 as const, preference: 10 };
const settings: SmtpProbeSettings = { helo: 'probe.example.net', from: '', caCerts: [ca.certPem], relayTest: true };

async function probeWith(behaviour: Endpoint, rcpt: string | undefined = 'postmaster@example.com', overrides: Partial<SmtpProbeSettings> = {}) {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': behaviour }, TIMEOUT_MS);
  const net = world.net();
  const started = performance.now();
  const probe = await probeMx(net, MX, { ...settings, ...overrides }, rcpt);
  const elapsed = performance.now() - started;
  assert.ok(await allClosed(net), 'every connection is closed after the probe');
  return { probe, elapsed, server: world.servers.get('192.0.2.10:25'), net, world };
}

/** Probes must stop before DATA and always say QUIT (RFC 5321 §4.1.1.10). */
function assertPolite(commands: readonly string[]) {
  assert.ok(!commands.some(c => /^DATA\b/i.test(c)), `no DATA: ${commands.join(' | ')}`);
  assert.equal(commands.at(-1), 'QUIT', `ends with QUIT: ${commands.join(' | ')}`);
}

test('a healthy server: greeting, EHLO, STARTTLS, EHLO again, RCPT, the relay probe, QUIT', async () => {
  const { probe, server } = await probeWith(healthyServer('mx.example.com', { tls: tlsPersona, extensions: ['PIPELINING', 'SIZE 36700160', 'AUTH PLAIN LOGIN'] }));
  assert.equal(probe.outcome.kind, 'greeted');
  assert.equal(probe.greetingName, 'mx.example.com');
  assert.equal(probe.ehloName, 'mx.example.com');
  assert.equal(probe.ehlo?.extensions.size, 36700160);
  assert.deepEqual(probe.ehlo?.extensions.auth, ['PLAIN', 'LOGIN']);
  assert.equal(probe.starttls?.offered, true);
  assert.equal(probe.starttls?.reply?.code, 220);
  assert.equal(probe.starttls?.handshake?.kind, 'ok');
  assert.equal(probe.starttls?.handshake?.kind === 'ok' && probe.starttls.handshake.authorizationError, undefined);
  assert.ok(probe.ehloAfterTls, 'EHLO is repeated inside TLS (RFC 3207 §4.2)');
  assert.equal(probe.rcpt?.reply.code, 250);
  assert.equal(probe.relay?.address, RELAY_PROBE_ADDRESS);
  assert.equal(probe.relay?.reply.code, 554);
  assert.equal(probe.incomplete, undefined);
  assert.deepEqual(
    server!.commands.map(c => c.split(/[ :]/)[0]),
    // MAIL and RSET before STARTTLS: whether the server takes mail without TLS (RFC 3207 §4), asked once per host.
    ['EHLO', 'MAIL', 'RSET', 'STARTTLS', 'EHLO', 'MAIL', 'RCPT', 'RCPT', 'QUIT'],
  );
  assertPolite(server!.commands);
  assert.ok(probe.transcript.includes('C: RCPT TO:<postmaster@example.com>'));
});

test('a tarpit that never greets: no-greeting after the greeting wait, and nothing said but QUIT', async () => {
  const { probe, elapsed, server } = await probeWith({ greeting: null });
  assert.deepEqual([probe.outcome.kind, probe.outcome.kind === 'no-greeting' && probe.outcome.reason], ['no-greeting', 'silent']);
  const wait = TIMEOUT_MS * GREETING_PATIENCE;
  assert.ok(elapsed >= wait - 50 && elapsed < wait + 600, `waited the whole greeting wait (${elapsed} ms)`);
  assert.deepEqual(server!.commands, ['QUIT'], 'no command before a greeting');
});

test('a slow greeter within the timeout is waited for, not talked over', async () => {
  const { probe, server } = await probeWith(healthyServer('mx.example.com', { greetingDelayMs: TIMEOUT_MS / 2 }));
  assert.equal(probe.outcome.kind, 'greeted');
  assert.equal(server!.commands[0], 'EHLO probe.example.net');
});

test('a multi-line greeting is read to its last line before EHLO', async () => {
  const { probe } = await probeWith(healthyServer('mx.example.com', { greeting: ['220-mx.example.com hold on', '220 mx.example.com ready'], byteDelayMs: 2 }));
  assert.equal(probe.outcome.kind, 'greeted');
  assert.deepEqual(probe.greeting?.lines, ['mx.example.com hold on', 'mx.example.com ready']);
});

test('postscreen\'s pregreet test: a "220-" line, a pause longer than one reply wait, then "220 ": nothing is said before the last line, and the pause is not a dead server', async () => {
  const timeoutMs = 2000;
  const pauseMs = timeoutMs * 1.25;
  const world = await startSmtpWorld({}, { '192.0.2.10:25': healthyServer('mx.example.com', { greeting: ['220-mx.example.com ESMTP Postfix', '220 mx.example.com ESMTP Postfix'], greetingPauseMs: pauseMs }) }, timeoutMs);
  const probe = await probeMx(world.net(), MX, settings, 'postmaster@example.com');
  const server = world.servers.get('192.0.2.10:25')!;
  assert.equal(probe.outcome.kind, 'greeted', JSON.stringify(probe.outcome));
  assert.ok(probe.outcome.kind === 'greeted' && probe.outcome.greetingMs >= pauseMs - 50, 'the greeting counts from the connect to its last line');
  assert.deepEqual(server.pregreeted, [], 'no PREGREET');
  assert.equal(server.commands[0], 'EHLO probe.example.net');
  assert.equal(probe.rcpt?.reply.code, 250);
});

test('421 at connect, then hang-up: busy, with the server\'s words', async () => {
  const { probe } = await probeWith({ greeting: ['421 4.3.2 mx.example.com Service not available - too busy'], hangUpAfterGreeting: true });
  assert.equal(probe.outcome.kind, 'busy');
  assert.equal(probe.outcome.kind === 'busy' && probe.outcome.reply.enhanced, '4.3.2');
});

test('554 at connect: the session is refused, and still ended with QUIT (RFC 5321 §3.1)', async () => {
  const { probe, server } = await probeWith({ greeting: ['554 5.7.1 no SMTP service here'] });
  assert.equal(probe.outcome.kind, 'rejected');
  assert.deepEqual(server!.commands, ['QUIT']);
});

test('hostile greetings end fast and bounded: garbage, an endless banner, a 1 MB line', async () => {
  const cases: [SmtpPersona, string][] = [
    [{ greeting: ['HTTP/1.1 400 Bad Request', 'Content-Type: text/html'] }, 'garbage'],
    [{ greeting: ['220-welcome'], endlessLine: '220-still welcoming you' }, 'too-long'],
    [{ greeting: [`220 ${'x'.repeat(1_000_000)}`] }, 'too-long'],
    [{ greeting: [`220-${'x'.repeat(MAX_LINE_BYTES + 10)}`, '220 ok'] }, 'too-long'],
  ];
  for (const [persona, reason] of cases) {
    const { probe, elapsed } = await probeWith(persona);
    assert.equal(probe.outcome.kind === 'no-greeting' && probe.outcome.reason, reason, JSON.stringify(probe.outcome));
    assert.ok(elapsed < TIMEOUT_MS, `${reason} is recognised without waiting for the timeout (${elapsed} ms)`);
    assert.ok(probe.transcript.every(line => line.length < 1024), 'the transcript keeps lines short');
  }
});

test('a server that sends one byte at a time is cut off at the greeting wait', async () => {
  const { probe, elapsed } = await probeWith({ greeting: ['220 mx.example.com ESMTP Postfix'], byteDelayMs: 100 });
  assert.equal(probe.outcome.kind === 'no-greeting' && probe.outcome.reason, 'slow');
  assert.ok(elapsed < TIMEOUT_MS * GREETING_PATIENCE + 600, `${elapsed} ms`);
});

test('invalid UTF-8 and escape codes in the banner are kept as text, not trusted or crashed on', async () => {
  const { probe } = await probeWith(healthyServer('mx.example.com', { greeting: ['220 mx.example.com \u00ff\u00fe\u001b[31mred\u001b[0m ESMTP'], encoding: 'latin1' }));
  assert.equal(probe.outcome.kind, 'greeted');
  assert.equal(probe.greetingName, 'mx.example.com');
  assert.match(probe.greeting!.lines[0]!, /\uFFFD/);
});

test('EHLO refused: falls back to HELO (RFC 5321 §4.1.4) and carries on', async () => {
  const { probe, server } = await probeWith(healthyServer('mx.example.com', { replies: { EHLO: '502 5.5.2 Error: command not recognized' } }));
  assert.equal(probe.ehlo?.command, 'HELO');
  assert.equal(probe.ehlo?.ehloRejected?.code, 502);
  assert.equal(probe.starttls?.offered, false);
  assert.equal(probe.rcpt?.reply.code, 250);
  assertPolite(server!.commands);
});

test('a broken TLS handshake: recorded, then a second session in plaintext for the RCPT probe', async () => {
  const { probe, server } = await probeWith(healthyServer('mx.example.com', { tls: 'broken' }));
  assert.equal(probe.starttls?.handshake?.kind, 'failed');
  assert.equal(probe.rcpt?.reply.code, 250);
  assert.equal(server!.connections, 2);
  assert.ok(!server!.commands.slice(server!.commands.indexOf('STARTTLS') + 1).includes('STARTTLS'), 'the retry stays in plaintext');
  assert.ok(probe.transcript.some(line => line.includes('later session')));
});

test('a server that stops answering mid-session: incomplete at that step, within the timeout', async () => {
  const { probe, elapsed, server } = await probeWith(healthyServer('mx.example.com', { replies: { MAIL: null } }));
  assert.deepEqual(probe.incomplete && [probe.incomplete.step, probe.incomplete.reason], ['mail', { code: 'read', failure: { kind: 'timeout', partial: [], waitedMs: TIMEOUT_MS, bytes: 0 } }]);
  assert.ok(elapsed < 2 * TIMEOUT_MS, `${elapsed} ms`);
  assertPolite(server!.commands);
});

test('421 on RCPT ends the session: incomplete, not a verdict on the recipient', async () => {
  const { probe } = await probeWith(healthyServer('mx.example.com', { recipients: { '*': '421 4.7.0 Too many connections, closing' } }));
  assert.equal(probe.incomplete?.step, 'rcpt');
  assert.equal(probe.incomplete?.reply?.code, 421);
  assert.equal(probe.rcpt, undefined);
});

test('a server slow on every step: the session ends at its deadline instead of keeping the run waiting', async () => {
  // Long enough that the first replies come inside it on a loaded machine; 60 recipients at 15 ms a byte
  // ("250 ok\r\n": 120 ms each, no PIPELINING) take 7 s, well past the session limit of 4 timeouts
  // (30 took ~4.2 s, so close to it that a fast run answered them all).
  const timeoutMs = 1000;
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { greeting: ['220 a'], name: 'a', extensions: [], byteDelayMs: 15, replies: { MAIL: '250 ok', RSET: '250 ok' }, recipients: { '*': '250 ok' } } }, timeoutMs);
  const net = world.net();
  const started = performance.now();
  const probes = await Promise.all(Array.from({ length: 60 }, (_, i) => probeMx(net, MX, settings, `postmaster@d${i}.example`)));
  const elapsed = performance.now() - started;
  assert.ok(elapsed < timeoutMs * 7, `${elapsed} ms`);
  const late = probes.filter(p => p.incomplete);
  assert.ok(probes[0]!.rcpt && late.length, 'the first recipients are answered, the rest are cut off');
  assert.ok(late.every(p => p.incomplete!.reason.code === 'tooSlow'), JSON.stringify(late[0]!.incomplete));
  assert.ok(await allClosed(net));
});

test('--no-relay-test: the relay RCPT is never sent', async () => {
  const { probe, server } = await probeWith(healthyServer(), 'postmaster@example.com', { relayTest: false });
  assert.equal(probe.relay, undefined);
  assert.ok(!server!.commands.some(c => c.includes(RELAY_PROBE_ADDRESS)));
});

test('domains sharing an MX host share one session and one transaction', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': healthyServer() }, TIMEOUT_MS);
  const net = world.net();
  const [a, b] = await Promise.all([probeMx(net, MX, settings, 'postmaster@a.example'), probeMx(net, MX, settings, 'postmaster@b.example')]);
  const server = world.servers.get('192.0.2.10:25')!;
  assert.ok(await allClosed(net));
  assert.equal(server.connections, 1);
  const verbs = server.commands.map(c => c.split(/[ :]/)[0]);
  assert.deepEqual(verbs, ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'RCPT', 'QUIT']);
  assert.equal(a.rcpt?.address, 'postmaster@a.example');
  assert.equal(b.rcpt?.address, 'postmaster@b.example');
  assert.ok(!a.transcript.some(line => line.includes('b.example')), 'a probe\'s transcript shows only its own RCPT');
  assert.equal(a.relay?.reply.code, 554);
  assert.equal(b.relay?.reply.code, 554);

  // Later in the same run: host facts come from memory; a new recipient needs a new session, without a second relay probe.
  await probeMx(net, MX, settings);
  assert.equal(server.connections, 1);
  const late = await probeMx(net, MX, settings, 'postmaster@c.example');
  assert.equal(late.rcpt?.reply.code, 250);
  assert.equal(server.connections, 2);
  assert.equal(server.commands.filter(c => c.includes(RELAY_PROBE_ADDRESS)).length, 1);
  assert.ok(await allClosed(net));
});

test(`recipients go ${MAX_RECIPIENTS_PER_TRANSACTION} to a transaction, with RSET in between`, async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': healthyServer() }, TIMEOUT_MS);
  const net = world.net();
  const addresses = Array.from({ length: MAX_RECIPIENTS_PER_TRANSACTION + 10 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
  assert.ok(probes.every((p, i) => p.rcpt?.address === addresses[i] && p.rcpt.reply.code === 250));
  assert.ok(await allClosed(net));
  const verbs = world.servers.get('192.0.2.10:25')!.commands.map(c => c.split(/[ :]/)[0]);
  assert.equal(MAX_RECIPIENTS_PER_TRANSACTION, 100, 'RFC 5321 §4.5.3.1.8: every server takes at least 100');
  assert.deepEqual(verbs, ['EHLO', 'MAIL', ...Array(MAX_RECIPIENTS_PER_TRANSACTION).fill('RCPT'), 'RSET', 'MAIL', ...Array(10).fill('RCPT'), 'QUIT']);
});

test('a server that says 452 "too many recipients" gets smaller transactions, and every recipient its real answer', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), recipientLimit: 3 } }, TIMEOUT_MS);
  const net = world.net();
  const addresses = Array.from({ length: 7 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(7).fill(250));
  assert.ok(await allClosed(net));
  const server = world.servers.get('192.0.2.10:25')!;
  assert.equal(server.connections, 1);
  // The server offers PIPELINING: all seven RCPTs go at once, the four it refused go again in transactions of three.
  assert.deepEqual(server.commands.map(c => c.split(/[ :]/)[0]), ['EHLO', 'MAIL', ...Array(7).fill('RCPT'), 'RSET', 'MAIL', 'RCPT', 'RCPT', 'RCPT', 'RSET', 'MAIL', 'RCPT', 'QUIT']);
  assert.ok(probes[3]!.transcript.some(line => line.includes('452')), 'the recipient that met the limit shows the 452 it was retried after');
});

test('RCPTs are pipelined when the server offers PIPELINING (RFC 2920), one at a time when it does not', async () => {
  const addresses = Array.from({ length: 5 }, (_, i) => `postmaster@d${i}.example`);
  for (const [extensions, writes] of [[['PIPELINING'], 1], [[], 5]] as const) {
    const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), extensions: [...extensions] } }, TIMEOUT_MS);
    const net = world.net();
    const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
    assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(5).fill(250));
    assert.ok(await allClosed(net));
    const server = world.servers.get('192.0.2.10:25')!;
    assert.equal(server.commands.filter(c => c.startsWith('RCPT')).length, 5);
    assert.equal(server.chunks.filter(w => w.includes('RCPT')).length, writes, extensions.join(' ') || 'no PIPELINING');
  }
});

test('in an audit, domains that arrive while a session lingers join its open transaction: one MAIL, no RSET per domain', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': healthyServer() }, TIMEOUT_MS);
  const net = world.net({ sessionLingerMs: 2000 });
  const first = await probeMx(net, MX, { ...settings, relayTest: false }, 'postmaster@a.example');
  const later = await probeMx(net, MX, { ...settings, relayTest: false }, 'postmaster@b.example');
  net.finish();
  assert.ok(await allClosed(net));
  const server = world.servers.get('192.0.2.10:25')!;
  assert.equal(server.connections, 1);
  assert.deepEqual(server.commands.map(c => c.split(/[ :]/)[0]), ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'QUIT']);
  assert.equal(first.rcpt?.reply.code, 250);
  assert.equal(later.mail?.code, 250);
  assert.ok(later.transcript.some(line => line.startsWith('-- in the open transaction: MAIL FROM:')), later.transcript.join('\n'));
});

test('a refused MAIL FROM is asked once per host, not once per domain', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), replies: { MAIL: '553 5.7.1 sender rejected' } } }, TIMEOUT_MS);
  const net = world.net({ sessionLingerMs: 2000 });
  const first = await probeMx(net, MX, settings, 'postmaster@a.example');
  const later = await probeMx(net, MX, settings, 'postmaster@b.example');
  net.finish();
  assert.ok(await allClosed(net));
  assert.equal(first.mail?.code, 553);
  assert.equal(later.mail?.code, 553);
  assert.equal(world.servers.get('192.0.2.10:25')!.commands.filter(c => c.startsWith('MAIL')).length, 1);
});

test(`a session ends after ${90} RSETs (Postfix's junk-command limit is 100) and the rest go to the next one`, async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), recipientLimit: 1 } }, TIMEOUT_MS);
  const net = world.net();
  const addresses = Array.from({ length: 95 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(95).fill(250));
  assert.ok(await allClosed(net));
  const server = world.servers.get('192.0.2.10:25')!;
  assert.equal(server.connections, 2);
  const perSession = server.commands.join('\n').split(/^QUIT$/m).map(s => (s.match(/^RSET/gm) ?? []).length);
  assert.ok(Math.max(...perSession) <= 90, `RSETs per session: ${perSession.join(', ')}`);
});

test('a host that failed is not dialled again in the same run', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { greeting: null } }, 300);
  const net = world.net();
  const first = await probeMx(net, MX, settings, 'postmaster@a.example');
  const second = await probeMx(net, MX, settings, 'postmaster@b.example');
  assert.equal(first.outcome.kind, 'no-greeting');
  assert.deepEqual(second.outcome, first.outcome);
  assert.equal(world.servers.get('192.0.2.10:25')!.connections, 1);
});

test('connect outcomes: refused, timed out, no route', async () => {
  const outcomes: [Endpoint, SmtpProbe['outcome']['kind']][] = [['refused', 'refused'], ['timeout', 'timeout'], [{ unreachable: 'ENETUNREACH' }, 'unreachable']];
  for (const [behaviour, kind] of outcomes) {
    const { probe } = await probeWith(behaviour);
    assert.equal(probe.outcome.kind, kind);
    assert.equal(probe.greeting, undefined);
  }
});

test('openStartTls: negotiates with the given TLS settings, or says why it could not', async () => {
  const world = await startSmtpWorld({}, {
    '192.0.2.10:25': healthyServer('mx.example.com', { tls: { ...tlsPersona, maxVersion: 'TLSv1.2' } }),
    '192.0.2.11:25': healthyServer('mx2.example.com'),
  }, TIMEOUT_MS);
  const net: Net = world.net();
  const endpoint = { host: 'mx.example.com', ip: '192.0.2.10', port: 25 };
  const ok = await openStartTls(net, endpoint, 'probe.example.net', { caCerts: [ca.certPem] });
  assert.equal(ok.kind === 'ok' && ok.protocol, 'TLSv1.2');
  const tooNew = await openStartTls(net, endpoint, 'probe.example.net', { caCerts: [], minVersion: 'TLSv1.3' });
  assert.equal(tooNew.kind, 'failed');
  const plain = await openStartTls(net, { ...endpoint, host: 'mx2.example.com', ip: '192.0.2.11' }, 'probe.example.net', { caCerts: [] });
  assert.equal(plain.kind, 'not-offered');
  const closed = await openStartTls(net, { ...endpoint, ip: '192.0.2.99' }, 'probe.example.net', { caCerts: [] });
  assert.deepEqual(closed, { kind: 'no-session', reason: 'connection refused' });
  assert.ok(await allClosed(net));
  // The TLS session ends with QUIT; the failed handshake leaves nothing to say it on.
  assert.deepEqual(world.servers.get('192.0.2.10:25')!.commands, ['EHLO probe.example.net', 'STARTTLS', 'QUIT', 'EHLO probe.example.net', 'STARTTLS']);
});

test('submission ports: STARTTLS on 587 with AUTH only inside TLS; implicit TLS on 465', async () => {
  const world = await startSmtpWorld({}, {
    '192.0.2.20:587': healthyServer('smtp.example.com', { tls: tlsPersona, extensions: ['PIPELINING'], replies: {} }),
  }, TIMEOUT_MS);
  const net = world.net();
  const submissionSettings = { helo: 'probe.example.net', caCerts: [ca.certPem] };
  const starttls = await probeSubmission(net, { host: 'smtp.example.com', ip: '192.0.2.20', port: 587 }, submissionSettings);
  assert.equal(starttls.outcome.kind, 'greeted');
  assert.equal(starttls.starttlsOffered, true);
  assert.equal(starttls.tls?.kind, 'ok');
  assert.deepEqual(starttls.authBeforeTls, []);
  const implicit = await probeSubmission(net, { host: 'smtp.example.com', ip: '192.0.2.20', port: 465 }, submissionSettings);
  assert.deepEqual([implicit.implicitTls, implicit.outcome.kind], [true, 'refused']);
  assert.ok(await allClosed(net));
  assertPolite(world.servers.get('192.0.2.20:587')!.commands);
});

test('a submission probe answers before the server has answered QUIT; the connection still ends with it', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.20:587': healthyServer('smtp.example.com', { tls: tlsPersona, replies: { QUIT: null } }) }, TIMEOUT_MS);
  const net = world.net();
  const probe = await probeSubmission(net, { host: 'smtp.example.com', ip: '192.0.2.20', port: 587 }, { helo: 'probe.example.net', caCerts: [ca.certPem] });
  assert.equal(probe.tls?.kind, 'ok');
  assert.equal([...net.dialer.open].filter(socket => !socket.destroyed).length, 1, 'the session is still waiting for its 221 when the answer is ready');
  assert.ok(await allClosed(net));
  assertPolite(world.servers.get('192.0.2.20:587')!.commands);
});

test('the reader: multi-line replies, enhanced codes, bare LF, a last line cut off by the close', async () => {
  const stream = new PassThrough();
  const reader = new ReplyReader(stream);
  stream.write('250-mx.example.com\r\n250-SIZE 1000\n250 AUTH=LOGIN PLAIN\r\n550 5.1.1 <a@example.com>: User unknown\r\n');
  const ehlo = await reader.next(100);
  assert.equal(ehlo.kind, 'reply');
  assert.deepEqual(ehlo.kind === 'reply' && parseEhlo(ehlo.reply), {
    keywords: ['SIZE', 'AUTH=LOGIN'], size: 1000, starttls: false, pipelining: false, eightBitMime: false, smtpUtf8: false, chunking: false, enhancedStatusCodes: false, auth: ['LOGIN', 'PLAIN'],
  });
  const rcpt = await reader.next(100);
  assert.deepEqual(rcpt.kind === 'reply' && [rcpt.reply.code, rcpt.reply.enhanced], [550, '5.1.1']);
  stream.end('221 bye');
  const last = await reader.next(100);
  assert.deepEqual(last.kind === 'reply' && last.reply.lines, ['bye']);
  assert.equal((await reader.next(100)).kind, 'closed');
});

test('the reader: a multi-line reply whose code changes midway is not SMTP', async () => {
  const stream = new PassThrough();
  const reader = new ReplyReader(stream);
  stream.write('250-first\r\n354 second\r\n');
  const outcome = await reader.next(100);
  assert.deepEqual(outcome, { kind: 'garbage', line: '354 second' });
});

test('a host that refuses recipient by recipient (user unknown) gets a fresh session every 8 refusals, below Postfix\'s error limits', async () => {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), recipients: { '*': '550 5.1.1 Recipient address rejected: User unknown' } } }, TIMEOUT_MS);
  const net = world.net();
  const addresses = Array.from({ length: 20 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, settings, rcpt)));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(20).fill(550));
  assert.ok(probes.every(p => !p.incomplete && !p.rcpt?.sampledFrom), 'a permanent refusal may depend on the recipient: every one is asked');
  assert.ok(await allClosed(net));
  const sessions = world.servers.get('192.0.2.10:25')!.commands.join('\n').split(/^QUIT$/m).slice(0, -1);
  assert.equal(sessions.length, 3);
  // Every RCPT here is refused, the relay probe's too: each session stays under Postfix's soft error limit (10).
  assert.ok(sessions.every(s => (s.match(/^RCPT/gm) ?? []).length < 10), sessions.map(s => (s.match(/^RCPT/gm) ?? []).length).join(', '));
});

test(`a host that greylists every recipient has answered for all its domains after ${HOST_WIDE_SAMPLES}: one session, the rest not asked`, async () => {
  // postgrey's words name the recipient and its domain: "the same answer" looks past both.
  const recipients = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`@d${i}.example`, `450 4.2.0 <postmaster@d${i}.example>: Recipient address rejected: Greylisted, see http://postgrey.example/help/d${i}.example.html`]));
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), recipients } }, TIMEOUT_MS);
  const net = world.net({ sessionLingerMs: 2000 });
  const addresses = Array.from({ length: 40 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.slice(0, 30).map(rcpt => probeMx(net, MX, settings, rcpt)));
  // Later domains of an audit get the host's answer at once.
  probes.push(...(await Promise.all(addresses.slice(30).map(rcpt => probeMx(net, MX, settings, rcpt)))));
  net.finish();
  assert.ok(await allClosed(net));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(40).fill(450));
  assert.ok(probes.every(p => !p.incomplete));
  const server = world.servers.get('192.0.2.10:25')!;
  assert.equal(server.connections, 1);
  const asked = server.commands.filter(c => c.startsWith('RCPT') && !c.includes(RELAY_PROBE_ADDRESS)).length;
  assert.ok(asked >= HOST_WIDE_SAMPLES && asked < 10, `RCPTs sent: ${asked}`);
  const inferred = probes.filter(p => p.rcpt?.sampledFrom);
  assert.equal(inferred.length, 40 - asked);
  assert.equal(inferred[0]!.rcpt!.sampledFrom!.length, HOST_WIDE_SAMPLES);
  assert.ok(inferred[0]!.transcript.some(line => line.startsWith(`-- RCPT TO:<${inferred[0]!.rcpt!.address}> not sent`)), inferred[0]!.transcript.join('\n'));
});

test('one accepted recipient between temporary refusals means they depend on the recipient: everyone is asked', async () => {
  const recipients = { '@d3.example': '250 2.1.5 Ok', '*': '451 4.3.0 Try again later' };
  const world = await startSmtpWorld({}, { '192.0.2.10:25': { ...healthyServer(), recipients } }, TIMEOUT_MS);
  const net = world.net();
  const addresses = Array.from({ length: 8 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
  assert.ok(await allClosed(net));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), [451, 451, 451, 250, 451, 451, 451, 451]);
  assert.ok(probes.every(p => !p.rcpt?.sampledFrom));
});
