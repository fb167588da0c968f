// The run's record of what answered this machine over which address family
// (Net.heard): the evidence that tells this machine's broken IPv6 from a
// domain's dead IPv6 service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { startSimDns } from '../../src/sim/dns-server.js';
import { noteHeard, type Family } from '../../src/net/families.js';
import { testNet } from '../helpers/net.js';

async function listenOn(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(socket => socket.destroy());
  server.listen(0, host);
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

test('a connection that opened is heard over the family of the address dialled; a refusal, and answers from this machine itself, are not', async () => {
  const dns = await startSimDns({ 'example.com': { A: ['192.0.2.1'] } });
  const v6 = await listenOn('::1');
  const closed = await listenOn('127.0.0.1');
  closed.server.close();
  try {
    // Documentation addresses stand for servers beyond this machine; the address map sends them to loopback.
    const addressMap = new Map([[`[2001:db8::25]:25`, { host: '::1', port: v6.port }], ['192.0.2.25:25', { host: '127.0.0.1', port: closed.port }]]);
    const net = testNet(1000, [dns.server], { addressMap });
    assert.equal((await net.dns.query('example.com', 'A')).kind, 'records');
    assert.deepEqual([...net.heard], [], 'the resolver on loopback says nothing of the way out');
    assert.equal((await net.dialer.connect('192.0.2.25', 25, { timeoutMs: 1000 })).kind, 'refused');
    assert.deepEqual([...net.heard], [], 'a refusal may be this machine\'s own firewall');
    const dialed = await net.dialer.connect('2001:db8::25', 25, { timeoutMs: 1000 });
    assert.equal(dialed.kind, 'connected');
    if (dialed.kind === 'connected') dialed.socket.destroy();
    assert.deepEqual([...net.heard], [6]);
  } finally {
    v6.server.close();
    await dns.close();
  }
});

test('what answers from this machine\'s own network says nothing of the way out: loopback, link-local, unique local, private', () => {
  const heard = new Set<Family>();
  for (const host of ['::1', 'fe80::1', 'fd00::53', '192.168.1.1', '127.0.0.53', '::ffff:127.0.0.2']) noteHeard(heard, host);
  assert.deepEqual([...heard], []);
  noteHeard(heard, '2a00:1450:4001::1b');
  noteHeard(heard, '192.0.2.10');
  assert.deepEqual([...heard], [6, 4]);
});
