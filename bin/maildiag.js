#!/usr/bin/env node
// The command runs from its bundle, dist/bundle/ (npm run build makes it from
// dist/src/ after tsc): one file to load instead of ~100 saves ~120 ms a run.
// A tsc run after the bundle leaves it stale: say so rather than run old code.
import { statSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code for the bundle between runs (as tsc does):
// ~20 ms less per start on Node 24. Node 20 has no such cache, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

const builtAt = path => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs;
const bundled = builtAt('../dist/bundle/maildiag.js');
const compiled = builtAt('../dist/src/cli/main.js');
if (bundled === undefined || (compiled !== undefined && compiled > bundled)) {
  process.stderr.write(`maildiag: ${bundled === undefined ? 'dist/bundle/ is missing' : 'dist/bundle/ is older than dist/src/'}: run npm run build (or node dist/scripts/bundle-cli.js after tsc)\n`);
  process.exit(2);
}
const { main } = await import('../dist/bundle/maildiag.js');
process.exitCode = await main(process.argv);
