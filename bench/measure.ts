// Timing helpers for the benchmarks: medians, and one Node process timed from spawn to exit.
import { spawnSync } from 'node:child_process';

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds for `node ARGS` to start, run and exit (it must exit 0). */
export function timeNode(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
}
