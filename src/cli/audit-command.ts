// `maildiag audit FILE|-`: one target per line, run concurrently with shared
// caches, each report streamed as soon as it is done. Invalid lines are
// reported and skipped; Ctrl-C stops cleanly with everything printed so far.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';
import { buildSettings } from './settings.js';
import { runTargets } from './run-targets.js';
import { exitStatus, INTERRUPTED_STATUS } from './exit-status.js';
import { parseList, parseShard, reportedTargets, shardOf } from './audit-list.js';
import { createProgress } from './progress.js';
import { loadRenderer, preamble } from '../render/index.js';
import { renderAuditSummary } from '../render/summary.js';
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

  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  const progress = io.isErrTTY && !settings.quiet && !(io.isTTY && settings.format === 'human') ? createProgress(targets.length, io.stderr) : undefined;
  // Only outcomes are kept: an audit of 10,000 domains must not hold 10,000 reports.
  const reports: ReportOutcome[] = [];
  const render = await loadRenderer(settings.format);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  io.stdout(preamble[settings.format] ?? '');
  try {
    await runTargets(targets, settings, io, report => {
      reports.push(outcomeOf(report));
      io.stdout(render(report, renderOptions));
      progress?.tick();
    }, { stop: stop.signal });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    progress?.done();
  }
  const skipped = lines.length - valid.length;
  if (settings.format === 'human') io.stdout(renderAuditSummary(reports, { skipped, interrupted: stop.signal.aborted }));
  if (stop.signal.aborted) {
    io.stderr(`maildiag: interrupted: ${reports.length} of ${targets.length} targets reported; run again with --resume to go on\n`);
    return INTERRUPTED_STATUS;
  }
  return exitStatus(reports, settings.failOn);
}

async function readText(file: string, io: CliIo, flag = 'audit'): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
