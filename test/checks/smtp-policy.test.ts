// smtp-policy on small simulated worlds: what the server says once it has
// greeted (size, sender, recipient, relaying), one test per cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipientUnknown } from '../../src/replies/index.js';
import { RELAY_PROBE_ADDRESS } from '../../src/net/smtp/index.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const ONLY = ['smtp-policy'];
const oneMx = mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] });

async function policyOf(persona: SmtpPersona, options = {}) {
  const world = await startSmtpWorld(oneMx, { '192.0.2.10:25': persona });
  const report = await world.diagnose('example.com', ONLY, options);
  return { report, causes: causesOf(report, 'smtp-policy'), server: world.servers.get('192.0.2.10:25')! };
}

test('a server that accepts postmaster@ and denies relaying: nothing to report', async () => {
  const { causes, report } = await policyOf(healthyServer());
  assert.deepEqual(causes, []);
  const [probe] = checkOf(report, 'smtp-policy').data['probes'] as { relay: { open: boolean } }[];
  assert.equal(probe!.relay.open, false);
});

test('450 on RCPT with greylisting words: smtp.greylisting', async () => {
  const { causes } = await policyOf(healthyServer('mx.example.com', { recipients: { 'postmaster@example.com': '450 4.2.0 <postmaster@example.com>: Recipient address rejected: Greylisted, see http://postgrey.example/' } }));
  assert.deepEqual(causes, ['smtp.greylisting:warning']);
});

test('any other temporary refusal on RCPT delays mail the same way: smtp.greylisting', async () => {
  const { causes } = await policyOf(healthyServer('mx.example.com', { recipients: { 'postmaster@example.com': '451 4.7.1 Please try again later' } }));
  assert.deepEqual(causes, ['smtp.greylisting:warning']);
});

test('550 5.1.1 for the probed recipient: smtp.recipient-rejected', async () => {
  const { causes } = await policyOf(healthyServer('mx.example.com', { recipients: { 'alice@example.com': '550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown in local recipient table' } }), { rcpt: 'alice@example.com' });
  assert.deepEqual(causes, ['smtp.recipient-rejected:error']);
});

