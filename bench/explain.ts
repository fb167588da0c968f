// npm run bench:explain: how well `maildiag explain` classifies bounces and how
// fast it is. Three sets: the curated corpus and the wild tuning split (both
// in-sample: rules were written against them) and the wild held-aside split
// (never tuned on), reported separately and by origin. Exits 1 when a target is missed.
import { performance } from 'node:perf_hooks';
import { explain } from '../src/explain/index.js';
import { BOUNCE_SECTION_CAUSES, loadCorpus, loadWild, primaryAccuracy, readCase, scoreCorpus, scoreWild, type WildResult } from './explain-corpus.js';

const TARGET_CORPUS = 0.9;
const TARGET_HELD_ASIDE = 0.9;
const TARGET_TEMPORARY = 0.97;
const TARGET_MS_PER_1000 = 1000;
const MIN_CASES_PER_CAUSE = 3;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

interface Scored {
  expected: { cause: string; temporary: boolean };
  got?: { cause: string; temporary: boolean };
}

const hits = (results: Scored[]) => results.filter(r => r.got?.cause === r.expected.cause).length;
const temporaryAgreement = (results: Scored[]) => results.filter(r => r.got?.temporary === r.expected.temporary).length / results.length;

function recallPerCause(results: Scored[]): [string, number, number][] {
  const byCause = new Map<string, { hit: number; n: number }>();
  for (const r of results) {
    const tally = byCause.get(r.expected.cause) ?? { hit: 0, n: 0 };
    tally.n++;
    if (r.got?.cause === r.expected.cause) tally.hit++;
    byCause.set(r.expected.cause, tally);
  }
  return [...byCause].map(([cause, t]) => [cause, t.hit, t.n] as [string, number, number]).sort((a, b) => a[1] / a[2] - b[1] / b[2] || a[0].localeCompare(b[0]));
}

function confusions(results: Scored[]): [string, number][] {
  const pairs = new Map<string, number>();
  for (const r of results) {
    if (r.got?.cause === r.expected.cause) continue;
    const key = `${r.expected.cause} -> ${r.got?.cause ?? '(nothing)'}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  return [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

function byOrigin(results: WildResult[]): string[] {
  const origins = new Map<string, WildResult[]>();
  for (const r of results) origins.set(r.origin, [...(origins.get(r.origin) ?? []), r]);
  return [...origins].sort((a, b) => a[0].localeCompare(b[0])).map(([origin, rs]) => `    ${origin.padEnd(14)} ${String(hits(rs)).padStart(3)}/${String(rs.length).padEnd(3)}`);
}

function wildSection(name: string, results: WildResult[]): string[] {
  const out = [`${name}: ${pct(hits(results) / results.length)} first cause (${hits(results)}/${results.length}, ${new Set(results.map(r => r.origin)).size} origins); temporary/permanent ${pct(temporaryAgreement(results))}`];
  out.push('  By origin:', ...byOrigin(results));
  const worst = confusions(results);
  if (worst.length) out.push('  Confusions (expected -> got):', ...worst.map(([pair, n]) => `    ${n} × ${pair}`));
  return out;
}

// CPU time is the classifier's own cost; wall time also counts whatever else the machine runs.
function timeThousand(inputs: (Buffer | string)[]): { cpu: number; wall: number } {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < 1000; i++) explain(inputs[i % inputs.length]!);
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu: (cpu.user + cpu.system) / 1000, wall: performance.now() - start };
}

const median = (runs: { cpu: number; wall: number }[]) => [...runs].sort((a, b) => a.cpu - b.cpu)[Math.floor(runs.length / 2)]!;

function main(): number {
  const cases = loadCorpus();
  const results = scoreCorpus(cases);
  const accuracy = primaryAccuracy(results);
  const classified = results.filter(r => r.got);
  const withClass = classified.filter(r => r.statusClass);
  const classAgreement = withClass.filter(r => r.got!.temporary === (r.statusClass === 4)).length / withClass.length;
  const counts = new Map(recallPerCause(results).map(([cause, , n]) => [cause, n]));
  const thin = BOUNCE_SECTION_CAUSES.filter(c => (counts.get(c) ?? 0) < MIN_CASES_PER_CAUSE);

  const tuning = scoreWild(loadWild('tuning'));
  const heldAside = scoreWild(loadWild('held-aside'));
  const heldAccuracy = hits(heldAside) / heldAside.length;
  const allTemporary = temporaryAgreement([...results, ...tuning, ...heldAside]);

  const inputs = [...cases.map(readCase), ...loadWild('tuning').map(c => c.text)];
  timeThousand(inputs.slice(0, 20)); // warm-up: JIT and regex compilation
  const time = median([timeThousand(inputs), timeThousand(inputs), timeThousand(inputs)]);

  const out: string[] = [];
  out.push(`Curated corpus (in-sample): ${pct(accuracy)} first cause (${hits(results)}/${results.length}, ${cases.length} files, ${counts.size} causes; target ${pct(TARGET_CORPUS)})`);
  out.push(`  Temporary/permanent agreement with the status class: ${pct(classAgreement)} (${withClass.length} entries with a 4xx/5xx code)`);
  out.push('', ...wildSection('Wild tuning split (in-sample)', tuning));
  out.push('', ...wildSection(`Wild held-aside split (never tuned on; target ${pct(TARGET_HELD_ASIDE)})`, heldAside));
  out.push('', `Temporary/permanent agreement with the labels, all sets: ${pct(allTemporary)} (target ${pct(TARGET_TEMPORARY)})`);
  out.push(`Time for 1,000 texts: ${time.cpu.toFixed(0)} ms CPU, ${time.wall.toFixed(0)} ms wall (median of 3; target under ${TARGET_MS_PER_1000} ms CPU)`);
  out.push('', 'Curated corpus recall per cause (worst first):');
  for (const [cause, hit, n] of recallPerCause(results)) out.push(`  ${cause.padEnd(30)} ${String(hit).padStart(3)}/${String(n).padEnd(3)} ${pct(hit / n)}`);
  const worst = confusions(results);
  out.push('', worst.length ? 'Curated corpus confusions (expected -> got):' : 'Curated corpus: no confusions.');
  for (const [pair, n] of worst) out.push(`  ${n} × ${pair}`);
  if (thin.length) out.push('', `Bounce-section causes with fewer than ${MIN_CASES_PER_CAUSE} cases: ${thin.join(', ')}`);
  console.log(out.join('\n'));

  const ok = accuracy >= TARGET_CORPUS && heldAccuracy >= TARGET_HELD_ASIDE && allTemporary >= TARGET_TEMPORARY && time.cpu < TARGET_MS_PER_1000 && !thin.length;
  console.log(`\n${ok ? 'All targets met.' : 'A target was missed.'}`);
  return ok ? 0 : 1;
}

process.exitCode = main();
