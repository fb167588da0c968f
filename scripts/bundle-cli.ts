// Bundles the command line (dist/src/cli/main.js and everything it imports,
// dependencies included) into dist/bundle/, which bin/maildiag.js runs through
// dist/bundle/runtime.cjs (src/cli/bundle-runtime.ts says how). Node 20 spends
// ~1 ms per ES module resolving, reading and linking it, and compiles every
// start afresh: a diagnosis from ~100 modules spent ~120 ms more than from a
// bundle, and the bundle's code cache saves ~30 ms more.
//
// esbuild splits the code into chunks at each lazy import (renderers, zod,
// the other commands); each chunk becomes a CommonJS factory, and the chunks
// are grouped into unit files: maildiag.cjs holds main and what it imports
// (all --version needs), diagnose.cjs what a diagnosis goes on to load
// (commander, the program, the diagnose command, the human renderer and its
// spinner), and each other chunk is a file of its own, read only when used.
// The library (package.json "exports", dist/src/index.js) is not bundled.
// Run after tsc: `npm run build` does both.
import { build, transform, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENTRY_CHUNK, ENTRY_UNIT, ownUnit } from '../src/cli/bundle-runtime.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'dist/bundle');
const TARGET = 'node20.18';
/** The lazily imported modules a diagnosis loads (esbuild's entry point paths end so). */
const DIAGNOSIS = ['commander/esm.mjs', 'dist/src/cli/program.js', 'dist/src/cli/diagnose-command.js', 'dist/src/render/human.js', 'ora/index.js'];

/**
 * The text of a unit file (read by src/cli/bundle-runtime.ts): its identity
 * line, then each chunk's CommonJS code as a factory of (module, exports,
 * require, __bundleUrl), strict as the ES module it was (`import.meta.url`
 * reads `__bundleUrl`); the entry unit also names the unit file of each chunk
 * that is not in a file of its own.
 */
export function unitSource(chunks: ReadonlyMap<string, string>, units?: Record<string, string>): string {
  const factories = [...chunks].map(([id, code]) => `${JSON.stringify(id)}: function (module, exports, require, __bundleUrl) {\n"use strict";\n${code}},\n`);
  const body = `module.exports = {\n${units ? `units: ${JSON.stringify(units)},\n` : ''}chunks: {\n${factories.join('')}}};\n`;
  return `// maildiag unit ${createHash('sha256').update(body).digest('hex').slice(0, 20)}\n${body}`;
}

const chunkId = (path: string) => `./${basename(path)}`;

/**
 * esbuild writes code in ASCII but keeps comments as they are: escape what
 * they hold (`→` becomes `\u2192`), so the runtime reads an ASCII unit, twice
 * as fast as UTF-8. Only comment lines: in a tagged template an escape would
 * change the raw text (a unit left with UTF-8 reads as UTF-8).
 */
const asciiComments = (code: string): string =>
  code.replace(/^[ \t]*(?:\/\/|\/\*|\*).*$/gm, line => line.replace(/[^\x00-\x7f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

async function bundle(): Promise<void> {
  const { outputFiles, metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: { maildiag: 'dist/src/cli/main.js' },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: TARGET,
    chunkNames: 'chunk-[hash]',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });

  const entry = eagerChunks(metafile, ENTRY_CHUNK, () => false);
  const diagnosis = eagerChunks(metafile, ENTRY_CHUNK, point => DIAGNOSIS.some(end => point.endsWith(end)));
  const unitOf = (id: string) => (entry.has(id) ? ENTRY_UNIT : diagnosis.has(id) ? 'diagnose.cjs' : ownUnit(id));

  const units = new Map<string, Map<string, string>>();
  for (const file of outputFiles) {
    const id = chunkId(file.path);
    // import() of a chunk becomes require(), which runs it on first use: the unit is compiled already.
    const { code } = await transform(file.text, { format: 'cjs', platform: 'node', target: TARGET, supported: { 'dynamic-import': false }, define: { 'import.meta.url': '__bundleUrl' } });
    const unit = unitOf(id);
    units.set(unit, (units.get(unit) ?? new Map<string, string>()).set(id, asciiComments(code)));
  }
  const grouped = Object.fromEntries([...diagnosis].filter(id => !entry.has(id)).map(id => [id, unitOf(id)]));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const [unit, chunks] of units) writeFileSync(join(OUT, unit), unitSource(chunks, unit === ENTRY_UNIT ? grouped : undefined));
  // The runtime is CommonJS too: require() of a built-in costs less than an ES module's import of it.
  await build({ absWorkingDir: ROOT, entryPoints: ['dist/src/cli/bundle-runtime.js'], outfile: join(OUT, 'runtime.cjs'), bundle: true, format: 'cjs', platform: 'node', target: TARGET, logLevel: 'warning' });
}

/** The chunks loaded with FROM: those it imports, and those it imports lazily at an entry point FOLLOW accepts, transitively. */
function eagerChunks(meta: Metafile, from: string, follow: (entryPoint: string) => boolean): Set<string> {
  const outputs = new Map(Object.entries(meta.outputs).map(([path, output]) => [chunkId(path), output]));
  const found = new Set<string>();
  const visit = (id: string): void => {
    if (found.has(id)) return;
    found.add(id);
    for (const { path, kind } of outputs.get(id)!.imports) {
      const imported = outputs.get(chunkId(path));
      if (imported && (kind === 'import-statement' || (kind === 'dynamic-import' && follow(imported.entryPoint ?? '')))) visit(chunkId(path));
    }
  };
  visit(from);
  return found;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await bundle();