test('a policy refusal of the recipient: smtp.rejected with the server\'s words', async () => {
  const { report, causes } = await policyOf(healthyServer('mx.example.com', { recipients: { 'postmaster@example.com': '554 5.7.1 <postmaster@example.com>: Relay access denied' } }));
  assert.deepEqual(causes, ['smtp.rejected:warning']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  // "relaying" for its own domain: the server does not think it hosts example.com.
  assert.equal(finding.messageId, 'notResponsible');
  assert.deepEqual(finding.data, { server: { host: 'mx.example.com', ip: '192.0.2.10' }, command: 'RCPT TO:<postmaster@example.com>', reply: '554 5.7.1 <postmaster@example.com>: Relay access denied', domain: 'example.com' });
});

test('the null sender refused at MAIL FROM: smtp.rejected (RFC 5321 §4.5.5)', async () => {
  const { causes } = await policyOf(healthyServer('mx.example.com', { replies: { MAIL: '553 5.7.1 Sender address rejected: not allowed' } }));
  assert.deepEqual(causes, ['smtp.rejected:warning']);
});

test('554 instead of a greeting: no session for the policy to judge (smtp-reachability reports the refusal)', async () => {
  const { causes, report } = await policyOf({ greeting: ['554 5.7.1 Service unavailable'] });
  assert.deepEqual(causes, []);
  assert.match(String(checkOf(report, 'smtp-policy').data['reason']), /no SMTP session got that far/);
});

test('EHLO and HELO both refused: smtp.rejected', async () => {
  const { causes } = await policyOf(healthyServer('mx.example.com', { replies: { EHLO: '550 5.7.1 go away', HELO: '550 5.7.1 go away' } }));
  assert.deepEqual(causes, ['smtp.rejected:warning']);
});

test('a temporary refusal of MAIL FROM without greylisting words: smtp.untestable, and the check with it (the relay was not asked)', async () => {
  const { causes, report } = await policyOf(healthyServer('mx.example.com', { replies: { MAIL: '451 4.3.0 Temporary lookup failure' } }));
  assert.deepEqual(causes, ['smtp.untestable:info']);
  assert.equal(checkOf(report, 'smtp-policy').status, 'untestable');
  assert.ok(report.incomplete.some(i => i.id === 'smtp-policy' && /open-relay probe .* could not be asked/.test(i.reason)));
});

test('a RCPT to a reserved domain accepted: smtp.open-relay', async () => {
  const { causes, server } = await policyOf(healthyServer('mx.example.com', { recipients: { [RELAY_PROBE_ADDRESS]: '250 2.1.5 Ok' } }));
  assert.deepEqual(causes, ['smtp.open-relay:error']);
  assert.ok(server.commands.includes(`RCPT TO:<${RELAY_PROBE_ADDRESS}>`));
  assert.ok(!server.commands.some(c => /^DATA/i.test(c)), 'never DATA');
});

test('--no-relay-test: no relay RCPT, no open-relay finding', async () => {
  const { causes, server, report } = await policyOf(healthyServer('mx.example.com', { recipients: { [RELAY_PROBE_ADDRESS]: '250 2.1.5 Ok' } }), { relayTest: false });
  assert.deepEqual(causes, []);
  assert.ok(!server.commands.some(c => c.includes(RELAY_PROBE_ADDRESS)));
  assert.equal((checkOf(report, 'smtp-policy').data['probes'] as { relay: string }[])[0]!.relay, 'off');
});

/** The policy check's status, its relay findings, the relay's data and the report's incomplete list. */
async function unansweredRelay(persona: SmtpPersona) {
  const { report, server } = await policyOf(persona);
  const check = checkOf(report, 'smtp-policy');
  const relayFindings = check.findings.filter(f => f.messageId === 'relayUnanswered' || f.messageId === 'relayNotAsked');
  const [probe] = check.data['probes'] as { relay: unknown }[];
  return { check, relayFindings, relay: probe!.relay, incomplete: report.incomplete.filter(i => i.id === 'smtp-policy'), server };
}

test('421 at the relay RCPT: the relay was not tested, never "not an open relay": smtp-policy is untestable and says why', async () => {
  const { check, relayFindings, relay, incomplete } = await unansweredRelay(healthyServer('mx.example.com', { recipients: { [RELAY_PROBE_ADDRESS]: '421 4.7.0 mx.example.com closing connection' } }));
  assert.equal(check.status, 'untestable');
  assert.deepEqual(relayFindings.map(f => [f.cause, f.messageId]), [['smtp.untestable', 'relayUnanswered']]);
  assert.match(relayFindings[0]!.message, /gave no answer to the open-relay probe .*421 4\.7\.0 mx\.example\.com closing connection; whether it relays mail for anyone was not tested/);
  assert.deepEqual(relayFindings[0]!.evidence, [`192.0.2.10:25 C: RCPT TO:<${RELAY_PROBE_ADDRESS}>`, '192.0.2.10:25 S: 421 4.7.0 mx.example.com closing connection']);
  assert.deepEqual(relay, { address: RELAY_PROBE_ADDRESS, unanswered: { step: 'rcpt', reason: { code: 'reply', reply: '421 4.7.0 mx.example.com closing connection' } } });
  assert.equal(incomplete.length, 1);
  assert.match(incomplete[0]!.reason, /open-relay probe/);
});

test('MAIL refused for the probe sender: the relay could not be asked; the refusal is the finding (its exchange the evidence), and the check does not pass', async () => {
  const { check, relayFindings, relay, server } = await unansweredRelay(healthyServer('mx.example.com', { replies: { MAIL: '550 5.7.1 <>: Sender address rejected: Access denied' } }));
  assert.equal(check.status, 'warn');
  assert.ok(!server.commands.some(c => c.includes(RELAY_PROBE_ADDRESS)), 'no RCPT without a transaction');
  assert.deepEqual(check.findings.map(f => [f.cause, f.messageId]), [['smtp.rejected', 'nullSenderRefused']]);
  assert.deepEqual(check.findings[0]!.evidence, ['192.0.2.10:25 C: MAIL FROM:<>', '192.0.2.10:25 S: 550 5.7.1 <>: Sender address rejected: Access denied']);
  assert.deepEqual(relayFindings, [], 'the refusal is said once');
  assert.match(String(check.data['reason']), /refused MAIL FROM:<> with "550 5\.7\.1 .*", so the open-relay probe .* could not be asked/);
  assert.deepEqual(relay, { address: RELAY_PROBE_ADDRESS, unanswered: { step: 'mail', reason: { code: 'reply', reply: '550 5.7.1 <>: Sender address rejected: Access denied' } } });
});

test('MAIL refused with words about the tester: the check is untestable and the report lists it, the relay with it', async () => {
  const { check, relayFindings, incomplete } = await unansweredRelay(healthyServer('mx.example.com', { replies: { MAIL: '554 5.7.1 Service unavailable; Client host [192.0.2.99] blocked using zen.spamhaus.org' } }));
  assert.equal(check.status, 'untestable');
  assert.deepEqual(relayFindings, []);
  assert.equal(incomplete.length, 1);
  assert.match(incomplete[0]!.reason, /open-relay probe .* could not be asked/);
});

test('the connection dropped at the relay RCPT: the relay was not tested, and the evidence shows the drop', async () => {
  const { check, relayFindings, relay, incomplete } = await unansweredRelay(healthyServer('mx.example.com', { hangUp: { on: 'RCPT', containing: RELAY_PROBE_ADDRESS } }));
  assert.equal(check.status, 'untestable');
  assert.deepEqual(relayFindings.map(f => [f.cause, f.messageId]), [['smtp.untestable', 'relayUnanswered']]);
  assert.match(relayFindings[0]!.message, /gave no answer to the open-relay probe .*: the server closed the connection; whether it relays/);
  assert.deepEqual(relayFindings[0]!.evidence, [`192.0.2.10:25 C: RCPT TO:<${RELAY_PROBE_ADDRESS}>`, '192.0.2.10:25 -- the server closed the connection']);
  assert.deepEqual((relay as { unanswered: { step: string } }).unanswered.step, 'rcpt');
  assert.equal(incomplete.length, 1);
});

test('SIZE below 10 MB: smtp.size-limit-low with the limit; SIZE 0 means no limit', async () => {
  const small = await policyOf(healthyServer('mx.example.com', { extensions: ['PIPELINING', 'SIZE 1000000'] }));
  assert.deepEqual(small.causes, ['smtp.size-limit-low:warning']);
  assert.equal(checkOf(small.report, 'smtp-policy').findings[0]!.data?.['size'], 1000000);
  const unlimited = await policyOf(healthyServer('mx.example.com', { extensions: ['SIZE 0'] }));
  assert.deepEqual(unlimited.causes, []);
});

test('SIZE 10240000, what every stock Postfix advertises, is no finding; just under 10 MB is', async () => {
  const postfixDefault = await policyOf(healthyServer('mx.example.com', { extensions: ['PIPELINING', 'SIZE 10240000'] }));
  assert.deepEqual(postfixDefault.causes, []);
  const under = await policyOf(healthyServer('mx.example.com', { extensions: ['PIPELINING', 'SIZE 9999999'] }));
  assert.deepEqual(under.causes, ['smtp.size-limit-low:warning']);
});

test('user-unknown replies are told apart from policy refusals', () => {
  const reply = (code: number, text: string) => ({ code, lines: [text], ...(/^\d\.\d+\.\d+/.test(text) ? { enhanced: text.split(' ')[0]! } : {}) });
  assert.equal(recipientUnknown(reply(550, '5.1.1 <a@example.com>: User unknown')), true);
  assert.equal(recipientUnknown(reply(550, '5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup')), true);
  assert.equal(recipientUnknown(reply(550, 'No such user here')), true);
  assert.equal(recipientUnknown(reply(550, '5.7.1 Service unavailable; client host blocked: no such user policy')), false);
  assert.equal(recipientUnknown(reply(554, '5.7.1 <a@example.com>: Relay access denied')), false);
  assert.equal(recipientUnknown(reply(450, '4.1.1 <a@example.com>: User unknown, try later')), false);
});

test('a temporary refusal of the relay probe is no answer: the relay is unknown, never "not an open relay", and the check says why', async () => {
  const { check, relay, incomplete } = await unansweredRelay(healthyServer('mx.example.com', { recipients: { [RELAY_PROBE_ADDRESS]: '450 4.7.1 Please try again later' } }));
  assert.equal(check.status, 'untestable');
  assert.deepEqual(relay, { address: RELAY_PROBE_ADDRESS, reply: '450 4.7.1 Please try again later', open: null });
  assert.equal(incomplete.length, 1);
  assert.match(incomplete[0]!.reason, /answered the open-relay probe .* with "450 4\.7\.1 Please try again later", a temporary refusal, .*whether it relays mail for anyone was not tested/);
});

test('Postfix\'s stock defer_unauth_destination ("454 4.7.1 Relay access denied"): temporary, yet an answer: not an open relay', async () => {
  const { check, relay } = await unansweredRelay(healthyServer('mx.example.com', { recipients: { [RELAY_PROBE_ADDRESS]: `454 4.7.1 <${RELAY_PROBE_ADDRESS}>: Relay access denied` } }));
  assert.equal(check.status, 'pass');
  assert.equal((relay as { open: unknown }).open, false);
});

test('"452 Too many recipients" to the relay probe after the probed recipient: it is asked again in a transaction of its own', async () => {
  const { check, relay, server } = await unansweredRelay(healthyServer('mx.example.com', { recipientLimit: 1 }));
  assert.equal(check.status, 'pass');
  assert.deepEqual(relay, { address: RELAY_PROBE_ADDRESS, reply: '554 5.7.1 Relay access denied', open: false });
  const after = server.commands.slice(server.commands.indexOf('RCPT TO:<postmaster@example.com>'));
  assert.deepEqual(after.slice(0, 5), [`RCPT TO:<postmaster@example.com>`, `RCPT TO:<${RELAY_PROBE_ADDRESS}>`, 'RSET', 'MAIL FROM:<>', `RCPT TO:<${RELAY_PROBE_ADDRESS}>`]);
});

test('"452 4.5.3 Too many recipients" to the first recipient: a count the server keeps, not an answer about it: smtp.untestable', async () => {
  const { causes, report } = await policyOf(healthyServer('mx.example.com', { recipients: { 'postmaster@example.com': '452 4.5.3 Too many recipients' } }));
  assert.deepEqual(causes, ['smtp.untestable:info']);
  assert.equal(checkOf(report, 'smtp-policy').findings[0]!.messageId, 'commandDeferred');
  assert.equal(checkOf(report, 'smtp-policy').status, 'untestable');
});
