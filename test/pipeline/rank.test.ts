import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rank } from '../../src/pipeline/rank.js';
import { finding } from '../../src/checks/define.js';

test('severity first, then causal order (registry order), ties stable', () => {
  const ranked = rank([
    finding('spf.soft-all', 'softfail', { domain: 'example.com' }),
    finding('dmarc.missing', 'none', { names: ['_dmarc.example.com'], domain: 'example.com' }),
    finding('ptr.missing', 'none', { address: { ip: '192.0.2.1', role: 'mx', host: 'mx.example.com' } }),
    finding('spf.plus-all', 'passesAll', { domain: 'example.com', chain: ['+all'] }),
    finding('mx.target-nxdomain', 'nxdomain', { host: 'mx.example.com' }),
  ]);
  assert.deepEqual(ranked.map(d => d.cause), ['mx.target-nxdomain', 'spf.plus-all', 'ptr.missing', 'dmarc.missing', 'spf.soft-all']);
  assert.deepEqual(ranked.map(d => d.rank), [1, 2, 3, 4, 5]);
});

test('findings of one cause merge into one entry with every subject', () => {
  const [entry] = rank([
    finding('smtp.refused', 'refused', { server: { host: 'mx1.example.com', ip: '192.0.2.1' }, fallback: { by: 'none' } }, { subjects: ['mx1.example.com'], evidence: ['connect 192.0.2.1:25: refused'] }),
    finding('smtp.refused', 'refused', { server: { host: 'mx2.example.com', ip: '192.0.2.2' }, fallback: { by: 'none' } }, { subjects: ['mx2.example.com'], evidence: ['connect 192.0.2.2:25: refused'] }),
  ]);
  assert.deepEqual(entry!.subjects, ['mx1.example.com', 'mx2.example.com']);
  assert.deepEqual(entry!.messages, ['mx1.example.com (192.0.2.1) refused the connection on port 25', 'mx2.example.com (192.0.2.2) refused the connection on port 25']);
  assert.equal(entry!.evidence.length, 2);
});

test('a symptom is folded under its root cause', () => {
  const ranked = rank([finding('tls.starttls-missing', 'notOffered', { server: { host: 'mx.example.com', ip: '192.0.2.1' } }), finding('mx.all-unreachable', 'onlyHost', { domain: 'example.com', failures: [{ host: 'mx.example.com', ip: '192.0.2.1', failure: { kind: 'refused' } }] })]);
  assert.deepEqual(ranked.map(d => d.cause), ['mx.all-unreachable']);
  assert.deepEqual(ranked[0]!.explains, ['tls.starttls-missing']);
});

test('a finding may lower its severity and then ranks by it', () => {
  const ranked = rank([finding('dkim.key-weak', 'belowRecommended', { name: 'sel._domainkey.example.com', bits: 1024, recommendedBits: 2048 }, { severity: 'warning' }), finding('spf.multiple', 'here', { domain: 'example.com', records: 2 })]);
  assert.deepEqual(ranked.map(d => [d.cause, d.severity]), [['spf.multiple', 'error'], ['dkim.key-weak', 'warning']]);
});

test('a wrong clock folds only the MTA-STS findings it can explain: a policy certificate out of date by this clock, not an MX the policy leaves out', () => {
  const clock = finding('clock.skewed', 'aheadOfServer', { clock: '2026-12-10T00:00:00.000Z', hours: 120, host: 'mx.example.com', serverDate: 'Sat, 05 Dec 2026 00:00:00 GMT', skewMs: 432_000_000, source: 'greeting' });
  const url = 'https://mta-sts.example.com/.well-known/mta-sts.txt';
  const outOfDate = finding('mta-sts.invalid', 'certOutOfDate', { domain: 'example.com', url, host: 'mta-sts.example.com', reason: 'CERT_HAS_EXPIRED' });
  const unlisted = finding('mta-sts.invalid', 'mxUnlisted', { domain: 'example.com', url, mode: 'enforce', unlisted: ['mx.example.com'], allowed: ['mail.example.com'] });
  const untrusted = finding('mta-sts.invalid', 'certInvalid', { domain: 'example.com', url, host: 'mta-sts.example.com', reason: 'SELF_SIGNED_CERT_IN_CHAIN' });

  const folded = rank([clock, outOfDate]);
  assert.deepEqual(folded.map(d => d.cause), ['clock.skewed']);
  assert.deepEqual(folded[0]!.explains, ['mta-sts.invalid']);

  const kept = rank([clock, outOfDate, unlisted, untrusted]);
  assert.deepEqual(kept.map(d => [d.cause, d.side]), [['clock.skewed', 'local'], ['mta-sts.invalid', 'recipient']]);
  const sts = kept.find(d => d.cause === 'mta-sts.invalid')!;
  assert.equal(sts.messages.length, 2);
  assert.match(sts.messages[0]!, /does not list MX host mx\.example\.com/);
  assert.match(sts.messages[1]!, /SELF_SIGNED_CERT_IN_CHAIN/);
  assert.ok(!sts.messages.some(m => m.includes('CERT_HAS_EXPIRED')), 'the certificate the clock explains is folded');
});
