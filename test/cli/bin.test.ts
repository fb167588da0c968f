// bin/maildiag.js runs the bundle (dist/bundle/) and nothing else: a bundle
// that is missing, or older than dist/src/ (tsc ran after it), is refused in
// one line rather than run stale code. The bundle's runtime keeps V8's code
// cache of each unit under $TMPDIR: made by a run, used as is by the next,
// replaced when it cannot be trusted or lacks what a run ran, never in the
// way. Checked on a copy of the bin and the real runtime beside stand-in
// units, so the real dist/ is never touched while other tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitSource } from '../../scripts/bundle-cli.js';
import { BIN, ROOT } from '../helpers/cli.js';

const execute = promisify(execFile);

interface Checkout {
  root: string;
  bin: string;
  runtime: string;
  compiled: string;
  /** Where the runtime keeps this user's caches for this checkout ($TMPDIR/maildiag-compile-cache-<uid>). */
  caches: string;
}

/** Exit status and output of `node BIN ARGS` with $TMPDIR inside the checkout, whatever the status. */
const run = (checkout: Checkout, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  execute(process.execPath, [checkout.bin, ...args], { env: { PATH: process.env['PATH'] ?? '', TMPDIR: join(checkout.root, 'tmp'), ...env } }).then(
    out => ({ code: 0, ...out }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

const setMtime = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

/**
 * A checkout with bin/maildiag.js, the real dist/bundle/runtime.cjs, stand-in
 * units and dist/src/cli/main.js. The entry unit's main() prints its
 * arguments, each `./chunk-…` one replaced by what that chunk (in more.cjs) says.
 */
function checkout(): Checkout {
  const root = mkdtempSync(join(tmpdir(), 'maildiag-bin-'));
  const bin = join(root, 'bin', 'maildiag.js');
  const runtime = join(root, 'dist', 'bundle', 'runtime.cjs');
  const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
  for (const file of [bin, runtime, compiled, join(root, 'tmp', 'x')]) mkdirSync(join(file, '..'), { recursive: true });
  copyFileSync(BIN, bin);
  copyFileSync(join(ROOT, 'dist', 'bundle', 'runtime.cjs'), runtime);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  const main =
    "exports.main = async function (argv) { process.stdout.write(`bundle ${argv.slice(2).map(arg => (arg.startsWith('./') ? require(arg).said : arg === 'everything' ? require('./chunk-more.js').everything() : arg)).join(' ')}\\n`); return 0; };";
  // everything() calls 400 more functions: a run that asks for it compiles much more of the unit than one that does not.
  const many = Array.from({ length: 400 }, (_, i) => `function f${i}(x) { const y = [x, ${i}, String(x) + '${i}']; return y.length > 2 ? y[1] : x; }`);
  const more = `exports.said = 'more'; ${many.join('\n')}\nexports.everything = () => (${many.map((_, i) => `f${i}(${i})`).join(' + ')}, 'everything');`;
  writeFileSync(join(root, 'dist', 'bundle', 'maildiag.cjs'), unitSource(new Map([['./maildiag.js', main]]), { './chunk-more.js': 'more.cjs', './chunk-extra.js': 'more.cjs' }));
  writeFileSync(join(root, 'dist', 'bundle', 'more.cjs'), unitSource(new Map([['./chunk-more.js', more], ['./chunk-extra.js', "exports.said = 'extra';"]])));
  writeFileSync(compiled, "throw new Error('the bin must not load dist/src');\n");
  // Built together: the bundle is not older than dist/src.
  setMtime(compiled, 1_000);
  setMtime(runtime, 1_000);
  return { root, bin, runtime, compiled, caches: join(root, 'tmp', `maildiag-compile-cache${process.getuid ? `-${process.getuid()}` : ''}`) };
}

/** The cache files under CACHES by unit (maildiag, more), with their content. */
function cacheFiles(caches: string): Record<string, Buffer> {
  if (!existsSync(caches)) return {};
  return Object.fromEntries(
    readdirSync(caches).flatMap(dir => readdirSync(join(caches, dir)).map(file => [file.replace(/-[0-9a-f]+\.cache$/, ''), readFileSync(join(caches, dir, file))])),
  );
}

/** The path of UNIT's cache file (it must exist). */
const cachePath = (caches: string, unit: string): string => {
  const [dir] = readdirSync(caches);
  return join(caches, dir!, readdirSync(join(caches, dir!)).find(file => file.startsWith(`${unit}-`))!);
};

const header = (cache: Buffer): { unit: string; ran: string[]; bytecode: number; checksum: number } => JSON.parse(cache.subarray(0, cache.indexOf(10)).toString()) as { unit: string; ran: string[]; bytecode: number; checksum: number };

test('the bin runs dist/bundle/ with the command line when the bundle is at least as new as dist/src', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  assert.deepEqual(await run(box, ['good.example', '--json']), { code: 0, stdout: 'bundle good.example --json\n', stderr: '' });
});

test('a bundle older than dist/src, or none, is refused in one line with exit 2', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  setMtime(box.compiled, 2_000);
  const stale = await run(box, ['good.example']);
  assert.deepEqual([stale.code, stale.stdout], [2, '']);
  assert.match(stale.stderr, /^maildiag: dist\/bundle\/ is older than dist\/src\/: run npm run build .*\n$/);

  rmSync(box.runtime);
  const missing = await run(box, ['good.example']);
  assert.deepEqual([missing.code, missing.stdout], [2, '']);
  assert.match(missing.stderr, /^maildiag: dist\/bundle\/ is missing: run npm run build .*\n$/);
});

test('a run leaves a code cache of each unit it loaded; a run that needs nothing more uses it as it is', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  assert.deepEqual(await run(box, ['a']), { code: 0, stdout: 'bundle a\n', stderr: '' });
  assert.deepEqual(Object.keys(cacheFiles(box.caches)), ['maildiag']);

  assert.deepEqual(await run(box, ['./chunk-more.js']), { code: 0, stdout: 'bundle more\n', stderr: '' });
  const made = cacheFiles(box.caches);
  assert.deepEqual(Object.keys(made).sort(), ['maildiag', 'more']);
  assert.deepEqual(header(made['more']!).ran, ['./chunk-more.js']);

  assert.deepEqual(await run(box, ['b', './chunk-more.js']), { code: 0, stdout: 'bundle b more\n', stderr: '' });
  assert.deepEqual(cacheFiles(box.caches), made);
});

