// The composition root's entry: argv in, exit status out. The only place that
// turns errors into words on stderr; never calls process.exit, so piped output drains.
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { processIo, type CliIo } from './io.js';
import { UsageError } from './errors.js';

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const outcome: { status?: number } = {};
  const program = createProgram(io, outcome);
  try {
    await program.parseAsync(argv);
    return outcome.status ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      io.stderr(`maildiag: ${err.message}\n`);
      return 2;
    }
    io.stderr(`maildiag: internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 3;
  }
}
