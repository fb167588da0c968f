// The moves of the MX probe's state machines (src/net/smtp/mx-state.ts) that
// test/net/smtp.test.ts does not already show, each against a scripted server:
// how the host gets to `finished` other than by a first session that fails,
// how the relay question settles without an answer, and a greylisting host
// that answers for everyone in the middle of a batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Net } from '../../src/net/context.js';
import { HOST_WIDE_SAMPLES, MAX_RECIPIENTS_PER_TRANSACTION, probeMx, Transcript, type SmtpProbeSettings } from '../../src/net/smtp/index.js';
import { Conversation, HostLifecycle, RelayQuestion } from '../../src/net/smtp/mx-state.js';
import { allClosed, healthyServer, startSmtpWorld, type Endpoint } from '../helpers/smtp-world.js';

const TIMEOUT_MS = 800;
const ENDPOINT = '192.0.2.10:25';
const MX = { host: 'mx.example.com', ip: '192.0.2.10', family: 4 as const, preference: 10 };
const settings: SmtpProbeSettings = { helo: 'probe.example.net', from: '', caCerts: [], relayTest: true };

/** A world with one MX endpoint, and a count of the dials the probes make. */
async function worldWith(behaviour: Endpoint) {
  const world = await startSmtpWorld({}, { [ENDPOINT]: behaviour }, TIMEOUT_MS);
  const net: Net = world.net();
  const dials = { count: 0 };
  const connect = net.dialer.connect.bind(net.dialer);
  net.dialer.connect = (...args) => (dials.count++, connect(...args));
  return { world, net, dials, server: world.servers.get(ENDPOINT)!, verbs: () => world.servers.get(ENDPOINT)!.commands.map(c => c.split(/[ :]/)[0]) };
}

test('talking → finished when a later connection fails: the first session\'s facts stay, the failure is the rest of the run\'s answer', async () => {
  const { net, dials, server } = await worldWith(healthyServer());
  const first = await probeMx(net, MX, settings, 'postmaster@a.example');
  assert.equal(first.rcpt?.reply.code, 250);
  await server.close();
  const later = await probeMx(net, MX, settings, 'postmaster@b.example');
  assert.equal(later.outcome.kind, 'greeted', 'the host was reached once: its facts are the first session\'s');
  assert.deepEqual([later.incomplete?.step, later.incomplete?.reason], ['connect', { code: 'furtherConnection', failure: { code: 'dial', failure: { kind: 'refused' } } }]);
  assert.equal(later.rcpt, undefined);
  assert.ok(later.transcript.includes('-- a further connection:'), later.transcript.join('\n'));
  const dialled = dials.count;
  const last = await probeMx(net, MX, settings, 'postmaster@c.example');
  assert.deepEqual(last.incomplete, later.incomplete);
  assert.equal(dials.count, dialled, 'a finished host is not dialled again');
  assert.ok(await allClosed(net));
});

test('talking → finished when EHLO and HELO are refused: no transaction, no incomplete, and no second session', async () => {
  const { net, dials, server, verbs } = await worldWith(healthyServer('mx.example.com', { replies: { EHLO: '550 5.7.1 go away', HELO: '550 5.7.1 go away' } }));
  const first = await probeMx(net, MX, settings, 'postmaster@a.example');
  const later = await probeMx(net, MX, settings, 'postmaster@b.example');
  assert.ok(await allClosed(net));
  assert.deepEqual([first.ehlo?.command, first.ehlo?.reply.code], ['HELO', 550]);
  assert.deepEqual([first.rcpt, first.mail, first.incomplete, first.relay], [undefined, undefined, undefined, undefined]);
  assert.deepEqual(later.ehlo, first.ehlo);
  assert.deepEqual(verbs(), ['EHLO', 'HELO', 'QUIT']);
  assert.deepEqual([server.connections, dials.count], [1, 1]);
});

test('talking → finished when STARTTLS is answered 421: incomplete at starttls, with the server\'s reply', async () => {
  const { net, verbs } = await worldWith(healthyServer('mx.example.com', { extensions: ['STARTTLS'], replies: { STARTTLS: '421 4.3.2 shutting down' } }));
  const probe = await probeMx(net, MX, settings, 'postmaster@a.example');
  const later = await probeMx(net, MX, settings, 'postmaster@b.example');
  assert.ok(await allClosed(net));
  assert.deepEqual([probe.incomplete?.step, probe.incomplete?.reply?.code], ['starttls', 421]);
  assert.equal(probe.plaintextMail?.code, 250, 'MAIL before STARTTLS was asked first, once');
  assert.deepEqual(later.incomplete, probe.incomplete);
  // After a 421 the QUIT goes out without waiting for its reply: the server may not have read it when the probe is done.
  assert.deepEqual(verbs().filter(v => v !== 'QUIT'), ['EHLO', 'MAIL', 'RSET', 'STARTTLS']);
});

