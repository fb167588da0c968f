// The audit against the mail lab (../shared/lab, up): every scenario domain
// diagnosed alone (8 at a time, with the options `lab/score` uses), then all of
// them fed to one `maildiag audit -`. Prints both wall times, the ratio to the
// slowest single run (limit 1.5), and every domain whose top cause differs.
//   npm run bench:lab                  LAB=/path/to/lab npm run bench:lab
// (the lab is found beside the project root or any folder above it: bench/lab.ts).
import { spawn } from 'node:child_process';
import { BIN, findLab, labOptions, type LabScenario } from './lab.js';

const PARALLEL = 8;

interface Outcome {
  seconds: number;
  stdout: string;
}

function run(args: string[], stdin = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', d => (stdout += d));
    child.on('error', reject);
    child.on('close', () => resolve({ seconds: (performance.now() - started) / 1000, stdout }));
    child.stdin.end(stdin);
  });
}

const topCause = (json: string): string => (JSON.parse(json) as { diagnosis: { cause: string }[] }).diagnosis[0]?.cause ?? '(none)';

const lab = findLab();
const { scenarios } = lab;
const options = labOptions(lab);
const rcptOf = (s: LabScenario) => s.probe_rcpt ?? `postmaster@${s.domain}`;

const single = new Map<string, Outcome>();
const queue = [...scenarios];
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) single.set(s.domain, await run([s.domain, '--json', '--rcpt', rcptOf(s), ...options]));
  }),
);
const slowest = Math.max(...[...single.values()].map(o => o.seconds));

// An audit line written as an address probes that recipient of its domain (postmaster@ is the default);
// a probe address elsewhere (the open-relay scenario's) is the relay test every audit does anyway.
const lines = scenarios.map(s => (rcptOf(s).endsWith(`@${s.domain}`) ? rcptOf(s) : s.domain)).join('\n');
const audit = await run(['audit', '-', '--format', 'jsonl', ...options], lines);
const audited = new Map(audit.stdout.trim().split('\n').map(line => [(JSON.parse(line) as { ascii: string }).ascii, topCause(line)]));

const differ = scenarios.filter(s => audited.get(s.domain) !== topCause(single.get(s.domain)!.stdout));
for (const s of differ) console.log(`  ${s.domain}: alone ${topCause(single.get(s.domain)!.stdout)}, in the audit ${audited.get(s.domain) ?? '(no report)'}`);
const ratio = audit.seconds / slowest;
console.log(`${scenarios.length} lab domains: audit ${audit.seconds.toFixed(1)} s wall, slowest single domain ${slowest.toFixed(1)} s (ratio ${ratio.toFixed(2)}, limit 1.5)`);
console.log(`top causes: ${scenarios.length - differ.length} of ${scenarios.length} the same as the single runs`);
process.exitCode = differ.length === 0 && ratio < 1.5 ? 0 : 1;
