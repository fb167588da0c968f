// Audits: shards, resume, invalid lines, and an interrupted run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseList, parseShard, reportedTargets, shardOf } from '../../src/cli/audit-list.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { reportSchema } from '../../src/report/schema.js';
import { BIN, ROOT, runMain } from '../helpers/cli.js';

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
  const done = reportedTargets('{"target":"a.example","ascii":"a.example"}\n{"target":"bücher.example","ascii":"xn--bcher-kva.example"}\n{"target":"c.exa');
  assert.deepEqual([...done], ['a.example', 'xn--bcher-kva.example']);
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

test('Ctrl-C during an audit: exit 130, what was printed parses line by line', async () => {
  const list = [...Array(6).keys()].flatMap(i => [`null${i}.example`, `slow${i}.example`]).join('\n');
  const child = spawn(process.execPath, [BIN, 'audit', '-', ...dnsArgs(), '--timeout', '5000', '--concurrency', '4'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1' } });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', d => {
    stdout += d;
    // One Ctrl-C: a second one is the user insisting, and ends the process at once.
    if (stdout.split('\n').length > 3 && !interrupted) interrupted = child.kill('SIGINT');
  });
  child.stderr.on('data', d => (stderr += d));
  child.stdin.end(list);
  const status = await new Promise<number | null>(resolve => child.on('close', resolve));
  assert.equal(status, 130, stderr);
  assert.match(stderr, /interrupted: \d+ of 12 targets reported/);
  const lines = stdout.trim().split('\n');
  assert.ok(lines.length >= 3 && lines.length < 12);
  for (const line of lines) reportSchema.parse(JSON.parse(line));
});
