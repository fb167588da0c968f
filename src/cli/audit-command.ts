// `maildiag audit FILE|-`: one target per line, run concurrently with shared
// caches, each report streamed as soon as it is done. Invalid lines are
// reported and skipped; Ctrl-C stops cleanly with everything printed so far.
import { readText, type CliIo } from './io.js';
import { UsageError } from './errors.js';
import { buildSettings } from './settings.js';
import { runTargets } from './run-targets.js';
import { exitStatus, INTERRUPTED_STATUS } from './exit-status.js';
import { parseList, parseShard, reportedTargets, shardOf } from './audit-list.js';
import { createProgress } from './progress.js';
import { loadRenderer, preamble } from '../render/index.js';
import { renderAuditSummary } from '../render/summary.js';
import { renderChangesSummary } from '../render/changes.js';
import type { Report } from '../report/schema.js';
import { outcomeOf, type ReportOutcome } from '../pipeline/report.js';


export async function runAuditCommand(file: string, rawOptions: Record<string, unknown>, io: CliIo): Promise<number> {
  // Human on a terminal, one JSON report per line everywhere else (cli.md).
  const settings = buildSettings(rawOptions, io, io.isTTY ? 'human' : 'jsonl');
  const shard = typeof rawOptions['shard'] === 'string' ? parseShard(rawOptions['shard']) : undefined;
  const done = typeof rawOptions['resume'] === 'string' ? reportedTargets(await readText(rawOptions['resume'], io, '--resume')) : new Set<string>();
  const lines = parseList(await readText(file, io));
  for (const bad of lines.filter(l => l.error)) io.stderr(`maildiag: line ${bad.line} skipped: ${bad.error}\n`);
  const valid = lines.flatMap(l => (l.target ? [{ target: l.target, ...(l.rcpt ? { rcpt: l.rcpt } : {}) }] : []));
  if (!valid.length) throw new UsageError(`no valid target in ${file === '-' ? 'standard input' : file}`);
  const targets = valid.filter(({ target }) => (!shard || shardOf(target, shard.count) === shard.index) && !done.has(target.ascii));

  const comparison = typeof rawOptions['compare'] === 'string' ? await (await import('./compare-run.js')).loadComparison(rawOptions['compare'], io) : undefined;

  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  // Not over human reports on the same terminal.
  const progress = settings.live !== 'none' && !(io.isTTY && settings.format === 'human') ? createProgress(targets.length, io.stderr, settings.live) : undefined;
  // Only outcomes are kept: an audit of 10,000 domains must not hold 10,000
  // reports. An HTML report is one document, written at the end: it keeps each
  // report's diagnosis, without the checks' data.
  const reports: ReportOutcome[] = [];
  const document: Report[] | undefined = settings.format === 'html' ? [] : undefined;
  const render = await loadRenderer(settings.format);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  io.stdout(preamble[settings.format] ?? '');
  try {
    await runTargets(targets, settings, io, diagnosed => {
      const report = comparison ? comparison.attach(diagnosed) : diagnosed;
      reports.push(outcomeOf(report));
      if (document) document.push({ ...report, checks: [] });
      else io.stdout(render(report, renderOptions));
      progress?.tick();
    }, { stop: stop.signal });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    progress?.done();
  }
  const skipped = lines.length - valid.length;
  const interrupted = stop.signal.aborted;
  const summary = comparison?.summary(new Set(valid.map(v => v.target.ascii)));
  if (document) {
    const { renderHtmlDocument } = await import('../render/html.js');
    // In the list's order, whatever order the targets finished in.
    const position = new Map(targets.map(({ target }, i) => [target.ascii, i]));
    const inListOrder = document.sort((a, b) => position.get(a.ascii)! - position.get(b.ascii)!);
    io.stdout(renderHtmlDocument({ reports: inListOrder, ...(summary ? { comparison: summary } : {}), skipped, interrupted }));
  }
  if (settings.format === 'human') {
    io.stdout(renderAuditSummary(reports, { skipped, interrupted }));
    if (summary) io.stdout(renderChangesSummary(summary, comparison!.changed()));
  }
  if (summary && (settings.format === 'jsonl' || settings.format === 'json')) io.stdout(`${JSON.stringify({ comparison: summary }, null, settings.format === 'json' ? 2 : undefined)}\n`);
  if (interrupted) {
    io.stderr(`maildiag: interrupted: ${reports.length} of ${targets.length} targets reported; run again with --resume to go on\n`);
    return INTERRUPTED_STATUS;
  }
  return comparison ? comparison.exitStatus(reports, settings.failOn) : exitStatus(reports, settings.failOn);
}