test("a run of chunks a unit's cache lacks replaces it with one that holds them all", async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  await run(box, ['./chunk-more.js']);
  assert.deepEqual(await run(box, ['./chunk-extra.js']), { code: 0, stdout: 'bundle extra\n', stderr: '' });
  const grown = cacheFiles(box.caches);
  assert.deepEqual(header(grown['more']!).ran.sort(), ['./chunk-extra.js', './chunk-more.js']);

  await run(box, ['./chunk-more.js', './chunk-extra.js']);
  assert.deepEqual(cacheFiles(box.caches), grown);
});

test("a rebuilt unit's cache replaces the old build's: one cache file per unit stays", async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  await run(box, ['./chunk-more.js']);
  const old = cachePath(box.caches, 'more');
  writeFileSync(join(box.root, 'dist', 'bundle', 'more.cjs'), unitSource(new Map([['./chunk-more.js', "exports.said = 'rebuilt';"], ['./chunk-extra.js', "exports.said = 'extra';"]])));
  setMtime(box.runtime, 1_000);
  assert.deepEqual(await run(box, ['./chunk-more.js']), { code: 0, stdout: 'bundle rebuilt\n', stderr: '' });
  const dir = join(old, '..');
  assert.equal(existsSync(old), false);
  assert.deepEqual(readdirSync(dir).filter(file => file.startsWith('more-')).length, 1);
  assert.deepEqual(readdirSync(dir).filter(file => file.startsWith('maildiag-')).length, 1);
});

