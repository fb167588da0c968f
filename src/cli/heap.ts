// An audit is a long stream of short-lived diagnoses: its live heap stays
// near 40 MB, but on a machine with memory to spare V8 lets the old
// generation grow to about four times the live size before it collects, so
// garbage made most of the 300 MB peak of a 10,000-domain audit. Growing by
// three quarters instead keeps that peak under 200 MB for a little more GC
// time (`npm run bench`, 10,000 domains: 50 % made 169 MB and 80 full
// collections, 75 % 172 MB and 67 taking about a third of the time, 100 %
// 183 MB). The flag is read at every collection, so setting it once the run
// has started works; a limit the user chose is left alone.
import v8 from 'node:v8';

const GROWING_PERCENT = 75;
const USER_HEAP_FLAGS = /--(heap-growing-percent|max-old-space-size|max-heap-size)\b/;

export function tuneHeapForLongRun(env: Record<string, string | undefined>): void {
  if (USER_HEAP_FLAGS.test([...process.execArgv, env['NODE_OPTIONS'] ?? ''].join(' '))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
}
