// The edges of a terminal: a PTY that reports 0 columns (script(1), some CI
// runners), colour switches for every stream, the spinner included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { BIN, runBin, runShell } from '../helpers/cli.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let sim: SimDnsServer;
before(async () => {
  sim = await startSimDns({ 'null.example': { MX: [{ priority: 0, exchange: '' }] } });
});
after(() => sim.close());

const args = () => ['--resolver', `127.0.0.1:${sim.port}`, '--allow-private', '--timeout', '2s', '--checks', 'host-addrs'];
const MAILDIAG = `timeout --foreground -s KILL 40 "${process.execPath}" "${BIN}"`;
/**
 * maildiag in a fresh PTY (script -e: its exit status); `stty cols N` first when a width is given, else the PTY
 * reports 0 columns. Killed from inside the PTY if it runs away: a process stuck redrawing ignores SIGTERM.
 */
const inPty = (command: string, columns: number | undefined, env: Record<string, string> = {}) =>
  runShell(`script -qec '${columns ? `stty cols ${columns}; ` : ''}${MAILDIAG} ${command}' /dev/null < /dev/null`, { env: { TERM: 'xterm', ...env } });

const CURSOR_CODES = /\u001b\[(?:\?25[lh]|\d*G|\d*K)/;
const COLOUR = /\u001b\[[0-9;]*m/;

test('a terminal of 0 columns gets the report and no spinner', { skip: !hasScript }, async () => {
  const run = await inPty(`null.example ${args().join(' ')}`, undefined);
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stdout, /null\.example: PROBLEM/);
  assert.doesNotMatch(run.stdout, CURSOR_CODES);
  assert.ok(run.stdout.length < 20_000, `${run.stdout.length} bytes`);
});

test('an audit on a terminal of 0 columns draws no progress bar', { skip: !hasScript }, async () => {
  const run = await runShell(`script -qec 'printf "null.example\\nnull.example.\\n" | ${MAILDIAG} audit - --format jsonl ${args().join(' ')}' /dev/null < /dev/null`, { env: { TERM: 'xterm' } });
  assert.equal(run.status, 1, run.stdout);
  assert.doesNotMatch(run.stdout, /\r\[[#.]+\]/);
  assert.equal(run.stdout.split('\n').filter(line => line.startsWith('{')).length, 1);
});

test('NO_COLOR leaves the spinner uncoloured too; it still draws on a terminal with a width', { skip: !hasScript }, async () => {
  const run = await inPty(`null.example ${args().join(' ')}`, 80, { NO_COLOR: '1' });
  assert.equal(run.status, 1, run.stdout);
  assert.match(run.stdout, CURSOR_CODES);
  assert.doesNotMatch(run.stdout, COLOUR);
  const coloured = await inPty(`null.example ${args().join(' ')}`, 80, { NO_COLOR: '' });
  assert.match(coloured.stdout, COLOUR);
});

test('FORCE_COLOR colours a report even into a pipe; --no-color wins over it', async () => {
  const forced = await runBin(['null.example', ...args()], { env: { FORCE_COLOR: '1' } });
  assert.match(forced.stdout, COLOUR);
  const off = await runBin(['null.example', ...args(), '--no-color'], { env: { FORCE_COLOR: '1' } });
  assert.doesNotMatch(off.stdout, COLOUR);
});
