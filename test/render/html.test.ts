// The HTML report: valid HTML, self-contained, and text from the network
// (banners, TXT records, bounce text) escaped so markup in it stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HtmlValidate } from 'html-validate';
import { renderHtmlDocument } from '../../src/render/html.js';
import { compareTarget, summarize } from '../../src/report/compare.js';
import { fixedReport, hostileReport, MARKUP } from '../helpers/reports.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

async function assertValid(html: string): Promise<void> {
  const report = await validator.validateString(html);
  const messages = report.results.flatMap(r => r.messages.map(m => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
  assert.deepEqual(messages, []);
}

test('a single report is one valid, self-contained HTML page', async () => {
  const html = renderHtmlDocument({ reports: [fixedReport()] });
  await assertValid(html);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /\b(?:src|href)="(?!#)/, 'no external resource, only in-page links');
  assert.match(html, /<details><summary>Why, and the evidence \(1\)<\/summary>/);
  assert.match(html, /Who fixes it:<\/b> the sender/);
});

test('markup in banners, TXT records and bounce text is escaped: one script, ours', async () => {
  const reports = [hostileReport(), hostileReport('example.net')];
  const html = renderHtmlDocument({ reports, comparison: summarize(`earlier${MARKUP}.jsonl`, [], []) });
  await assertValid(html);
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.doesNotMatch(html, /<img|onerror="/);
  assert.match(html, /&lt;script&gt;window\.pwned = 1&lt;\/script&gt;&lt;img src=x onerror=&quot;window\.pwned = 2&quot;&gt;&quot;&#39;&amp;/);
  assert.doesNotMatch(html, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, 'terminal escapes and controls are dropped too');
});

test('the Content-Security-Policy allows exactly the page\'s own style and script, and nothing from anywhere', () => {
  const html = renderHtmlDocument({ reports: [fixedReport()] });
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  const hash = (tag: string) => `'sha256-${createHash('sha256').update(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)![1]!).digest('base64')}'`;
  assert.match(policy, /^default-src 'none';/);
  assert.ok(policy.includes(`script-src ${hash('script')};`), policy);
  assert.ok(policy.includes(`style-src ${hash('style')};`), policy);
});

test('an audit page with a comparison: changes first, then the summary, the table and each diagnosis', async () => {
  const now = [fixedReport(), { ...fixedReport(), target: 'example.org', ascii: 'example.org', diagnosis: [] , verdict: 'ok' as const }];
  const before = { ...now[0]!, diagnosis: now[0]!.diagnosis.filter(d => d.cause !== 'spf.plus-all') };
  const changes = [compareTarget(before, now[0]!), compareTarget(undefined, now[1]!)];
  const reports = now.map((r, i) => ({ ...r, changes: changes[i]! }));
  const html = renderHtmlDocument({ reports, comparison: summarize('yesterday.jsonl', changes, [{ target: 'old.example', ascii: 'old.example', verdict: 'error', diagnosis: [] }]) });
  await assertValid(html);
  const order = ['id="changes"', 'id="summary"', 'id="targets"', 'id="diagnoses"'].map(s => html.indexOf(s));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(order[0]! > 0);
  assert.match(html, /1 target got worse, 0 better, 0 unchanged, 1 added, 1 removed/);
  assert.match(html, /<tr class="change-worse"><td><a href="#t-0">example\.com<\/a><\/td><td>WORSE<\/td><td>new: spf\.plus-all \(error\)<\/td><\/tr>/);
  assert.match(html, /old\.example<\/td><td>removed<\/td>/);
  assert.match(html, /<svg class="chart"[^>]*role="img"/);
  assert.match(html, /<tr data-verdict="ok"><td><a href="#t-1">example\.org<\/a>/);
});

test('end to end: a server whose banner, replies and TXT records carry markup gives a page where it is all text', async () => {
  const zone = mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }, { 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], TXT: [[`v=spf1 ${MARKUP} +all`]] } });
  const world = await startSmtpWorld(zone, {
    '192.0.2.10:25': healthyServer('mx.example.com', {
      greeting: [`220 mx.example.com ESMTP ${MARKUP}`],
      recipients: { '*': `550 5.1.1 ${MARKUP} user unknown` },
    }),
  });
  const report = await world.diagnose('example.com', ['smtp-reachability', 'smtp-policy', 'smtp-identity', 'spf']);
  const seen = JSON.stringify(report.diagnosis);
  assert.ok(seen.includes('<script>window.pwned = 1</script>'), 'the hostile text reached the diagnosis');
  const html = renderHtmlDocument({ reports: [report] });
  await assertValid(html);
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.doesNotMatch(html, /<img|onerror="/);
  assert.match(html, /&lt;script&gt;window\.pwned = 1&lt;\/script&gt;/);
});

test('a target whose run did not finish every check is never "OK" on the page', async () => {
  const clean = { ...fixedReport(), target: 'example.org', ascii: 'example.org', diagnosis: [], verdict: 'ok' as const };
  const unfinished = { ...clean, target: 'example.net', ascii: 'example.net', incomplete: [{ id: 'dmarc', status: 'error' as const, reason: 'no answer from the resolver' }] };
  const html = renderHtmlDocument({ reports: [clean, unfinished] });
  await assertValid(html);
  assert.match(html, /<tr data-verdict="ok"><td><a href="#t-0">example\.org<\/a><\/td><td data-sort="4" class="v-ok">OK<\/td>/);
  assert.match(html, /<tr data-verdict="incomplete"><td><a href="#t-1">example\.net<\/a><\/td><td data-sort="2" class="v-incomplete">incomplete<\/td>/);
  assert.match(html, /<dt>incomplete<\/dt><dd>1<\/dd>.*<dt>OK<\/dt><dd>1<\/dd>/);
  assert.match(html, /<p class="verdict v-incomplete">INCOMPLETE: 1 check could not finish looking; no problems in what was checked<\/p>/);
});
