// `maildiag audit FILE|-`: one target per line, run concurrently with shared
// caches. JSON Lines stream each report as soon as it is done; the other
// formats keep the list's order. Invalid lines are reported and skipped;
// Ctrl-C stops cleanly (see interrupt.ts).
import { readText, type CliIo } from './io.js';
import { UsageError } from './errors.js';
import { buildSettings } from './settings.js';
import { runTargets, type Job } from './run-targets.js';
import { exitStatus, INTERRUPTED_STATUS } from './exit-status.js';
import { parseList, parseShard, reportedLines, shardOf } from './audit-list.js';
import { createProgress } from './progress.js';
import { listenForInterrupt } from './interrupt.js';
import { loadRenderer, preamble } from '../render/index.js';
import { renderAuditSummary } from '../render/summary.js';
import { renderChangesSummary } from '../render/changes.js';
import type { Report } from '../report/schema.js';
import { outcomeOf, type ReportOutcome } from '../pipeline/report.js';

export async function runAuditCommand(file: string, rawOptions: Record<string, unknown>, io: CliIo): Promise<number> {
  // Human on a terminal, one JSON report per line everywhere else (cli.md).
  const settings = buildSettings(rawOptions, io, io.isTTY ? 'human' : 'jsonl');
  const shard = typeof rawOptions['shard'] === 'string' ? parseShard(rawOptions['shard']) : undefined;
  const reported = typeof rawOptions['resume'] === 'string' ? reportedLines(await readText(rawOptions['resume'], io, '--resume')) : () => false;
  const lines = parseList(await readText(file, io));
  for (const bad of lines.filter(l => l.error)) io.stderr(`maildiag: line ${bad.line} skipped: ${bad.error}\n`);
  const valid = lines.filter(l => l.target);
  if (!valid.length) throw new UsageError(`no valid target in ${file === '-' ? 'standard input' : file}`);
  const jobs: Job[] = valid
    .filter(l => (!shard || shardOf(l.target!, shard.count) === shard.index) && !reported(l))
    .map(l => ({ target: l.target!, listLine: l.text, ...(l.rcpt ? { rcpt: l.rcpt } : {}) }));

  const comparison = typeof rawOptions['compare'] === 'string' ? await (await import('./compare-run.js')).loadComparison(rawOptions['compare'], io) : undefined;

  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  // Not over human reports on the same terminal.
  const progress = settings.live !== 'none' && !(io.isTTY && settings.format === 'human') ? createProgress(jobs.length, io.stderr, settings.live) : undefined;
  // Only outcomes are kept: an audit of 10,000 domains must not hold 10,000
  // reports. An HTML report is one document, written at the end: it keeps each
  // report's diagnosis, without the checks' data.
  const outcomes: ReportOutcome[] = [];
  const document: Report[] | undefined = settings.format === 'html' ? [] : undefined;
  let cutShort = 0;
  const render = await loadRenderer(settings.format);
  const print = (report: Report) => {
    outcomes.push(outcomeOf(report));
    if (report.interrupted) cutShort++;
    if (document) document.push({ ...report, checks: [] });
    else io.stdout(render(report, renderOptions));
  };
  const output = settings.format === 'jsonl' ? { add: (_: number, report: Report) => print(report), flush: () => undefined } : inListOrder(print);
  const interrupt = listenForInterrupt();
  io.stdout(preamble[settings.format] ?? '');
  try {
    // Which jobs reported: after Ctrl-C the others never started, and a comparison says so.
    const started = new Uint8Array(jobs.length);
    await runTargets(jobs, settings, io, (diagnosed, index) => {
      started[index] = 1;
      output.add(index, comparison ? comparison.attach(diagnosed) : diagnosed);
      progress?.tick();
    }, { stop: interrupt.signal });
    output.flush();
    const skipped = lines.length - valid.length;
    const interrupted = interrupt.signal.aborted;
    const summary = comparison?.summary(new Set(valid.map(v => v.target!.ascii)), jobs.filter((_, i) => !started[i]).map(j => j.target));
    if (document) {
      const { renderHtmlDocument } = await import('../render/html.js');
      io.stdout(renderHtmlDocument({ reports: document, ...(summary ? { comparison: summary } : {}), skipped, interrupted }));
    }
    if (settings.format === 'human') {
      io.stdout(renderAuditSummary(outcomes, { skipped, interrupted }));
      if (summary) io.stdout(renderChangesSummary(summary, comparison!.changed()));
    }
    if (summary && (settings.format === 'jsonl' || settings.format === 'json')) io.stdout(`${JSON.stringify({ comparison: summary }, null, settings.format === 'json' ? 2 : undefined)}\n`);
    if (interrupted) {
      const finished = outcomes.length - cutShort;
      io.stderr(`maildiag: interrupted: ${finished} of ${jobs.length} targets reported, ${cutShort} cut short (marked "interrupted"), ${jobs.length - outcomes.length} not started; run again with --resume to go on\n`);
      return INTERRUPTED_STATUS;
    }
  } finally {
    progress?.done();
    interrupt.release();
  }
  return comparison ? comparison.exitStatus(outcomes, settings.failOn) : exitStatus(outcomes, settings.failOn);
}

/** Reports in the list's order whatever order they finish in: each waits only for those before it. */
function inListOrder(print: (report: Report) => void): { add(index: number, report: Report): void; flush(): void } {
  const waiting = new Map<number, Report>();
  let next = 0;
  return {
    add(index, report) {
      waiting.set(index, report);
      for (let r = waiting.get(next); r; r = waiting.get(next)) {
        waiting.delete(next++);
        print(r);
      }
    },
    // After Ctrl-C some never come: print the rest, still in order.
    flush() {
      for (const index of [...waiting.keys()].sort((a, b) => a - b)) print(waiting.get(index)!);
      waiting.clear();
    },
  };
}
