// The words of the TLS, SMTP-policy, MTA-STS and TLS-RPT findings, one case per
// way a template or format can say something the lab and the demo do not show:
// each finding is its data, and these pin how src/causes.ts says it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage, type CauseId } from '../../src/causes.js';

const server = { host: 'mx1.example.com', ip: '192.0.2.10' };
const reply = '450 4.7.1 Try again later';
const domain = 'example.com';
const url = 'https://mta-sts.example.com/.well-known/mta-sts.txt';

const CASES: [CauseId, string, Record<string, unknown>, string][] = [
  ['smtp.size-limit-low', 'lowLimit', { server, size: 5_242_880, attachmentBytes: 3_932_160 }, 'mx1.example.com (192.0.2.10) advertises SIZE 5242880 (5.2 MB): messages larger than that are refused, and attachments of about 3.9 MB already reach it once encoded'],
  ['smtp.greylisting', 'everyRecipientDeferred', { server, command: 'RCPT TO:<postmaster@a.example>', reply, address: 'postmaster@example.com', sampledDomains: 5 }, 'mx1.example.com (192.0.2.10) answered the recipients of 5 domains in a row (so <postmaster@example.com> was not asked), e.g. RCPT TO:<postmaster@a.example>, with "450 4.7.1 Try again later" (a temporary refusal; the reply does not say "greylist", but senders are delayed the same way): mail is delayed until the sender retries'],
  ['smtp.rejected', 'nullSenderRefused', { server, command: 'MAIL FROM:<>', reply: '553 5.7.1 no' }, 'mx1.example.com (192.0.2.10) refused the sender MAIL FROM:<> (every server must accept the null sender <>, which bounces come from: RFC 5321 §4.5.5): "553 5.7.1 no"'],
  ['smtp.untestable', 'clientRate', { server, command: 'MAIL FROM:<a@b.example>', reply: '451 4.7.1 your IP is rate limited', objection: 'rate' }, 'mx1.example.com (192.0.2.10) answered MAIL FROM:<a@b.example> with "451 4.7.1 your IP is rate limited": that server limits connections or mail from the address maildiag connects from, which says nothing about the domain, so the rest was not tested. Try again later, or from another host'],
  ['smtp.untestable', 'clientHeloName', { server, command: 'RCPT TO:<postmaster@example.com>', reply: '450 4.7.1 <probe.example.net>: Helo command rejected: Host not found', objection: 'helo-name', helo: 'probe.example.net' }, 'mx1.example.com (192.0.2.10) answered RCPT TO:<postmaster@example.com> with "450 4.7.1 <probe.example.net>: Helo command rejected: Host not found": that server refuses maildiag\'s EHLO name probe.example.net, which says nothing about the domain, so the rest was not tested. Re-run with --helo set to this machine\'s real host name (one whose A record and PTR match its IP)'],
  ['smtp.tls-required', 'refusedWithoutStartTlsOtherAccepts', { server, command: 'MAIL FROM:<>', reply: '530 5.7.0 Must issue a STARTTLS command first', otherHost: 'mx2.example.com' }, 'mx1.example.com (192.0.2.10) answered MAIL FROM:<> with "530 5.7.0 Must issue a STARTTLS command first" but does not offer STARTTLS: no sender can deliver to it; mx2.example.com accepts the mail instead'],
  ['smtp.tls-required', 'beforeFailedHandshakeOtherAccepts', { server, command: 'MAIL FROM:<>', reply: '530 5.7.0 Must issue a STARTTLS command first', otherHost: 'mx2.example.com' }, 'mx1.example.com (192.0.2.10) answers MAIL FROM:<> before STARTTLS with "530 5.7.0 Must issue a STARTTLS command first", and the STARTTLS handshake with it failed, so no sender can deliver to it; mx2.example.com accepts the mail instead'],
  ['smtp.open-relay', 'relaysFromNonGlobal', { server, address: 'relay@relay-test.invalid', clientAddress: '10.0.0.5', clientRange: 'private (RFC 1918)' }, 'mx1.example.com (192.0.2.10) accepted RCPT TO:<relay@relay-test.invalid>, a reserved domain it cannot host: it relays mail for anyone (maildiag connected from 10.0.0.5, a private (RFC 1918) address: if that network is one the server trusts on purpose, only it can relay)'],
  ['tls.handshake-failed', 'handshakeFailed', { server, handshake: { kind: 'timeout', timeoutMs: 5000 } }, 'the TLS handshake with mx1.example.com (192.0.2.10) fails: no handshake within 5000 ms'],
  ['tls.handshake-failed', 'legacyOnly', { server, handshake: { kind: 'failed', reason: { code: 'alert', alert: 'handshake failure' } }, protocol: 'TLSv1.2', cipher: 'RC4-SHA' }, 'the TLS handshake with mx1.example.com (192.0.2.10) fails with current security settings (the server sent a fatal TLS alert: handshake failure); it only works with legacy ciphers or keys (TLSv1.2 RC4-SHA)'],
  ['tls.handshake-failed', 'startTlsUnanswered', { server, reason: { code: 'read', failure: { kind: 'timeout', partial: [], waitedMs: 5000, bytes: 0 } } }, 'mx1.example.com (192.0.2.10) offers STARTTLS but does not answer STARTTLS (no reply within 5 s)'],
  ['tls.handshake-failed', 'startTlsNoReply', { server }, 'mx1.example.com (192.0.2.10) offers STARTTLS but does not answer STARTTLS (no reply)'],
  ['tls.cert-untrusted', 'incompleteChain', { server: { host: 'mx1.example.com', ips: ['192.0.2.10'] }, missingIssuer: 'CN=Example CA' }, 'the certificate of mx1.example.com (192.0.2.10) is issued by CN=Example CA, which is neither a trusted CA nor sent by the server (unknown CA, or the intermediate certificate is missing)'],
  ['tls.cert-expiring', 'intermediateExpiring', { server: { host: '192.0.2.10', ips: ['192.0.2.10'] }, subject: 'CN=Example Intermediate', validTo: '2026-12-10T00:00:00.000Z', daysLeft: 6 }, 'the intermediate certificate CN=Example Intermediate of 192.0.2.10 expires on 2026-12-10, in 6 days'],
  ['clock.skewed', 'behindServer', { clock: '2026-12-04T10:00:00.000Z', host: 'mta-sts.example.com', serverDate: 'Fri, 04 Dec 2026 14:00:00 GMT', hours: 4, skewMs: -14_400_000 }, 'this machine\'s clock (2026-12-04T10:00:00.000Z) is 4 hours behind the Date that mta-sts.example.com sent (Fri, 04 Dec 2026 14:00:00 GMT)'],
  ['dane.tlsa-mismatch', 'noMatch', { host: 'mx1.example.com', ips: ['192.0.2.10', '2001:db8::10'], dnssecValidated: true }, 'no TLSA record of mx1.example.com matches the certificate presented by 192.0.2.10, 2001:db8::10'],
  ['mta-sts.invalid', 'policyMaxAgeDigits', { domain, url, value: '1"5' }, 'example.com: the policy at https://mta-sts.example.com/.well-known/mta-sts.txt is malformed: max_age: "1\\"5" is not a whole number of seconds (digits only) (RFC 8461 §3.2)'],
  ['mta-sts.invalid', 'redirectWithoutLocation', { domain, url, status: 302 }, 'example.com: https://mta-sts.example.com/.well-known/mta-sts.txt answers 302 with a redirect to (no Location); senders do not follow redirects (RFC 8461 §3.3)'],
  ['mta-sts.invalid', 'tlsFailed', { domain, url, host: 'mta-sts.example.com', ip: '192.0.2.30', reason: { code: 'reset' } }, 'example.com: the TLS handshake with mta-sts.example.com (192.0.2.30) failed: the server reset the connection during the handshake (ECONNRESET)'],
  ['mta-sts.invalid', 'httpError', { domain, url, reason: { code: 'cutShort' } }, 'example.com: fetching https://mta-sts.example.com/.well-known/mta-sts.txt failed: connection closed before the end of the response'],
  ['mta-sts.invalid', 'noContentType', { domain, url }, 'example.com: https://mta-sts.example.com/.well-known/mta-sts.txt is served as "no Content-Type"; the policy must be text/plain (RFC 8461 §3.2)'],
  ['mta-sts.invalid', 'noAddress', { domain, url, host: 'mta-sts.example.com', aLookup: 'nxdomain', aaaaLookup: 'nxdomain' }, 'example.com: the policy host mta-sts.example.com has no address (nxdomain/nxdomain), so the policy cannot be fetched'],
  ['mta-sts.invalid', 'mxUnlisted', { domain, mode: 'enforce', unlisted: ['mx1.example.com', 'mx2.example.com'], allowed: ['mail.example.com'] }, 'example.com: the MTA-STS policy (mode: enforce) does not list MX host mx1.example.com, mx2.example.com; it allows only mail.example.com'],
  ['tls-rpt.missing', 'unreported', { domain, policies: ['MTA-STS', 'DANE'] }, 'example.com uses MTA-STS and DANE but publishes no TLS-RPT record, so failed encrypted deliveries go unreported'],
  ['tls-rpt.invalid', 'emptyRua', { domain }, 'example.com: the TLS-RPT record is malformed: rua=(empty) is not a mailto: address or an https: URL (RFC 8460 §3)'],
];

for (const [cause, messageId, data, words] of CASES) {
  test(`${cause} ${messageId}: ${words}`, () => {
    assert.equal(formatMessage(cause, messageId, data), words);
  });
}
