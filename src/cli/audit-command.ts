// `maildiag audit FILE|-`: one target per line, run concurrently with shared
// caches, streamed as each finishes. Invalid lines are reported and skipped.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';
import { parseTarget } from './targets.js';
import { buildSettings } from './settings.js';
import { runTargets } from './run-targets.js';
import { exitStatus } from './exit-status.js';
import { renderers, preamble } from '../render/index.js';
import type { Target } from '../pipeline/facts.js';
import type { Report } from '../report/schema.js';

export async function runAuditCommand(file: string, rawOptions: Record<string, unknown>, io: CliIo): Promise<number> {
  const settings = buildSettings({ format: 'jsonl', ...rawOptions }, io);
  const text = await readList(file, io);
  const targets = parseList(text, io);
  if (!targets.length) throw new UsageError(`no valid target in ${file === '-' ? 'standard input' : file}`);
  const renderOptions = { color: settings.color, verbose: settings.run.verbose, width: 80 };
  const reports: Report[] = [];
  io.stdout(preamble[settings.format] ?? '');
  await runTargets(targets, settings, io, report => {
    reports.push(report);
    io.stdout(renderers[settings.format](report, renderOptions));
  });
  return exitStatus(reports, settings.failOn);
}

async function readList(file: string, io: CliIo): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Unique targets in list order; a bad line is reported on stderr and skipped. */
function parseList(text: string, io: CliIo): Target[] {
  const seen = new Set<string>();
  const targets: Target[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*/, '').trim();
    if (!content) return;
    try {
      const target = parseTarget(content);
      if (!seen.has(target.ascii)) targets.push(target);
      seen.add(target.ascii);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.stderr(`maildiag: line ${i + 1} skipped: ${err.message}\n`);
    }
  });
  return targets;
}
