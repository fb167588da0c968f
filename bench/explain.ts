// npm run bench:explain: how well `maildiag explain` classifies the bounce corpus
// (primary accuracy, recall per cause, worst confusions, temporary/permanent
// agreement) and how fast it is (1,000 texts). Exits 1 when a target is missed.
import { performance } from 'node:perf_hooks';
import { explain } from '../src/explain/index.js';
import { BOUNCE_SECTION_CAUSES, loadCorpus, primaryAccuracy, readCase, scoreCorpus, type CaseResult } from './explain-corpus.js';

const TARGET_ACCURACY = 0.9;
const TARGET_AGREEMENT = 0.95;
const TARGET_MS_PER_1000 = 1000;
const MIN_CASES_PER_CAUSE = 3;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function recallPerCause(results: CaseResult[]): [string, number, number][] {
  const byCause = new Map<string, { hit: number; n: number }>();
  for (const r of results) {
    const tally = byCause.get(r.expected.cause) ?? { hit: 0, n: 0 };
    tally.n++;
    if (r.got?.cause === r.expected.cause) tally.hit++;
    byCause.set(r.expected.cause, tally);
  }
  return [...byCause].map(([cause, t]) => [cause, t.hit, t.n] as [string, number, number]).sort((a, b) => a[1] / a[2] - b[1] / b[2] || a[0].localeCompare(b[0]));
}

function confusions(results: CaseResult[]): [string, number][] {
  const pairs = new Map<string, number>();
  for (const r of results) {
    if (r.got?.cause === r.expected.cause) continue;
    const key = `${r.expected.cause} -> ${r.got?.cause ?? '(nothing)'}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  return [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

function timeThousand(inputs: Buffer[]): number {
  const start = performance.now();
  for (let i = 0; i < 1000; i++) explain(inputs[i % inputs.length]!);
  return performance.now() - start;
}

function main(): number {
  const cases = loadCorpus();
  const results = scoreCorpus(cases);
  const accuracy = primaryAccuracy(results);
  const classified = results.filter(r => r.got);
  const labelAgreement = classified.filter(r => r.got!.temporary === r.expected.temporary).length / classified.length;
  const withClass = classified.filter(r => r.statusClass);
  const classAgreement = withClass.filter(r => r.got!.temporary === (r.statusClass === 4)).length / withClass.length;
  const counts = new Map(recallPerCause(results).map(([cause, , n]) => [cause, n]));
  const thin = BOUNCE_SECTION_CAUSES.filter(c => (counts.get(c) ?? 0) < MIN_CASES_PER_CAUSE);

  const inputs = cases.map(readCase);
  timeThousand(inputs.slice(0, 20)); // warm-up: JIT and regex compilation
  const ms = timeThousand(inputs);

  const out: string[] = [];
  out.push(`Bounce corpus: ${cases.length} files, ${results.length} recipient entries, ${counts.size} causes`);
  out.push(`Primary-cause accuracy: ${pct(accuracy)} (${results.filter(r => r.got?.cause === r.expected.cause).length}/${results.length}; target ${pct(TARGET_ACCURACY)})`);
  out.push(`Temporary/permanent agreement with the status class: ${pct(classAgreement)} (${withClass.length} entries with a 4xx/5xx code; target ${pct(TARGET_AGREEMENT)})`);
  out.push(`Temporary/permanent agreement with the corpus labels: ${pct(labelAgreement)}`);
  out.push(`Time for 1,000 texts: ${ms.toFixed(0)} ms (target under ${TARGET_MS_PER_1000} ms)`);
  out.push('', 'Recall per cause (worst first):');
  for (const [cause, hit, n] of recallPerCause(results)) out.push(`  ${cause.padEnd(30)} ${String(hit).padStart(3)}/${String(n).padEnd(3)} ${pct(hit / n)}`);
  const worst = confusions(results);
  out.push('', worst.length ? 'Worst confusions (expected -> got):' : 'No confusions.');
  for (const [pair, n] of worst) out.push(`  ${n} × ${pair}`);
  if (thin.length) out.push('', `Bounce-section causes with fewer than ${MIN_CASES_PER_CAUSE} cases: ${thin.join(', ')}`);
  console.log(out.join('\n'));

  const ok = accuracy >= TARGET_ACCURACY && classAgreement >= TARGET_AGREEMENT && ms < TARGET_MS_PER_1000 && !thin.length;
  console.log(`\n${ok ? 'All targets met.' : 'A target was missed.'}`);
  return ok ? 0 : 1;
}

process.exitCode = main();
