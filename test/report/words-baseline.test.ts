// Reports before and after a refactor of how findings are worded: the demo's and
// the lab's reports must say the same things (causes, ranks, sides, the rendered
// message, subjects, evidence, the human text) and may only gain fields such as
// a finding's messageId and data. The snapshots were taken before findings
// became ids + data; UPDATE_SNAPSHOTS=1 rewrites them when a wording change is meant.
import { test } from 'node:test';
import { findLab, labOptions, type Lab } from '../../bench/lab.js';
import { createDnsClient } from '../../src/net/dns/index.js';
import { runBin } from '../helpers/cli.js';
import { matchSnapshot } from '../helpers/snapshot.js';

const DIR = 'test/report';

/** What a report says, without what changes from run to run (times, ports, the order of a TXT RRset). */
export function reportSays(report: Record<string, unknown>): unknown {
  const r = report as { target: string; verdict: string; diagnosis: Record<string, unknown>[]; checks: Record<string, unknown>[] };
  return {
    target: r.target,
    verdict: r.verdict,
    diagnosis: r.diagnosis.map(d => ({ cause: d['cause'], severity: d['severity'], side: d['side'], rank: d['rank'], explains: d['explains'], messages: d['messages'] })),
    checks: r.checks.map(c => ({
      id: c['id'],
      status: c['status'],
      findings: ((c['findings'] ?? []) as Record<string, unknown>[]).map(f => ({
        cause: f['cause'],
        severity: f['severity'],
        side: f['side'],
        message: f['message'],
        subjects: f['subjects'],
        evidence: [...(f['evidence'] as string[])].sort(),
      })),
    })),
  };
}

const stable = (text: string): string =>
  text
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:PORT')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, 'N $2')
    // A certificate's age in days ("expired on 2020-01-01 (2530 days ago)") grows every night; its date says the same.
    .replace(/\b\d+ days\b/g, 'N days')
    .replace(/"durationMs": \d+/g, '"durationMs": N');

/** The demo's certificates are dated from today (expired 35 days ago): their days change, what is said of them does not. */
const undated = (text: string): string => text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, 'YYYY-MM-DD');

const says = (jsonl: string): string =>
  stable(JSON.stringify(jsonl.split('\n').filter(Boolean).map(line => reportSays(JSON.parse(line) as Record<string, unknown>)), null, 1)) + '\n';

test('the demo says what it said: human text, and the JSON findings', async () => {
  const human = await runBin(['demo', '--no-color']);
  matchSnapshot(DIR, 'demo-human.txt', undated(stable(human.stdout)));
  const json = await runBin(['demo', '--format', 'jsonl']);
  matchSnapshot(DIR, 'demo-findings.json', undated(says(json.stdout)));
});

const LAB_RESOLVER = { host: '127.0.1.53', port: 53 };
const labUp = (await createDnsClient({ servers: [LAB_RESOLVER], timeoutMs: 2000, retries: 1 }).query('good.test', 'MX')).kind === 'records';
const lab = labUp ? tryFindLab() : undefined;

test('the lab says what it said: every scenario domain, run as lab/score runs it', { skip: lab ? false : 'the mail lab is not up (../shared/lab/up)' }, async () => {
  const args = labOptions(lab!);
  const runs: string[] = [];
  // Four at a time, as lab/score --jobs 4: each domain with its own probe recipient.
  const queue = [...lab!.scenarios];
  const workers = Array.from({ length: 4 }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const run = await runBin([s.domain, '--json', ...args, '--rcpt', s.probe_rcpt ?? `postmaster@${s.domain}`], { timeoutMs: 60_000, env: { MAILDIAG_NO_NETWORK: '1' } });
      runs.push(run.stdout.replace(/\n/g, ' ').trim());
    }
  });
  await Promise.all(workers);
  runs.sort((a, b) => target(a).localeCompare(target(b)));
  matchSnapshot(DIR, 'lab-findings.json', says(runs.join('\n')));
});

const target = (json: string): string => (JSON.parse(json) as { target: string }).target;

function tryFindLab(): Lab | undefined {
  try {
    return findLab();
  } catch {
    return undefined;
  }
}
