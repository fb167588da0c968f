// Audits: shards, resume, invalid lines, and an interrupted run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseList, parseShard, reportedLines, shardOf } from '../../src/cli/audit-list.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { comparisonSchema, reportSchema } from '../../src/report/schema.js';
import { changeCounts } from '../../src/render/changes.js';
import { BIN, ROOT, runBin, runMain } from '../helpers/cli.js';

test('every target lands in exactly one shard, whatever the list order', () => {
  const targets = parseList(Array.from({ length: 500 }, (_, i) => `school${i}.example`).join('\n')).map(l => l.target!);
  for (const n of [1, 2, 3, 7]) {
    const owners = targets.map(t => [1, 2, 3, 4, 5, 6, 7].slice(0, n).filter(k => shardOf(t, n) === k));
    assert.ok(owners.every(o => o.length === 1), `n=${n}`);
    const sizes = [...Array(n).keys()].map(k => owners.filter(o => o[0] === k + 1).length);
    assert.ok(Math.min(...sizes) > (500 / n) * 0.7, `shards of n=${n} are balanced: ${sizes}`);
  }
  assert.equal(shardOf(targets[42]!, 5), shardOf(parseList('SCHOOL42.example.').at(0)!.target!, 5));
  assert.throws(() => parseShard('0/3'));
  assert.throws(() => parseShard('4/3'));
  assert.deepEqual(parseShard('2/8'), { index: 2, count: 8 });
});

test('the list: comments, blank lines, duplicates, invalid lines with their line numbers', () => {
  const lines = parseList('# schools\na.example\n\nA.example.\nnot valid\nb.example # trailing comment\n');
  assert.deepEqual(lines.map(l => [l.line, l.target?.ascii ?? 'error']), [[2, 'a.example'], [5, 'error'], [6, 'b.example']]);
});

test('a line that is an address diagnoses its domain and probes that recipient', () => {
  const lines = parseList('alice@school.example\nschool.example\nbob@School.Example\nbad@@x\n');
  assert.deepEqual(lines.map(l => [l.target?.ascii ?? 'error', l.rcpt]), [['school.example', 'alice@school.example'], ['school.example', undefined], ['school.example', 'bob@School.Example'], ['error', undefined]]);
});

test('resume reads every complete JSONL line and ignores a cut-off last one', () => {
  const reported = reportedLines('{"target":"a.example","ascii":"a.example"}\n{"target":"bücher.example","ascii":"xn--bcher-kva.example"}\n{"target":"c.exa');
  const done = parseList('a.example\nbücher.example\nc.example\n').filter(reported);
  assert.deepEqual(done.map(l => l.text), ['a.example', 'bücher.example']);
});

test('resume keys on the exact list line: an address line is not its domain, an interrupted report is not done', () => {
  const list = parseList('nouser.example\nbob@nouser.example\nalice@nouser.example\nslow.example\n');
  const earlier = [
    { target: 'nouser.example', ascii: 'nouser.example', listLine: 'nouser.example' },
    { target: 'nouser.example', ascii: 'nouser.example', listLine: 'alice@nouser.example' },
    { target: 'slow.example', ascii: 'slow.example', listLine: 'slow.example', interrupted: true },
  ];
  const reported = reportedLines(earlier.map(r => JSON.stringify(r)).join('\n'));
  assert.deepEqual(list.filter(l => !reported(l)).map(l => l.text), ['bob@nouser.example', 'slow.example']);
  // A report from an older run (no listLine) answers the domain's own line only.
  const legacy = reportedLines('{"target":"nouser.example","ascii":"nouser.example"}\nnull\n');
  assert.deepEqual(list.filter(legacy).map(l => l.text), ['nouser.example']);
});

