// Runs the command line from its bundle (dist/bundle/, made by
// scripts/bundle-cli.ts; bin/maildiag.js calls runBundle) and keeps V8's
// compiled code of it between runs.
//
// The bundle is esbuild's split chunks turned into CommonJS factories and
// grouped into "units", one file each: maildiag.cjs (main and what --version
// needs), diagnose.cjs (what a diagnosis loads) and one file per rarely used
// chunk (zod, mailauth, the other commands and formats). A chunk runs when
// first required, as an ES module would when first imported, so each unit is
// compiled once and the chunks keep one instance each.
//
// Compiling is most of a start, so each unit compiles through vm.Script with
// V8's cachedData, kept under os.tmpdir() as Node keeps its own (in a
// directory of the user's that nobody else may write to): written after
// the command's work, so it holds the functions the run compiled (Node 22+'s
// module.enableCompileCache holds only what compiles before a module runs:
// on Node 24 a diagnosis saved ~3x more with this cache than with Node's),
// and only when it was missing, rejected, or this run did more than the run
// that wrote it (see BYTECODE_GROWTH). A cache that cannot be read, written
// or trusted is skipped: the unit compiles as if there were none.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off, as for Node's.
import { isAscii } from 'node:buffer';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/** The unit bin/maildiag.js loads first, and the chunk in it that exports main(). */
export const ENTRY_UNIT = 'maildiag.cjs';
export const ENTRY_CHUNK = './maildiag.js';

/** The file of a chunk (`./chunk-X.js`) that is in no unit the entry unit names: its own. */
export const ownUnit = (chunk: string): string => `${chunk.slice('./'.length, -'.js'.length)}.cjs`;

/** A unit's first line names its content (the cache's key): `// maildiag unit <hash>` (scripts/bundle-cli.ts writes units). */
const IDENTITY = /^\/\/ maildiag unit ([0-9a-f]+)\n/;

type Exports = Record<string, unknown>;
type ChunkRequire = (id: string) => unknown;
type Factory = (module: { exports: Exports }, exports: Exports, require: ChunkRequire, bundleUrl: string) => void;

/** What a unit file exports: its chunks, and (the entry unit only) the unit file of every chunk not in a file of its own. */
interface UnitExports {
  chunks: Record<string, Factory>;
  units?: Record<string, string>;
}

/** Run the bundle in DIR with the command line: main()'s exit status. */
export function runBundle(dir: string, argv: string[]): Promise<number> {
  const { main } = new Bundle(dir, compileUnit(dir, codeCacheDir())).require(ENTRY_CHUNK) as { main(argv: string[]): Promise<number> };
  return main(argv);
}

/** A unit's file name to its exports; `ran` is told each chunk of it that runs. */
type LoadUnit = (file: string) => { exports: UnitExports; ran(id: string): void };

class Bundle {
  private readonly factories = new Map<string, { factory: Factory; ran(id: string): void }>();
  private readonly modules = new Map<string, { exports: Exports }>();
  private readonly unitOf: Record<string, string>;
  private readonly nodeRequire: NodeJS.Require;
  private readonly url: string;

  constructor(dir: string, private readonly loadUnit: LoadUnit) {
    this.nodeRequire = module.createRequire(join(dir, ENTRY_UNIT));
    this.url = pathToFileURL(join(dir, ENTRY_UNIT)).href;
    this.unitOf = this.load(ENTRY_UNIT).units ?? {};
  }

  /** A chunk's exports (run on first use), or a Node built-in's: the bundle requires nothing else. */
  readonly require = (id: string): unknown => {
    if (!id.startsWith('./')) return this.nodeRequire(id);
    const loaded = this.modules.get(id);
    if (loaded) return loaded.exports;
    if (!this.factories.has(id)) this.load(this.unitOf[id] ?? ownUnit(id));
    const chunk = this.factories.get(id);
    if (!chunk) throw new Error(`maildiag bundle: no chunk ${id}`);
    const instance = { exports: {} };
    this.modules.set(id, instance);
    chunk.ran(id);
    chunk.factory(instance, instance.exports, this.require, this.url);
    return instance.exports;
  };

  private load(file: string): UnitExports {
    const { exports, ran } = this.loadUnit(file);
    for (const [id, factory] of Object.entries(exports.chunks)) this.factories.set(id, { factory, ran });
    return exports;
  }
}

/** A unit's text: units are ASCII (scripts/bundle-cli.ts escapes what esbuild leaves), which reads at twice UTF-8's speed. */
const text = (bytes: Buffer): string => bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');

/** This user's directory of code caches, and in it this Node's (V8 rejects a cache made by another version, arch or set of flags). */
interface CacheDir {
  home: string;
  dir: string;
}

function codeCacheDir(): CacheDir | undefined {
  if (process.env['NODE_DISABLE_COMPILE_CACHE'] === '1') return undefined;
  const home = join(tmpdir(), `maildiag-compile-cache${process.getuid ? `-${process.getuid()}` : ''}`);
  const flags = checksum(Buffer.from(JSON.stringify([process.execArgv, process.env['NODE_OPTIONS'] ?? '']))).toString(16);
  return { home, dir: join(home, `${process.version}-${process.arch}-${flags}`) };
}

