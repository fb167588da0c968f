// Renderers: a snapshot per format on a fixed report, and output safety:
// text from the network never reaches a terminal or a ticket with its escape codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderers } from '../helpers/renderers.js';
import { CSV_HEADER } from '../../src/render/csv.js';
import { clean } from '../../src/render/sanitize.js';
import { reportSchema } from '../../src/report/schema.js';
import { fixedReport, HOSTILE } from '../helpers/reports.js';
import { matchSnapshot } from '../helpers/snapshot.js';

const plain = { color: false, verbose: false, width: 80 };

for (const format of ['human', 'json', 'markdown', 'csv'] as const) {
  test(`${format} snapshot`, () => {
    matchSnapshot('test/render', `report.${format === 'human' ? 'txt' : format === 'markdown' ? 'md' : format}`, renderers[format](fixedReport(), plain));
  });
}

test('human --verbose snapshot shows evidence and notes', () => {
  matchSnapshot('test/render', 'report-verbose.txt', renderers.human(fixedReport(), { ...plain, verbose: true }));
});

test('the human report fits 80 columns and leads with the root cause', () => {
  const text = renderers.human(fixedReport(), plain);
  for (const line of text.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
  assert.match(text.split('\n')[0]!, /^example\.com: PROBLEM: 1 error, 3 warnings/);
  const first = text.indexOf('(spf.plus-all)');
  assert.ok(first > 0 && first < text.indexOf('(mx.target-invalid)') && text.indexOf('(mx.target-invalid)') < text.indexOf('(mx.primary-unreachable)'));
});

test('colour only when asked, and meaning never by colour alone', () => {
  const coloured = renderers.human(fixedReport(), { ...plain, color: true });
  assert.match(coloured, /\u001b\[/);
  assert.equal(clean(coloured), renderers.human(fixedReport(), plain));
  assert.match(renderers.human(fixedReport(), plain), /ERROR|WARNING/);
});

test('jsonl is one line per report and parses', () => {
  const line = renderers.jsonl(fixedReport(), plain);
  assert.equal(line.split('\n').length, 2);
  reportSchema.parse(JSON.parse(line));
});

test('csv has one row per finding and quotes what needs quoting', () => {
  const rows = renderers.csv(fixedReport(), plain).trim().split('\n');
  assert.equal(rows.length, 5);
  assert.equal(CSV_HEADER.split(',').length, 8);
});

for (const format of ['human', 'markdown', 'csv'] as const) {
  test(`${format} output strips escape sequences and control characters from network text`, () => {
    for (const verbose of [false, true]) {
      const text = renderers[format](fixedReport(HOSTILE), { ...plain, verbose });
      assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, `${format} verbose=${verbose}`);
      assert.doesNotMatch(text, /pwned|http:\/\/x\.example/);
    }
  });
}

test('JSON keeps the raw text, escaped', () => {
  const json = renderers.json(fixedReport(HOSTILE), plain);
  assert.match(json, /\\u001b\[31mRED/);
  assert.ok(JSON.parse(json).diagnosis.some((d: { evidence: string[] }) => d.evidence.some(e => e.includes('\u001b]0;pwned'))));
});
