// Real MTAs' replies beyond Postfix (Exim, Exchange, Google, Sendmail,
// OpenSMTPD, Haraka), served by persona servers in their own words, and what
// the SMTP checks make of them: one test per behaviour of issue #17.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../../src/explain/index.js';
import { GREETING_PATIENCE } from '../../src/net/smtp/index.js';
import { SLOW_GREETING_MS } from '../../src/net/time.js';
import { MEANINGS, readReply, REPLY_PATTERNS } from '../../src/replies/index.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { mtaPersona, replyLines } from '../helpers/mta-personas.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const SMTP_CHECKS = ['smtp-reachability', 'smtp-policy', 'starttls'];
const oneMx = mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] });
const ca = createCa();
const leaf = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const tlsPersona = { key: leaf.keyPem, cert: leaf.certPem };

async function diagnoseOne(persona: SmtpPersona, options = {}, timeoutMs = 1000) {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': persona }, timeoutMs);
  const report = await world.diagnose('example.com', SMTP_CHECKS, { caCerts: [ca.certPem], ...options });
  const all = SMTP_CHECKS.flatMap(id => causesOf(report, id));
  return { report, all, server: world.servers.get('192.0.2.10:25')! };
}

// ---- unknown recipients in every family's words, from the one table
for (const pattern of REPLY_PATTERNS.filter(p => p.meaning === 'recipient-unknown')) {
  test(`${pattern.family}: "${pattern.example.split('\n')[0]}" is smtp.recipient-rejected, in the probe and in explain`, async () => {
    const persona = mtaPersona(pattern.family, { recipients: { 'alice@example.com': replyLines(pattern.example) } });
    const { report } = await diagnoseOne(persona, { rcpt: 'alice@example.com' });
    assert.deepEqual(causesOf(report, 'smtp-policy'), ['smtp.recipient-rejected:error']);
    assert.equal(report.diagnosis[0]?.cause, 'smtp.recipient-rejected');
    // Exim's bare "Unrouteable address" is also what it says of a domain that does not resolve: explain weighs it, the probe knows the stage.
    const explained = explain(pattern.example).causes[0]!;
    assert.ok([explained.cause, ...explained.secondary.map(s => s.cause)].includes('recipient.unknown'), `explain: ${explained.cause}`);
  });
}

test('the table reads policy refusals and limits as what they are, not as unknown users', () => {
  const reply = (code: number, text: string) => ({ code, lines: [text] });
  assert.equal(readReply(reply(554, '5.7.1 <a@example.com>: Relay access denied'), ['recipient-unknown']), undefined);
  assert.equal(readReply(reply(450, 'I cannot deliver mail for <a@example.com>'), ['recipient-unknown']), undefined, 'Haraka\'s temporary form is not a bounce');
  assert.equal(readReply(reply(421, 'mx.example.com: Too many concurrent SMTP connections; please try again later.'))?.meaning, 'server-connection-limit');
  assert.equal(readReply(reply(421, 'Too many concurrent SMTP connections from this IP address; please try again later.'))?.meaning, 'client-limit');
  for (const meaning of Object.keys(MEANINGS) as (keyof typeof MEANINGS)[]) {
    assert.ok(REPLY_PATTERNS.some(p => p.meaning === meaning), `${meaning} has at least one wording`);
  }
});

// ---- refusals at connect
test('a 554 greeting is an error: the server takes mail from nobody', async () => {
  const { all, report } = await diagnoseOne(mtaPersona('exim', { greeting: ['554 mx.example.com ESMTP not accepting messages'] }));
  assert.deepEqual(all, ['smtp.service-refused:error', 'mx.all-unreachable:error']);
  assert.equal(report.diagnosis[0]?.cause, 'smtp.service-refused');
  assert.equal(report.verdict, 'error');
});

