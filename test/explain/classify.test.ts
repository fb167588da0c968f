// Tricky cases: providers reusing codes, blocklist listing vs query refusal vs
// spam, connection-level failures kept apart, temporary vs permanent from words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causeIds, causes, isCauseId } from '../../src/causes.js';
import { MEANINGS } from '../../src/replies/index.js';
import { explain } from '../../src/explain/index.js';
import { RULES } from '../../src/explain/patterns.js';
import { ENHANCED } from '../../src/explain/status.js';
import { PROVIDERS, PROVIDER_RULES } from '../../src/explain/providers.js';

const one = (text: string) => {
  const report = explain(text);
  assert.equal(report.causes.length, 1, `one entry for: ${text}`);
  return report.causes[0]!;
};

test('a 5.1.1 that is a recipient-count limit is rate.limited, not recipient.unknown', () => {
  const e = one('550 5.1.1 <a@example.com>: Recipient address rejected: too many recipients, max 100 per message');
  assert.equal(e.cause, 'rate.limited');
});

test('Gmail 4.2.1 is a receiving-rate limit, not a disabled mailbox', () => {
  const e = one('450-4.2.1 The user you are trying to contact is receiving mail at a rate that\n450-4.2.1 prevents additional messages from being delivered. - gsmtp');
  assert.equal(e.cause, 'rate.limited');
  assert.equal(e.temporary, true);
  assert.equal(e.provider, 'google');
});

test('a 5.1.0 naming a domain blocklist is rbl.domain-listed', () => {
  assert.equal(one('550 5.1.0 <p@deals.example>: Sender address rejected: sender domain deals.example is listed on Spamhaus DBL').cause, 'rbl.domain-listed');
});

test('Microsoft 5.1.10 is recipient-not-found, RFC 7505 5.1.10 is null MX', () => {
  assert.equal(one("Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient a@contoso.example not found by SMTP address lookup'").cause, 'recipient.unknown');
  assert.equal(one('556 5.1.10 Recipient address has null MX').cause, 'mx.null');
});

test('blocklist listing, query refusal and spam content are told apart', () => {
  const listed = one('554 5.7.1 Service unavailable; Client host [192.0.2.88] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.88');
  assert.equal(listed.cause, 'rbl.listed');
  assert.deepEqual(listed.confirm, { ip: '192.0.2.88', list: 'zen.spamhaus.org' });
  const refused = one('554 5.7.1 Service unavailable; Client host [192.0.2.88] blocked using zen.spamhaus.org; Error: open resolver; https://www.spamhaus.org/returnc/pub/172.64.36.1');
  assert.equal(refused.cause, 'rbl.query-refused');
  assert.equal(refused.side, 'recipient');
  assert.equal(refused.confirm?.list, 'zen.spamhaus.org');
  assert.equal(one('554 5.7.1 Message rejected as spam by Content Filtering').cause, 'content.rejected');
});

test('connection-level failures stay apart', () => {
  const line = (reason: string, dsn = '4.4.1') => `May 14 11:02:40 mail postfix/smtp[1]: ABC: to=<a@example.net>, relay=none, delay=30, dsn=${dsn}, status=deferred (${reason})`;
  assert.equal(one(line('connect to mx.example.net[198.51.100.20]:25: Connection timed out')).cause, 'smtp.timeout');
  assert.equal(one(line('connect to mx.example.net[198.51.100.20]:25: Connection refused')).cause, 'smtp.refused');
  assert.equal(one(line('lost connection with mx.example.net[198.51.100.20] while receiving the initial server greeting')).cause, 'smtp.no-banner');
  assert.equal(one(line('connect to gmail-smtp-in.l.google.com[142.250.102.26]:25: Connection timed out')).cause, 'network.port25-blocked');
  assert.equal(one(line('Host or domain name not found. Name service error for name=example.net type=MX: Host not found', '5.4.4').replace('deferred', 'bounced')).cause, 'domain.nxdomain');
  assert.equal(one(line('Host or domain name not found. Name service error for name=example.net type=A: Host found but no data record of requested type', '5.4.4')).cause, 'mx.missing');
  assert.equal(one(line('Domain example.net does not accept mail (nullMX)', '5.1.0')).cause, 'mx.null');
  const servfail = one(line('Host or domain name not found. Name service error for name=example.net type=MX: Host not found, try again', '4.4.3'));
  assert.equal(servfail.cause, 'dns.servfail');
  assert.equal(servfail.temporary, true);
  assert.equal(servfail.stage, 'dns');
});

test('temporary or permanent is read from the words, not only the code', () => {
  const tss09 = one('421 4.7.0 [TSS09] All messages from 192.0.2.88 will be permanently deferred; Retrying will NOT succeed.');
  assert.equal(tss09.cause, 'reputation.poor');
  assert.equal(tss09.temporary, false);
  assert.equal(one('2024-05-18 06:02:11 1s6pXY-000Abc-9Q ** kurt@example.org: retry timeout exceeded').temporary, false);
  const delayed = explain('This message was created automatically by mail delivery software.\n\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.sender.example.\n\nThe address to which the message has not yet been delivered is:\n\n  iris@example.org\n\nNo action is required on your part. Delivery attempts will continue for\nsome time. Eventually the mail delivery software will give up.\n').causes[0]!;
  assert.equal(delayed.cause, 'delivery.delayed');
  assert.equal(delayed.temporary, true);
});

