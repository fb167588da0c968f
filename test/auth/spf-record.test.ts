// The SPF record parser: RFC 7208 §12 syntax, the term an error names, and
// properties over generated records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { declaresNoSenders, isSpfRecord, parseSpfRecord, SpfSyntaxError, type SpfSyntaxProblem } from '../../src/auth/spf-record.js';

const RUNS = 10_000;

test('isSpfRecord: exactly "v=spf1", ended by a space or the end (RFC 7208 §4.5)', () => {
  assert.equal(isSpfRecord('v=spf1 -all'), true);
  assert.equal(isSpfRecord('v=spf1'), true);
  assert.equal(isSpfRecord('V=SPF1 mx'), true);
  assert.equal(isSpfRecord('v=spf10 -all'), false);
  assert.equal(isSpfRecord('v=spf2.0/pra -all'), false);
  assert.equal(isSpfRecord('google-site-verification=abc'), false);
});

test('parses every mechanism with qualifiers, values and prefix lengths', () => {
  const record = parseSpfRecord('v=spf1 +a -mx:mail.example.com/24//64 ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 include:_spf.example.net exists:%{i}.rbl.example.org ptr -all');
  assert.deepEqual(
    record.terms.map(t => (t.kind === 'mechanism' ? [t.qualifier, t.name, t.value ?? null, t.cidr4 ?? null, t.cidr6 ?? null] : t.name)),
    [
      ['+', 'a', null, null, null],
      ['-', 'mx', 'mail.example.com', 24, 64],
      ['~', 'ip4', '192.0.2.0', 24, null],
      ['?', 'ip6', '2001:db8::', null, 32],
      ['+', 'include', '_spf.example.net', null, null],
      ['+', 'exists', '%{i}.rbl.example.org', null, null],
      ['+', 'ptr', null, null, null],
      ['-', 'all', null, null, null],
    ],
  );
});

test('modifiers: redirect, exp and unknown ones are kept, names lower-cased', () => {
  const record = parseSpfRecord('v=spf1 mx Redirect=_spf.example.com exp=explain.%{d} x-custom=anything');
  assert.deepEqual(record.terms.filter(t => t.kind === 'modifier').map(t => [t.name, t.value]), [
    ['redirect', '_spf.example.com'],
    ['exp', 'explain.%{d}'],
    ['x-custom', 'anything'],
  ]);
});

test('syntax errors name the term and the problem, as data', () => {
  const cases: [string, string, SpfSyntaxProblem][] = [
    ['v=spf1 inclde:_spf.example.com -all', 'inclde:_spf.example.com', { code: 'unknownMechanism', name: 'inclde' }],
    ['v=spf1 ip4:192.0.2.300 -all', 'ip4:192.0.2.300', { code: 'notAnAddress', address: '192.0.2.300', family: 'ip4' }],
    ['v=spf1 ip4:192.0.2.0/33', 'ip4:192.0.2.0/33', { code: 'badPrefixLength', digits: '33', max: 32 }],
    ['v=spf1 ip6:2001:db8::/129', 'ip6:2001:db8::/129', { code: 'badPrefixLength', digits: '129', max: 128 }],
    ['v=spf1 ip4:192.0.2.0/024', 'ip4:192.0.2.0/024', { code: 'badPrefixLength', digits: '024', max: 32 }],
    ['v=spf1 ip4:192.0.2.0/x', 'ip4:192.0.2.0/x', { code: 'malformedPrefix' }],
    ['v=spf1 -all:foo', '-all:foo', { code: 'allTakesValue' }],
    ['v=spf1 include:', 'include:', { code: 'emptyValue' }],
    ['v=spf1 include', 'include', { code: 'needsValue' }],
    ['v=spf1 mxq', 'mxq', { code: 'unknownMechanism', name: 'mxq' }],
    ['v=spf1 a;x', 'a;x', { code: 'textAfterName' }],
    ['v=spf1 +', '+', { code: 'notATerm' }],
    ['v=spf1 m$x=1', 'm$x=1', { code: 'badModifierName', name: 'm$x' }],
    ['spf1 mx', 'spf1', { code: 'notSpf1' }],
    ['v=spf1 include:localhost', 'include:localhost', { code: 'notADomain', spec: 'localhost' }],
    ['v=spf1 a:example.123', 'a:example.123', { code: 'notADomain', spec: 'example.123' }],
    ['v=spf1 exists:%{x}.example.com', 'exists:%{x}.example.com', { code: 'unknownMacroLetter', letter: 'x' }],
    ['v=spf1 exists:%{c}.example.com', 'exists:%{c}.example.com', { code: 'explanationOnlyLetter', letter: 'c' }],
    // exp= names where the explanation is: a domain-spec, which may not use c, r or t (§7.1).
    ['v=spf1 -all exp=%{r}.example.com', 'exp=%{r}.example.com', { code: 'explanationOnlyLetter', letter: 'r' }],
    ['v=spf1 exists:%{d0}.example.com', 'exists:%{d0}.example.com', { code: 'macroKeepsNoPart', macro: '%{d0}' }],
    // Only SP separates terms (§4.6.1): a TAB or CR stays inside a term, which then cannot parse.
    ['v=spf1 a\tmx -all', 'a\tmx', { code: 'notVisibleAscii' }],
    ['v=spf1 ip4:192.0.2.5\r -all', 'ip4:192.0.2.5\r', { code: 'notVisibleAscii' }],
    ['v=spf1 exists:%{i.example.com', 'exists:%{i.example.com', { code: 'malformedMacro', at: '%{i.exam' }],
    ['v=spf1 redirect=a.example redirect=b.example', 'redirect=', { code: 'repeatedModifier', name: 'redirect' }],
    ['v=spf1 redirect=', 'redirect=', { code: 'modifierNeedsDomain', name: 'redirect' }],
    ['v=spf1 mx é', 'é', { code: 'notVisibleAscii' }],
  ];
  for (const [text, term, problem] of cases) {
    assert.throws(() => parseSpfRecord(text), (err: unknown) => err instanceof SpfSyntaxError && assert.deepEqual([err.term, err.problem], [term, problem], text) === undefined, text);
  }
});

