// Run targets concurrently through one shared network context (one DNS cache,
// one probe memo, one dialer with per-address limits), reporting each as it ends.
import pLimit from 'p-limit';
import type { CliIo } from './io.js';
import type { RunSettings } from './settings.js';
import { diagnose } from '../diagnose.js';
import { createNet, type Net } from '../net/context.js';
import type { Target } from '../pipeline/facts.js';
import { reportSchema, type Report } from '../report/schema.js';
import type { RunEvents } from '../pipeline/run.js';

export function createRunNet(settings: RunSettings, io: CliIo): Net {
  return createNet({ resolvers: settings.resolvers, timeoutMs: settings.run.timeoutMs, loopbackOnly: io.env['MAILDIAG_NO_NETWORK'] === '1' });
}

export async function runTargets(targets: Target[], settings: RunSettings, io: CliIo, onReport: (report: Report) => void, net: Net = createRunNet(settings, io)): Promise<void> {
  const limit = pLimit(settings.concurrency);
  const spinner = settings.format === 'human' && io.isErrTTY && !settings.quiet && targets.length === 1 ? await startSpinner(targets[0]!) : undefined;
  const events: RunEvents | undefined = spinner && { start: check => spinner.setText(`${targets[0]!.unicode}: ${check.title}…`) };
  try {
    await Promise.all(
      targets.map(target =>
        limit(async () => {
          const report = await diagnose(target, settings.run, net, settings.selection, events);
          assertValid(report);
          onReport(report);
        }),
      ),
    );
  } finally {
    spinner?.stop();
  }
}

/** --json output always passes the published schema; a report that does not is a bug. */
function assertValid(report: Report): void {
  const parsed = reportSchema.safeParse(report);
  if (!parsed.success) throw new Error(`report for ${report.target} does not match the schema: ${parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

async function startSpinner(target: Target) {
  const { default: ora } = await import('ora');
  const spinner = ora({ text: `${target.unicode}…`, stream: process.stderr }).start();
  return { setText: (text: string) => void (spinner.text = text), stop: () => void spinner.stop() };
}
