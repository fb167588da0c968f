// The command line end to end: the real binary against an in-process DNS world.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { reportSchema } from '../../src/report/schema.js';
import { renderComparisonSchema, renderExplainSchema, renderReportSchema } from '../../scripts/gen-docs.js';
import { BIN, runBin, runMain, runShell, ROOT } from '../helpers/cli.js';

let sim: SimDnsServer;
before(async () => {
  sim = await startSimDns({
    'null.example': { MX: [{ priority: 0, exchange: '' }] },
    'implicit.example': { A: ['192.0.2.30'] },
    'ok.example': { MX: [{ priority: 10, exchange: 'mx.ok.example' }] },
    'mx.ok.example': { A: ['192.0.2.10'] },
  });
});
after(() => sim.close());

const dnsOnly = () => ['--resolver', `127.0.0.1:${sim.port}`, '--allow-private', '--timeout', '1000', '--checks', 'host-addrs'];

test('--json prints one report that passes the schema; an error exits 1', async () => {
  const run = await runBin(['null.example', '--json', ...dnsOnly()]);
  assert.equal(run.status, 1, run.stderr);
  const report = reportSchema.parse(JSON.parse(run.stdout));
  assert.equal(report.diagnosis[0]!.cause, 'mx.null');
  assert.equal(report.verdict, 'error');
  assert.equal(report.tool.version, JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
});

test('--fail-on decides the exit status', async () => {
  assert.equal((await runMain(['implicit.example', '--json', ...dnsOnly()])).status, 0);
  assert.equal((await runMain(['implicit.example', '--json', '--fail-on', 'warning', ...dnsOnly()])).status, 1);
  assert.equal((await runMain(['null.example', '--json', '--fail-on', 'never', ...dnsOnly()])).status, 0);
});

test('several targets: --json writes JSON Lines in the order given, one report per line', async () => {
  for (const format of [['--json'], ['--format', 'jsonl']]) {
    const run = await runMain(['ok.example', 'null.example', ...format, ...dnsOnly()]);
    const reports = run.stdout.trim().split('\n').map(line => reportSchema.parse(JSON.parse(line)));
    assert.deepEqual(reports.map(r => r.target), ['ok.example', 'null.example'], format.join(' '));
  }
});

test('the human report puts the diagnosis first and has no colour when piped', async () => {
  const run = await runBin(['null.example', ...dnsOnly()]);
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^null\.example: PROBLEM: 1 error/);
  assert.ok(run.stdout.indexOf('Diagnosis') < run.stdout.indexOf('Checks'));
  assert.doesNotMatch(run.stdout, /\u001b/);
});