let sim: SimDnsServer;
before(async () => {
  const zone: Record<string, 'DROP' | { MX: { priority: number; exchange: string }[] }> = {};
  for (let i = 0; i < 6; i++) zone[`null${i}.example`] = { MX: [{ priority: 0, exchange: '' }] };
  for (let i = 0; i < 6; i++) zone[`slow${i}.example`] = 'DROP';
  sim = await startSimDns(zone);
});
after(() => sim.close());

const dnsArgs = () => ['--resolver', `127.0.0.1:${sim.port}`, '--checks', 'host-addrs', '--format', 'jsonl'];

test('audit skips invalid lines, resumes, and streams one valid report per line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maildiag-audit-'));
  const earlier = join(dir, 'earlier.jsonl');
  writeFileSync(earlier, '{"target":"null0.example","ascii":"null0.example"}\n');
  const run = await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300', '--resume', earlier], { stdin: 'null0.example\nnull1.example\nbad line\nnull2.example\n' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /line 3 skipped/);
  const reports = run.stdout.trim().split('\n').map(l => reportSchema.parse(JSON.parse(l)));
  assert.deepEqual(reports.map(r => r.target).sort(), ['null1.example', 'null2.example']);
});

test('an audit of nothing valid is bad usage', async () => {
  const run = await runMain(['audit', '-', ...dnsArgs()], { stdin: '# nothing\nnot a domain\n' });
  assert.equal(run.status, 2);
});

/** An audit of `list` that gets Ctrl-C once `afterReports` reports are out; how long it took to end after it. */
async function interruptedAudit(list: string[], afterReports: number, ...more: string[]) {
  const timeoutMs = 10_000;
  const child = spawn(process.execPath, [BIN, 'audit', '-', ...dnsArgs(), '--timeout', `${timeoutMs}ms`, '--concurrency', '4', ...more], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1' } });
  let stdout = '';
  let stderr = '';
  let interruptedAt: number | undefined;
  child.stdout.on('data', d => {
    stdout += d;
    if (stdout.split('\n').length > afterReports && interruptedAt === undefined && child.kill('SIGINT')) interruptedAt = performance.now();
  });
  child.stderr.on('data', d => (stderr += d));
  child.stdin.end(list.join('\n'));
  const status = await new Promise<number | null>(resolve => child.on('close', resolve));
  return { status, stdout, stderr, stoppedMs: performance.now() - interruptedAt!, timeoutMs };
}

const SLOW_LIST = [...Array(6).keys()].flatMap(i => [`null${i}.example`, `slow${i}.example`]);

test('Ctrl-C during an audit: at once, finished reports kept, the targets under way written as interrupted, --resume runs the rest', async () => {
  const list = SLOW_LIST;
  // Four slots, and the slow targets never get an answer: once four null MX reports are out, four slow ones hold every slot.
  const { status, stdout, stderr, stoppedMs, timeoutMs } = await interruptedAudit(list, 4);
  assert.equal(status, 130, stderr);
  // Without the stop, the slow targets would hold the process for their DNS timeouts; half of --timeout is a loose bound.
  assert.ok(stoppedMs < timeoutMs / 2, `ended ${Math.round(stoppedMs)} ms after Ctrl-C`);
  assert.match(stderr, /^maildiag: interrupted: 4 of 12 targets reported, 4 cut short \(marked "interrupted"\), 4 not started; run again with --resume to go on\n$/);
  const reports = stdout.trim().split('\n').map(line => reportSchema.parse(JSON.parse(line)));
  assert.deepEqual(reports.filter(r => !r.interrupted).map(r => r.listLine), ['null0.example', 'null1.example', 'null2.example', 'null3.example']);
  assert.deepEqual(reports.filter(r => r.interrupted).map(r => r.listLine).sort(), ['slow0.example', 'slow1.example', 'slow2.example', 'slow3.example']);
  const dir = mkdtempSync(join(tmpdir(), 'maildiag-resume-'));
  writeFileSync(join(dir, 'first.jsonl'), stdout);
  const resumed = await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300ms', '--resume', join(dir, 'first.jsonl')], { stdin: list.join('\n') });
  const rerun = resumed.stdout.trim().split('\n').map(line => (JSON.parse(line) as { listLine: string }).listLine);
  assert.deepEqual(rerun.sort(), list.filter(l => !/^null[0-3]\./.test(l)).sort());
});

test('--compare after Ctrl-C: the targets that never started are not checked, neither unchanged nor removed; --shard and --resume leave none out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maildiag-compare-interrupted-'));
  const baseline = join(dir, 'baseline.jsonl');
  writeFileSync(baseline, (await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300ms'], { stdin: SLOW_LIST.join('\n') })).stdout);
  const comparisonOf = (stdout: string) => comparisonSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1)!)).comparison;

  const { status, stdout, stderr } = await interruptedAudit(SLOW_LIST, 4, '--compare', baseline);
  assert.equal(status, 130, stderr);
  const comparison = comparisonOf(stdout);
  const reported = stdout.trim().split('\n').slice(0, -1).map(line => reportSchema.parse(JSON.parse(line)).ascii);
  assert.equal(reported.length, 8);
  assert.deepEqual(comparison.removed, []);
  assert.equal(comparison.worse + comparison.better + comparison.incomplete + comparison.unchanged + comparison.added, 8, 'only the targets that ran are counted');
  assert.deepEqual(comparison.notChecked.map(t => t.ascii).sort(), SLOW_LIST.filter(t => !reported.includes(t)).sort());
  assert.ok(comparison.notChecked.every(t => t.previousVerdict !== null), 'each was in the baseline, with its verdict');
  assert.match(changeCounts(comparison), /, 4 not checked \(interrupted\)$/);

  // Left out on purpose: neither not checked nor removed.
  const shard = await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300ms', '--shard', '1/2', '--compare', baseline], { stdin: SLOW_LIST.join('\n') });
  assert.deepEqual([comparisonOf(shard.stdout).notChecked, comparisonOf(shard.stdout).removed], [[], []]);
  const resumed = await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300ms', '--resume', baseline, '--compare', baseline], { stdin: [...SLOW_LIST, 'null9.example'].join('\n') });
  assert.deepEqual(resumed.stdout.trim().split('\n').slice(0, -1).map(line => reportSchema.parse(JSON.parse(line)).ascii), ['null9.example']);
  assert.deepEqual([comparisonOf(resumed.stdout).notChecked, comparisonOf(resumed.stdout).removed, comparisonOf(resumed.stdout).added], [[], [], 1]);
});

