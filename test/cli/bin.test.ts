// bin/maildiag.js runs the bundle (dist/bundle/) and nothing else: a bundle
// that is missing, or older than dist/src/ (tsc ran after it), is refused in
// one line rather than run stale code. Checked on a copy of the bin beside
// stand-in builds, so the real dist/ is never touched while other tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';

const execute = promisify(execFile);

/** Exit status and output of `node BIN ARGS`, whatever the status. */
const run = (bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  execute(process.execPath, [bin, ...args]).then(out => ({ code: 0, ...out }), (err: { code: number; stdout: string; stderr: string }) => err);

/** A checkout with bin/maildiag.js, a stand-in bundle whose main() says so, and dist/src/cli/main.js. */
function checkout(): { root: string; bin: string; bundle: string; compiled: string } {
  const root = mkdtempSync(join(tmpdir(), 'maildiag-bin-'));
  const bin = join(root, 'bin', 'maildiag.js');
  const bundle = join(root, 'dist', 'bundle', 'maildiag.js');
  const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
  for (const file of [bin, bundle, compiled]) mkdirSync(join(file, '..'), { recursive: true });
  copyFileSync(BIN, bin);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(bundle, "export async function main(argv) { process.stdout.write(`bundle ${argv.slice(2).join(' ')}\\n`); return 0; }\n");
  writeFileSync(compiled, "throw new Error('the bin must not load dist/src');\n");
  return { root, bin, bundle, compiled };
}

const setMtime = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

test('the bin runs dist/bundle/maildiag.js with the command line when the bundle is at least as new as dist/src', async t => {
  const { root, bin, bundle, compiled } = checkout();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  setMtime(compiled, 1_000);
  setMtime(bundle, 1_000);
  assert.deepEqual(await run(bin, ['good.example', '--json']), { code: 0, stdout: 'bundle good.example --json\n', stderr: '' });
});

test('a bundle older than dist/src, or none, is refused in one line with exit 2', async t => {
  const { root, bin, bundle, compiled } = checkout();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  setMtime(bundle, 1_000);
  setMtime(compiled, 2_000);
  const stale = await run(bin, ['good.example']);
  assert.deepEqual([stale.code, stale.stdout], [2, '']);
  assert.match(stale.stderr, /^maildiag: dist\/bundle\/ is older than dist\/src\/: run npm run build .*\n$/);

  rmSync(bundle);
  const missing = await run(bin, ['good.example']);
  assert.deepEqual([missing.code, missing.stdout], [2, '']);
  assert.match(missing.stderr, /^maildiag: dist\/bundle\/ is missing: run npm run build .*\n$/);
});
