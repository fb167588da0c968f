// Every case of the hostile world through a full diagnosis, all at once: the
// run ends within its limit, reports what a correct diagnosis reports (or says
// why it could not test), never throws, prints no escape sequence or control
// character in any text format, leaves no socket open, reads hostile greetings
// only up to the reader's caps, and the whole suite stays within a memory bound.
// The cases are printed as a table at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GREETING_PATIENCE, MAX_REPLY_BYTES, SmtpSession } from '../../src/net/smtp/index.js';
import { renderers } from '../helpers/renderers.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { caseNames, HOSTILE_CASES, runHostileCase, startHostileWorld, type HostileCase, type HostileWorld } from './world.js';
import { allClosed } from '../helpers/smtp-world.js';

/** The hostile peers' waits are counted in it; the world's own answers must come well inside it on a loaded 2-core machine. */
const TIMEOUT_MS = 2000;
/** CPU time on top of a case's network waits: 7 cases at once, beside other test files, on 2 loaded cores (1.5 s was seen short). */
const SCHEDULING_SLACK_MS = 2 * TIMEOUT_MS;
/** Past the one timeout a hanging host may cost: connecting, scheduling under load. */
const SMTP_STAGE_SLACK_MS = TIMEOUT_MS / 2;
/** The reader stops at its cap, give or take the one socket read (at most 64 KiB) that crossed it. */
const MAX_GREETING_BYTES_READ = MAX_REPLY_BYTES + 64 * 1024;
const MAX_RSS_GROWTH_BYTES = 100 * 1024 * 1024;
/** ESC and every other C0 or C1 control character but the newline, and bidirectional overrides. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

interface Row {
  id: string;
  layer: string;
  outcome: string;
  seconds: number;
  limit: number;
}

const rows: Row[] = [];
let hostile: HostileWorld;
let rssBefore: number;

before(async () => {
  rssBefore = process.memoryUsage().rss;
  hostile = await startHostileWorld();
});

after(async () => {
  await hostile.close();
  const order = HOSTILE_CASES.map(c => c.id);
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const lines = [['case', 'layer', 'outcome', 'seconds', 'limit'], ...rows.map(r => [r.id, r.layer, r.outcome, r.seconds.toFixed(2), r.limit.toFixed(1)])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map(l => l[i]!.length)));
  console.log(`\nHostile cases (--timeout ${TIMEOUT_MS} ms), ${CASES_AT_ONCE} run at once:`);
  for (const line of lines) console.log(`  ${line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`);
});

// Several at a time, not all 27: on a 2-core machine beside other test files, a
// starved event loop would turn the world's own answers into timeouts.
const CASES_AT_ONCE = 7;

test(`every hostile case: bounded, diagnosed, safe to print, no socket left open (${HOSTILE_CASES.length} cases, ${CASES_AT_ONCE} at a time)`, { concurrency: CASES_AT_ONCE }, async t => {
  await Promise.all(HOSTILE_CASES.map(c => t.test(`${c.layer}: ${c.id} (${c.what})`, () => checkCase(c))));
});

test('hostile greetings are read no further than the reader\'s caps, and silence no longer than the timeout', async () => {
  const withGreeting = HOSTILE_CASES.filter(c => c.expect.greeting);
  assert.ok(withGreeting.some(c => c.expect.greeting === 'too-long'));
  for (const c of withGreeting) {
    const net = hostile.net(c, TIMEOUT_MS);
    const opened = await SmtpSession.open(net, { host: caseNames(c).mx, ip: hostile.mxAddress(c), port: 25 });
    assert.equal(opened.kind, 'connected', c.id);
    if (opened.kind !== 'connected') continue;
    const started = performance.now();
    const greeting = await opened.session.read();
    const waited = performance.now() - started;
    await opened.session.quit();
    assert.equal(greeting.kind, c.expect.greeting, `${c.id}: ${JSON.stringify(greeting).slice(0, 200)}`);
    if (greeting.kind === 'too-long') assert.ok(greeting.bytes <= MAX_GREETING_BYTES_READ, `${c.id}: read ${greeting.bytes} bytes`);
    assert.ok(greeting.kind === 'timeout' ? waited < TIMEOUT_MS + SMTP_STAGE_SLACK_MS : waited < TIMEOUT_MS, `${c.id}: ${Math.round(waited)} ms`);
    assert.ok(await allClosed(net), `${c.id}: the session's socket is closed`);
  }
});

test('memory stays bounded across the whole suite (10 MB policy, 1 MB line, endless banner included)', () => {
  const growth = process.memoryUsage().rss - rssBefore;
  assert.ok(growth < MAX_RSS_GROWTH_BYTES, `RSS grew by ${(growth / 1024 / 1024).toFixed(1)} MB`);
});

async function checkCase(c: HostileCase): Promise<void> {
  // The limit counts network waits; the slack is CPU: 27 cases at once, beside other test files, on 2 cores.
  const limitMs = c.limitTimeouts * TIMEOUT_MS + SCHEDULING_SLACK_MS;
  const { report, net, elapsedMs } = await runHostileCase(hostile, c, { timeoutMs: TIMEOUT_MS, verbose: true });
  rows.push({ id: c.id, layer: c.layer, outcome: outcome(c, report), seconds: elapsedMs / 1000, limit: limitMs / 1000 });

  assert.ok(elapsedMs <= limitMs, `the run took ${Math.round(elapsedMs)} ms, limit ${limitMs} ms`);
  reportSchema.parse(report);
  const failed = report.checks.filter(check => check.status === 'error');
  assert.deepEqual(failed.map(check => `${check.id}: ${String(check.data['error'])}`), [], 'no check threw or ran out of its budget');
  assertExpected(c, report);
  assertSaysWhy(report);
  if (c.layer === 'smtp') {
    const smtp = report.checks.find(check => check.id === 'smtp-reachability')!;
    // A silent or trickling greeting is waited for GREETING_PATIENCE timeouts (slow greetings are told from none).
    assert.ok(smtp.durationMs <= TIMEOUT_MS * GREETING_PATIENCE + SMTP_STAGE_SLACK_MS, `the port-25 stage took ${smtp.durationMs} ms`);
  }
  assertSafeToPrint(report);
  assert.ok(await allClosed(net), 'every socket the run opened is closed');
}

function assertExpected(c: HostileCase, report: Report): void {
  const causes = new Set(report.diagnosis.map(d => d.cause));
  for (const cause of c.expect.causes ?? []) assert.ok(causes.has(cause), `expected ${cause}, got ${[...causes].join(', ') || 'nothing'}`);
  for (const cause of c.expect.mustNotRank ?? []) assert.ok(!causes.has(cause), `${cause} is listed: ${[...causes].join(', ')}`);
  for (const [id, status] of Object.entries(c.expect.checks ?? {})) {
    const check = report.checks.find(k => k.id === id);
    assert.equal(check?.status, status, `${id}: ${JSON.stringify(check?.data).slice(0, 300)}`);
  }
}

/** A check that ran without a conclusion or did not run says why in its data. */
function assertSaysWhy(report: Report): void {
  for (const check of report.checks) {
    if (check.status === 'skipped') assert.equal(typeof check.data['reason'], 'string', `${check.id} skipped without a reason`);
    if (check.status === 'info' && !check.findings.length) {
      assert.ok(['reason', 'error', 'lookup', 'note'].some(key => check.data[key] !== undefined), `${check.id} is inconclusive without saying why: ${JSON.stringify(check.data).slice(0, 300)}`);
    }
  }
}

function assertSafeToPrint(report: Report): void {
  for (const format of ['human', 'markdown', 'csv'] as const) {
    for (const verbose of [false, true]) {
      const text = renderers[format](report, { color: false, verbose, width: 80 });
      const unsafe = UNSAFE.exec(text);
      if (!unsafe) continue;
      const codePoint = `U+${unsafe[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      assert.fail(`${format}${verbose ? ' --verbose' : ''} prints ${codePoint} in ${JSON.stringify(text.slice(Math.max(0, unsafe.index - 60), unsafe.index + 20))}`);
    }
  }
}

/** For the table: the most likely problem, or how the checks the case is about ended. */
function outcome(c: HostileCase, report: Report): string {
  const top = report.diagnosis.find(d => d.severity !== 'info') ?? report.diagnosis.find(d => c.expect.causes?.includes(d.cause));
  if (top) return `${top.cause} (${top.severity})`;
  const checks = Object.keys(c.expect.checks ?? {}).map(id => `${id} ${report.checks.find(k => k.id === id)?.status ?? 'missing'}`);
  return checks.length ? checks.join(', ') : report.verdict;
}
