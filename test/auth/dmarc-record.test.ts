// The DMARC record parser: RFC 9989 tags and defaults, removed and unknown
// tags, problems that do not void the record, and generated inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DmarcSyntaxError, isDmarcRecord, parseDmarcRecord, testingPolicy } from '../../src/auth/dmarc-record.js';

const RUNS = 10_000;

test('a full RFC 9989 record, with the defaults of tags left out', () => {
  const record = parseDmarcRecord('v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; rua=mailto:agg@example.org,mailto:second@example.net!10m; ruf=mailto:fail@example.org');
  assert.equal(record.p, 'reject');
  assert.equal(record.sp, 'quarantine');
  assert.equal(record.np, 'reject');
  assert.equal(record.psd, 'n');
  assert.equal(record.testing, true);
  assert.equal(record.adkim, 'r');
  assert.equal(record.aspf, 'r');
  assert.deepEqual(record.rua.map(u => [u.address, u.domain]), [['agg@example.org', 'example.org'], ['second@example.net', 'example.net']]);
  assert.deepEqual(record.ruf.map(u => u.domain), ['example.org']);
  assert.deepEqual(record.problems, []);
});

test('unknown tags are ignored and listed; removed tags (pct, rf, ri) are kept for older receivers', () => {
  const record = parseDmarcRecord('v=DMARC1; p=quarantine; pct=25; rf=afrf; ri=3600; x-vendor=1; future=yes');
  assert.equal(record.p, 'quarantine');
  assert.equal(record.pct, 25);
  assert.deepEqual(record.removedTags, ['pct', 'rf', 'ri']);
  assert.deepEqual(record.unknownTags, ['x-vendor', 'future']);
  assert.deepEqual(record.problems, []);
});

test('bad values are problems of the record, not reasons to discard it', () => {
  const record = parseDmarcRecord('v=DMARC1; p=rejct; adkim=x; rua=dmarc@example.org');
  assert.equal(record.p, undefined);
  assert.equal(record.adkim, 'r');
  assert.deepEqual(record.problems, [
    { tag: 'p', value: 'rejct', code: 'notOneOf', allowed: ['none', 'quarantine', 'reject'] },
    { tag: 'adkim', value: 'x', code: 'notOneOf', allowed: ['r', 's'] },
    { tag: 'rua', value: 'dmarc@example.org', code: 'notUri' },
  ]);
  assert.deepEqual(record.rua, []);
});

test('a record without p= parses; the tree walk decides what it means', () => {
  const record = parseDmarcRecord('v=DMARC1; rua=mailto:agg@example.org');
  assert.equal(record.p, undefined);
  assert.deepEqual(record.problems, []);
});

test('unusable records throw DmarcSyntaxError with what is wrong', () => {
  const cases: [string, DmarcSyntaxError['problem']][] = [
    ['v=DMARC1 p=reject', { code: 'version', version: 'DMARC1 p=reject' }],
    ['p=reject; v=DMARC1', { code: 'vNotFirst' }],
    ['v=DMARC1; p=reject; p=none', { code: 'repeated', name: 'p' }],
  ];
  for (const [text, problem] of cases) {
    assert.throws(() => parseDmarcRecord(text), { name: 'DmarcSyntaxError', problem }, text);
  }
});

test('RFC 9989 §4.8: a malformed tag-spec is ignored, not the record, and named as a problem', () => {
  const record = parseDmarcRecord('v=DMARC1; tagonly; p=reject; =value; 1p=none; rua=mailto:agg@example.org');
  assert.equal(record.p, 'reject');
  assert.deepEqual(record.rua.map(u => u.address), ['agg@example.org']);
  assert.deepEqual(record.problems, [
    { tag: '', value: 'tagonly', code: 'malformed', malformed: { code: 'noEquals', segment: 'tagonly' } },
    { tag: '', value: '=value', code: 'malformed', malformed: { code: 'noName', segment: '=value' } },
    { tag: '', value: '1p=none', code: 'malformed', malformed: { code: 'badName', name: '1p' } },
  ]);
});

