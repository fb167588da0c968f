// 10,000 probes through one Net leave no socket behind: SMTP sessions that end
// with QUIT, servers that hang up at once, refused connects, dials called off
// midway, full port-25 probes and DNS over UDP and TCP. Afterwards the
// dialer's open set is empty and the process holds as many TCP sockets as
// before (counted by libuv handle, so sockets the dialer does not track count too).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Net } from '../../src/net/context.js';
import { Slots } from '../../src/net/slots.js';
import { probeMx, SmtpSession } from '../../src/net/smtp/index.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { closedPort, startSimSmtp, type SimSmtpServer } from '../../src/sim/smtp-server.js';
import { mailServer } from '../../src/sim/world.js';
import { testNet } from '../helpers/net.js';

const PROBES = 10_000;
const FULL_PROBES = 200;
const DNS_QUESTIONS = 500;
const ENDPOINTS = 250;
const PARALLEL = 200;
/**
 * Nothing here waits for a timeout on purpose (servers answer, hang up or refuse at once), so a generous one
 * costs nothing; a tight one turns a loaded machine's slow answers into failures of what the test does not guard.
 */
const TIMEOUT_MS = 20_000;

type Kind = 'session' | 'hang-up' | 'refused' | 'called-off';
const KINDS: Kind[] = ['session', 'hang-up', 'refused', 'called-off'];

let dns: SimDnsServer;
let greeter: SimSmtpServer;
let hangUp: net.Server;
let refusing: number;

before(async () => {
  // TXT answers too big for UDP: asking for them goes over TCP (RFC 7766).
  const big = Array.from({ length: 40 }, (_, i) => [`${i}`.padEnd(200, 'x')]);
  dns = await startSimDns(Object.fromEntries(Array.from({ length: DNS_QUESTIONS / 2 }, (_, i) => [`t${i}.example.com`, { TXT: big }])));
  greeter = await startSimSmtp(mailServer('mx.example.com', ['example.com']));
  hangUp = net.createServer(socket => socket.destroy());
  await new Promise<void>(resolve => hangUp.listen(0, '127.0.0.1', resolve));
  refusing = await closedPort();
});

after(async () => {
  await Promise.all([dns.close(), greeter.close(), new Promise(resolve => hangUp.close(resolve))]);
});

/** Where each kind of endpoint really is: 192.0.2.x for sessions, 198.51.100.x hang up, 203.0.113.x refuse. */
function networkFor(): Net {
  const port = (ip: string) =>
    ip.startsWith('192.0.2.') ? greeter.port : ip.startsWith('198.51.100.') ? (hangUp.address() as net.AddressInfo).port : refusing;
  return testNet(TIMEOUT_MS, [dns.server], { addressMap: { get: endpoint => ({ host: '127.0.0.1', port: port(endpoint) }) } });
}

const tcpSockets = (): number => process.getActiveResourcesInfo().filter(kind => kind === 'TCPSocketWrap' || kind === 'TCPWRAP').length;

async function probe(run: Net, kind: Kind, i: number): Promise<string> {
  const octet = (i % ENDPOINTS) + 1;
  switch (kind) {
    case 'session':
    case 'hang-up': {
      const ip = kind === 'session' ? `192.0.2.${octet}` : `198.51.100.${octet}`;
      return run.dialer.exclusive(ip, 25, async () => {
        const opened = await SmtpSession.open(run, { host: 'mx.example.com', ip, port: 25 });
        if (opened.kind !== 'connected') return opened.kind;
        const greeting = await opened.session.read();
        await opened.session.quit();
        return greeting.kind;
      });
    }
    case 'refused':
      return (await run.dialer.connect(`203.0.113.${octet}`, 25, { timeoutMs: TIMEOUT_MS })).kind;
    case 'called-off': {
      const stop = new AbortController();
      const dialing = run.dialer.connect(`192.0.2.${octet}`, 587, { timeoutMs: TIMEOUT_MS, signal: stop.signal });
      stop.abort();
      const dialed = await dialing;
      if (dialed.kind === 'connected') dialed.socket.destroy();
      return dialed.kind;
    }
  }
}

test(`${PROBES} dials and sessions, ${FULL_PROBES} port-25 probes and ${DNS_QUESTIONS} DNS questions through one Net leave no socket open`, async () => {
  const baseline = tcpSockets();
  const run = networkFor();
  const limit = new Slots(PARALLEL);

  const outcomes = await Promise.all(Array.from({ length: PROBES }, (_, i) => limit.run(() => probe(run, KINDS[i % KINDS.length]!, i))));
  const mx = await Promise.all(
    Array.from({ length: FULL_PROBES }, (_, i) =>
      probeMx(run, { host: 'mx.example.com', ip: `192.0.2.${(i % ENDPOINTS) + 1}`, family: 4, preference: 10 }, { helo: 'probe.example.net', from: '', caCerts: [], relayTest: true }, `user${i}@example.com`),
    ),
  );
  // As an audit asks (its DNS concurrency is bounded too): 500 questions at once, half of them retried over TCP, only measure the loaded machine's backlog.
  const asking = new Slots(50);
  const answers = await Promise.all(Array.from({ length: DNS_QUESTIONS }, (_, i) => asking.run(async (): Promise<{ kind: string }> => (i % 2 ? run.dns.query(`t${i >> 1}.example.com`, 'TXT') : run.dns.query(`h${i}.example.com`, 'A')))));

  const count = (kind: string) => outcomes.filter(o => o === kind).length;
  assert.equal(count('reply'), PROBES / 4, 'every session was greeted');
  assert.equal(count('closed'), PROBES / 4, 'every hang-up was seen as one');
  assert.equal(count('refused'), PROBES / 4);
  assert.equal(count('timeout'), PROBES / 4, 'every dial called off ended at once');
  assert.ok(mx.every(p => p.outcome.kind === 'greeted' && p.rcpt?.reply.code === 250), 'every port-25 probe finished');
  const wrong = answers.flatMap((a, i) => (a.kind === (i % 2 ? 'records' : 'nxdomain') ? [] : [`question ${i}: ${a.kind}`]));
  assert.deepEqual(wrong, [], 'every DNS question answered');

  assert.ok(await settled(() => run.dialer.open.size === 0), `${run.dialer.open.size} sockets still open in the dialer`);
  assert.ok(await settled(() => tcpSockets() <= baseline), `${tcpSockets()} TCP sockets open, ${baseline} before`);
});

test('a dial whose time is already up opens nothing', async () => {
  const run = networkFor();
  const dialed = await run.dialer.connect('192.0.2.1', 25, { timeoutMs: TIMEOUT_MS, signal: AbortSignal.abort() });
  assert.equal(dialed.kind, 'timeout');
  assert.equal(run.dialer.open.size, 0);
});

/** Sockets close a moment after the last byte (QUIT's 221, the peer's FIN): poll briefly. */
async function settled(condition: () => boolean, withinMs = 3000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (!condition() && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 20));
  return condition();
}