test('relay pending → settled without an answer when the relay RCPT gets 421: the recipient keeps its answer, the host is finished', async () => {
  const { net, dials, verbs } = await worldWith(healthyServer('mx.example.com', { recipients: { '@maildiag-probe.invalid': '421 4.7.0 closing connection' } }));
  const probe = await probeMx(net, MX, settings, 'postmaster@a.example');
  assert.equal(probe.rcpt?.reply.code, 250);
  assert.equal(probe.relay, undefined, 'no relay verdict without a reply to the relay RCPT');
  assert.deepEqual([probe.relayUnanswered?.step, probe.relayUnanswered?.reply?.code], ['rcpt', 421], 'the relay question says why it has no answer');
  assert.equal(probe.incomplete, undefined, 'the recipient itself was answered');
  const later = await probeMx(net, MX, settings, 'postmaster@b.example');
  assert.ok(await allClosed(net));
  assert.deepEqual([later.incomplete?.step, later.incomplete?.reply?.code], ['rcpt', 421]);
  assert.equal(later.rcpt, undefined);
  assert.equal(dials.count, 1);
  assert.deepEqual(verbs().filter(v => v !== 'QUIT'), ['EHLO', 'MAIL', 'RCPT', 'RCPT']);
});

test('in-transaction → idle with a refused RSET once the transaction is full: the host is finished, and the recipients left say why', async () => {
  const { net, verbs } = await worldWith(healthyServer('mx.example.com', { replies: { RSET: '421 4.3.0 closing connection' } }));
  const addresses = Array.from({ length: MAX_RECIPIENTS_PER_TRANSACTION + 1 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, settings, rcpt)));
  assert.ok(await allClosed(net));
  assert.deepEqual(probes.slice(0, -1).map(p => p.rcpt?.reply.code), Array(MAX_RECIPIENTS_PER_TRANSACTION).fill(250));
  const last = probes.at(-1)!;
  assert.equal(last.rcpt, undefined);
  assert.deepEqual([last.incomplete?.step, last.incomplete?.reply?.code], ['rset', 421]);
  assert.equal(last.relay?.reply.code, 554, 'the relay probe was asked in the first transaction, before the RSET');
  assert.deepEqual(verbs().filter(v => v !== 'QUIT'), ['EHLO', 'MAIL', ...Array(MAX_RECIPIENTS_PER_TRANSACTION + 1).fill('RCPT'), 'RSET']);
});

test(`a host without PIPELINING that greylists everyone answers for all in the middle of a batch: ${HOST_WIDE_SAMPLES} RCPTs, the rest sampled`, async () => {
  const recipients = { '*': '450 4.2.0 Greylisted, please try again later' };
  const { net, verbs } = await worldWith({ ...healthyServer(), extensions: [], recipients });
  const addresses = Array.from({ length: 12 }, (_, i) => `postmaster@d${i}.example`);
  const probes = await Promise.all(addresses.map(rcpt => probeMx(net, MX, { ...settings, relayTest: false }, rcpt)));
  assert.ok(await allClosed(net));
  assert.deepEqual(probes.map(p => p.rcpt?.reply.code), Array(12).fill(450));
  assert.deepEqual(probes.map(p => (p.rcpt?.sampledFrom ? 'sampled' : 'asked')), [...Array(HOST_WIDE_SAMPLES).fill('asked'), ...Array(12 - HOST_WIDE_SAMPLES).fill('sampled')]);
  assert.deepEqual(verbs(), ['EHLO', 'MAIL', ...Array(HOST_WIDE_SAMPLES).fill('RCPT'), 'QUIT']);
});

test('a move the tables do not list is refused: the host never goes back, a session never ends a transaction it has not opened, the relay is asked once', () => {
  const host = new HostLifecycle();
  assert.throws(() => host.fallBackToPlaintext(), /the host is new, not talking/);
  assert.throws(() => host.finish(), /no session has reached the host yet/);
  host.unreachable({ outcome: { kind: 'refused' } }, new Transcript());
  assert.equal(host.state.name, 'finished');
  assert.throws(() => host.finish(), /no transition from finished to finished/);
  const talk = new Conversation(undefined as never, false);
  assert.throws(() => talk.end(), /no transition from idle to idle/);
  talk.begin({ code: 250, lines: ['ok'] });
  assert.throws(() => talk.begin({ code: 250, lines: ['ok'] }), /no transition from in-transaction to in-transaction/);
  assert.equal(talk.resets, 0);
  const relay = new RelayQuestion(true);
  relay.settle({ unanswered: { step: 'rcpt', reason: { code: 'tooSlow' } } });
  assert.throws(() => relay.settle({ unanswered: { step: 'rcpt', reason: { code: 'tooSlow' } } }), /no transition from settled to settled/);
});
