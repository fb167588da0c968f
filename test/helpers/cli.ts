// Run the CLI two ways: in-process through main() with captured output, and as
// a real child process of bin/maildiag.js (what users and the lab run).
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export const BIN = fileURLToPath(new URL('../../../bin/maildiag.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: t => void (stdout += t),
    stderr: t => void (stderr += t),
    stdin: Readable.from([options.stdin ?? '']),
    isTTY: false,
    isErrTTY: false,
    env: { MAILDIAG_NO_NETWORK: '1', ...options.env },
    cwd: ROOT,
  };
  const status = await main(['node', 'maildiag', ...args], io);
  return { status, stdout, stderr };
}

export function runBin(args: string[], options: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(options.stdin ?? '');
  return finished(child, `maildiag ${args.join(' ')}`, options.timeoutMs ?? 20_000);
}

/** A shell pipeline around the binary (pipes and redirections as users type them); with pipefail, a failure anywhere is the status. */
export function runShell(command: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd: ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child, command, options.timeoutMs ?? 60_000);
}

const childEnv = (env: Record<string, string> = {}) => ({ PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1', NO_COLOR: '1', ...env });

function finished(child: ChildProcess, label: string, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout!.on('data', d => (stdout += d));
    child.stderr!.on('data', d => (stderr += d));
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}
