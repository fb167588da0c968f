// The CLI's window on the process, injected so tests can run main() in-process.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadableStream;
  /** stdout is a terminal (human format by default, colour allowed). */
  isTTY: boolean;
  /** stderr is a terminal (status while work runs). */
  isErrTTY: boolean;
  /** stderr's width when it is a terminal; a spinner or progress bar needs one above 0. */
  errColumns?: number;
  env: Record<string, string | undefined>;
  /** Where relative file arguments are resolved. */
  cwd: string;
}

/** MAILDIAG_NO_NETWORK=1: no socket of the run leaves this machine (createNet enforces it for TCP and DNS). */
export const networkDisabled = (env: CliIo['env']): boolean => env['MAILDIAG_NO_NETWORK'] === '1';

export function processIo(): CliIo {
  endOnWriteError(process.stdout, 'standard output');
  endOnWriteError(process.stderr, 'standard error');
  return {
    stdout: text => void process.stdout.write(text),
    stderr: text => void process.stderr.write(text),
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    isErrTTY: Boolean(process.stderr.isTTY),
    errColumns: process.stderr.columns ?? 0,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * A reader that went away (`| head -1`) ends the run quietly, as Unix tools
 * do; any other write error (a full disk) is one line and exit status 3.
 * Nothing more can be shown once the output is gone, so the process ends here.
 */
function endOnWriteError(stream: NodeJS.WriteStream, name: string): void {
  if (stream.listenerCount('error')) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    if (stream !== process.stderr) process.stderr.write(`maildiag: cannot write to ${name} (${err.code ?? err.message})\n`);
    process.exit(3);
  });
}

/** A file argument's text, or standard input for "-"; `flag` names the option in the error. */
export async function readText(file: string, io: CliIo, flag = 'audit'): Promise<string> {
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
