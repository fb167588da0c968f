// Run the CLI two ways: in-process through main() with captured output, and as
// a real child process of bin/maildiag.js (what users and the lab run).
import { spawn } from 'node:child_process';
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', MAILDIAG_NO_NETWORK: '1', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`maildiag ${args.join(' ')} did not finish in time`));
    }, options.timeoutMs ?? 20_000);
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
