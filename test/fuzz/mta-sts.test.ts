// Property tests of MTA-STS parsing (RFC 8461): the _mta-sts TXT record, the
// policy file fetched over HTTPS, and MX patterns. Whatever a domain publishes,
// parsing gives a verdict with a reason, never an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMessage } from '../../src/causes.js';
import { mxMatchesPattern, parseStsPolicy, parseStsRecord, type StsProblem } from '../../src/checks/mta-sts.js';

const RUNS = 10_000;
/** RFC 8461 §3.2: max_age is at most about a year. */
const MAX_AGE_LIMIT = 31_557_600;

const RECORD_FRAGMENTS = ['v=STSv1', 'v=STSv1;', 'v=stsv1', ';', '; ', ' ', '\t', 'id=', 'id=20240101T000000', 'id=abc!', 'ext=value', '=', 'x-y.z=1', '\u0000', '\u00e9'];
const POLICY_FRAGMENTS = [
  'version: STSv1', 'version:STSv1', 'VERSION: STSv1', 'version: STSv2', 'mode: enforce', 'mode: testing', 'mode: none', 'mode: ENFORCE', 'mode: block',
  'mx: mx.example.com', 'mx: *.example.net', 'mx: ', 'mx:*.', 'max_age: 86400', 'max_age: 31557601', 'max_age: -1', 'max_age: 1e3', 'max_age: abc', 'max_age:',
  ':', '::', 'key', '\r\n', '\n', '\r', ' ', '\t', '\u0000', '\u00ff', '#', 'extension: value',
];
const fragmentsOf = (fragments: string[], maxLength: number) =>
  fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 12 })), { maxLength }).map(parts => parts.join(''));
/** UTF-16 code units, lone surrogates included (much faster to generate than full Unicode strings), or fragments. */
const anyText = (fragments: string[], maxLength: number) =>
  fc.oneof(fc.array(fc.nat(0xffff), { maxLength: 200 }).map(units => String.fromCharCode(...units)), fragmentsOf(fragments, maxLength));

/** A problem says itself: its messageId is mta-sts.invalid's and its data fills the template. */
const says = (problem: StsProblem): boolean => formatMessage('mta-sts.invalid', problem.messageId, { domain: 'example.com', url: 'https://mta-sts.example.com/.well-known/mta-sts.txt', ...problem.data }).length > 0;

test(`parseStsRecord: a verdict with a reason for any TXT text; a valid record has one id of 1-32 letters and digits (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(anyText(RECORD_FRAGMENTS, 10), text => {
      const record = parseStsRecord(text);
      if (record.ok) {
        assert.match(record.id, /^[A-Za-z0-9]{1,32}$/);
        assert.ok(text.startsWith('v=STSv1'));
      } else {
        assert.ok(says(record.problem));
      }
    }),
    { numRuns: RUNS },
  );
});

test(`parseStsPolicy: resolves for any policy text; an accepted policy has a known mode, a max_age in range and mx lines when enforced (${RUNS} runs)`, async () => {
  const lines = fc.array(fc.oneof(fc.constantFrom(...POLICY_FRAGMENTS), fc.string({ maxLength: 20 })), { maxLength: 10 }).chain(parts =>
    fc.constantFrom('\r\n', '\n').map(eol => parts.join(eol)),
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyText(POLICY_FRAGMENTS, 12), lines), async text => {
      const parsed = await parseStsPolicy(text);
      if (!parsed.ok) return assert.ok(says(parsed.problem));
      const { mode, maxAge, mx } = parsed.policy;
      assert.ok(['enforce', 'testing', 'none'].includes(mode), mode);
      assert.ok(Number.isFinite(maxAge) && maxAge >= 0 && maxAge <= MAX_AGE_LIMIT, String(maxAge));
      assert.ok(mx.every(pattern => typeof pattern === 'string'));
      if (mode !== 'none') assert.ok(mx.length > 0);
    }),
    { numRuns: RUNS },
  );
});

test(`mxMatchesPattern: exact names match themselves, "*." stands for exactly one label (${RUNS} runs)`, () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  fc.assert(
    fc.property(fc.domain(), label, fc.string({ maxLength: 30 }), (domain, extra, junk) => {
      assert.ok(mxMatchesPattern(domain, domain));
      assert.ok(mxMatchesPattern(`${domain}.`, domain.toUpperCase()));
      assert.ok(mxMatchesPattern(`${extra}.${domain}`, `*.${domain}`));
      assert.equal(mxMatchesPattern(`${extra}.${extra}.${domain}`, `*.${domain}`), false);
      assert.equal(mxMatchesPattern(domain, `*.${domain}`), false);
      assert.equal(typeof mxMatchesPattern(junk, junk), 'boolean');
    }),
    { numRuns: RUNS },
  );
});