test('a 554 greeting outranks a 421 on the other MX host', async () => {
  const zone = mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] });
  const world = await startSmtpWorld(zone, {
    '192.0.2.10:25': { greeting: ['421 4.3.2 mx1.example.com Service not available - too busy'], hangUpAfterGreeting: true },
    '192.0.2.11:25': { greeting: ['554 5.3.2 mx2.example.com Service unavailable'] },
  });
  const report = await world.diagnose('example.com', SMTP_CHECKS);
  assert.deepEqual(report.diagnosis.map(d => `${d.cause}:${d.severity}`).slice(0, 3), ['smtp.service-refused:error', 'smtp.busy:error', 'mx.all-unreachable:error']);
});

test('a 554 greeting that names this client\'s blocklisting is about the tester, not the domain', async () => {
  const { all } = await diagnoseOne({ greeting: ['554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1'] });
  assert.deepEqual(all, ['smtp.untestable:info']);
});

test('Exim\'s multi-line 421 "Too many concurrent SMTP connections" is the server\'s own limit: smtp.busy, not untestable', async () => {
  const greeting = ['421-mx.example.com: Too many concurrent SMTP connections;', '421 please try again later.'];
  const { all, report } = await diagnoseOne({ greeting, hangUpAfterGreeting: true });
  assert.deepEqual(all, ['smtp.busy:error', 'mx.all-unreachable:error']);
  assert.notEqual(report.verdict, 'info');
});

test('a 421 that names this client ("from this IP address") is a limit on the tester: smtp.untestable', async () => {
  const { all } = await diagnoseOne({ greeting: ['421 Too many concurrent SMTP connections from this IP address; please try again later.'], hangUpAfterGreeting: true });
  assert.deepEqual(all, ['smtp.untestable:info']);
});

test('Exchange tells its per-source limit from its server-wide one: the first is about the tester, the second the server\'s', async () => {
  const perSource = await diagnoseOne({ greeting: ['421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel'], hangUpAfterGreeting: true });
  assert.deepEqual(perSource.all, ['smtp.untestable:info']);
  const serverWide = await diagnoseOne({ greeting: ['421 4.3.2 The maximum number of concurrent server connections has exceeded a limit, closing transmission channel'], hangUpAfterGreeting: true });
  assert.deepEqual(serverWide.all, ['smtp.busy:error', 'mx.all-unreachable:error']);
});

// ---- refusals in the session
test('a 421 that ends the session at MAIL FROM because the server is out of storage: smtp.insufficient-storage, not untestable', async () => {
  const { all } = await diagnoseOne(mtaPersona('postfix', { tls: tlsPersona, replies: { MAIL: '421 4.3.1 mx.example.com Insufficient system storage, closing connection' } }));
  assert.deepEqual(all, ['smtp.insufficient-storage:error']);
});

test('452 4.3.1 Insufficient system storage at MAIL FROM: the server is full, an error, not "OK"', async () => {
  const { all, report } = await diagnoseOne(mtaPersona('postfix', { tls: tlsPersona, replies: { MAIL: '452 4.3.1 Insufficient system storage' } }));
  assert.deepEqual(all, ['smtp.insufficient-storage:error']);
  assert.equal(report.verdict, 'error');
});

test('Exim\'s "452 Space shortage" at RCPT: the same', async () => {
  const { all } = await diagnoseOne(mtaPersona('exim', { tls: tlsPersona, recipients: { 'postmaster@example.com': '452 Space shortage, please try later' } }));
  assert.deepEqual(all, ['smtp.insufficient-storage:error']);
});

