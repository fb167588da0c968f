import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rank } from '../../src/pipeline/rank.js';
import { legacyFinding } from '../../src/checks/define.js';

test('severity first, then causal order (registry order), ties stable', () => {
  const ranked = rank([
    legacyFinding('spf.soft-all', 'a'),
    legacyFinding('dmarc.missing', 'b'),
    legacyFinding('ptr.missing', 'c'),
    legacyFinding('spf.plus-all', 'd'),
    legacyFinding('mx.target-nxdomain', 'e'),
  ]);
  assert.deepEqual(ranked.map(d => d.cause), ['mx.target-nxdomain', 'spf.plus-all', 'ptr.missing', 'dmarc.missing', 'spf.soft-all']);
  assert.deepEqual(ranked.map(d => d.rank), [1, 2, 3, 4, 5]);
});

test('findings of one cause merge into one entry with every subject', () => {
  const [entry] = rank([
    legacyFinding('smtp.refused', 'mx1 refused', { subjects: ['mx1.example.com'], evidence: ['connect 192.0.2.1:25: refused'] }),
    legacyFinding('smtp.refused', 'mx2 refused', { subjects: ['mx2.example.com'], evidence: ['connect 192.0.2.2:25: refused'] }),
  ]);
  assert.deepEqual(entry!.subjects, ['mx1.example.com', 'mx2.example.com']);
  assert.deepEqual(entry!.messages, ['mx1 refused', 'mx2 refused']);
  assert.equal(entry!.evidence.length, 2);
});

test('a symptom is folded under its root cause', () => {
  const ranked = rank([legacyFinding('tls.starttls-missing', 'no TLS data'), legacyFinding('mx.all-unreachable', 'nothing answers')]);
  assert.deepEqual(ranked.map(d => d.cause), ['mx.all-unreachable']);
  assert.deepEqual(ranked[0]!.explains, ['tls.starttls-missing']);
});

test('a finding may lower its severity and then ranks by it', () => {
  const ranked = rank([legacyFinding('dkim.key-weak', '1024-bit', { severity: 'warning' }), legacyFinding('spf.multiple', 'two records')]);
  assert.deepEqual(ranked.map(d => [d.cause, d.severity]), [['spf.multiple', 'error'], ['dkim.key-weak', 'warning']]);
});
