import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { isCauseId } from '../../src/causes.js';
import { explain } from '../../src/explain/index.js';
import { explainReportSchema } from '../../src/report/explain-schema.js';
import { BOUNCE_SECTION_CAUSES, CORPUS_DIR, WILD_SPLITS, loadCorpus, loadWild, primaryAccuracy, readCase, scoreCorpus, scoreWild } from '../../bench/explain-corpus.js';

const cases = loadCorpus();
const results = scoreCorpus(cases);

test('the corpus has at least 150 cases, every file present', () => {
  assert.ok(cases.length >= 150, `${cases.length} cases`);
  for (const c of cases) assert.ok(existsSync(new URL(c.file, CORPUS_DIR)), c.file);
});

test('every cause of the bounce section has at least 3 cases; every expected id is in the registry', () => {
  for (const cause of BOUNCE_SECTION_CAUSES) {
    assert.ok(results.filter(r => r.expected.cause === cause).length >= 3, cause);
  }
  for (const r of results) assert.ok(isCauseId(r.expected.cause), `${r.file}: ${r.expected.cause}`);
});

test('primary-cause accuracy on the corpus is at least 90%', () => {
  const misses = results.filter(r => r.got?.cause !== r.expected.cause).map(r => `${r.file}: ${r.expected.cause} -> ${r.got?.cause}`);
  assert.ok(primaryAccuracy(results) >= 0.9, misses.join('\n'));
});

test('temporary/permanent agrees with the status class in at least 95% of entries', () => {
  const withClass = results.filter(r => r.got && r.statusClass);
  const agree = withClass.filter(r => r.got!.temporary === (r.statusClass === 4)).length;
  assert.ok(agree / withClass.length >= 0.95, `${agree}/${withClass.length}`);
});

test('explain --json output of every corpus file passes the explain schema (docs/explain.schema.json)', () => {
  for (const c of cases) {
    const parsed = explainReportSchema.safeParse(JSON.parse(JSON.stringify(explain(readCase(c)))));
    assert.ok(parsed.success, `${c.file}: ${parsed.error?.message}`);
  }
});

test('the wild corpus: at least 90% first cause on each split (the held-aside one never tuned on), 97% temporary/permanent', () => {
  for (const split of WILD_SPLITS) {
    const results = scoreWild(loadWild(split));
    const misses = results.filter(r => r.got?.cause !== r.expected.cause).map(r => `${r.origin}: ${r.expected.cause} -> ${r.got?.cause}`);
    assert.ok(results.length >= 90, `${split}: ${results.length} texts`);
    assert.ok(misses.length / results.length <= 0.1, `${split}:\n${misses.join('\n')}`);
    const temporary = results.filter(r => r.got?.temporary === r.expected.temporary).length;
    assert.ok(temporary / results.length >= 0.97, `${split}: temporary/permanent ${temporary}/${results.length}`);
    for (const r of results) assert.ok(isCauseId(r.expected.cause), `${split}: ${r.expected.cause}`);
  }
});
