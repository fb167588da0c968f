// Startup cost: `maildiag --version` against a bare `node -e 0`, run
// alternately so both see the same machine load; medians of N runs.
import { BIN } from './lab.js';
import { median, startupEnvironment, timeNode as time } from './measure.js';

const RUNS = Number(process.env['RUNS'] ?? 10);

const bare: number[] = [];
const maildiag: number[] = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']));
  maildiag.push(time([BIN, '--version']));
}
const ratio = median(maildiag) / median(bare);
console.log(`node -e 0:            median ${median(bare).toFixed(1)} ms`);
console.log(`maildiag --version:   median ${median(maildiag).toFixed(1)} ms`);
console.log(`ratio ${ratio.toFixed(2)} (limit 1.5)`);
console.log(startupEnvironment());
process.exitCode = ratio <= 1.5 ? 0 : 1;
