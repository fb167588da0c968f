// Policy blocklists (Spamhaus PBL, SORBS DUL, Trend Micro ERS-DUL) and receivers'
// own "dynamic IP" refusals are no spam verdict: the sender gets the relay fix.
// Reputation lists (SBL, XBL/CBL, SpamCop, Barracuda, UCEPROTECT) keep the cleanup
// fix, and a ZEN reply that does not say which sub-list sends to the lookup link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causes, fixFor } from '../../src/causes.js';
import { explain } from '../../src/explain/index.js';

const first = (text: string) => {
  const e = explain(text).causes[0];
  assert.ok(e, `a cause for: ${text}`);
  return e;
};

/** Each reply is read as `cause`, on the sender's side, with exactly this fix. */
function expectEach(replies: readonly string[], cause: string, fix: string): void {
  for (const text of replies) {
    const e = first(text);
    assert.deepEqual([e.cause, e.side, e.fix], [cause, 'sender', fix], text);
  }
}

const POLICY_FIX = fixFor('rbl.listed', 'policyListed');
const DYNAMIC_FIX = fixFor('ptr.generic', 'dynamicRange');
const ZEN_FIX = fixFor('rbl.listed', 'spamhausZen');

test('the fixes tell a policy listing from a spam listing', () => {
  for (const fix of [POLICY_FIX, DYNAMIC_FIX]) {
    assert.match(fix, /relay \(smarthost\)/);
    assert.match(fix, /port 587/);
    assert.match(fix, /static address/);
    assert.doesNotMatch(fix, /infected|compromised/);
  }
  assert.match(POLICY_FIX, /Spamhaus PBL removal is for static addresses only/);
  assert.match(ZEN_FIX, /lookup link/);
});

test('a policy list named in a reject (Postfix, Exim, Sendmail, hosting filters) is rbl.listed with the relay fix, not the cleanup', () => {
  const replies = [
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using pbl.spamhaus.org; https://www.spamhaus.org/pbl/query/PBL1234',
    // ZEN, with the PBL record's link (Postfix DSN wording).
    '<a@example.net>: host mx.example.net[198.51.100.20] said: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/pbl/query/PBL228464 (in reply to RCPT TO command)',
    // Exim's default dnslists message, and a log_message that shows the return code.
    '550-rejected because 203.0.113.5 is in a black list at pbl.spamhaus.org\n550 https://www.spamhaus.org/query/ip/203.0.113.5',
    '550 5.7.1 203.0.113.5 is listed at zen.spamhaus.org (127.0.0.11: https://www.spamhaus.org/query/ip/203.0.113.5)',
    // Sendmail FEATURE(dnsbl).
    '550 5.7.1 Rejected: 203.0.113.5 listed at pbl.spamhaus.org',
    '554 mysev mysmtp 203.0.113.5 is on the Spamhaus PBL Please visit https://www.spamhaus.org/query/ip/203.0.113.5',
    '554 5.7.1 Service unavailable; Client host [130.83.177.130] blocked using dul.dnsbl.sorbs.net; Dynamic IP Addresses See: http://www.sorbs.net/lookup.shtml?130.83.177.130',
    "554 5.7.1 <a@example.net>: Recipient address rejected: Mail from <5.60.96.11> was refused due to the sender IP found in ERS-DUL. For details, query the IP reputation on https://servicecentral.trendmicro.com/en-US/ers/.",
  ];
  expectEach(replies, 'rbl.listed', POLICY_FIX);
});

test('a receiver\'s own "dynamic IP" refusal (Microsoft, Gmail, T-Online) is ptr.generic with the relay fix', () => {
  const replies: [string, string?][] = [
    ["550 DY-001 (BAY0-MC1-F3) Unfortunately, messages from 174.143.146.10 weren't sent. Please contact your Internet service provider. You can tell them that Hotmail does not relay dynamically-assigned IP ranges. You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.", 'outlook.com'],
    ["550 DY-001 Mail rejected by Windows Live Hotmail for policy reasons. We generally do not accept email from dynamic IP's as they are not typically used to deliver unauthenticated SMTP e-mail to an Internet mail server.", 'outlook.com'],
    ["550 5.7.1 Your IP address 203.0.113.5 appears to be dynamically assigned. Please smarthost your mail through your ISP's mail server."],
    ["421-4.7.0 [203.0.113.5] The IP you're using to send mail is not authorized to\n421-4.7.0 send email directly to our servers. Please use the SMTP relay at your\n421-4.7.0 service provider instead. For more information, go to\n421 4.7.0  https://support.google.com/mail/?p=NotAuthorizedError a1si123456qkb.42 - gsmtp", 'google'],
    ['554 IP=203.0.113.5 - Dialup/transient IP not allowed. Use a mailgateway or contact toda@rx.t-online.de if obsolete. (DIAL)'],
  ];
  expectEach(replies.map(([text]) => text), 'ptr.generic', DYNAMIC_FIX);
  for (const [text, provider] of replies) if (provider) assert.equal(first(text).provider, provider, text);
});

test('Spamhaus named without its sub-list stays rbl.listed and sends to the lookup link, guessing neither', () => {
  const replies = [
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5',
    '554 host [203.0.113.5] is blacklisted by zen.spamhaus.org',
    '550 5.7.1 Service unavailable, Client host [203.0.113.5] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/203.0.113.5 (AS3130) [BN8NAM12FT011.eop-nam12.prod.protection.outlook.com]',
    "553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.5, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
  ];
  expectEach(replies, 'rbl.listed', ZEN_FIX);
});

test('reputation lists (SBL, XBL, CBL, SpamCop, UCEPROTECT, Barracuda) keep the cleanup fix', () => {
  const replies = [
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/sbl/query/SBL12345',
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using sbl.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5',
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using xbl.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5',
    '550-rejected because 203.0.113.5 is in a black list at cbl.abuseat.org\n550 Blocked - see https://www.abuseat.org/lookup.cgi?ip=203.0.113.5',
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?203.0.113.5',
    '550 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using dnsbl-1.uceprotect.net; IP 203.0.113.5 is UCEPROTECT-Level1 listed.',
  ];
  expectEach(replies, 'rbl.listed', causes['rbl.listed'].fix);
  const barracuda = first('554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using b.barracudacentral.org; http://www.barracudanetworks.com/reputation/?pr=1&ip=203.0.113.5');
  assert.equal(barracuda.cause, 'rbl.listed');
  assert.match(barracuda.fix, /barracudacentral\.org\/rbl\/removal-request/);
});
