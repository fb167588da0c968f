// --compare PREVIOUS: read the baseline run, attach to each new report what
// changed for its target, and sum the changes up at the end. The exit status
// then comes from regressions only, so a nightly job fails on what got worse.
import { quote } from '../render/sanitize.js';
import { compareTarget, regressions, summarize } from '../report/compare.js';
import { baselineReportSchema, type BaselineReport, type ComparisonSummary, type Report, type TargetChanges } from '../report/schema.js';
import type { ReportOutcome } from '../pipeline/report.js';
import type { Target } from '../pipeline/facts.js';
import { UsageError } from './errors.js';
import { readText, type CliIo } from './io.js';
import type { FailOn } from './options.js';

/** A target whose report changed, as the summary at the end lists it. */
export interface ChangedTarget {
  target: string;
  changes: TargetChanges;
}

export interface Comparison {
  /** The report with its `changes`. */
  attach(report: Report): Report;
  /**
   * Counts; `listed` (the ascii names of an audit list) turns baseline targets
   * missing from it into removed ones; `notStarted` are the targets that were
   * to run but never did (interrupted), reported as not checked.
   */
  summary(listed?: ReadonlySet<string>, notStarted?: readonly Target[]): ComparisonSummary;
  /** Targets that got worse, better or were added, in the order they were reported. */
  changed(): ChangedTarget[];
  exitStatus(outcomes: readonly ReportOutcome[], failOn: FailOn): 0 | 1 | 3;
}

export async function loadComparison(file: string, io: CliIo): Promise<Comparison> {
  const baseline = parseBaseline(await readText(file, io, '--compare'), file, io);
  const all: TargetChanges[] = [];
  const changed: ChangedTarget[] = [];
  return {
    attach(report) {
      const changes = compareTarget(baseline.get(report.ascii), report);
      all.push(changes);
      if (changes.status !== 'unchanged') changed.push({ target: report.target, changes });
      return { ...report, changes };
    },
    summary(listed, notStarted) {
      const removed = listed ? [...baseline.values()].filter(r => !listed.has(r.ascii)) : [];
      const notChecked = (notStarted ?? []).map(t => ({ target: t.unicode, ascii: t.ascii, previousVerdict: baseline.get(t.ascii)?.verdict ?? null }));
      return summarize(file, all, removed, notChecked);
    },
    changed: () => changed,
    exitStatus(outcomes, failOn) {
      if (outcomes.some(o => o.internalError)) return 3;
      if (failOn === 'never') return 0;
      return all.some(c => regressions(c, failOn).length) ? 1 : 0;
    },
  };
}

/**
 * The reports of an earlier `--json` or `--format jsonl` run, by ascii name.
 * Lines that are not reports (the comparison line of a compared run, a line
 * cut off by an interrupted run) are skipped with a warning; a file with no
 * report at all is bad input.
 */
function parseBaseline(text: string, file: string, io: CliIo): Map<string, BaselineReport> {
  const byTarget = new Map<string, BaselineReport>();
  let ignored = 0;
  for (const value of jsonValues(text)) {
    if (isComparisonLine(value)) continue;
    const parsed = baselineReportSchema.safeParse(value);
    if (parsed.success) byTarget.set(parsed.data.ascii, parsed.data);
    else ignored++;
  }
  if (!byTarget.size) throw new UsageError(`--compare ${quote(file)}: no maildiag report in it (give the output of an earlier --json or --format jsonl run)`);
  if (ignored) io.stderr(`maildiag: --compare ${quote(file)}: ${ignored} entr${ignored === 1 ? 'y is' : 'ies are'} not a maildiag report and ${ignored === 1 ? 'was' : 'were'} ignored\n`);
  return byTarget;
}

const isComparisonLine = (value: unknown): boolean => typeof value === 'object' && value !== null && 'comparison' in value;

/** One JSON document (a report or an array of them), or one JSON value per line; `undefined` for a line that does not parse. */
function jsonValues(text: string): unknown[] {
  try {
    const whole: unknown = JSON.parse(text);
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    return text.split('\n').filter(line => line.trim()).map(line => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return undefined;
      }
    });
  }
}
