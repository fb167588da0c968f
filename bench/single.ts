// One full diagnosis of the lab's healthy good.test (the options `lab/score`
// uses) against a bare `node -e 0`, run alternately so both see the same
// machine load; medians of RUNS runs. Goal: at most 3x a bare Node start.
// BEFORE=/other/checkout/bin/maildiag.js interleaves that build too; the
// "cold" row runs this build without its code cache (NODE_DISABLE_COMPILE_CACHE=1).
//   npm run bench:single               RUNS=20 npm run bench:single
import { loadavg } from 'node:os';
import { BIN, findLab, labOptions, refillFlowTokens } from './lab.js';
import { median, startupEnvironment, timeNode as time } from './measure.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const LIMIT = 3;

const lab = findLab();
const diagnosis = (bin: string) => [bin, 'good.test', '--json', '--rcpt', 'postmaster@good.test', ...labOptions(lab)];
const builds: { label: string; bin: string; env?: Record<string, string> }[] = [
  ...(process.env['BEFORE'] ? [{ label: 'before', bin: process.env['BEFORE'] }] : []),
  { label: 'cold', bin: BIN, env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
  { label: 'maildiag', bin: BIN },
];
const bare: number[] = [];
const times = new Map<string, number[]>(builds.map(b => [b.label, []]));
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']));
  for (const build of builds) {
    const unfilled = refillFlowTokens(lab);
    if (unfilled && i === 0) console.warn(`Postfix's flow tokens not refilled: ${unfilled}`);
    times.get(build.label)!.push(time(diagnosis(build.bin), build.env));
  }
}
console.log(`node -e 0:                 median ${median(bare).toFixed(0)} ms`);
for (const { label } of builds) {
  const ms = median(times.get(label)!);
  console.log(`${`${label} good.test (lab):`.padEnd(26)} median ${ms.toFixed(0)} ms, ${(ms / median(bare)).toFixed(2)}x node -e 0`);
}
const ratio = median(times.get('maildiag')!) / median(bare);
console.log(`ratio ${ratio.toFixed(2)} (goal ${LIMIT}), ${RUNS} runs each, load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`);
console.log(startupEnvironment());
process.exitCode = ratio <= LIMIT ? 0 : 1;
