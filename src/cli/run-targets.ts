// Run targets concurrently through one shared network context (one DNS cache,
// one probe memo, one dialer with per-address limits), reporting each as it ends.
import pLimit from 'p-limit';
import type { CliIo } from './io.js';
import type { RunSettings } from './settings.js';
import { diagnose } from '../diagnose.js';
import { createNet, type Net } from '../net/context.js';
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
    timeoutMs: settings.run.timeoutMs,
    loopbackOnly: io.env['MAILDIAG_NO_NETWORK'] === '1',
    sessionLingerMs: targetCount > 1 ? AUDIT_LINGER_MS : 0,
  });
}

export interface RunTargetsOptions {
  net?: Net;
  /** Stop starting targets (Ctrl-C); the ones under way are told to stop. */
  stop?: AbortSignal;
  /** After a stop, still report the targets under way with what their checks finished (one diagnosis). */
  reportInterrupted?: boolean;
  events?: RunEvents;
}

/** A target and, from an audit line written as an address, the recipient to probe there. */
export interface Job {
  target: Target;
  rcpt?: string;
}

/** Resolves when every target has been reported, or as soon as `stop` fires. */
export async function runTargets(jobs: Job[], settings: RunSettings, io: CliIo, onReport: (report: Report) => void, options: RunTargetsOptions = {}): Promise<void> {
  if (jobs.length > 1) tuneHeapForLongRun(io.env);
  const net = options.net ?? createRunNet(settings, io, jobs.length);
  const limit = pLimit(settings.concurrency);
  const stopped = new Promise<void>(resolve => options.stop?.addEventListener('abort', () => resolve(), { once: true }));
  const all = Promise.all(
    jobs.map(({ target, rcpt }) =>
      limit(async () => {
        if (options.stop?.aborted) return;
        const report = await diagnose(target, rcpt ? { ...settings.run, rcpt } : settings.run, net, settings.selection, options.events, options.stop);
        if (options.stop?.aborted && !options.reportInterrupted) return;
        onReport(report);
      }),
    ),
  );
  try {
    await (options.reportInterrupted ? all : Promise.race([all, stopped]));
  } finally {
    net.finish();
  }
}

/** An ora spinner on stderr naming the check under way (one target, human output, terminal only). */
export async function startSpinner(target: Target, color: boolean): Promise<{ events: RunEvents; stop(): void }> {
  const { default: ora } = await import('ora');
  const spinner = ora({ text: `${target.unicode}…`, stream: process.stderr, color: color ? 'cyan' : false }).start();
  return { events: { start: check => void (spinner.text = `${target.unicode}: ${check.title}…`) }, stop: () => void spinner.stop() };
}
