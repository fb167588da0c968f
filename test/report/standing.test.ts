// A report cut short by Ctrl-C whose finished checks found nothing: the JSON
// keeps its verdict "ok" (worst severity found) beside `interrupted` and
// `incomplete`, and every other output says INCOMPLETE, never OK, from the
// one reading of the report layer (src/report/standing.ts). A comparison
// never calls what it did not recheck resolved or unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, outcomeOf } from '../../src/pipeline/report.js';
import type { CheckResult } from '../../src/pipeline/run.js';
import { causes } from '../../src/causes.js';
import { finding } from '../../src/checks/define.js';
import { renderAuditSummary } from '../../src/render/summary.js';
import { renderHtmlDocument } from '../../src/render/html.js';
import { compareTarget } from '../../src/report/compare.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { standingOf } from '../../src/report/standing.js';
import { renderers } from '../helpers/renderers.js';

const TARGET = { kind: 'domain' as const, input: 'example.com', ascii: 'example.com', unicode: 'example.com' };
const STARTED = new Date('2026-11-23T10:00:00.000Z');
const interruptedCheck = (id: string, title: string): CheckResult => ({ id, title, status: 'interrupted', durationMs: 40, findings: [], data: { error: 'interrupted before it finished', reason: 'interrupted' } });

/** What runTargets writes after Ctrl-C: the finished checks clean, the SMTP checks cut short, `interrupted` set. */
function interruptedReport(): Report {
  const checks: CheckResult[] = [
    { id: 'domain', title: 'Domain exists', status: 'pass', durationMs: 3, findings: [], data: {} },
    { id: 'spf', title: 'SPF', status: 'pass', durationMs: 9, findings: [], data: {} },
    interruptedCheck('smtp-reachability', 'SMTP on port 25'),
    interruptedCheck('smtp-policy', 'SMTP size, recipient and relay policy'),
  ];
  return { ...buildReport(TARGET, STARTED, 812, checks), interrupted: true };
}

test('the JSON keeps the contract\'s verdict beside interrupted and incomplete; the standing is incomplete', () => {
  const report = interruptedReport();
  const json = reportSchema.parse(JSON.parse(renderers.json(report, { color: false, verbose: false, width: 80 })));
  assert.equal(json.verdict, 'ok');
  assert.equal(json.interrupted, true);
  assert.deepEqual(json.incomplete.map(i => i.id), ['smtp-reachability', 'smtp-policy']);
  assert.equal(standingOf(report), 'incomplete');
  assert.equal(outcomeOf(report).standing, 'incomplete');
});

test('human, markdown, csv and html say INCOMPLETE for it, never OK', () => {
  const report = interruptedReport();
  const options = { color: false, verbose: false, width: 80 };
  const headline = 'INCOMPLETE: 2 checks could not finish looking; no problems in what was checked';
  assert.equal(renderers.human(report, options).split('\n')[0]!.replace(/\s+\[.*$/, ''), `example.com: ${headline}`);
  assert.match(renderers.markdown(report, options), new RegExp(`\\*\\*${headline}\\*\\*`));
  const csv = renderers.csv(report, options);
  assert.equal(csv, 'example.com,incomplete,,,,,,\n');
  const html = renderHtmlDocument({ reports: [report] });
  assert.match(html, new RegExp(`<p class="verdict v-incomplete">${headline}</p>`));
  for (const out of [renderers.human(report, options), renderers.markdown(report, options), csv, html]) assert.doesNotMatch(out, /\bOK: no problems\b|,ok,/);
});

test('csv: a finished report says its verdict; an unfinished one with a warning keeps the warning', () => {
  const clean = buildReport(TARGET, STARTED, 10, [{ id: 'spf', title: 'SPF', status: 'pass', durationMs: 9, findings: [], data: {} }]);
  assert.equal(renderers.csv(clean, { color: false, verbose: false, width: 80 }), 'example.com,ok,,,,,,\n');
  const warned = buildReport(TARGET, STARTED, 10, [
    { id: 'dmarc', title: 'DMARC', status: 'warn', durationMs: 6, findings: [finding('dmarc.no-reports', 'noRua', { source: { domain: 'example.com', policyDomain: 'example.com', inherited: false } }, { severity: 'warning' })], data: {} },
    interruptedCheck('smtp-policy', 'SMTP size, recipient and relay policy'),
  ]);
  assert.equal(standingOf(warned), 'warning');
  assert.match(renderers.csv(warned, { color: false, verbose: false, width: 80 }), /^example\.com,warning,dmarc,dmarc\.no-reports,warning,/);
});

test('the audit summary counts an unfinished target as incomplete, not ok', () => {
  const clean = buildReport(TARGET, STARTED, 10, [{ id: 'spf', title: 'SPF', status: 'pass', durationMs: 9, findings: [], data: {} }]);
  const summary = renderAuditSummary([outcomeOf(clean), outcomeOf(interruptedReport())], { skipped: 0, interrupted: true });
  const rows = Object.fromEntries([...summary.matchAll(/^\s*\S?\s*(error|warning|incomplete|info|ok)\s+\S?\s*(\d+)/gm)].map(m => [m[1], Number(m[2])]));
  assert.deepEqual(rows, { error: 0, warning: 0, incomplete: 1, info: 0, ok: 1 });
});

test('compare: what an interrupted run did not finish is not rechecked, never resolved, and the target is never "unchanged"', () => {
  const after = interruptedReport();
  const rejected = { cause: 'smtp.rejected' as const, severity: 'warning' as const, side: 'recipient' as const, title: causes['smtp.rejected'].title };
  const baseline = { target: 'example.com', ascii: 'example.com', verdict: 'warning' as const, diagnosis: [rejected] };
  const changes = compareTarget(baseline, after);
  assert.deepEqual([changes.status, changes.resolved, changes.notRechecked.map(c => c.cause)], ['incomplete', [], ['smtp.rejected']]);
  // Nothing to recheck in the baseline, nothing found in what finished: still not "unchanged".
  const clean = compareTarget({ target: 'example.com', ascii: 'example.com', verdict: 'ok', diagnosis: [] }, after);
  assert.equal(clean.status, 'incomplete');
  const { interrupted: _, ...finished } = after;
  assert.equal(compareTarget({ target: 'example.com', ascii: 'example.com', verdict: 'ok', diagnosis: [] }, { ...finished, checks: finished.checks.filter(c => c.status !== 'interrupted') }).status, 'unchanged');
});
