// Property tests of what maildiag reads from SMTP servers: reply lines, the
// bounded reader that assembles them from arbitrary chunks of bytes, and the
// EHLO extension list. Whatever a server sends, they return values, never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { announcedName, buildReply, parseReplyLine, replyText, replyWords, type SmtpReply } from '../../src/net/smtp/reply.js';
import { MAX_LINE_BYTES, MAX_REPLY_BYTES, ReplyReader, type ReadOutcome } from '../../src/net/smtp/reader.js';
import { parseEhlo } from '../../src/net/smtp/ehlo.js';

const RUNS = 10_000;

/** Pieces replies are made of, so generated lines look like SMTP often enough to reach every branch. */
const FRAGMENTS = ['250', '250-', '250 ', '220 ', '421 ', '550-5.1.1 ', '5.7.1 ', '2.0.0', '199 ', '600 ', 'SIZE ', 'AUTH=', 'AUTH ', 'STARTTLS', '\r', '\n', '\r\n', ' ', '\t', '\u0000', '\u001b[31m', '\u00ff', '\u2028'];
const lineText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { maxLength: 10 }).map(parts => parts.join('')),
);
const code = fc.integer({ min: 200, max: 599 });

test(`parseReplyLine: a value or undefined for any line, and exactly the RFC 5321 §4.2.1 shape (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(lineText, line => {
      const parsed = parseReplyLine(line);
      assert.equal(parsed !== undefined, /^[2-5]\d\d(?:[ -]|$)/.test(line));
      if (!parsed) return;
      assert.ok(Number.isInteger(parsed.code) && parsed.code >= 200 && parsed.code <= 599);
      assert.equal(`${parsed.code}${line.length > 3 ? line[3] : ''}${parsed.text}`, line);
      assert.equal(parsed.last, line[3] !== '-');
    }),
    { numRuns: RUNS },
  );
});

test(`replies as text: enhanced codes only where the first line starts with one, nothing throws (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(code, fc.array(lineText, { minLength: 1, maxLength: 6 }), (replyCode, texts) => {
      const reply = buildReply(texts.map((text, i) => ({ code: replyCode, last: i === texts.length - 1, text })));
      assert.equal(reply.code, replyCode);
      assert.deepEqual(reply.lines, texts);
      if (reply.enhanced) {
        assert.ok(texts[0]!.startsWith(reply.enhanced));
        assert.match(reply.enhanced, /^[245]\.\d{1,3}\.\d{1,3}$/);
      }
      assert.ok(replyText(reply).startsWith(String(replyCode)));
      assert.equal(typeof replyWords(reply), 'string');
      const name = announcedName(reply);
      assert.ok(name === undefined || (name.length > 0 && !/\s/.test(name)));
    }),
    { numRuns: RUNS },
  );
});

test(`parseEhlo: any reply gives keywords in upper case, each once, and a SIZE that is a safe integer (${RUNS} runs)`, () => {
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 400 });
  const extension = fc.oneof(
    lineText,
    fc.tuple(fc.constantFrom('SIZE', 'size', 'AUTH', 'AUTH=', 'STARTTLS', '8BITMIME'), fc.string({ maxLength: 30 })).map(([k, v]) => `${k} ${v}`),
    digits.map(d => `SIZE ${d}`),
  );
  fc.assert(
    fc.property(fc.array(extension, { maxLength: 12 }), lines => {
      const ehlo = parseEhlo({ code: 250, lines: ['mx.example.com', ...lines] });
      assert.equal(new Set(ehlo.keywords).size, ehlo.keywords.length);
      for (const keyword of ehlo.keywords) assert.ok(keyword.length > 0 && !/\s/.test(keyword) && keyword === keyword.toUpperCase(), keyword);
      if (ehlo.size !== undefined) assert.ok(Number.isSafeInteger(ehlo.size) && ehlo.size >= 0, String(ehlo.size));
      assert.equal(ehlo.starttls, ehlo.keywords.includes('STARTTLS'));
      assert.ok(ehlo.auth.every(mechanism => mechanism.length > 0 && mechanism === mechanism.toUpperCase()));
    }),
    { numRuns: RUNS },
  );
});