test('RFC 9989 §4.8: a leading space before v= and an invalid fo= are warnings, the record stays', () => {
  const spaced = parseDmarcRecord(' v=DMARC1; p=reject');
  assert.equal(spaced.p, 'reject');
  assert.deepEqual(spaced.problems, [{ tag: 'v', value: 'DMARC1', code: 'leadingSpace' }]);
  for (const fo of ['2', '0:x', 'x', 'ds', '0:']) {
    const record = parseDmarcRecord(`v=DMARC1; p=none; fo=${fo}`);
    assert.deepEqual(record.problems.map(p => p.tag), ['fo'], fo);
  }
  for (const fo of ['0', '1', 'd', 's', '0:1:d:s', '1 : d']) assert.deepEqual(parseDmarcRecord(`v=DMARC1; p=none; fo=${fo}`).problems, [], fo);
});

test('RFC 9989 §4.7: an invalid sp= or np= is a problem of that tag, not of p=', () => {
  const record = parseDmarcRecord('v=DMARC1; p=reject; sp=rejectt; np=nope');
  assert.equal(record.p, 'reject');
  assert.deepEqual(record.problems.map(p => p.tag), ['sp', 'np']);
});

test('RFC 9989 §4.7: t=y asks for the next lower policy', () => {
  assert.deepEqual((['reject', 'quarantine', 'none'] as const).map(testingPolicy), ['quarantine', 'none', 'none']);
});

test('isDmarcRecord: records that do not start with v=DMARC1 are discarded (RFC 9989 §4.10)', () => {
  assert.equal(isDmarcRecord('v=DMARC1; p=none'), true);
  assert.equal(isDmarcRecord('v = DMARC1 ; p=none'), true);
  assert.equal(isDmarcRecord('p=none; v=DMARC1'), false);
  assert.equal(isDmarcRecord('v=DMARC10; p=none'), false);
  assert.equal(isDmarcRecord('v=spf1 -all'), false);
});

test('property: any string either parses or throws DmarcSyntaxError, never anything else', () => {
  const tag = fc.tuple(fc.constantFrom('v', 'p', 'sp', 'np', 'rua', 'ruf', 'pct', 't', 'psd', 'adkim', 'fo', 'x'), fc.string({ unit: 'binary', maxLength: 40 })).map(([k, v]) => `${k}=${v}`);
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 160 }),
    fc.string({ unit: 'binary', maxLength: 160 }).map(s => `v=DMARC1; ${s}`),
    fc.array(tag, { maxLength: 10 }).map(tags => ['v=DMARC1', ...tags].join(';')),
  );
  fc.assert(
    fc.property(anyText, text => {
      try {
        parseDmarcRecord(text);
      } catch (err) {
        if (!(err instanceof DmarcSyntaxError)) throw err;
      }
    }),
    { numRuns: RUNS },
  );
});

test('property: records of valid tags in any order parse without problems', () => {
  const validTag = fc.oneof(
    fc.constantFrom('none', 'quarantine', 'reject').map(p => `p=${p}`),
    fc.constantFrom('none', 'quarantine', 'reject').map(p => `sp=${p}`),
    fc.constantFrom('r', 's').map(m => `adkim=${m}`),
    fc.constantFrom('y', 'n').map(t => `t=${t}`),
    // mailto: URIs percent-encode the local part (RFC 6068).
    fc.emailAddress().map(a => `rua=mailto:${encodeURIComponent(a.slice(0, a.lastIndexOf('@')))}${a.slice(a.lastIndexOf('@'))}`),
  );
  fc.assert(
    fc.property(fc.uniqueArray(validTag, { selector: t => t.split('=')[0], maxLength: 5 }), tags => {
      assert.deepEqual(parseDmarcRecord(['v=DMARC1', ...tags].join('; ')).problems, []);
    }),
    { numRuns: RUNS },
  );
});
