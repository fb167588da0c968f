// Ctrl-C (the run's stop signal) ends every open SMTP session with QUIT: the
// one waiting mid-transaction for a reply, and an audit's lingering one. No
// session or command starts after it, and the run returns without waiting
// out the replies it was owed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runTargets, type Job } from '../../src/cli/run-targets.js';
import { buildSettings } from '../../src/cli/settings.js';
import { parseTarget } from '../../src/cli/targets.js';
import type { Report } from '../../src/report/schema.js';
import { probeMx, RunFinished } from '../../src/net/smtp/index.js';
import { allClosed, healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

/** Long enough that a run waiting out any reply would be plain to see. */
const TIMEOUT_MS = 20_000;
const ENDPOINT = '192.0.2.10:25';
const MX = { host: 'mx.example.com', ip: '192.0.2.10', family: 4 as const, preference: 10 };

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, stdin: Readable.from(['']), isTTY: false, isErrTTY: false, env: {}, cwd: process.cwd() };

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(resolve => setTimeout(resolve, 10));
}

/** The SMTP checks of `jobs` through `net`, stopped when `stopWhen` first holds; the reports, and how long the run took after the stop. */
async function runUntil(net: ReturnType<Awaited<ReturnType<typeof startSmtpWorld>>['net']>, jobs: Job[], stopWhen: (reports: Report[]) => boolean) {
  const settings = buildSettings({ resolver: ['127.0.0.1:53'], helo: 'probe.example.net', allowPrivate: true, checks: ['smtp-reachability', 'smtp-policy'], concurrency: '4' }, io);
  const stop = new AbortController();
  const reports: Report[] = [];
  let stoppedAt = 0;
  const running = runTargets(jobs, settings, io, report => void reports.push(report), { net, stop: stop.signal });
  await until(() => stopWhen(reports));
  stoppedAt = performance.now();
  stop.abort();
  await running;
  return { reports, afterStopMs: performance.now() - stoppedAt };
}

test('Ctrl-C mid-transaction: the session waiting for a RCPT reply says QUIT and closes, and no session or command follows', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), { [ENDPOINT]: healthyServer('mx.example.com', { replies: { RCPT: null } }) }, TIMEOUT_MS);
  const net = world.net();
  const server = world.servers.get(ENDPOINT)!;
  const { reports, afterStopMs } = await runUntil(net, [{ target: parseTarget('example.com'), rcpt: 'postmaster@example.com' }], () => server.commands.some(c => c.startsWith('RCPT')));
  assert.equal(server.commands.at(-1), 'QUIT', server.commands.join('\n'));
  assert.equal(server.commands.filter(c => c.startsWith('RCPT')).length, 1, 'nothing more was asked after the stop');
  assert.ok(afterStopMs < TIMEOUT_MS / 2, `the run ended ${Math.round(afterStopMs)} ms after the stop`);
  assert.equal(net.dialer.open.size, 0, 'every connection is closed when the run returns');
  assert.equal(reports[0]?.interrupted, true);
  await assert.rejects(probeMx(net, MX, { helo: 'probe.example.net', from: '', caCerts: [], relayTest: true }, 'postmaster@b.example'), RunFinished);
  assert.equal(server.connections, 1, 'no session opens after the stop');
});

test('Ctrl-C during an audit: the session lingering for the next domain says QUIT at once', async () => {
  const zone = mxZone('a.example', { 'mx.example.com': ['192.0.2.10'] }, { 'slow.example': 'DROP' });
  const world = await startSmtpWorld(zone, { [ENDPOINT]: healthyServer() }, TIMEOUT_MS);
  const net = world.net({ sessionLingerMs: 60_000 });
  const server = world.servers.get(ENDPOINT)!;
  const jobs = [{ target: parseTarget('a.example') }, { target: parseTarget('slow.example') }];
  const { reports, afterStopMs } = await runUntil(net, jobs, done => done.length > 0);
  assert.deepEqual(reports.map(r => [r.target, r.interrupted ?? false]), [['a.example', false], ['slow.example', true]]);
  assert.equal(server.commands.at(-1), 'QUIT', server.commands.join('\n'));
  assert.equal(server.connections, 1);
  assert.ok(afterStopMs < TIMEOUT_MS / 2, `the run ended ${Math.round(afterStopMs)} ms after the stop`);
  assert.ok(await allClosed(net));
});
