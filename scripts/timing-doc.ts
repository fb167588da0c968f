// The "How long maildiag waits" section of docs/probes.md, from the waits and
// budgets of src/net/time.ts and the checks' needs: what bounds each wait, and
// the latest each check can end. `npm run docs` writes it between the markers;
// a test checks that the committed file says what the code does.
import { checks } from '../src/checks/index.js';
import type { AnyCheck } from '../src/checks/define.js';
import { budgetRules, DEFAULT_TIMEOUT_MS, runTime, SLOW_GREETING_MS, waitRules, type RunTime } from '../src/net/time.js';

export const TIMING_START = '<!-- timing: generated from src/net/time.ts by `npm run docs`; do not edit by hand -->';
export const TIMING_END = '<!-- end of timing -->';

/** --timeout values shown beside the default. */
const SHOWN_TIMEOUTS_MS = [3000, DEFAULT_TIMEOUT_MS, 30_000];

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;
const budgetRule = ({ timeouts, plusMs }: { timeouts: number; plusMs: number }): string => `${timeouts} × --timeout${plusMs ? ` + ${seconds(plusMs)}` : ''}`;

/**
 * The latest a check can end after the run starts: it starts once the checks
 * that provide what it needs or uses have ended, and its budget stops it after that.
 */
export function latestEndMs(check: AnyCheck, time: RunTime, all: readonly AnyCheck[] = checks): number {
  const awaited = [...check.needs, ...(check.uses ?? [])] as string[];
  const providers = awaited.flatMap(need => all.filter(c => (c.provides as string[]).includes(need)));
  return time.budgetMs(check.budget ?? 'lookups') + Math.max(0, ...providers.map(p => latestEndMs(p, time, all)));
}

export function renderTiming(): string {
  const times = SHOWN_TIMEOUTS_MS.map(ms => runTime(ms));
  const header = (first: string, second = 'rule') => [`| ${first} | ${second} | ${SHOWN_TIMEOUTS_MS.map(ms => `--timeout ${seconds(ms)}${ms === DEFAULT_TIMEOUT_MS ? ' (default)' : ''}`).join(' | ')} |`, `| --- | --- | ${SHOWN_TIMEOUTS_MS.map(() => '---').join(' | ')} |`];
  const waits = waitRules.map(w => `| ${w.what} | ${w.rule} | ${times.map(t => seconds(t[`${w.kind}Ms`])).join(' | ')} |`);
  const budgets = budgetRules.map(b => `| \`${b.name}\`: ${b.why} | ${budgetRule(b)} | ${times.map(t => seconds(t.budgetMs(b.name))).join(' | ')} |`);
  const ends = checks.map(c => `| \`${c.id}\` | \`${c.budget ?? 'lookups'}\` | ${times.map(t => seconds(latestEndMs(c, t))).join(' | ')} |`);
  const run = times.map(t => seconds(Math.max(...checks.map(c => latestEndMs(c, t)))));
  return [
    TIMING_START,
    '## How long maildiag waits',
    '',
    'Every wait follows from `--timeout` (the limit of one network operation), in one place: src/net/time.ts. No wait is unbounded.',
    '',
    ...header('wait'),
    ...waits,
    '',
    `DNS keeps its cap of ${seconds(runTime(Number.POSITIVE_INFINITY).dnsTryMs)} per try whatever \`--timeout\` says: a lost UDP packet costs a whole try, so a short try and a retry (which a resolver still working on the name answers from its cache) find the answer sooner than one long wait, as stub resolvers do (glibc: 5 s, 2 attempts). A longer \`--timeout\` lets SMTP, TLS and HTTPS wait longer, not DNS.`,
    '',
    `A 220 greeting that arrives within the greeting wait counts as slow (\`smtp.greeting-slow\`) only after ${seconds(SLOW_GREETING_MS)}, whatever \`--timeout\` says: MTAs wait 5 minutes for it (RFC 5321 §4.5.3.2), and the shortest common sender limit is Nodemailer's 30 s; deliberate pauses such as postscreen's 6 s pregreet wait are normal. A greeting that does not arrive within the wait is \`smtp.no-banner\`.`,
    '',
    'A whole check has a budget; when it runs out, the check stops and the report lists it as an error ("did not finish within"), never as a pass:',
    '',
    ...header('budget'),
    ...budgets,
    '',
    'A check starts once the checks it needs (or uses) have ended, so the latest it can end, counted from the start of the run, is its budget after theirs:',
    '',
    ...header('check', 'budget'),
    ...ends,
    `| the whole diagnosis | | ${run.join(' | ')} |`,
    '',
    'Checks that need nothing from each other run at the same time, and most end far sooner: these are the limits, not the usual times.',
    TIMING_END,
  ].join('\n');
}

/** `doc` with its timing section replaced (or added at the end). */
export function withTiming(doc: string): string {
  const start = doc.indexOf(TIMING_START);
  const end = doc.indexOf(TIMING_END);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${renderTiming()}\n`;
  return doc.slice(0, start) + renderTiming() + doc.slice(end + TIMING_END.length);
}
