import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDeliveryStatus } from '../../src/explain/dsn.js';
import { parseLogLines } from '../../src/explain/logs.js';
import { decodeQuotedPrintable, leaves, parseMessage } from '../../src/explain/mime.js';
import { recipientBlocks, withoutReturnedMessage } from '../../src/explain/ndr.js';
import { parseInput } from '../../src/explain/parse.js';
import { findStage } from '../../src/explain/stage.js';
import { findStatusCodes } from '../../src/explain/status.js';
import { decodeInput, matchableText, stripReplyContinuations } from '../../src/explain/text.js';
import { ExplainInputError } from '../../src/explain/errors.js';

const dsn = (parts: string) => `From: MAILER-DAEMON@mx.sender.example\nTo: sam@sender.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n${parts}--B--\n`;

test('quoted-printable: escapes and soft line breaks', () => {
  assert.equal(decodeQuotedPrintable('User unknown in v=\nirtual alias table =3D caf=C3=A9').toString('utf8'), 'User unknown in virtual alias table = café');
});

test('MIME: base64 parts are decoded with their charset', () => {
  const body = Buffer.from('Zustellung fehlgeschlagen: Empfänger unbekannt', 'latin1').toString('base64');
  const message = parseMessage(`Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${body}\n--X--\n`);
  assert.equal(leaves(message)[0]?.body, 'Zustellung fehlgeschlagen: Empfänger unbekannt');
});

test('DSN: one entry per recipient block with its own status and diagnostic', () => {
  const status = parseDeliveryStatus(`Reporting-MTA: dns; mx.sender.example\nX-Postfix-Sender: rfc822; sam@sender.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address\n    rejected: User unknown\n\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.2.2\n`);
  assert.equal(status.reportingMta, 'mx.sender.example');
  assert.equal(status.sender, 'sam@sender.example');
  assert.deepEqual(status.recipients.map(r => [r.recipient, r.action, r.status]), [['a@example.org', 'failed', '5.1.1'], ['b@example.org', 'delayed', '4.2.2']]);
  assert.equal(status.recipients[0]?.diagnostic, '550 5.1.1 <a@example.org>: Recipient address rejected: User unknown');
  assert.equal(status.recipients[0]?.remoteMta, 'mx.example.org');
});

test('a whole multipart/report becomes one segment per recipient, ignoring the returned message', () => {
  const parsed = parseInput(dsn(`--B\nContent-Type: text/plain\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n\n<b@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.sender.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; b@example.org\nAction: failed\nStatus: 5.2.2\n\n--B\nContent-Type: message/rfc822\n\nFrom: sam@sender.example\nSubject: hi\n\nRelay access denied, virus, spam.\n`), false);
  assert.equal(parsed.kind, 'dsn');
  assert.equal(parsed.segments.length, 2);
  assert.match(parsed.segments[1]!.clauses[0]!.text, /Mailbox full/);
  assert.ok(parsed.segments.every(s => s.clauses.every(c => !/Relay access denied/.test(c.text))));
  assert.equal(parsed.segments[0]?.remoteMta, 'mx.example.org[192.0.2.1]');
  assert.equal(parsed.sender, 'sam@sender.example');
});

test('log lines: Postfix, Exim and Sendmail outcomes; delivered lines are skipped', () => {
  const segments = parseLogLines([
    'May 14 10:15:22 mail postfix/smtp[1]: ABC123: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command))',
    'May 14 10:15:23 mail postfix/smtp[1]: ABC124: to=<ok@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok)',
    '2024-05-14 10:15:22 1s6pXY-000Abc-9Q == b@example.net R=dnslookup T=remote_smtp defer (110) H=mx.example.net [192.0.2.2]: Connection timed out',
    'May 14 10:15:22 relay sm-mta[9]: 44EEFm2x012345: to=<c@example.com>, delay=00:00:02, mailer=esmtp, relay=mx.example.com. [192.0.2.3], dsn=4.0.0, stat=Deferred: Connection refused by mx.example.com.',
  ].join('\n'));
  assert.ok(segments);
  assert.deepEqual(segments.map(s => [s.recipient, s.action]), [['a@example.org', 'bounced'], ['b@example.net', 'deferred'], ['c@example.com', 'deferred']]);
  assert.equal(segments[1]?.clauses[0]?.text, 'Connection timed out');
  assert.equal(segments[0]?.status, '5.1.1');
});

