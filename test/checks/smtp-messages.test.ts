// The words of the SMTP and MX-address findings, one case per way a template
// or format can say something the lab and the demo do not show: each finding
// is its data, and these pin how src/causes.ts says it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage, type CauseId } from '../../src/causes.js';
import { describeDial } from '../../src/net/smtp/index.js';

const server = { host: 'mx1.example.com', ip: '192.0.2.10' };
const none = { by: 'none' };

const CASES: [CauseId, string, Record<string, unknown>, string][] = [
  ['smtp.refused', 'refused', { server, fallback: { by: 'otherAddress', ip: '2001:db8::10' } }, 'mx1.example.com (192.0.2.10) refused the connection on port 25; its other address 2001:db8::10 answers'],
  ['smtp.refused', 'refused', { server: { host: '192.0.2.10', ip: '192.0.2.10' }, fallback: none }, '192.0.2.10 refused the connection on port 25'],
  ['smtp.timeout', 'timedOut', { server, timeoutMs: 2500, fallback: { by: 'otherHost', host: 'mx2.example.com', preference: 20 } }, 'connecting to mx1.example.com (192.0.2.10) on port 25 timed out after 2.5 s; mail goes to mx2.example.com (preference 20) instead'],
  ['smtp.timeout', 'unreachable', { server, code: 'EHOSTUNREACH', fallback: none }, 'mx1.example.com (192.0.2.10) cannot be reached on port 25: host unreachable (EHOSTUNREACH: a router on the way reports it down or filtered)'],
  ['network.no-route', 'noRoute', { server, code: 'ENETUNREACH' }, 'mx1.example.com (192.0.2.10) cannot be reached on port 25: network unreachable (ENETUNREACH: this machine has no route to it)'],
  ['smtp.no-banner', 'noGreeting', { server, fallback: none, failure: { kind: 'no-greeting', reason: 'slow', waitedMs: 10_000, patience: 2, detail: { code: 'read', failure: { kind: 'timeout', partial: ['220-slow'], waitedMs: 10_000, bytes: 10 } } } }, 'mx1.example.com (192.0.2.10) accepted the connection on port 25 but had not finished its greeting after 10 s'],
  ['smtp.no-banner', 'noGreeting', { server, fallback: none, failure: { kind: 'no-greeting', reason: 'reset', waitedMs: 0, patience: 2, detail: { code: 'read', failure: { kind: 'closed', partial: [], reset: true } } } }, 'mx1.example.com (192.0.2.10) accepted the connection on port 25 but reset it (ECONNRESET) without a greeting'],
  ['smtp.no-banner', 'noGreeting', { server, fallback: none, failure: { kind: 'no-greeting', reason: 'garbage', waitedMs: 5, patience: 2, detail: { code: 'notGreeting', reply: '200 hello' } } }, 'mx1.example.com (192.0.2.10) accepted the connection on port 25 but sent no valid SMTP greeting (200 hello instead of 220)'],
  ['smtp.greeting-slow', 'slow', { server, greetingMs: 31_530 }, 'mx1.example.com (192.0.2.10) sent its 220 greeting only 31.5 s after the connection opened: MTAs wait up to 5 minutes (RFC 5321 §4.5.3.2), but applications that send directly give up sooner (Nodemailer after 30 s)'],
  ['smtp.session-dropped', 'dropped', { server, fallback: none, failure: { kind: 'dropped', step: 'ehlo', reset: true } }, 'mx1.example.com (192.0.2.10) greeted, then reset the connection (ECONNRESET) instead of answering EHLO'],
  ['smtp.reply-broken', 'broken', { server, fallback: none, failure: { kind: 'malformed', how: 'too-long', step: 'ehlo', bytes: 131_072, waitedMs: 40, reason: '' } }, 'mx1.example.com (192.0.2.10) greeted, then answered EHLO with 131072 bytes within 40 ms and was still going, far beyond any SMTP reply: maildiag stopped reading'],
  ['smtp.reply-broken', 'broken', { server, fallback: none, failure: { kind: 'malformed', how: 'unfinished', step: 'mail', bytes: 12, waitedMs: 3000, reason: '' } }, 'mx1.example.com (192.0.2.10) greeted, then started its reply to MAIL but had not finished it after 3 s (12 bytes so far): a reply that never ends'],
  ['smtp.reply-broken', 'broken', { server, fallback: none, failure: { kind: 'malformed', how: 'garbage', step: 'rcpt', reason: { code: 'read', failure: { kind: 'garbage', line: '\u0000\u0001' } } } }, 'mx1.example.com (192.0.2.10) greeted, then answered RCPT with something that is not an SMTP reply (the server sent something that is not an SMTP reply: "\\u0000\\u0001")'],
  ['smtp.insufficient-storage', 'endedSession', { server, step: 'mail', reply: '452 4.3.1 Insufficient system storage' }, 'mx1.example.com (192.0.2.10) ended the session at MAIL with "452 4.3.1 Insufficient system storage": that is the server\'s own state, and it turns away every sender alike'],
  ['smtp.untestable', 'sessionStopped', { server, step: 'rcpt', reason: { code: 'read', failure: { kind: 'timeout', partial: [], waitedMs: 2000, bytes: 0 } } }, 'mx1.example.com (192.0.2.10): the session stopped at RCPT: no reply within 2 s'],
  ['network.ipv6-unavailable', 'addresses', { code: 'ENETUNREACH', count: 2, ips: ['2001:db8::1', '2001:db8::2'] }, 'this machine could not send over IPv6, so 2 IPv6 addresses (2001:db8::1, 2001:db8::2) could not be probed: network unreachable (ENETUNREACH: this machine has no route to it)'],
  // A firewall rule here, or no address to send from, is not "no route": each OS code in its own words, the port-25 ones.
  ['network.ipv6-unavailable', 'oneAddress', { code: 'EPERM', count: 1, ips: ['2001:db8::1'] }, 'this machine could not send over IPv6, so 1 IPv6 address (2001:db8::1) could not be probed: not permitted (EPERM: a firewall on this machine refuses it)'],
  ['network.ipv6-unavailable', 'oneAddress', { code: 'EADDRNOTAVAIL', count: 1, ips: ['2001:db8::1'] }, 'this machine could not send over IPv6, so 1 IPv6 address (2001:db8::1) could not be probed: address not available (EADDRNOTAVAIL: this machine has no address to send from towards it)'],
  ['mx.all-unreachable', 'noHost', { domain: 'example.com', hosts: 2, failures: [{ ...server, failure: { kind: 'timeout', timeoutMs: 5000 } }, { host: 'mx2.example.com', ip: '192.0.2.11', failure: { kind: 'unreachable', code: 'EHOSTUNREACH' } }] }, 'none of the 2 MX hosts of example.com accepts SMTP on port 25: mx1.example.com (192.0.2.10): connection timed out after 5 s; mx2.example.com (192.0.2.11): host unreachable (EHOSTUNREACH: a router on the way reports it down or filtered)'],
  ['mx.all-unreachable', 'onlyHostUnreachable', { domain: 'example.com', hosts: 1, failures: [{ ...server, failure: { kind: 'unreachable', code: 'EHOSTUNREACH' } }] }, 'the only MX host of example.com could not be reached on port 25: mx1.example.com (192.0.2.10): host unreachable (EHOSTUNREACH: a router on the way reports it down or filtered); a router on the way said so, so the host may be down or a network on the way (the domain\'s, this one or one between) may filter it'],
  ['network.no-route', 'noRoute', { server, code: 'EPERM' }, 'mx1.example.com (192.0.2.10) cannot be reached on port 25: not permitted (EPERM: a firewall on this machine refuses it)'],
  ['network.ipv6-unavailable', 'unheardOne', { count: 1, ips: ['2001:db8::1'], answered: ['192.0.2.10'], timeoutMs: 5000 }, '2001:db8::1 (IPv6) timed out on port 25 after 5 s while 192.0.2.10 (IPv4) answered, and nothing answered this machine over IPv6 during the run: either this machine\'s IPv6 does not work (an address with no route out, a firewall that drops IPv6) or the domain\'s IPv6 mail service is down, and from here maildiag cannot tell which. To tell, try IPv6 from this machine ("ping -6" or "curl -6" to a known IPv6 host) or test 2001:db8::1 from another host; senders that get no answer over IPv6 try the IPv4 addresses, which answer'],
  ['submission.unreachable', 'srvSilent', { host: 'submit.example.com', ip: '192.0.2.20', ports: [{ port: 587, failure: { kind: 'reset' } }, { port: 465, failure: { kind: 'tls-failed', reason: { code: 'alert', alert: 'handshake failure' } } }, { port: 2525, failure: { kind: 'refused-session', reply: '554 go away' } }] }, 'the submission host named in SRV submit.example.com (192.0.2.20) answers on none of its submission ports: 587: the connection was reset as it opened (ECONNRESET); 465: TLS failed: the server sent a fatal TLS alert: handshake failure; 2525: refused the session: 554 go away'],
  ['submission.unreachable', 'guessSilent', { host: 'smtp.example.com', ip: '192.0.2.20', ports: [{ port: 587, failure: { kind: 'timeout', timeoutMs: 5000 } }] }, 'the guessed submission host smtp.example.com (192.0.2.20) answers on none of its submission ports: 587: connection timed out after 5 s (smtp.example.com was only a guess, and its firewall may simply drop these ports)'],
  ['mx.target-private', 'unroutable', { host: 'mx.example.com', addresses: [{ ip: '10.1.2.3', range: 'private (RFC 1918)' }, { ip: '::1', range: 'loopback' }] }, 'MX host mx.example.com resolves to 10.1.2.3 (private (RFC 1918)), ::1 (loopback), which the internet cannot reach'],
  ['smtp.banner-mismatch', 'addressNotPtr', { ip: '192.0.2.10', announcedAs: [{ name: 'smtp.example.com', in: ['greeting'] }, { name: 'mx.example.com', in: ['ehlo'] }], ptrNames: ['mail.example.com'] }, '192.0.2.10 announces itself as smtp.example.com (greeting), mx.example.com (EHLO), but its address\'s forward-confirmed PTR name is mail.example.com'],
];

for (const [cause, messageId, data, words] of CASES) {
  test(`${cause} ${messageId}: ${words}`, () => {
    assert.equal(formatMessage(cause, messageId, data), words);
  });
}

test('a failed port-25 connect is worded as the transcripts word it: one sayer (describeDial) for both', () => {
  const failures = [{ kind: 'refused' }, { kind: 'timeout', waitedMs: 5000 }, { kind: 'unreachable', code: 'EHOSTUNREACH' }] as const;
  for (const dial of failures) {
    const failure = dial.kind === 'timeout' ? { kind: 'timeout', timeoutMs: dial.waitedMs } : dial;
    const said = formatMessage('mx.all-unreachable', 'onlyHost', { domain: 'example.com', failures: [{ ...server, failure }] });
    assert.equal(said, `the only MX host of example.com does not accept SMTP on port 25: mx1.example.com (192.0.2.10): ${describeDial(dial)}`);
  }
});
