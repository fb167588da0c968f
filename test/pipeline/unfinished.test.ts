// "Could not look" is never "pass": every check, every way a run or a session
// stops early (Ctrl-C, an exhausted budget, a session that ended before the
// stage a check judges). None of them may show pass, the report lists what did
// not finish, and the headline never says OK.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { checks as allChecks } from '../../src/checks/index.js';
import { parseTarget } from '../../src/cli/targets.js';
import { diagnose } from '../../src/diagnose.js';
import type { Net } from '../../src/net/context.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { buildReport } from '../../src/pipeline/report.js';
import { runChecks } from '../../src/pipeline/run.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { verdictLine } from '../../src/render/words.js';
import { startSimSmtp, type SmtpPersona } from '../../src/sim/smtp-server.js';
import { mailServer } from '../../src/sim/world.js';
import { chainPem, createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { mxZone, startSmtpWorld } from '../helpers/smtp-world.js';
import { testNet, withBudget } from '../helpers/net.js';

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map(close => close())));

/** A resolver that takes every question and answers none: every DNS wait lasts its full timeout. */
async function silentResolver(): Promise<{ host: string; port: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
  closers.push(() => new Promise(resolve => socket.close(() => resolve())));
  return { host: '127.0.0.1', port: socket.address().port };
}

/** A network where nothing ever finishes: DNS is silent and the MX address is a tarpit. */
async function stalledNet(timeoutMs: number): Promise<Net> {
  const tarpit = await startSimSmtp({ greeting: null });
  closers.push(() => tarpit.close());
  const addressMap = new Map([['192.0.2.10:25', { host: '127.0.0.1', port: tarpit.port }]]);
  return testNet(timeoutMs, [await silentResolver()], { addressMap });
}

/** None of `ids` (default: every check) shows pass, the report lists what did not finish, with a reason, and the headline says INCOMPLETE. */
function assertNeverPass(report: Report, how: string, ids = report.checks.map(c => c.id)): void {
  reportSchema.parse(report);
  const passed = report.checks.filter(c => ids.includes(c.id) && c.status === 'pass').map(c => c.id);
  assert.deepEqual(passed, [], `${how}: checks that never finished show pass`);
  assert.ok(report.incomplete.length > 0, `${how}: the report lists no unfinished check`);
  assert.doesNotMatch(verdictLine(report), /^OK/, how);
  assert.match(verdictLine(report), /INCOMPLETE/, how);
  for (const entry of report.incomplete) assert.ok(entry.reason.length > 0, `${how}: ${entry.id} gives no reason`);
}

for (const target of ['example.com', '192.0.2.10']) {
  const parsed = parseTarget(target);
  for (const check of allChecks.filter(c => c.targets.includes(parsed.kind))) {
    test(`interrupted (Ctrl-C): ${check.id} on ${target} is never pass`, async () => {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 100);
      const report = await diagnose(parsed, defaultRunOptions({ allowPrivate: true }), await stalledNet(2000), { only: [check.id] }, undefined, stop.signal);
      const own = report.checks.find(c => c.id === check.id)!;
      // A check that needs an option not given (--ip, --message) never starts: skipped, and nothing else ran.
      if (own.status === 'skipped' && /runs only with/.test(String(own.data['reason']))) return assert.deepEqual(report.checks.map(c => c.status), ['skipped']);
      assert.equal(own.status, 'interrupted');
      assertNeverPass(report, `interrupted ${check.id}`);
    });
  }
}

test('out of budget: every check whose time ran out is an error with reason budget, none is pass', async () => {
  const target = parseTarget('example.com');
  const options = defaultRunOptions({ allowPrivate: true });
  const started = new Date();
  const results = await runChecks(allChecks.filter(c => c.targets.includes('domain')), { target, options, net: withBudget(await stalledNet(2000), 100) }, {});
  const report = buildReport(target, started, 0, results);
  assertNeverPass(report, 'budget');
  const domain = report.checks.find(c => c.id === 'domain')!;
  assert.equal(domain.status, 'error');
  assert.equal(domain.data['reason'], 'budget');
  assert.ok(report.incomplete.some(i => i.id === 'domain' && i.status === 'error'));
});

/** The checks that judge a stage of the port-25 session. */
const SESSION_CHECKS = allChecks.filter(c => c.judges).map(c => c.id);

const ca = createCa('maildiag test CA');
const certificate = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const withTls: Partial<SmtpPersona> = { tls: { key: certificate.keyPem, cert: chainPem(certificate) } };

/** Every way a greeted session can stop before the transaction is over, and the session checks it leaves unjudged. */
const EARLY_ENDS: Record<string, { persona: Partial<SmtpPersona>; unjudged: string[] }> = {
  'EHLO reply of 128 KB': { persona: { replies: { EHLO: [...Array.from({ length: 2048 }, (_, i) => `250-X-PADDING-${i} ${'x'.repeat(48)}`), '250 OK'] } }, unjudged: SESSION_CHECKS },
  'EHLO reply that never ends': { persona: { endlessLine: '250-still listing extensions', endlessAfter: 'EHLO' }, unjudged: SESSION_CHECKS },
  'EHLO reply that drips': { persona: { replies: { EHLO: Array.from({ length: 400 }, (_, i) => `250-X-DRIP-${i}`) }, byteDelayMs: 2 }, unjudged: SESSION_CHECKS },
  'reset instead of an EHLO reply': { persona: { hangUp: { on: 'EHLO', reset: true } }, unjudged: SESSION_CHECKS },
  'closed instead of an EHLO reply': { persona: { hangUp: { on: 'EHLO' } }, unjudged: SESSION_CHECKS },
  '421 to EHLO': { persona: { replies: { EHLO: '421 4.3.2 Service shutting down' } }, unjudged: SESSION_CHECKS },
  // The plaintext retry judges the rest; the handshake itself is a finding.
  'reset during STARTTLS': { persona: { tls: 'reset' }, unjudged: [] },
  'closed instead of a MAIL reply': { persona: { ...withTls, hangUp: { on: 'MAIL' } }, unjudged: ['smtp-policy'] },
  'silent after RCPT': { persona: { ...withTls, replies: { RCPT: null } }, unjudged: ['smtp-policy'] },
  'reset at the RSET before the relay probe': { persona: { ...withTls, hangUp: { on: 'RSET', reset: true } }, unjudged: ['smtp-policy'] },
};

for (const [how, { persona, unjudged }] of Object.entries(EARLY_ENDS)) {
  test(`session ended early (${how}): ${unjudged.join(', ') || 'no session check'} never pass`, async () => {
    const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), { '192.0.2.10:25': mailServer('mx.example.com', ['example.com'], persona) }, 500);
    const report = await world.diagnose('example.com', SESSION_CHECKS, { caCerts: [ca.certPem] });
    if (unjudged.length) assertNeverPass(report, how, unjudged);
    else assert.deepEqual(report.checks.find(c => c.id === 'starttls')?.findings.map(f => f.cause), ['tls.handshake-failed']);
  });
}