test('text that is not mostly log lines is not read as a log', () => {
  assert.equal(parseLogLines('hello\nworld\nMay 14 10:15:22 mail postfix/smtp[1]: A: to=<a@b.example>, status=bounced (x)\nmore\nprose'), undefined);
});

test('NDR bodies: blocks per recipient; the returned message is cut off', () => {
  const body = withoutReturnedMessage(`A message that you sent could not be delivered. The following address(es) failed:\n\n  a@example.org\n    host mx.example.org [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<a@example.org>:\n    550 No Such User Here\n\n  b@example.org\n    retry timeout exceeded\n\n------ This is a copy of the message, including all the headers. ------\n\nSubject: relay access denied\n`);
  const blocks = recipientBlocks(body);
  assert.deepEqual(blocks.map(b => b.recipient), ['a@example.org', 'b@example.org']);
  assert.match(blocks[0]!.text, /No Such User Here/);
  assert.doesNotMatch(body, /relay access denied/);
});

test('Exchange NDRs mention a recipient twice: both paragraphs belong to it', () => {
  const blocks = recipientBlocks(`Delivery has failed to these recipients or groups:\n\nd@contoso.example\nThe email address you entered couldn't be found.\n\n\n\nDiagnostic information for administrators:\n\nGenerating server: EX01\n\nd@contoso.example\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'\n`);
  assert.equal(blocks.length, 1);
  assert.match(blocks[0]!.text, /couldn't be found[\s\S]*RecipientNotFound/);
});

test('multi-line replies read as one phrase; Postfix-joined continuations too', () => {
  assert.equal(matchableText('550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient\'s email address\n550 5.1.1 https://x - gsmtp'),
    "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address https://x - gsmtp");
  assert.equal(stripReplyContinuations('said: 421-4.7.0 temporarily 421-4.7.0 rate limited 421 4.7.0 see'), 'said: 421-4.7.0 temporarily rate limited see');
  assert.equal(matchableText('452-4.5.3 Domain policy size per transaction exceeded, please try this\\n452 4.5.3 recipient'), '452-4.5.3 Domain policy size per transaction exceeded, please try this recipient');
});

test('status codes: basic and enhanced, not IP addresses or version-like numbers', () => {
  const codes = findStatusCodes('421 4.7.0 [TSS04] Messages from 192.0.2.88 temporarily deferred - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes');
  assert.deepEqual(codes, { basic: ['421'], enhanced: ['4.7.0'] });
  assert.deepEqual(findStatusCodes("Remote Server returned '554 5.2.2 mailbox full'").basic, ['554']);
  assert.deepEqual(findStatusCodes('delivery error: dd This mailbox is disabled (554.30).').basic, []);
});

test('SMTP stage recovered from each MTA\'s wording', () => {
  assert.equal(findStage(['host mx[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO command)']), 'rcpt');
  assert.equal(findStage(['SMTP error from remote mail server after end of data: 550 spam']), 'data-end');
  assert.equal(findStage(['SMTP error from remote mail server after pipelined MAIL FROM:<a@b> SIZE=1: 421 4.7.0']), 'mail');
  assert.equal(findStage(['... while talking to mx.example.net.:\n>>> RCPT To:<a@example.net>\n<<< 550 5.1.1 User unknown']), 'rcpt');
  assert.equal(findStage(['198.51.100.7 does not like recipient.\nRemote host said: 550 5.1.1']), 'rcpt');
  assert.equal(findStage(['host mx[192.0.2.1] refused to talk to me: 554 5.7.1 blocked']), 'connect');
  assert.equal(findStage(['Host or domain name not found. Name service error for name=x.example type=MX: Host not found']), 'dns');
});

test('input decoding: CR-only and CRLF line endings, Latin-1, empty and binary input', () => {
  assert.equal(decodeInput('a\rb\r\nc').text, 'a\nb\nc');
  assert.equal(decodeInput(Buffer.from('Empfänger unbekannt, Postfach voll: größer, ähnlich, Übergröße ist ungültig', 'latin1')).text.includes('Empfänger'), true);
  assert.throws(() => decodeInput('  \n\t'), ExplainInputError);
  assert.throws(() => decodeInput(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])), ExplainInputError);
});
