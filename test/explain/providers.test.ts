// The provider layer: a provider's own block list is its reputation decision with
// its own way out, its documented codes beat the registry's meanings, delay notices
// lead with the delay, the resolver is told apart from the domain, and the common
// causes are read in nine languages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { explain } from '../../src/explain/index.js';
import { PROVIDERS, detectProvider } from '../../src/explain/providers.js';

const first = (text: string) => {
  const e = explain(text).causes[0];
  assert.ok(e, `a cause for: ${text}`);
  return e;
};

test('a provider\'s own block list is reputation.poor with that provider\'s delisting portal, not a DNSBL', () => {
  const cases: [string, string, RegExp][] = [
    ["550 5.7.1 Unfortunately, messages from [192.0.2.88] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). [AM4PEPF00027A5F.eurprd04.prod.outlook.com]", 'outlook.com', /olcsupport\.office\.com/],
    ['550 5.7.606 Access denied, banned sending IP [192.0.2.88]. AS(1430) [BN1NAM02FT052.eop-nam02.prod.protection.outlook.com]', 'microsoft', /sender\.office\.com/],
    ['554 5.1.0 <s@example.org> Comcast block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000', 'comcast', /postmaster\.comcast\.net/],
    ['554 cxr.mx.a.cox.net cox 192.0.2.88 rejected - IP blocked AUP#CXBL', 'cox', /cox\.com\/residential\/support\/email-error-codes/],
    ['553 5.7.2 [TSS09] All messages from 192.0.2.88 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes', 'yahoo', /senders\.yahooinc\.com/],
  ];
  for (const [text, provider, portal] of cases) {
    const e = first(text);
    assert.equal(e.cause, 'reputation.poor', text);
    assert.equal(e.provider, provider, text);
    assert.equal(e.side, 'sender', text);
    assert.match(e.fix, portal, text);
  }
});

test('a public list named in a provider\'s reply stays rbl.listed', () => {
  assert.equal(first('554 resimta-po-12v.sys.comcast.net 192.0.2.88 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001').cause, 'rbl.listed');
  assert.equal(first("553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.88, because the ip is in Spamhaus's list").cause, 'rbl.listed');
  assert.equal(first('554 Connection refused. This IP address is listed on the Spamhaus Block List (SBL). IB104').cause, 'rbl.listed');
});

test('Microsoft 365 enhanced codes: TLS, DANE, per-hour limits, authentication level, DNS', () => {
  const cases: [string, string][] = [
    ['550 5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail', 'tls.starttls-missing'],
    ["550 5.7.322 certificate-expired: Destination mail server's certificate is expired", 'tls.cert-expired'],
    ['550 5.7.323 tlsa-invalid: The domain failed DANE validation', 'dane.tlsa-mismatch'],
    ["450 4.2.122 Recipient's per hour message receive limit exceeded. [Hostname=SN6PR04MB4318.namprd04.prod.outlook.com]", 'rate.limited'],
    ["550 5.7.515 Access denied, sending domain example.org doesn't meet the required authentication level. [DS1PEPF0001709D.namprd05.prod.outlook.com]", 'auth.unauthenticated'],
    ['550 5.4.312 Message expired, DNS query failed(ServerFailure) [LastAttemptedServerName=example.com]', 'dns.servfail'],
  ];
  for (const [text, cause] of cases) assert.equal(first(text).cause, cause, text);
  const authRequired = first('550 5.7.1 RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]');
  assert.equal(authRequired.cause, 'auth.required');
  assert.equal(authRequired.side, 'recipient', 'the recipient group takes only its organisation\'s senders');
});

test('a provider\'s own numbering beats RFC 7372: Gmail 4.7.23 is a missing PTR, not SPF', () => {
  const e = first("421-4.7.23 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address. - gsmtp");
  assert.equal(e.cause, 'ptr.missing');
  assert.equal(e.temporary, true);
});

test('a delay notice leads with delivery.delayed; its stated reason is second and decides the side', () => {
  const notice = (reason: string) =>
    `This is the mail system at host mail.example.org.\n\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<user@example.net>: host mx.example.net[192.0.2.10] said: ${reason}\n`;
  const greylisted = first(notice('450 4.2.0 <user@example.net>: Recipient address rejected: Greylisted (in reply to RCPT TO command)'));
  assert.equal(greylisted.cause, 'delivery.delayed');
  assert.equal(greylisted.temporary, true);
  assert.equal(greylisted.secondary[0]?.cause, 'smtp.greylisting');
  assert.equal(greylisted.side, 'recipient');
  const limited = first(notice('421 4.7.0 Too many connections from your IP, rate limited (in reply to MAIL FROM command)'));
  assert.equal(limited.cause, 'delivery.delayed');
  assert.equal(limited.secondary[0]?.cause, 'rate.limited');
  assert.equal(limited.side, 'sender', 'the sender sends too fast: the delay is not the recipient\'s to fix');
});

