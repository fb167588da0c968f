// How the message and sender-rules findings read, for the variants the
// simulated messages do not reach: each template and format of src/causes.ts
// filled with data says what the checks said before they reported ids + data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage } from '../../src/causes.js';
import { readHeader } from '../../src/auth/message.js';
import { formatProblems } from '../../src/senders/observe.js';

test('RFC 5322 problems of a header block are codes with the field concerned', () => {
  const header = readHeader(Buffer.from('From: a@example.org, b@example.org\r\nDate: yesterday\r\nSubject: one\r\nSubject: two\r\n'));
  const problems = formatProblems(header, { fromAddresses: ['a@example.org', 'b@example.org'], dkim: [] });
  assert.deepEqual(problems, [
    { code: 'missing', field: 'Message-ID' },
    { code: 'repeated', field: 'subject', count: 2 },
    { code: 'fromWithoutSender', mailboxes: 2 },
    { code: 'badDate', date: 'yesterday' },
  ]);
  assert.equal(
    formatMessage('message.malformed', 'problemsCutOff', { problems: [{ code: 'missing', field: 'Date' }, ...problems] }),
    'no Date field; no Message-ID field; 2 subject fields, where RFC 5322 allows one; From names 2 mailboxes and there is no Sender field; Date "yesterday" is not a date-time (the header block has no end: the file may be cut off, so only the fields present were judged)',
  );
});

test('the sender-rules variants read as before', () => {
  const cases: [string, string][] = [
    [formatMessage('message.from-impersonates-provider', 'notEvaluated', { fromDomain: 'gmail.com' }), 'From gmail.com, but DMARC could not be evaluated for it: not sent through gmail.com'],
    [formatMessage('message.from-impersonates-provider', 'notSentBy', { fromDomain: 'gmail.com', result: 'fail' }), 'From gmail.com, but DMARC fail for it: not sent through gmail.com'],
    [formatMessage('auth.from-not-aligned', 'nothingPassed', { fromDomain: 'example.org' }), 'neither SPF nor DKIM passed, so nothing aligns with From example.org'],
    [formatMessage('message.sent-without-tls', 'plain', { position: 2, protocol: 'SMTP' }), 'Received field 2 from the top: with SMTP, no TLS named'],
    [
      formatMessage('message.unsubscribe-not-one-click', 'gaps', { gaps: [{ code: 'noHttps', uris: [] }, { code: 'postNotOneClick', post: 'yes' }] }),
      'no https URI in List-Unsubscribe (no <URI> at all); List-Unsubscribe-Post is "yes", not "List-Unsubscribe=One-Click"',
    ],
    [formatMessage('message.unsubscribe-not-signed', 'notCovered', { fromDomain: 'example.org' }), 'no passing DKIM signature of example.org covers both List-Unsubscribe and List-Unsubscribe-Post'],
    [
      formatMessage('message.unsubscribe-not-signed', 'notCoveredNoFromSigners', { signers: [{ domain: 'esp.example', fields: [] }, { domain: 'example.org', fields: ['list-unsubscribe'] }] }),
      'no passing DKIM signature of the From domain covers both List-Unsubscribe and List-Unsubscribe-Post (d=esp.example signs neither; d=example.org signs list-unsubscribe)',
    ],
  ];
  for (const [said, before] of cases) assert.equal(said, before);
});

test('the message check\'s DKIM variants read as before', () => {
  const data = { domain: 'example.org', result: 'fail' };
  assert.equal(formatMessage('auth.dkim-fail', 'failed', data), 'DKIM fail for d=example.org');
  assert.equal(formatMessage('auth.dkim-fail', 'failedWithComment', { ...data, comment: 'bad signature' }), 'DKIM fail for d=example.org: bad signature');
  assert.equal(formatMessage('auth.dkim-fail', 'failedSelector', { ...data, selector: 's1' }), 'DKIM fail for d=example.org s=s1');
  assert.equal(formatMessage('auth.unauthenticated', 'unsigned', { spf: 'softfail' }), 'neither SPF (softfail) nor DKIM (no signature) passed for this message');
});