test('a diagnosis prints the same without the code cache, while making it and when using it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'maildiag-code-cache-'));
  try {
    const outputs = [];
    for (const env of [{ NODE_DISABLE_COMPILE_CACHE: '1' }, {}, {}] as Record<string, string>[]) {
      const run = await runBin(['null.example', ...dnsOnly()], { env: { TMPDIR: home, ...env } });
      outputs.push({ ...run, stdout: run.stdout.replace(/\[\d+\.\d+ s\]/, '[duration]') });
    }
    assert.equal(outputs[0]!.status, 1);
    assert.match(outputs[0]!.stdout, /^null\.example: PROBLEM: 1 error/);
    assert.deepEqual(outputs[1], outputs[0]);
    assert.deepEqual(outputs[2], outputs[0]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('docs/report.schema.json, comparison.schema.json and explain.schema.json are generated from the zod schemas', () => {
  assert.equal(readFileSync(`${ROOT}/docs/report.schema.json`, 'utf8'), renderReportSchema());
  assert.equal(readFileSync(`${ROOT}/docs/comparison.schema.json`, 'utf8'), renderComparisonSchema());
  assert.equal(readFileSync(`${ROOT}/docs/explain.schema.json`, 'utf8'), renderExplainSchema());
});

test('causes lists the vocabulary and shows one cause', async () => {
  const all = await runMain(['causes']);
  assert.equal(all.status, 0);
  assert.match(all.stdout, /^mx\.null\s+error/m);
  const one = await runMain(['causes', 'mx.null']);
  assert.match(one.stdout, /^mx\.null: /);
  assert.match(one.stdout, /RFC 7505/);
});

test('--version prints the package version', async () => {
  const run = await runBin(['--version']);
  assert.equal(run.status, 0);
  assert.equal(run.stdout.trim(), JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
});

test('Ctrl-C during one diagnosis: exit 130 and the report of what finished', async () => {
  sim.set('slow.example', { MX: [{ priority: 10, exchange: 'mx.ok.example' }] });
  sim.set('_dmarc.slow.example', 'DROP');
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'slow.example', '--json', '--resolver', `127.0.0.1:${sim.port}`, '--allow-private', '--timeout', '5s', '--checks', 'host-addrs,dmarc'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1' } });
  let stdout = '';
  child.stdout.on('data', d => (stdout += d));
  // Ctrl-C once the unanswered DMARC query is asked again: the MX host's addresses were answered long before.
  const asked = () => sim.log.filter(q => q === '_dmarc.slow.example TXT').length;
  while (asked() < 2 && child.exitCode === null) await new Promise(resolve => setTimeout(resolve, 20));
  child.kill('SIGINT');
  const status = await new Promise<number | null>(resolve => child.on('close', resolve));
  assert.equal(status, 130);
  const report = reportSchema.parse(JSON.parse(stdout));
  assert.equal(report.interrupted, true);
  assert.equal(report.checks.find(c => c.id === 'host-addrs')!.status, 'pass');
  assert.deepEqual(report.checks.find(c => c.id === 'dmarc')!.data['reason'], 'interrupted');
});

test('-o writes the report to a file, in the format its extension names unless --format says otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'maildiag-output-'));
  try {
    const csv = await runMain(['ok.example', 'null.example', '-o', join(dir, 'report.csv'), ...dnsOnly()]);
    assert.equal(csv.status, 1, csv.stderr);
    assert.equal(csv.stdout, '');
    const rows = readFileSync(join(dir, 'report.csv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /^target,/);
    const json = await runMain(['null.example', '--output', join(dir, 'report.json'), ...dnsOnly()]);
    assert.equal(reportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).target, 'null.example', json.stderr);
    await runMain(['null.example', '--format', 'jsonl', '-o', join(dir, 'report.json'), ...dnsOnly()]);
    assert.equal(readFileSync(join(dir, 'report.json'), 'utf8').trim().split('\n').length, 1);
    await runMain(['null.example', '-o', join(dir, 'report.unknown'), ...dnsOnly()]);
    assert.match(readFileSync(join(dir, 'report.unknown'), 'utf8'), /^null\.example: PROBLEM/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--timeout takes a unit: 3s, 1500ms, 2m', async () => {
  for (const value of ['3s', '1500ms', '2m', '1.5s']) {
    const run = await runMain(['null.example', '--json', ...dnsOnly(), '--timeout', value]);
    assert.equal(run.status, 1, `${value}: ${run.stderr}`);
  }
});

test('a reader that goes away (| head -1) ends the run quietly', async () => {
  const run = await runShell(`"${process.execPath}" "${BIN}" demo | head -1`);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^maildiag demo: /);
  assert.equal(run.stdout.trim().split('\n').length, 1);
  assert.equal(run.stderr, '');
});

test('a full disk (> /dev/full, -o /dev/full) is one line on stderr and exit 3', { skip: !existsSync('/dev/full') }, async () => {
  for (const redirect of ['> /dev/full', '-o /dev/full']) {
    const run = await runShell(`"${process.execPath}" "${BIN}" null.example --json ${dnsOnly().join(' ')} ${redirect}`);
    assert.equal(run.status, 3, redirect);
    assert.match(run.stderr, /^maildiag: cannot write .*ENOSPC\)\n$/, redirect);
  }
});