test('a stated reason beats "expired": the generic cause becomes secondary', () => {
  const e = one("Remote Server returned '550 5.4.316 Message expired, connection refused(Socket error code 10061)'");
  assert.equal(e.cause, 'smtp.refused');
  assert.ok(e.secondary.some(s => s.cause === 'delivery.expired'));
});

test('Gmail boilerplate about spam does not make an authentication or format bounce a spam bounce', () => {
  assert.equal(one('550-5.7.1 [192.0.2.88] This message is not RFC 5322 compliant. There are multiple\n550-5.7.1 Subject headers. To reduce the amount of spam sent to Gmail, this\n550-5.7.1 message has been blocked. - gsmtp').cause, 'message.malformed');
  assert.equal(one('550-5.7.26 Unauthenticated email from sender.example is not accepted due to\n550-5.7.26 domain\'s DMARC policy. - gsmtp').cause, 'auth.dmarc-reject');
});

test('SPF and DKIM both failing is "unauthenticated"', () => {
  const e = one('550 5.7.1 Rejected: SPF check failed for 192.0.2.1 and DKIM signature verification failed');
  assert.equal(e.cause, 'auth.unauthenticated');
});

test('each entry carries the registry words, evidence, codes and a confidence', () => {
  const e = one('May 14 10:15:22 mail postfix/smtp[1]: ABC: to=<a@example.net>, relay=mx.example.net[198.51.100.20]:25, dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.20] said: 550 5.1.1 <a@example.net>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))');
  assert.equal(e.cause, 'recipient.unknown');
  assert.equal(e.title, causes['recipient.unknown'].title);
  assert.equal(e.fix, causes['recipient.unknown'].fix);
  assert.equal(e.side, causes['recipient.unknown'].side);
  assert.deepEqual(e.statusCodes, ['550', '5.1.1']);
  assert.equal(e.stage, 'rcpt');
  assert.equal(e.recipient, 'a@example.net');
  assert.equal(e.remoteMta, 'mx.example.net[198.51.100.20]');
  assert.ok(e.evidence.some(x => /User unknown in local recipient table/.test(x)), e.evidence.join(' | '));
  assert.ok(e.confidence > 0.6 && e.confidence <= 1);
});

test('an unrecognised rejection falls back to smtp.rejected with low confidence; prose yields nothing', () => {
  const e = one('550 5.0.0 Flux capacitor out of alignment');
  assert.equal(e.cause, 'smtp.rejected');
  assert.ok(e.confidence < 0.3);
  assert.deepEqual(explain('Hello, how are you?').causes, []);
});

test('every cause a rule, a demotion or a status-code prior names is in the registry', () => {
  const named = [
    ...[...RULES, ...PROVIDER_RULES].flatMap(rule => [rule.cause, ...(rule.demotes ?? [])]),
    ...Object.values(ENHANCED).flatMap(e => (e.cause ? [e.cause] : [])),
    ...PROVIDERS.flatMap(p => [...(p.codes ?? []).map(c => c.cause), ...Object.keys(p.fixes ?? {})]),
  ];
  assert.deepEqual([...new Set(named)].filter(id => !isCauseId(id)), []);
});

test('every case fix of the registry is someone\'s: a message of that name, or a wording rule that gives it', () => {
  const given = new Set([...RULES, ...PROVIDER_RULES].flatMap(rule => (rule.fix ? [rule.fix] : [])).concat(Object.values(MEANINGS).flatMap(m => (m.bounceFix ? [m.bounceFix] : []))));
  const unused = causeIds.flatMap(id => Object.entries(causes[id].fixes ?? {}).filter(([name, fix]) => !causes[id].messages?.[name] && !given.has(fix)).map(([name]) => `${id}/${name}`));
  assert.deepEqual(unused, []);
});

test('the common wordings in German, French, Spanish, Italian, Dutch and Portuguese, without a status code to lean on', () => {
  const cases: [string, string][] = [
    ['Empfänger unbekannt', 'recipient.unknown'],
    ['destinataire inconnu', 'recipient.unknown'],
    ['usuario desconocido', 'recipient.unknown'],
    ['gebruiker onbekend', 'recipient.unknown'],
    ['Postfach ist voll', 'mailbox.full'],
    ['quota dépassé pour ce compte', 'mailbox.full'],
    ['casella piena', 'mailbox.full'],
    ['caixa postal cheia', 'mailbox.full'],
    ['Nachricht ist zu groß', 'message.too-large'],
    ['message trop volumineux', 'message.too-large'],
  ];
  for (const [text, cause] of cases) assert.equal(explain(text).causes[0]?.cause, cause, text);
});