test('a run that compiles much more of a unit than the run that wrote its cache replaces it; runs like it keep it', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  await run(box, ['./chunk-more.js']);
  const little = cacheFiles(box.caches)['more']!;
  assert.deepEqual(await run(box, ['./chunk-more.js', 'everything']), { code: 0, stdout: 'bundle more everything\n', stderr: '' });
  const more = cacheFiles(box.caches)['more']!;
  assert.ok(header(more).bytecode > header(little).bytecode && more.length > little.length);

  await run(box, ['everything']);
  assert.deepEqual(cacheFiles(box.caches)['more'], more);
});

test('a corrupt, torn, foreign or rejected cache file is ignored and replaced', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  await run(box, ['./chunk-more.js']);
  const entryCache = cachePath(box.caches, 'maildiag');
  const good = readFileSync(entryCache);
  const more = readFileSync(cachePath(box.caches, 'more'));
  const moreData = more.subarray(more.indexOf(10) + 1);
  const planted: Record<string, Buffer> = {
    corrupt: Buffer.from('not a cache\n\u0000\u0001\u0002'),
    torn: good.subarray(0, good.length - 100),
    // more.cjs's cache under the entry unit's name: its own header says whose it is.
    foreign: more,
    // V8's data for more.cjs with a header that claims the entry unit: V8 itself rejects it.
    rejected: Buffer.concat([Buffer.from(`${JSON.stringify({ ...header(good), bytes: moreData.length, checksum: header(more).checksum })}\n`), moreData]),
  };
  for (const [kind, content] of Object.entries(planted)) {
    writeFileSync(entryCache, content);
    assert.deepEqual(await run(box, ['x', './chunk-more.js']), { code: 0, stdout: 'bundle x more\n', stderr: '' }, kind);
    const replaced = readFileSync(entryCache);
    assert.notDeepEqual(replaced, content, kind);
    assert.equal(header(replaced).unit, header(good).unit, kind);
    // The replacement is sound: the next run keeps it.
    await run(box, ['y']);
    assert.deepEqual(readFileSync(entryCache), replaced, kind);
  }
});

test('NODE_DISABLE_COMPILE_CACHE=1 writes no cache', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  assert.deepEqual(await run(box, ['./chunk-more.js'], { NODE_DISABLE_COMPILE_CACHE: '1' }), { code: 0, stdout: 'bundle more\n', stderr: '' });
  assert.deepEqual(readdirSync(join(box.root, 'tmp')), []);
});

test('a cache directory that cannot be made costs only the cache', async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  writeFileSync(box.caches, 'a file where the directory would be');
  assert.deepEqual(await run(box, ['./chunk-more.js']), { code: 0, stdout: 'bundle more\n', stderr: '' });
  assert.deepEqual(await run(box, ['./chunk-extra.js']), { code: 0, stdout: 'bundle extra\n', stderr: '' });
});

test('a cache directory that others can write to, or a link in its place, is left alone', { skip: process.getuid ? false : 'no file owners here' }, async t => {
  const box = checkout();
  t.after(() => rmSync(box.root, { recursive: true, force: true }));
  mkdirSync(box.caches);
  chmodSync(box.caches, 0o777);
  assert.deepEqual(await run(box, ['./chunk-more.js']), { code: 0, stdout: 'bundle more\n', stderr: '' });
  assert.deepEqual(cacheFiles(box.caches), {});

  const elsewhere = join(box.root, 'elsewhere');
  mkdirSync(elsewhere, { mode: 0o700 });
  rmSync(box.caches, { recursive: true });
  symlinkSync(elsewhere, box.caches);
  assert.deepEqual(await run(box, ['./chunk-more.js']), { code: 0, stdout: 'bundle more\n', stderr: '' });
  assert.deepEqual(cacheFiles(elsewhere), {});
});