// ---- EHLO refused, HELO accepted
test('EHLO unrecognized, HELO accepted: smtp.ehlo-refused (no ESMTP for anyone), and no false tls.starttls-missing', async () => {
  const { all, report, server } = await diagnoseOne(mtaPersona('sendmail', { replies: { EHLO: '500 5.5.1 Command unrecognized: "XXXX"' } }));
  assert.deepEqual(all, ['smtp.ehlo-refused:warning']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  assert.equal(finding.messageId, 'noEsmtp');
  assert.equal(finding.data?.['reply'], '500 5.5.1 Command unrecognized: "XXXX"');
  assert.ok(server.commands.some(c => c.startsWith('HELO')));
  assert.equal(checkOf(report, 'starttls').status, 'info', 'STARTTLS was not looked at, so it does not pass');
});

test('EHLO refused for its name, HELO accepted: about the tester\'s EHLO name, re-test with --helo', async () => {
  const { all, report } = await diagnoseOne(mtaPersona('exim', { replies: { EHLO: '501 Syntactically invalid EHLO argument(s)' } }));
  assert.deepEqual(all, ['smtp.ehlo-refused:info']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  assert.equal(finding.side, 'local');
  assert.equal(finding.messageId, 'heloNameRejected');
});

// ---- TLS required on port 25
test('530 "Must issue a STARTTLS command first" before STARTTLS: smtp.tls-required (RFC 3207 §4), found by one plaintext MAIL', async () => {
  const { all, server } = await diagnoseOne(healthyServer('mx.example.com', { tls: tlsPersona, requireTls: '530 5.7.0 Must issue a STARTTLS command first' }));
  assert.deepEqual(all, ['smtp.tls-required:warning']);
  const verbs = server.commands.map(c => c.split(/[ :]/)[0]);
  assert.deepEqual(verbs.slice(0, 4), ['EHLO', 'MAIL', 'RSET', 'STARTTLS'], 'the plaintext path is asked once, before STARTTLS');
  assert.equal(verbs.filter(v => v === 'MAIL').length, 2, 'plaintext, then one transaction inside TLS for the RCPT and the relay probe');
});

test('a server that requires STARTTLS but does not offer it: nobody can deliver, an error', async () => {
  const { all } = await diagnoseOne(healthyServer('mx.example.com', { requireTls: '530 5.7.0 Must issue a STARTTLS command first' }));
  assert.deepEqual(all, ['smtp.tls-required:error', 'tls.starttls-missing:warning']);
});

// ---- slow greeting: an absolute limit (what senders tolerate), not a share of --timeout
test('postscreen\'s 6 s pregreet pause ("220-", then "220 ") with --timeout 5 s: greeted and not slow: a normal pause', async () => {
  const persona = healthyServer('mx.example.com', { greeting: ['220-mx.example.com ESMTP Postfix', '220 mx.example.com ESMTP Postfix'], greetingPauseMs: 6000 });
  const { all, server } = await diagnoseOne(persona, {}, 5000);
  assert.deepEqual(all, ['tls.starttls-missing:warning']);
  assert.ok(server.commands.some(c => c.startsWith('RCPT')), 'the session went on past the greeting');
});

test(`a single-line greeting after 6 s with --timeout 5 s: not slow either (a greet_pause, not a fault)`, async () => {
  const { all } = await diagnoseOne(healthyServer('mx.example.com', { greetingDelayMs: 6000 }), {}, 5000);
  assert.deepEqual(all, ['tls.starttls-missing:warning']);
});

test(`a greeting later than ${SLOW_GREETING_MS / 1000} s but within the greeting wait: a warning with the delay, not "no MX accepts connections"`, async () => {
  const { all, report } = await diagnoseOne(healthyServer('mx.example.com', { greetingDelayMs: SLOW_GREETING_MS + 1500 }), {}, SLOW_GREETING_MS);
  assert.deepEqual(all, ['smtp.greeting-slow:warning', 'tls.starttls-missing:warning']);
  const slow = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.equal(slow.messageId, 'slow');
  assert.ok(Number(slow.data!['greetingMs']) > SLOW_GREETING_MS, 'the finding carries the measured delay');
});

test('no greeting within the greeting wait: smtp.no-banner, with the wait and the senders\' 5 minutes', async () => {
  const { all, report } = await diagnoseOne({ greeting: null }, {}, 300);
  assert.deepEqual(all, ['smtp.no-banner:error', 'mx.all-unreachable:error']);
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  const failure = data!['failure'] as { kind: string; reason: string; waitedMs: number; patience: number };
  assert.deepEqual([messageId, failure.kind, failure.reason, failure.patience], ['noGreeting', 'no-greeting', 'silent', GREETING_PATIENCE]);
  assert.ok(failure.waitedMs >= 600, 'the finding carries the wait (two 300 ms timeouts, or more on a loaded machine)');
});

// ---- several faults at once: each ranked by what it does to delivery
test('a domain with several faults: the full primary delays mail while the backup takes it, and the backup\'s missing TLS is its own warning', async () => {
  const zone = mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] });
  const world = await startSmtpWorld(zone, {
    '192.0.2.10:25': mtaPersona('exchange', { tls: tlsPersona, replies: { MAIL: '452 4.3.1 Insufficient system resources' } }),
    '192.0.2.11:25': mtaPersona('exim', { name: 'mx2.example.com' }),
  });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { caCerts: [ca.certPem] });
  assert.deepEqual(report.diagnosis.map(d => `${d.cause}:${d.severity}`), ['smtp.insufficient-storage:warning', 'tls.starttls-missing:warning']);
  const full = checkOf(report, 'smtp-policy').findings.find(f => f.cause === 'smtp.insufficient-storage')!;
  assert.equal(full.messageId, 'outOfStorageOtherAccepts');
  assert.equal(full.data?.['otherHost'], 'mx2.example.com');
  assert.equal(report.verdict, 'warning');
});