test('resolver trouble is not a missing domain', () => {
  const retry = first('<u@example.com>: Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again');
  assert.equal(retry.cause, 'dns.servfail');
  assert.equal(retry.temporary, true);
  const malformed = first('<u@example.net>: Name service error for name=example.net type=MX: Malformed or unexpected name server reply');
  assert.equal(malformed.cause, 'dns.servfail');
  assert.equal(malformed.side, 'sender', 'the sending server\'s resolver is the first suspect');
  assert.equal(first('<u@example.invalid>: Host or domain name not found. Name service error for name=example.invalid type=A: Host not found').cause, 'domain.nxdomain');
});

test('null MX wordings, reverse DNS, HELO and header rejections', () => {
  const cases: [string, string][] = [
    ['<u@example.org>: Host or domain name not found. Name service error for name=example.org type=MX: an MX or SRV record indicated no SMTP service', 'mx.null'],
    ['556 5.1.10 <u@example.net>: Recipient address rejected: Domain example.net does not accept mail (nullMX)', 'mx.null'],
    ['550 5.7.1 Client host rejected: cannot find your hostname, [192.0.2.25]', 'ptr.missing'],
    ['501 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname', 'smtp.banner-mismatch'],
    ['554 Message not allowed - Headers are not RFC compliant[291]', 'message.malformed'],
  ];
  for (const [text, cause] of cases) assert.equal(first(text).cause, cause, text);
  assert.ok(first('550 5.7.1 Client host rejected: cannot find your hostname, [192.0.2.25]').secondary.some(s => s.cause === 'ptr.not-fcrdns'));
});

test('the ten most common causes in German, French, Spanish, Italian, Dutch, Portuguese, Japanese, Russian and Chinese', () => {
  const cases: [string, string][] = [
    ['Die E-Mail-Adresse wurde nicht gefunden.', 'recipient.unknown'],
    ["L'adresse est introuvable.", 'recipient.unknown'],
    ['La dirección de correo electrónico no existe.', 'recipient.unknown'],
    ['Indirizzo non trovato', 'recipient.unknown'],
    ['Het e-mailadres bestaat niet.', 'recipient.unknown'],
    ['Endereço não encontrado', 'recipient.unknown'],
    ['アドレスが見つかりません', 'recipient.unknown'],
    ['Адрес не найден', 'recipient.unknown'],
    ['收件人地址不存在', 'recipient.unknown'],
    ['La boîte aux lettres du destinataire est pleine.', 'mailbox.full'],
    ['El buzón del destinatario está lleno.', 'mailbox.full'],
    ['Het postvak van de ontvanger is vol.', 'mailbox.full'],
    ['Почтовый ящик получателя переполнен.', 'mailbox.full'],
    ['收件人邮箱已满', 'mailbox.full'],
    ['受信者のメールボックスがいっぱいです', 'mailbox.full'],
    ['Die Domäne example.invalid existiert nicht.', 'domain.nxdomain'],
    ['Die Zustellung an diese Empfänger ist verzögert.', 'delivery.delayed'],
    ['Доставка этим получателям задерживается.', 'delivery.delayed'],
    ['Ihre Nachricht wurde als Spam eingestuft.', 'content.rejected'],
    ['您的邮件被识别为垃圾邮件', 'content.rejected'],
    ['Das Konto des Empfängers ist deaktiviert.', 'recipient.disabled'],
    ['Troppi messaggi, riprovare più tardi.', 'rate.limited'],
    ['发送频率过高', 'rate.limited'],
    ['La taille du message dépasse la limite autorisée.', 'message.too-large'],
  ];
  for (const [text, cause] of cases) assert.equal(explain(text).causes[0]?.cause, cause, text);
});

test('every provider is recognised by its own markers and documented in docs/providers.md with its portals', () => {
  const doc = readFileSync(new URL('../../../docs/providers.md', import.meta.url), 'utf8');
  for (const p of PROVIDERS) {
    assert.ok(doc.includes(`\`${p.id}\``), `${p.id} in docs/providers.md`);
    for (const fix of Object.values(p.fixes ?? {})) {
      for (const url of fix.match(/https:\/\/[^\s,)]+[^\s,).]/g) ?? []) assert.ok(doc.includes(url), `${p.id}: ${url} in docs/providers.md`);
    }
  }
  assert.equal(detectProvider('host eur.olc.protection.outlook.com said: 550 5.7.1 (S3150)'), 'outlook.com');
  assert.equal(detectProvider('550 5.7.606 AS(1430) [BN1NAM02FT052.eop-nam02.prod.protection.outlook.com]'), 'microsoft');
  assert.equal(detectProvider('Hello from example.org'), undefined);
});
