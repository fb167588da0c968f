// Bundles the command line (dist/src/cli/main.js and everything it imports,
// dependencies included) into dist/bundle/, which bin/maildiag.js runs. Node
// 20 spends ~1 ms per ESM file resolving, reading and linking it: a diagnosis
// loads ~100 of them plus CommonJS packages whose exports are found by lexing
// their source, ~120 ms of a 330 ms run. Lazy imports (renderers, zod, the
// other commands) stay separate chunks, loaded only when used. The library
// (package.json "exports", dist/src/index.js) is not bundled.
// Run after tsc: `npm run build` does both.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

await build({
  absWorkingDir: ROOT,
  entryPoints: { maildiag: 'dist/src/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  chunkNames: 'chunk-[hash]',
  // CommonJS dependencies require() Node's built-ins: an ES module has no require of its own.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
