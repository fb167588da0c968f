// How the SPF and DKIM reasons are said (src/causes.ts): one line per way,
// for the words the lab and the demo do not show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { say } from '../../src/causes.js';
import type { SpfReason } from '../../src/auth/spf-eval.js';

const site = { domain: 'example.com', term: 'include:_spf.example.net' };

test('spfReason says what decided an evaluation', () => {
  const cases: [SpfReason, string][] = [
    [{ code: 'invalidDomain', domain: 'a..example' }, '"a..example" is not a valid domain name, so it has no SPF record (RFC 7208 §4.3)'],
    [{ code: 'noSpfRecord', domain: 'example.com' }, 'example.com has TXT records but none starts with "v=spf1"'],
    [{ code: 'multipleRecords', domain: 'example.com', records: 2 }, 'example.com publishes 2 SPF records (RFC 7208 §4.5)'],
    [{ code: 'txtLookupFailed', domain: 'example.com', failure: 'timeout' }, 'the TXT lookup for example.com failed (no answer)'],
    [{ code: 'txtLookupFailed', domain: 'example.com', failure: 'error', error: 'connection refused' }, 'the TXT lookup for example.com failed (connection refused)'],
    [{ code: 'syntax', domain: 'example.com', term: 'foo', problem: { code: 'unknownMechanism', name: 'foo' } }, 'the SPF record of example.com has a syntax error at "foo": unknown mechanism "foo"'],
    [{ code: 'noMatch', domain: 'example.com' }, 'no term in the SPF record of example.com matched and it has no redirect=: neutral (RFC 7208 §4.7)'],
    [{ code: 'redirectInvalid', ...site }, 'example.com: include:_spf.example.net names no valid domain (RFC 7208 §6.1)'],
    [
      { code: 'redirectNone', ...site, inner: { code: 'noTxt', domain: '_spf.example.net' } },
      'example.com: include:_spf.example.net: _spf.example.net has no TXT record; a redirect to a domain without SPF is a permerror (RFC 7208 §6.1)',
    ],
    [{ code: 'tooManyMx', ...site, target: 'mail.example.net', mxRecords: 12, limit: 10 }, 'example.com: include:_spf.example.net: mail.example.net has 12 MX records, over the limit of 10 (RFC 7208 §4.6.4)'],
    [{ code: 'lookupFailed', ...site, target: '_spf.example.net', failure: 'servfail' }, 'example.com: include:_spf.example.net: the lookup of _spf.example.net failed (SERVFAIL)'],
    [{ code: 'lookupLimit', ...site, lookups: 11, limit: 10 }, "example.com: include:_spf.example.net is DNS-querying term 11 on this address's path, over the limit of 10 (RFC 7208 §4.6.4)"],
    [{ code: 'macro', ...site, problem: { code: 'macroKeepsNone' } }, 'example.com: include:_spf.example.net: a macro keeps at least one part (RFC 7208 §7.3)'],
  ];
  for (const [why, words] of cases) assert.equal(say('spfReason', why), words);
});

test('spfAbsence says why a name has no SPF record', () => {
  assert.equal(say('spfAbsence', { code: 'noSpfRecord', txtRecords: 1 }), 'no SPF record among 1 TXT record');
  assert.equal(say('spfAbsence', { code: 'noSpfRecord', txtRecords: 2 }), 'no SPF record among 2 TXT records');
  assert.equal(say('spfAbsence', { code: 'invalidName' }), 'not a valid domain name (an empty label, a label over 63 octets or a name over 253), so it is never asked and has no SPF record');
});

test('dkimKeyProblem says why a key record is unusable', () => {
  assert.equal(say('dkimKeyProblem', { code: 'notRsaKey', keyType: 'ec' }), 'p= holds an ec key, but k=rsa');
  assert.equal(say('dkimKeyProblem', { code: 'tagList', tagList: { code: 'badName', name: '1x' } }), '"1x" is not a tag name');
});
