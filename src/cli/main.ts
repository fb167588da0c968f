// The composition root's entry: argv in, exit status out. The only place that
// turns errors into words on stderr; never calls process.exit, so piped output drains.
import { processIo, type CliIo } from './io.js';
import { OutputError, UsageError } from './errors.js';
import { VERSION } from '../version.js';
import { NetworkDisabledError } from '../net/disabled.js';

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // Scripts and shell prompts ask for the version often: answer without loading the parser.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const [{ CommanderError }, { createProgram }] = await Promise.all([import('commander'), import('./program.js')]);
  const outcome: { status?: number } = {};
  const program = createProgram(io, outcome);
  try {
    await program.parseAsync(argv);
    return outcome.status ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError || err instanceof NetworkDisabledError) {
      io.stderr(`maildiag: ${err.message}\n`);
      return 2;
    }
    if (err instanceof OutputError) {
      io.stderr(`maildiag: ${err.message}\n`);
      return 3;
    }
    const detail = io.env['MAILDIAG_DEBUG'] && err instanceof Error ? (err.stack ?? err.message) : err instanceof Error ? err.message : String(err);
    io.stderr(`maildiag: internal error (please report it): ${detail}\n`);
    return 3;
  }
}
