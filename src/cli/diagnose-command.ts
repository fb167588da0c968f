// `maildiag <target...>`: diagnose each target and print the reports.
import { parseTarget } from './targets.js';
import { buildSettings } from './settings.js';
import type { CliIo } from './io.js';
import { runTargets, startSpinner } from './run-targets.js';
import type { Report } from '../report/schema.js';
import { outcomeOf } from '../pipeline/report.js';
import { exitStatus, INTERRUPTED_STATUS } from './exit-status.js';
import { loadRenderer, preamble } from '../render/index.js';
import { renderChangesSummary } from '../render/changes.js';

export async function runDiagnoseCommand(rawTargets: string[], rawOptions: Record<string, unknown>, io: CliIo): Promise<number> {
  const settings = buildSettings(rawOptions, io);
  const targets = rawTargets.map(parseTarget);
  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  const streaming = settings.format === 'jsonl' || settings.format === 'csv';
  const render = await loadRenderer(settings.format);
  const comparison = typeof rawOptions['compare'] === 'string' ? await (await import('./compare-run.js')).loadComparison(rawOptions['compare'], io) : undefined;
  const reports: Report[] = [];
  if (streaming) io.stdout(preamble[settings.format] ?? '');
  // A spinner only where it can be redrawn, and only beside a report that arrives at the end.
  const spinner = settings.format === 'human' && settings.live === 'redraw' && targets.length === 1 ? await startSpinner(targets[0]!, settings.liveColor) : undefined;
  // Ctrl-C: the checks under way stop, and the report shows what finished.
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    await runTargets(targets.map(target => ({ target })), settings, io, diagnosed => {
      const report = comparison ? comparison.attach(diagnosed) : diagnosed;
      reports.push(report);
      if (streaming) io.stdout(render(report, renderOptions));
    }, { stop: stop.signal, reportInterrupted: true, ...(spinner ? { events: spinner.events } : {}) });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    spinner?.stop();
  }
  if (!streaming) {
    // Reports print in the order the targets were given, whatever order they finished in.
    const ordered = targets.map(t => reports.find(r => r.ascii === t.ascii)!);
    if (settings.format === 'json' && ordered.length > 1) io.stdout(`${JSON.stringify(ordered, null, 2)}\n`);
    else if (settings.format === 'html') io.stdout((await import('../render/html.js')).renderHtmlDocument({ reports: ordered }));
    else io.stdout(ordered.map(r => render(r, renderOptions)).join('\n'));
  }
  if (comparison && settings.format === 'human') io.stdout(renderChangesSummary(comparison.summary(), comparison.changed()));
  if (stop.signal.aborted) {
    io.stderr('maildiag: interrupted: the report shows the checks that finished\n');
    return INTERRUPTED_STATUS;
  }
  const outcomes = reports.map(outcomeOf);
  return comparison ? comparison.exitStatus(outcomes, settings.failOn) : exitStatus(outcomes, settings.failOn);
}
