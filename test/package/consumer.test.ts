// The package as a user installs it: `npm pack`'s file list, then the packed
// tarball unpacked into a separate consumer project (its dependencies linked
// from this checkout: no registry), imported from JavaScript and type-checked
// from TypeScript through package.json `exports`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { ROOT } from '../helpers/cli.js';

interface PackedFile {
  path: string;
}

let dir: string;
let packed: { filename: string; files: PackedFile[]; size: number; entryCount: number };
let consumer: string;
let sim: SimDnsServer;
const run = promisify(execFile);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maildiag-package-'));
  // The build is npm test's own; --ignore-scripts keeps prepack from building again.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  packed = (JSON.parse(out) as (typeof packed)[])[0]!;
  consumer = join(dir, 'consumer');
  const modules = join(consumer, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'maildiag'));
  const manifest = JSON.parse(readFileSync(join(modules, 'maildiag', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), '@types/node']) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { maildiag: `file:${packed.filename}` } }));
  sim = await startSimDns({ 'null.example': { MX: [{ priority: 0, exchange: '' }] } });
});

after(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('npm pack ships the command, the library with its types, the docs and schemas, the licence, and nothing test-only', () => {
  const paths = packed.files.map(f => f.path).sort();
  for (const needed of ['LICENSE', 'README.md', 'package.json', 'bin/maildiag.js', 'dist/bundle/runtime.cjs', 'dist/bundle/maildiag.cjs', 'dist/bundle/diagnose.cjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'docs/report.schema.json', 'docs/explain.schema.json', 'docs/causes.md']) {
    assert.ok(paths.includes(needed), `${needed} is packed`);
  }
  const outside = paths.filter(p => !/^(?:bin\/|dist\/bundle\/|dist\/src\/|docs\/|README\.md$|LICENSE$|package\.json$)/.test(p));
  assert.deepEqual(outside, []);
  assert.deepEqual(paths.filter(p => /(?:^|\/)test\/|hostile|\.test\.|__snapshots__/.test(p)), [], 'nothing test-only');
  // Every compiled file has its source: nothing stale from a removed module.
  const stale = paths.filter(p => p.startsWith('dist/src/') && !existsSync(join(ROOT, p.replace(/^dist\//, '').replace(/\.d\.ts$|\.js$/, '.ts'))));
  assert.deepEqual(stale, []);
  console.log(`npm pack: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed`);
});

test('a consumer imports diagnose, audit, explain, causes and the report schema from "maildiag"', async () => {
  writeFileSync(join(consumer, 'index.js'), `
import { diagnose, audit, explain, causes, UsageError } from 'maildiag';
import schema from 'maildiag/report.schema.json' with { type: 'json' };
const options = { resolvers: [process.argv[2]], checks: ['host-addrs'], timeout: '2s' };
const report = await diagnose('null.example', options);
const reports = await audit(['null.example', 'bob@null.example'], options);
const bounce = explain('550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown');
let refused;
try { await diagnose('http://example.com', options); } catch (err) { refused = err instanceof UsageError; }
console.log(JSON.stringify({ top: report.diagnosis[0].cause, lines: reports.map(r => r.listLine), bounce: bounce.causes[0].cause, title: causes['mx.null'].title, schema: Object.keys(schema.properties).includes('diagnosis'), refused }));
`);
  // Asynchronously: the DNS world answers from this process.
  const { stdout } = await run(process.execPath, ['index.js', `127.0.0.1:${sim.port}`], { cwd: consumer, env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1' } });
  assert.deepEqual(JSON.parse(stdout), { top: 'mx.null', lines: ['null.example', 'bob@null.example'], bounce: 'recipient.unknown', title: JSON.parse(JSON.stringify(readCauseTitle())), schema: true, refused: true });
});

test('the installed command runs from its bundle: a diagnosis through the packed bin/maildiag.js', async () => {
  const bin = join(consumer, 'node_modules', 'maildiag', 'bin', 'maildiag.js');
  const { stdout } = await run(process.execPath, [bin, 'null.example', '--resolver', `127.0.0.1:${sim.port}`, '--no-dnsbl', '--json'], { cwd: consumer, env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1' } }).catch((err: { stdout: string }) => err);
  const report = JSON.parse(stdout) as { target: string; diagnosis: { cause: string }[] };
  assert.equal(report.target, 'null.example');
  assert.equal(report.diagnosis[0]?.cause, 'mx.null');
});

test('the types come with it: a consumer type-checks against them, and a wrong use is an error', { timeout: 240_000 }, () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['check.ts', 'wrong.ts'] }));
  const good = `
import { diagnose, audit, explain, causes, type Report, type CauseId, type DiagnoseOptions } from 'maildiag';
const options: DiagnoseOptions = { resolvers: ['9.9.9.9'], timeout: '3s' };
export async function top(domain: string): Promise<CauseId | undefined> {
  const report: Report = await diagnose(domain, options);
  const all: Report[] = await audit([domain], { ...options, concurrency: 2 });
  return report.diagnosis[0]?.cause ?? all[0]?.diagnosis[0]?.cause ?? explain('550 5.1.1 unknown').causes[0]?.cause as CauseId | undefined;
}
export const title: string = causes['mx.null'].title;
`;
  writeFileSync(join(consumer, 'check.ts'), good);
  writeFileSync(join(consumer, 'wrong.ts'), `import { diagnose } from 'maildiag';\nexport const wrong: number = (await diagnose('example.com')).target;\n`);
  // One compiler run (it is the slow part): the right use passes, the wrong one is the only error.
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, encoding: 'utf8' });
  const errors = result.stdout.trim().split('\n').filter(line => /error TS/.test(line));
  assert.equal(errors.length, 1, result.stdout);
  assert.match(errors[0]!, /^wrong\.ts\(2,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
});

function readCauseTitle(): string {
  return (JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bin', 'maildiag.js'), 'causes', '--json'], { encoding: 'utf8' })) as { id: string; title: string }[]).find(c => c.id === 'mx.null')!.title;
}

test('every test file is where npm test looks for it (test/*.test.ts or test/<area>/*.test.ts)', () => {
  const deeper = execFileSync('find', ['test', '-mindepth', '3', '-name', '*.test.ts'], { cwd: ROOT, encoding: 'utf8' }).trim();
  assert.equal(deeper, '');
  assert.match((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { test: string } }).scripts.test, / dist\/test\/\*\.test\.js dist\/test\/\*\/\*\.test\.js$/);
});
