// explain --check: the live checks confirm what the bounce says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { runMain } from '../helpers/cli.js';
import { explainReportSchema } from '../../src/report/explain-schema.js';
import { explain } from '../../src/explain/index.js';
import { runLiveChecks } from '../../src/cli/explain-check.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

let sim: SimDnsServer;
before(async () => {
  sim = await startSimDns({
    '.': { NS: ['a.root.example'] },
    '5.113.0.203.zen.spamhaus.org': { A: ['127.0.0.3'], TXT: [['Listed by CSS']] },
    'gone.example': { MX: [{ priority: 10, exchange: 'mx.gone.example' }] },
  });
});
after(() => sim.close());

test('a blocklist bounce: the named IP is looked up on the named list', async () => {
  const run = await runMain(['explain', '--check', '--json', '--allow-private', '--resolver', `127.0.0.1:${sim.port}`, '--timeout', '1000'], {
    stdin: '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5\n',
  });
  assert.equal(run.status, 0, run.stderr);
  const out = explainReportSchema.parse(JSON.parse(run.stdout));
  assert.equal(out.causes[0]!.cause, 'rbl.listed');
  assert.equal(out.live?.[0]?.target, '203.0.113.5');
  assert.ok(out.live[0].diagnosis.some(d => d.cause === 'rbl.listed'));
});

test('a routing bounce: the recipient domain\'s MX is checked, in the human report too', async () => {
  const run = await runMain(['explain', '--check', '--resolver', `127.0.0.1:${sim.port}`, '--timeout', '1000'], {
    stdin: 'Dec  1 10:00:00 relay postfix/smtp[123]: 4F1: to=<a@gone.example>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=mx.gone.example type=A: Host not found)\n',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Live check\ngone\.example .*PROBLEM/);
  assert.match(run.stdout, /mx\.target-nxdomain/);
});

test('the live checks hand back their reports only once every SMTP session they opened has said QUIT and closed', async () => {
  // A server that never answers QUIT: the session would stay open for its quit wait after the checks are done.
  const world = await startSmtpWorld(mxZone('slow.example', { 'mx.slow.example': ['192.0.2.10'] }), { '192.0.2.10:25': healthyServer('mx.slow.example', { replies: { QUIT: null } }) });
  const net = world.net();
  const bounce = explain(Buffer.from('Dec  1 10:00:00 relay postfix/smtp[123]: 4F1: to=<a@slow.example>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.10]:25: Connection timed out)\n'));
  const [live] = await runLiveChecks(bounce, { resolvers: [world.dns.server], timeoutMs: world.timeoutMs, loopbackOnly: true, allowPrivate: true }, net);
  assert.equal(live?.target, 'slow.example');
  assert.ok(net.finished.aborted, 'the net is finished');
  assert.equal(net.dialer.open.size, 0, 'no connection is left open');
  assert.ok(world.servers.get('192.0.2.10:25')!.commands.includes('QUIT'));
});
