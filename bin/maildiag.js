#!/usr/bin/env node
// The command runs from its bundle, dist/bundle/ (npm run build makes it from
// dist/src/ after tsc): a few files to load instead of ~100 ES modules, with
// V8's compiled code kept between runs (dist/bundle/runtime.cjs, from
// src/cli/bundle-runtime.ts). A tsc run after the bundle leaves it stale: say
// so rather than run old code.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const builtAt = path => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = builtAt('../dist/bundle/runtime.cjs');
const compiled = builtAt('../dist/src/cli/main.js');
if (bundled === undefined || (compiled !== undefined && compiled > bundled)) {
  process.stderr.write(`maildiag: ${bundled === undefined ? 'dist/bundle/ is missing' : 'dist/bundle/ is older than dist/src/'}: run npm run build (or node dist/scripts/bundle-cli.js after tsc)\n`);
  process.exit(2);
}
const { runBundle } = createRequire(import.meta.url)('../dist/bundle/runtime.cjs');
process.exitCode = await runBundle(fileURLToPath(new URL('../dist/bundle/', import.meta.url)), process.argv);
