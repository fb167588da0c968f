// Property tests of the bounce parser and classifier: whatever the input, explain()
// returns a well-formed report or throws its own ExplainInputError, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCauseId } from '../../src/causes.js';
import { explain, ExplainInputError } from '../../src/explain/index.js';
import { renderExplain } from '../../src/render/explain.js';
import { loadCorpus, readCase } from '../../bench/explain-corpus.js';

const RUNS = 2500;
const corpus = loadCorpus().map(c => readCase(c).toString('utf8'));

function checkReport(input: Buffer | string): void {
  let report;
  try {
    report = explain(input);
  } catch (err) {
    if (err instanceof ExplainInputError) return;
    throw err;
  }
  for (const e of report.causes) {
    assert.ok(isCauseId(e.cause), e.cause);
    assert.ok(e.confidence >= 0 && e.confidence <= 1, String(e.confidence));
    assert.equal(typeof e.temporary, 'boolean');
    assert.ok(Array.isArray(e.evidence) && Array.isArray(e.secondary));
  }
  assert.equal(report.parsed.entries, report.causes.length + report.parsed.unclassified);
  const human = renderExplain(report, 'human', { color: false });
  assert.doesNotMatch(human, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no control characters from the input reach the terminal');
}

// Pieces bounces are made of, so generated inputs reach deep into the parser.
const FRAGMENTS = [
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n', '--B\n', '--B--\n', '\n\n',
  'Content-Type: message/delivery-status\n', 'Content-Transfer-Encoding: base64\n', 'Content-Transfer-Encoding: quoted-printable\n',
  'Content-Type: text/plain; charset=x-unknown\n', 'Final-Recipient: rfc822; a@example.org\n', 'Action: failed\n', 'Status: 5.1.1\n',
  'Diagnostic-Code: smtp; 550 5.1.1 User unknown\n', 'Remote-MTA: dns; mx.example.org\n', '<a@example.org>: host mx[192.0.2.1] said: ',
  '550-5.7.1 ', '421 4.7.0 [TSS04] ', 'blocked using zen.spamhaus.org; Error: open resolver', '(in reply to RCPT TO command)',
  'May 14 10:15:22 mail postfix/smtp[1]: ABC: to=<a@b.example>, dsn=4.4.1, status=deferred (', ')',
  '2024-05-14 10:15:22 1s6pXY-000Abc-9Q ** a@b.example: ', '=?utf-8?B?', '?=', '=3D=\n', '=C3', '\u001b[31m', '\u009b2J', '\u202e',
  'Name service error for name=x type=A: Host not found', 'retry timeout exceeded', '\r', '\r\n', '\\n', '  ', '\t',
];

const fragmentText = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 })), { maxLength: 40 }).map(parts => parts.join(''));

// A corpus bounce with a slice cut out, duplicated or replaced: broken MIME, truncated DSNs.
const mutatedCorpus = fc.tuple(fc.nat(corpus.length - 1), fc.nat(), fc.nat(), fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }), fc.constantFrom(...FRAGMENTS)))
  .map(([i, a, b, insert]) => {
    const text = corpus[i]!;
    const start = a % (text.length + 1);
    const end = start + (b % 400);
    return text.slice(0, start) + insert + text.slice(end);
  });

test(`explain() never throws anything but ExplainInputError: random bytes (${RUNS} runs)`, () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), bytes => checkReport(Buffer.from(bytes))), { numRuns: RUNS });
});

test(`explain() never throws anything but ExplainInputError: random unicode text (${RUNS} runs)`, () => {
  // UTF-16 code units, lone surrogates included (fast to generate, unlike full unicode strings).
  const text = fc.uint16Array({ maxLength: 2048 }).map(units => String.fromCharCode(...units));
  fc.assert(fc.property(text, checkReport), { numRuns: RUNS });
});

test(`explain() never throws anything but ExplainInputError: bounce fragments (${RUNS} runs)`, () => {
  fc.assert(fc.property(fragmentText, text => checkReport(text)), { numRuns: RUNS });
});

test(`explain() never throws anything but ExplainInputError: mutated corpus bounces (${RUNS} runs)`, () => {
  fc.assert(fc.property(mutatedCorpus, text => checkReport(text)), { numRuns: RUNS });
});

test('a deeply nested or boundary-heavy message ends quickly', () => {
  const nested = Array.from({ length: 200 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`).join('');
  const started = Date.now();
  checkReport(`From: a@b.example\n${nested}550 5.1.1 User unknown\n`);
  checkReport(`From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n\n${'--x\n\n'.repeat(50_000)}`);
  assert.ok(Date.now() - started < 2000);
});

test('a log line whose dsn= field is not a status code: the field is dropped, no escape reaches the terminal', () => {
  const line = 'May 14 10:15:22 mail postfix/smtp[1]: ABC: to=<a@b.example>, dsn=4.4.1\u001b[31m, status=deferred (connect timed out)';
  const report = explain(line);
  assert.ok(report.causes.every(e => !e.statusCodes.some(code => code.includes('\u001b'))), JSON.stringify(report.causes.map(e => e.statusCodes)));
  checkReport(line);
});
