// One full diagnosis of the lab's healthy good.test (the options `lab/score`
// uses) against a bare `node -e 0`, run alternately so both see the same
// machine load; medians of RUNS runs. Goal: at most 3x a bare Node start.
//   npm run bench:single               RUNS=20 npm run bench:single
import { loadavg } from 'node:os';
import { BIN, findLab, labOptions } from './lab.js';
import { median, timeNode as time } from './measure.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const LIMIT = 3;

const lab = findLab();
const diagnosis = [BIN, 'good.test', '--json', '--rcpt', 'postmaster@good.test', ...labOptions(lab)];
const bare: number[] = [];
const maildiag: number[] = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']));
  maildiag.push(time(diagnosis));
}
const ratio = median(maildiag) / median(bare);
console.log(`node -e 0:                 median ${median(bare).toFixed(0)} ms`);
console.log(`maildiag good.test (lab):  median ${median(maildiag).toFixed(0)} ms`);
console.log(`ratio ${ratio.toFixed(2)} (goal ${LIMIT}), ${RUNS} runs each, load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`);
process.exitCode = ratio <= LIMIT ? 0 : 1;
