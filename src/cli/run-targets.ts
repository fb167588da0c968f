// Run targets concurrently through one shared network context (one DNS cache,
// one probe memo, one dialer with per-address limits), reporting each as it ends.
import { defaultMaxListeners as DEFAULT_MAX_LISTENERS, setMaxListeners } from 'node:events';
import { networkDisabled, type CliIo } from './io.js';
import type { RunSettings } from './settings.js';
import { diagnose } from '../diagnose.js';
import { createNet, type Net } from '../net/context.js';
import { Slots } from '../net/slots.js';
import { tuneHeapForLongRun } from './heap.js';
import type { Target } from '../pipeline/facts.js';
import type { Report } from '../report/schema.js';
import type { RunEvents } from '../pipeline/run.js';

/**
 * Sessions of an audit wait this long for the next domain on the same MX host
 * (as Postfix caches connections), and say QUIT as soon as the audit is done.
 */
const AUDIT_LINGER_MS = 5000;

export function createRunNet(settings: RunSettings, io: CliIo, targetCount: number): Net {
  return createNet({
    resolvers: settings.resolvers,
    timeoutMs: settings.timeoutMs,
    loopbackOnly: networkDisabled(io.env),
    sessionLingerMs: targetCount > 1 ? AUDIT_LINGER_MS : 0,
  });
}

export interface RunTargetsOptions {
  net?: Net;
  /**
   * Ctrl-C: no target starts after it, and the ones under way end at once,
   * each reported with what its checks finished and marked `interrupted`;
   * the net finishes at once too (every open SMTP session says QUIT).
   */
  stop?: AbortSignal;
  events?: RunEvents;
}

/** A target and, from an audit line written as an address, the recipient to probe there. */
export interface Job {
  target: Target;
  rcpt?: string;
  /** The audit list line it came from, as written: what --resume matches. */
  listLine?: string;
}

/** Every job is reported (with its index) unless `stop` fired before it started. */
export async function runTargets(jobs: Job[], settings: RunSettings, io: CliIo, onReport: (report: Report, index: number) => void, options: RunTargetsOptions = {}): Promise<void> {
  if (jobs.length > 1) tuneHeapForLongRun(io.env);
  const net = options.net ?? createRunNet(settings, io, jobs.length);
  const slots = new Slots(settings.concurrency);
  // Each diagnosis under way listens to the stop signal once: as many as run at once, not a leak.
  if (options.stop) setMaxListeners(settings.concurrency + DEFAULT_MAX_LISTENERS, options.stop);
  const finishAtStop = () => void net.finish();
  options.stop?.addEventListener('abort', finishAtStop, { once: true });
  try {
    await Promise.all(
      jobs.map(({ target, rcpt, listLine }, index) =>
        slots.run(async () => {
          if (options.stop?.aborted) return;
          const report = await diagnose(target, rcpt ? { ...settings.run, rcpt } : settings.run, net, settings.selection, options.events, options.stop);
          const interrupted = report.checks.some(c => c.status === 'interrupted');
          onReport({ ...report, ...(listLine === undefined ? {} : { listLine }), ...(interrupted ? { interrupted } : {}) }, index);
        }),
      ),
    );
  } finally {
    options.stop?.removeEventListener('abort', finishAtStop);
    // The reports wait for the sessions' QUITs (each bounded): the process may exit as soon as they are written.
    await net.finish();
  }
}

/** An ora spinner on stderr naming the check under way (one target, human output, terminal only). */
export async function startSpinner(target: Target, color: boolean): Promise<{ events: RunEvents; stop(): void }> {
  const { default: ora } = await import('ora');
  const spinner = ora({ text: `${target.unicode}…`, stream: process.stderr, color: color ? 'cyan' : false }).start();
  return { events: { start: check => void (spinner.text = `${target.unicode}: ${check.title}…`) }, stop: () => void spinner.stop() };
}