test('accepts the forms RFC 7208 allows that look odd', () => {
  for (const text of ['v=spf1', 'v=spf1  mx   -all ', 'v=spf1 a/24', 'v=spf1 mx//64', 'v=spf1 include:example.com.', 'v=spf1 include:xn--bcher-kva.example', 'v=spf1 exp=why.%{d}', 'v=spf1 include:%{l1r-}.%{d}']) {
    assert.doesNotThrow(() => parseSpfRecord(text), text);
  }
});

test('property: any string either parses or throws SpfSyntaxError, never anything else', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 120 }).map(s => `v=spf1 ${s}`),
    fc.array(fc.string({ unit: 'binary-ascii', maxLength: 30 }), { maxLength: 12 }).map(terms => `v=spf1 ${terms.join(' ')}`),
  );
  fc.assert(
    fc.property(anyText, text => {
      try {
        parseSpfRecord(text);
      } catch (err) {
        if (!(err instanceof SpfSyntaxError)) throw err;
      }
    }),
    { numRuns: RUNS },
  );
});

/** Terms built from the RFC 7208 grammar, so generated records are valid. */
const validTerm = fc.oneof(
  fc.constantFrom('+', '-', '~', '?', '').chain(q => fc.constantFrom(`${q}all`, `${q}a`, `${q}mx`, `${q}ptr`, `${q}a:mail.example.com/24`, `${q}mx:example.net//64`)),
  fc.ipV4().map(ip => `ip4:${ip}`),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, len]) => `ip4:${ip}/${len}`),
  fc.ipV6().map(ip => `ip6:${ip}`),
  fc.domain().map(d => `include:${d}`),
  fc.domain().map(d => `exists:%{i}.${d}`),
);

test('property: records built from valid terms parse, one term each', () => {
  fc.assert(
    fc.property(fc.array(validTerm, { maxLength: 15 }), terms => {
      assert.equal(parseSpfRecord(`v=spf1 ${terms.join(' ')}`).terms.length, terms.length);
    }),
    { numRuns: RUNS },
  );
});

test('declaresNoSenders: only "v=spf1 -all" says the domain sends no mail', () => {
  assert.equal(declaresNoSenders('v=spf1 -all'), true);
  assert.equal(declaresNoSenders('v=spf1  -ALL '), true);
  for (const text of ['v=spf1 ~all', 'v=spf1 mx -all', 'v=spf1 -all exp=why.example.com', 'v=spf1 -all:x']) assert.equal(declaresNoSenders(text), false, text);
});
