// `-o/--output FILE`: the reports go to a file instead of standard output.
// Written synchronously, so a full disk surfaces where the report is written.
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import { OutputError, UsageError } from './errors.js';
import { quote } from '../render/sanitize.js';

/** Runs a command with its standard output sent to `--output`, when given. */
export async function withOutput(raw: Record<string, unknown>, io: CliIo, run: (io: CliIo) => Promise<number>): Promise<number> {
  const path = raw['output'];
  if (typeof path !== 'string') return run(io);
  if (!path.trim()) throw new UsageError('--output "": give a file name, e.g. -o report.json');
  let fd: number;
  try {
    fd = openSync(resolve(io.cwd, path), 'w');
  } catch (err) {
    throw new UsageError(`--output ${quote(path)}: cannot write it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const stdout = (text: string) => {
    try {
      writeSync(fd, text);
    } catch (err) {
      throw new OutputError(`cannot write ${quote(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  try {
    return await run({ ...io, stdout, isTTY: false });
  } finally {
    closeSync(fd);
  }
}
