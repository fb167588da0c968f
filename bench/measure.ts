// Timing helpers for the benchmarks: medians, and one Node process timed from spawn to exit.
import { spawnSync } from 'node:child_process';

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds for `node ARGS` to start, run and exit (it must exit 0), with ENV added to this environment. */
export function timeNode(args: string[], env: Record<string, string> = {}): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
}

/** The environment that moves a bare start: NODE_EXTRA_CA_CERTS makes every Node process parse that file first (~40 ms for a system bundle). */
export function startupEnvironment(): string {
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  return extra ? `NODE_EXTRA_CA_CERTS=${extra} is set: every start above parses it (NODE_EXTRA_CA_CERTS= npm run ... to time without)` : 'NODE_EXTRA_CA_CERTS unset';
}