test('an audit with more targets in flight than the default listener limit warns of no leak', async () => {
  const list = [...Array(6).keys()].flatMap(i => [`null${i}.example`, `slow${i}.example`]).join('\n');
  const run = await runBin(['audit', '-', ...dnsArgs(), '--timeout', '300ms', '--concurrency', '12'], { stdin: list });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout.trim().split('\n').length, 12);
  assert.doesNotMatch(run.stderr, /MaxListenersExceededWarning|memory leak/);
});

test('CSV, markdown and human audits keep the list order; JSON Lines stream in the order reports finish', async () => {
  const list = ['slow0.example', 'null0.example', 'slow1.example', 'null1.example'];
  const csv = await runMain(['audit', '-', ...dnsArgs(), '--format', 'csv', '--timeout', '300ms'], { stdin: list.join('\n') });
  const rows = csv.stdout.trim().split('\n').slice(1).map(row => row.split(',')[0]);
  assert.deepEqual([...new Set(rows)], list);
  const jsonl = await runMain(['audit', '-', ...dnsArgs(), '--timeout', '300ms'], { stdin: list.join('\n') });
  const streamed = jsonl.stdout.trim().split('\n').map(line => (JSON.parse(line) as { target: string }).target);
  assert.deepEqual(streamed.slice(0, 2), ['null0.example', 'null1.example']);
});
