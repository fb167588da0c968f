// maildiag explain [file|-]: read one bounce (file or stdin), classify it, print.
// Input over MAX_INPUT_BYTES is refused with one line (exit 2) rather than half
// read: a bounce, NDR or log excerpt is far smaller, so a bigger input is
// almost certainly the wrong file. Empty and binary inputs are refused the same way.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { explain, ExplainInputError } from '../explain/index.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { runLiveChecks, type LiveCheckSettings } from './explain-check.js';
import { renderExplain, type ExplainFormat } from '../render/explain.js';
import { renderLiveChecks } from '../render/live.js';

const MAX_INPUT_BYTES = 10 * 1024 * 1024;
const FORMATS: readonly ExplainFormat[] = ['human', 'json', 'markdown'];

export async function runExplainCommand(file: string | undefined, opts: { format: string; color: boolean; check?: LiveCheckSettings }, io: CliIo): Promise<number> {
  const format = explainFormat(opts.format);
  const input = !file || file === '-' ? await readStream(io.stdin, 'standard input') : await readFile(resolve(io.cwd, file), file);
  let report;
  try {
    report = explain(input);
  } catch (err) {
    if (err instanceof ExplainInputError) throw new UsageError(err.message);
    throw err;
  }
  const live = opts.check ? await runLiveChecks(report, opts.check) : undefined;
  if (format === 'json') {
    io.stdout(`${JSON.stringify(live ? { ...report, live } : report, null, 2)}\n`);
  } else {
    io.stdout(renderExplain(report, format, { color: opts.color }));
    if (live) io.stdout(renderLiveChecks(live, format, { color: opts.color }));
  }
  return 0;
}

function explainFormat(format: string): ExplainFormat {
  if ((FORMATS as readonly string[]).includes(format)) return format as ExplainFormat;
  throw new UsageError(`explain --format must be one of ${FORMATS.join(', ')} (got "${format}")`);
}

const tooLarge = (name: string, size: string) =>
  new UsageError(`${name} is ${size}, over the ${MAX_INPUT_BYTES / 1024 / 1024} MB explain reads: pass the bounce message, its diagnostic part, or the relevant log lines`);

async function readFile(path: string, shown: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UsageError(`cannot read ${shown}: not a regular file`);
    const { size } = stat;
    if (size > MAX_INPUT_BYTES) throw tooLarge(shown, `${(size / 1024 / 1024).toFixed(1)} MB`);
    return await readStream(handle.createReadStream(), shown);
  } finally {
    await handle.close();
  }
}

/** Reads a stream to the end, refusing it as soon as it passes the limit. */
async function readStream(stream: NodeJS.ReadableStream, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > MAX_INPUT_BYTES) throw tooLarge(name, `more than ${MAX_INPUT_BYTES / 1024 / 1024} MB`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
