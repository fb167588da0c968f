// `maildiag <target...>`: diagnose each target and print the reports.
import { parseTarget } from './targets.js';
import { buildSettings } from './settings.js';
import type { CliIo } from './io.js';
import { runTargets, startSpinner } from './run-targets.js';
import type { Report } from '../report/schema.js';
import { outcomeOf } from '../pipeline/report.js';
import { exitStatus, INTERRUPTED_STATUS } from './exit-status.js';
import { listenForInterrupt } from './interrupt.js';
import { loadRenderer, preamble } from '../render/index.js';
import { renderChangesSummary } from '../render/changes.js';

export async function runDiagnoseCommand(rawTargets: string[], rawOptions: Record<string, unknown>, io: CliIo): Promise<number> {
  const settings = buildSettings(rawOptions, io);
  const targets = rawTargets.map(parseTarget);
  // Several reports as JSON are JSON Lines (cli.md): one report per line, as audits write them.
  const format = settings.format === 'json' && targets.length > 1 ? 'jsonl' : settings.format;
  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  const render = await loadRenderer(format);
  const comparison = typeof rawOptions['compare'] === 'string' ? await (await import('./compare-run.js')).loadComparison(rawOptions['compare'], io) : undefined;
  const reports: Report[] = [];
  // A spinner only where it can be redrawn, and only beside a report that arrives at the end.
  const spinner = format === 'human' && settings.live === 'redraw' && targets.length === 1 ? await startSpinner(targets[0]!, settings.liveColor) : undefined;
  // Ctrl-C: the checks under way stop, and the report shows what finished.
  const interrupt = listenForInterrupt();
  try {
    await runTargets(targets.map(target => ({ target })), settings, io, (diagnosed, index) => {
      reports[index] = comparison ? comparison.attach(diagnosed) : diagnosed;
    }, { stop: interrupt.signal, ...(spinner ? { events: spinner.events } : {}) });
    spinner?.stop();
    // Reports print in the order the targets were given, whatever order they finished in (after Ctrl-C, some never started).
    const ordered = reports.filter(Boolean);
    const summary = comparison?.summary(undefined, targets.filter((_, i) => !reports[i]));
    if (format === 'html') io.stdout((await import('../render/html.js')).renderHtmlDocument({ reports: ordered, ...(summary ? { comparison: summary } : {}) }));
    else io.stdout((preamble[format] ?? '') + ordered.map(r => render(r, renderOptions)).join(format === 'human' || format === 'markdown' ? '\n' : ''));
    if (summary && format === 'human') io.stdout(renderChangesSummary(summary, comparison!.changed()));
    if (interrupt.signal.aborted) {
      io.stderr('maildiag: interrupted: the report shows the checks that finished\n');
      return INTERRUPTED_STATUS;
    }
  } finally {
    spinner?.stop();
    interrupt.release();
  }
  const outcomes = reports.filter(Boolean).map(outcomeOf);
  return comparison ? comparison.exitStatus(outcomes, settings.failOn) : exitStatus(outcomes, settings.failOn);
}