test('the same full server as the only MX: an error, since nobody gets mail through', async () => {
  const { report } = await diagnoseOne(mtaPersona('exchange', { tls: tlsPersona, replies: { MAIL: '452 4.3.1 Insufficient system resources' } }));
  assert.deepEqual(report.diagnosis.map(d => `${d.cause}:${d.severity}`), ['smtp.insufficient-storage:error']);
});

test('RSET refused (OpenSMTPD\'s words for a command it does not know): the session stops there, unjudged, never "does not answer STARTTLS" or a pass', async () => {
  const { all, report, server } = await diagnoseOne(mtaPersona('opensmtpd', { tls: tlsPersona, replies: { RSET: '500 5.5.1 Invalid command: Command unrecognized' } }));
  assert.deepEqual(all, ['smtp.untestable:info']);
  assert.ok(!server.commands.includes('STARTTLS'), server.commands.join(' / '));
  assert.equal(checkOf(report, 'smtp-reachability').findings[0]!.messageId, 'sessionStopped');
  for (const check of ['smtp-policy', 'starttls']) assert.equal(checkOf(report, check).status, 'untestable', check);
});

test('a 421 to STARTTLS closes the session before any TLS: starttls is untestable, never "TLS handshake failed" blamed on the recipient', async () => {
  const { all, report } = await diagnoseOne(mtaPersona('postfix', { tls: tlsPersona, replies: { STARTTLS: '421 4.3.2 Service shutting down' } }));
  assert.deepEqual(all, ['smtp.untestable:info']);
  assert.equal(checkOf(report, 'starttls').status, 'untestable');
});

test('Gmail\'s "421-4.7.0 Try again later, closing connection. (EHLO)": the EHLO reply names no server, so "4.7.0" is not taken for its name', async () => {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': mtaPersona('google', { replies: { EHLO: ['421-4.7.0 Try again later, closing connection. (EHLO)', '421 4.7.0  https://support.google.com/a/answer/3221692 a1si123456qkb.42 - gsmtp'] } }) }, 1000);
  const report = await world.diagnose('example.com', [...SMTP_CHECKS, 'smtp-identity'], { caCerts: [ca.certPem] });
  assert.ok(!checkOf(report, 'smtp-identity').findings.some(f => f.message.includes('4.7.0')), checkOf(report, 'smtp-identity').findings.map(f => f.message).join('; '));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.untestable:info']);
});

test('Exchange\'s "530 5.7.1 Client was not authenticated" at MAIL: the port-25 connector takes no anonymous mail, so nobody can deliver: an error on the recipient\'s side, not a refused null sender', async () => {
  const { all, report } = await diagnoseOne(mtaPersona('exchange', { tls: tlsPersona, replies: { MAIL: '530 5.7.1 Client was not authenticated' } }));
  assert.deepEqual(all, ['smtp.rejected:error']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  assert.equal(finding.messageId, 'authRequired');
  assert.equal(finding.side, 'recipient');
});
