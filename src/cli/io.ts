// The CLI's window on the process, injected so tests can run main() in-process.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadableStream;
  /** stdout is a terminal (human format by default, colour allowed). */
  isTTY: boolean;
  /** stderr is a terminal (spinners and progress bars allowed). */
  isErrTTY: boolean;
  env: Record<string, string | undefined>;
  /** Where relative file arguments are resolved. */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: text => void process.stdout.write(text),
    stderr: text => void process.stderr.write(text),
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    isErrTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}