test('parseEhlo: SIZE beyond what a number holds exactly is no limit anyone reaches, not Infinity', () => {
  assert.equal(parseEhlo({ code: 250, lines: ['mx.example.com', `SIZE ${'9'.repeat(400)}`] }).size, Number.MAX_SAFE_INTEGER);
  assert.equal(parseEhlo({ code: 250, lines: ['mx.example.com', 'SIZE 10240000'] }).size, 10_240_000);
});

/** Everything the reader makes of `chunks`, then the stream's end. */
async function readAll(chunks: Uint8Array[]): Promise<ReadOutcome[]> {
  const stream = new PassThrough();
  const reader = new ReplyReader(stream);
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  const outcomes: ReadOutcome[] = [];
  for (;;) {
    const outcome = await reader.next(1000);
    outcomes.push(outcome);
    if (outcome.kind !== 'reply') return outcomes;
  }
}

/** A reply on the wire: every line but the last with "-" (RFC 5321 §4.2.1). */
const serialize = (reply: SmtpReply): string => reply.lines.map((text, i) => `${reply.code}${i < reply.lines.length - 1 ? '-' : ' '}${text}\r\n`).join('');

/** Cut bytes into pieces at the given offsets, as TCP may deliver them. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map(o => o % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, [...points, bytes.length][i]));
}

test(`ReplyReader: replies come out whole and in order however the bytes are cut (${RUNS} runs)`, async () => {
  // Text without line breaks, in characters of 1 to 4 bytes of UTF-8.
  const character = fc.oneof(fc.integer({ min: 0, max: 0x7f }).filter(c => c !== 0x0a && c !== 0x0d).map(c => String.fromCharCode(c)), fc.constantFrom('é', '\u00ff', '€', '\u2028', '𝄞'));
  const text = fc.string({ unit: character, maxLength: 40 });
  const reply = fc.record({ code, lines: fc.array(text, { minLength: 1, maxLength: 5 }) }).map(({ code: c, lines }): SmtpReply => buildReply(lines.map((t, i) => ({ code: c, last: i === lines.length - 1, text: t }))));
  await fc.assert(
    fc.asyncProperty(fc.array(reply, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), async (replies, offsets) => {
      const outcomes = await readAll(cut(Buffer.from(replies.map(serialize).join('')), offsets));
      assert.deepEqual(outcomes.slice(0, -1), replies.map(r => ({ kind: 'reply', reply: r })));
      assert.deepEqual(outcomes.at(-1), { kind: 'closed', partial: [] });
    }),
    { numRuns: RUNS },
  );
});

test(`ReplyReader: any bytes end in a bounded outcome, never a throw or a hang (${RUNS} runs)`, async () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), lineText), { maxLength: 20 }).map(parts => new Uint8Array(Buffer.from(parts.join(''), 'latin1'))),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(bytes, { maxLength: 4 }), async chunks => {
      const outcomes = await readAll(chunks);
      const last = outcomes.at(-1)!;
      assert.ok(['closed', 'garbage', 'too-long'].includes(last.kind), last.kind);
      for (const outcome of outcomes.slice(0, -1)) assert.ok(outcome.kind === 'reply' && outcome.reply.lines.length > 0);
    }),
    { numRuns: RUNS },
  );
});

test('ReplyReader: a line over the cap, or a reply over the cap, stops reading', async () => {
  const [longLine] = await readAll([Buffer.from(`220 ${'x'.repeat(MAX_LINE_BYTES)}\r\n`)]);
  assert.equal(longLine!.kind, 'too-long');
  const manyLines = Buffer.from(`250-${'y'.repeat(1000)}\r\n`.repeat(Math.ceil(MAX_REPLY_BYTES / 1000) + 1));
  const [longReply] = await readAll([manyLines]);
  assert.equal(longReply!.kind, 'too-long');
});