/** V8 runs what a cache holds: only a directory of this user's that nobody else can write to (not a link left in a shared /tmp) is used. */
function isPrivate(home: string): boolean {
  const stats = lstatSync(home, { throwIfNoEntry: false });
  return stats !== undefined && stats.isDirectory() && (!process.getuid || (stats.uid === process.getuid() && (stats.mode & 0o022) === 0));
}

/** A cache file: one JSON line (whose unit, which chunks had run, V8's bytecode then, the data's length and checksum), then V8's data. */
interface CacheHeader {
  unit: string;
  ran: string[];
  bytecode: number;
  bytes: number;
  checksum: number;
}

/**
 * A cache is whole for a run that ran no chunk it lacks and compiled no more
 * than this much more bytecode (all of the process's: V8's heap statistics,
 * read at exit) than the run that wrote it. A first run that did little (a
 * domain that does not exist, --checks) would otherwise leave every later
 * full diagnosis compiling the rest afresh. The entry unit, small and the
 * same in every command, keeps its cache on chunks alone (reading the
 * statistics loads node:v8, which --version needs for nothing else).
 */
const BYTECODE_GROWTH = 1.1;

/** Compile each unit with vm.Script and V8's code cache from CACHES (none when undefined). */
function compileUnit(dir: string, caches: CacheDir | undefined): LoadUnit {
  const readable = caches !== undefined && isPrivate(caches.home);
  const stale: ((bytecode: () => number) => void)[] = [];
  process.once('exit', () => {
    let measured: number | undefined;
    stale.forEach(write => write(() => (measured ??= process.getBuiltinModule('node:v8').getHeapCodeStatistics().bytecode_and_metadata_size)));
  });
  return file => {
    const filename = join(dir, file);
    const source = text(readFileSync(filename));
    const identity = IDENTITY.exec(source)?.[1];
    const cacheFile = caches && identity ? join(caches.dir, `${basename(file, '.cjs')}-${identity}.cache`) : undefined;
    const cached = cacheFile && readable ? readCache(cacheFile, identity!) : undefined;
    const script = new Script(module.wrap(source), { filename, ...(cached ? { cachedData: cached.data } : {}) });
    const usable = cached !== undefined && !script.cachedDataRejected;
    const held = new Set(usable ? cached.ran : []);
    const ran = new Set<string>();
    if (cacheFile) {
      stale.push(bytecode => {
        if (usable && [...ran].every(id => held.has(id)) && (file === ENTRY_UNIT || bytecode() <= cached.bytecode * BYTECODE_GROWTH)) return;
        // V8's data of a script compiled from a cache holds what it held and what compiled since.
        writeCache(caches!, cacheFile, { unit: identity!, ran: [...new Set([...held, ...ran])], bytecode: bytecode() }, () => script.createCachedData());
      });
    }
    const unit = { exports: {} as UnitExports };
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
    wrapper(unit.exports, module.createRequire(filename), unit, filename, dir);
    return { exports: unit.exports, ran: id => void ran.add(id) };
  };
}

/** The cache's data and chunks if the file is whole and made for this unit; undefined if missing, torn, corrupt or foreign. */
function readCache(file: string, unit: string): { data: Buffer; ran: string[]; bytecode: number } | undefined {
  try {
    const content = readFileSync(file);
    const end = content.indexOf(10);
    const header = JSON.parse(content.subarray(0, end).toString('utf8')) as CacheHeader;
    const data = content.subarray(end + 1);
    if (end < 0 || header.unit !== unit || header.bytes !== data.length || header.checksum !== checksum(data) || !Array.isArray(header.ran) || typeof header.bytecode !== 'number') return undefined;
    return { data, ran: header.ran, bytecode: header.bytecode };
  } catch {
    return undefined;
  }
}

/** Write the cache whole or not at all (a temporary file renamed over it); a read-only or full disk only costs the cache. */
function writeCache(caches: CacheDir, file: string, header: Omit<CacheHeader, 'bytes' | 'checksum'>, compiled: () => Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(caches.dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(caches.home)) return;
    const data = compiled();
    const line = JSON.stringify({ ...header, bytes: data.length, checksum: checksum(data) } satisfies CacheHeader);
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${line}\n`), data]));
    renameSync(temporary, file);
    removeOtherBuilds(caches.dir, basename(file));
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written, or the disk refuses even that: the next run tries again.
    }
  }
}

/** The caches of this unit's earlier builds (another content hash): each rebuild or upgrade would otherwise leave ~1 MB behind. */
function removeOtherBuilds(dir: string, kept: string): void {
  const unit = kept.slice(0, kept.lastIndexOf('-'));
  const sameUnit = new RegExp(`^${unit.replace(/[^\w]/g, '\\$&')}-[0-9a-f]+\\.cache$`);
  for (const name of readdirSync(dir)) if (name !== kept && sameUnit.test(name)) rmSync(join(dir, name), { force: true });
}

/**
 * FNV-1a over 32-bit words: V8 trusts the data it is given, and this tells a
 * damaged cache from a whole one in ~2 ms a megabyte, less than loading
 * node:crypto would add to a start that needs nothing else of it (--version).
 */
function checksum(bytes: Uint8Array): number {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
  let sum = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) sum = Math.imul(sum ^ words[i]!, 0x01000193);
  for (let i = words.length * 4; i < aligned.length; i++) sum = Math.imul(sum ^ aligned[i]!, 0x01000193);
  return sum >>> 0;
}
