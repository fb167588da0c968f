// Whose clock is wrong when a certificate looks out of date: the time servers
// state (SMTP greeting, HTTP Date) against this machine's clock, in a world of
// one MX host per case and, for some, an MTA-STS policy server. This
// machine's clock is set per run; the servers keep the real one, except where
// the policy server's certificate is judged: OpenSSL judges it by the real
// clock, so there the greetings state a shifted time instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatedDate, judgeClock, smtpReadings, type ClockReading } from '../../src/checks/server-clocks.js';
import { parseTarget } from '../../src/cli/targets.js';
import { diagnose } from '../../src/diagnose.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import type { SmtpProbe } from '../../src/net/smtp/index.js';
import type { SimZone } from '../../src/sim/dns-server.js';
import { chainPem, createCa, createCertificate, daysFromNow, type CertificateSpec } from '../../src/sim/tls-certs.js';
import { mailServer, startWorld, type World } from '../../src/sim/world.js';
import { checkOf } from '../helpers/diagnosis.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ca = createCa('Clock Test Root');
/** Exim's smtp_banner: "$primary_hostname ESMTP Exim $version_number $tod_full". */
const eximDate = (date: Date): string => date.toUTCString().replace(/GMT$/, '+0000');
const policy = (mx: string) => `version: STSv1\r\nmode: enforce\r\nmx: ${mx}\r\nmax_age: 604800\r\n`;

interface Case {
  greeting: (mx: string) => string[];
  certificate: Partial<CertificateSpec> & { selfSigned?: boolean };
  /** The domain publishes MTA-STS; its policy server sends its real Date, with a certificate of its own when `policyCertificate` says so. */
  sts?: true;
  policyCertificate?: Partial<CertificateSpec>;
  /** A second MX host, mx2.<domain>, preference 20. */
  second?: Pick<Case, 'greeting' | 'certificate'>;
}

const longValid = { notBefore: daysFromNow(-10), notAfter: daysFromNow(400) };
const eximNow = (mx: string) => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date())}`];
/** A greeting stating a time `days` away from the real one. */
const eximDays = (days: number) => (mx: string) => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date(Date.now() + days * DAY_MS))}`];

const CASES = {
  // This machine's clock is 3 days behind; the CA backdated the certificate an hour, as Let's Encrypt does.
  'behind.example': { greeting: mx => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date())}`], certificate: { notBefore: new Date(Date.now() - HOUR_MS), notAfter: daysFromNow(89) } },
  'early.example': { greeting: mx => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date())}`], certificate: { notBefore: daysFromNow(2), notAfter: daysFromNow(90) } },
  'silent.example': { greeting: mx => [`220 ${mx} ESMTP Postfix (Debian/GNU)`], certificate: { notBefore: daysFromNow(2), notAfter: daysFromNow(90) } },
  'garbage.example': { greeting: mx => [`220-${mx} ESMTP Exim 4.96 Sat, 05 Dec 99999 02:50:00 +0000`, `220 ${'x'.repeat(600)} ${eximDate(new Date())}`], certificate: { notBefore: new Date(Date.now() - HOUR_MS), notAfter: daysFromNow(89) } },
  'selfsigned.example': { greeting: mx => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date())}`], certificate: { notBefore: new Date(Date.now() - HOUR_MS), notAfter: daysFromNow(89), selfSigned: true } },
  // This machine's clock is 35 days ahead: a certificate with 30 days left looks expired here.
  'ahead.example': { greeting: mx => [`220 ${mx} ESMTP Postfix`], certificate: { notBefore: daysFromNow(-60), notAfter: daysFromNow(30) }, sts: true },
  'expired.example': { greeting: mx => [`220 ${mx} ESMTP Postfix`], certificate: { notBefore: daysFromNow(-400), notAfter: daysFromNow(-300) }, sts: true },
  // The same clock 35 days ahead, and two servers (a second MX's Exim greeting, the policy server's Date) agree on the real time.
  'agreed.example': { greeting: mx => [`220 ${mx} ESMTP Postfix`], certificate: { notBefore: daysFromNow(-60), notAfter: daysFromNow(30) }, sts: true, second: { greeting: eximNow, certificate: longValid } },
  // A certificate that really expired 300 days ago, and a second MX whose clock is stuck 400 days back: this clock is right.
  'stuck.example': {
    greeting: mx => [`220 ${mx} ESMTP Postfix`],
    certificate: { notBefore: daysFromNow(-400), notAfter: daysFromNow(-300) },
    second: { greeting: mx => [`220 ${mx} ESMTP Exim 4.96 ${eximDate(new Date(Date.now() - 400 * DAY_MS))}`], certificate: longValid },
  },
  // The MTA-STS policy server's own certificate, which OpenSSL judges by this machine's real clock, so here the servers
  // keep the shifted time: expired 5 days ago, while two MX greetings state a time 35 days earlier (this clock is ahead) ...
  'stsahead.example': { greeting: eximDays(-35), certificate: longValid, sts: true, policyCertificate: { notBefore: daysFromNow(-60), notAfter: daysFromNow(-5) }, second: { greeting: eximDays(-35), certificate: longValid } },
  // ... valid from 3 days on less an hour, as a CA dates it, while an MX greeting states a time 3 days on (this clock is behind) ...
  'stsbehind.example': { greeting: eximDays(3), certificate: longValid, sts: true, policyCertificate: { notBefore: new Date(Date.now() + 3 * DAY_MS - HOUR_MS), notAfter: daysFromNow(92) } },
  // ... valid only from two days on, and no server states the time.
  'stsearly.example': { greeting: mx => [`220 ${mx} ESMTP Postfix`], certificate: longValid, sts: true, policyCertificate: { notBefore: daysFromNow(2), notAfter: daysFromNow(90) } },
} satisfies Record<string, Case>;
type Domain = keyof typeof CASES;

let world: World;

before(async () => {
  const zone: SimZone = {};
  const smtp: Parameters<typeof startWorld>[0]['smtp'] = {};
  const https: Parameters<typeof startWorld>[0]['https'] = {};
  const domains = Object.keys(CASES) as Domain[];
  const policyHosts = domains.filter(d => 'sts' in CASES[d]).map(d => `mta-sts.${d}`);
  const policyCert = createCertificate({ commonName: 'mta-sts', altNames: policyHosts, issuer: ca });
  const routeTo = (host: string) => ({ [`${host}/.well-known/mta-sts.txt`]: { kind: 'body' as const, body: policy(host.replace(/^mta-sts\./, '*.')) } });
  const mailHost = (domain: string, mx: string, ip: string, { greeting, certificate }: Pick<Case, 'greeting' | 'certificate'>) => {
    const { selfSigned, ...spec } = certificate;
    const cert = createCertificate({ commonName: mx, altNames: [mx], ...(selfSigned ? {} : { issuer: ca }), ...spec });
    zone[mx] = { A: [ip] };
    smtp[`${ip}:25`] = mailServer(mx, [domain], { greeting: greeting(mx), tls: { key: cert.keyPem, cert: chainPem(cert) } });
  };
  domains.forEach((domain, i) => {
    const found = CASES[domain] as Case;
    mailHost(domain, `mx.${domain}`, `192.0.2.${10 + i}`, found);
    if (found.second) mailHost(domain, `mx2.${domain}`, `192.0.2.${110 + i}`, found.second);
    zone[domain] = { MX: [{ priority: 10, exchange: `mx.${domain}` }, ...(found.second ? [{ priority: 20, exchange: `mx2.${domain}` }] : [])] };
    if (!found.sts) return;
    const host = `mta-sts.${domain}`;
    zone[`_mta-sts.${domain}`] = { TXT: [['v=STSv1; id=20261201']] };
    if (!found.policyCertificate) return void (zone[host] = { A: ['203.0.113.20'] });
    // A policy server of its own, with its own certificate.
    const ip = `203.0.113.${30 + i}`;
    const cert = createCertificate({ commonName: host, altNames: [host], issuer: ca, ...found.policyCertificate });
    zone[host] = { A: [ip] };
    https[`${ip}:443`] = { cert: cert.certPem, key: cert.keyPem, routes: routeTo(host) };
  });
  https['203.0.113.20:443'] = { cert: policyCert.certPem, key: policyCert.keyPem, routes: Object.assign({}, ...policyHosts.map(routeTo)) };
  world = await startWorld({ zone, smtp, https });
});
after(() => world.close());

/** Diagnose a case with this machine's clock `offsetMs` away from the servers'. */
async function diagnoseAt(domain: Domain, offsetMs: number): Promise<Report> {
  const net = world.net(2000);
  const shifted = Object.assign(Object.create(net) as typeof net, { time: { ...net.time, now: () => new Date(Date.now() + offsetMs) } });
  const options = defaultRunOptions({ allowPrivate: true, caCerts: [ca.certPem] });
  return diagnose(parseTarget(domain), options, shifted, { only: ['certificate', 'mta-sts'] });
}

const ranked = (report: Report) => report.diagnosis.map(e => `${e.cause}:${e.side}`);
const certificateFindings = (report: Report) => checkOf(report, 'certificate').findings;

test('one MX, a certificate not valid yet here, and an Exim greeting whose date has passed its start: this machine\'s clock is behind', async () => {
  const report = await diagnoseAt('behind.example', -3 * DAY_MS);
  assert.deepEqual(ranked(report), ['clock.skewed:local']);
  const [clock, ...rest] = certificateFindings(report);
  assert.deepEqual(rest, [], 'the certificate is not also the recipient\'s fault');
  assert.equal(clock!.cause, 'clock.skewed');
  assert.equal(clock!.messageId, 'certificateNotYetValid');
  assert.equal(clock!.severity, 'warning');
  assert.equal(clock!.side, 'local');
  assert.equal(clock!.data['source'], 'greeting');
  assert.equal(clock!.data['host'], 'mx.behind.example');
  assert.equal(clock!.data['hours'], 72);
  assert.ok(Number(clock!.data['skewMs']) < 0, 'behind');
  assert.deepEqual(clock!.data['server'], { host: 'mx.behind.example', ips: ['192.0.2.10'] });
  assert.match(clock!.message, /is 72 hours behind the time mx\.behind\.example states in its SMTP greeting \(\w{3}, \d{2} \w{3} \d{4} [\d:]{8} \+0000\), by which the certificate CN=mx\.behind\.example .* is already valid/);
});

test('the same certificate when the server\'s date agrees with this clock: the certificate is the recipient\'s fault', async () => {
  const report = await diagnoseAt('early.example', 0);
  assert.deepEqual(ranked(report), ['tls.cert-not-yet-valid:recipient']);
  const [found] = certificateFindings(report);
  assert.equal(found!.messageId, 'notYetValid');
  assert.equal(found!.severity, 'warning');
  assert.ok(found!.evidence.some(line => line.startsWith('mx.early.example SMTP greeting: ')), 'the server\'s date is shown');
});

test('no server states the time: the certificate finding names both suspects, this clock and the certificate', async () => {
  const report = await diagnoseAt('silent.example', 0);
  assert.deepEqual(ranked(report), ['tls.cert-not-yet-valid:recipient']);
  const [found] = certificateFindings(report);
  assert.equal(found!.messageId, 'notYetValidOrClock');
  assert.equal(found!.severity, 'warning');
  assert.match(String(found!.data['clock']), /^\d{4}-\d{2}-\d{2}T/);
  assert.ok(Date.parse(String(found!.data['validFrom'])) > Date.parse(String(found!.data['clock'])));
  assert.match(found!.message, /is valid only from \S+ while this machine's clock says \S+, .*this clock is behind/);
  assert.ok(!/clock is wrong|clock is behind:/.test(found!.message));
});

test('a greeting date that is no date (year 99999, a line longer than SMTP allows) is no evidence', async () => {
  const report = await diagnoseAt('garbage.example', -3 * DAY_MS);
  assert.deepEqual(ranked(report), ['tls.cert-not-yet-valid:recipient']);
  assert.equal(certificateFindings(report)[0]!.messageId, 'notYetValidOrClock');
  assert.equal(checkOf(report, 'certificate').data['serverClocks'], undefined);
});

test('a self-signed certificate was dated by the server\'s own clock: its greeting agreeing proves nothing about this one', async () => {
  const report = await diagnoseAt('selfsigned.example', -3 * DAY_MS);
  const messages = certificateFindings(report).map(f => `${f.cause}:${f.messageId}:${f.side}`).sort();
  assert.deepEqual(messages, ['tls.cert-not-yet-valid:notYetValidOrClock:recipient', 'tls.cert-untrusted:selfSigned:recipient']);
});

test('this machine\'s clock ahead makes a valid certificate look expired; two servers (an MX greeting, the policy server\'s HTTP Date) agree otherwise: the clock', async () => {
  const report = await diagnoseAt('agreed.example', 35 * DAY_MS);
  assert.deepEqual(ranked(report), ['clock.skewed:local']);
  const [clock, ...rest] = certificateFindings(report);
  assert.deepEqual(rest, []);
  assert.equal(clock!.messageId, 'certificateExpired');
  assert.equal(clock!.side, 'local');
  assert.equal(clock!.severity, 'warning');
  assert.deepEqual(clock!.data['server'], { host: 'mx.agreed.example', ips: ['192.0.2.17'] });
  assert.equal(clock!.data['hours'], 840);
  assert.ok(Number(clock!.data['skewMs']) > 0, 'ahead');
  assert.deepEqual(checkOf(report, 'mta-sts').findings.map(f => `${f.cause}:${f.messageId}`), ['clock.skewed:aheadOfServer']);
});

test('the same clock and certificate with one server alone to say so (the policy server\'s Date): the certificate names both suspects, and stays the recipient\'s', async () => {
  const report = await diagnoseAt('ahead.example', 35 * DAY_MS);
  const [expired, ...rest] = certificateFindings(report);
  assert.deepEqual(rest.map(f => f.messageId), ['enforcedByMtaSts'], 'its policy, in enforce mode, makes it stop mail: by this clock');
  assert.deepEqual([expired!.cause, expired!.messageId, expired!.side], ['tls.cert-expired', 'expiredOneWitness', 'recipient']);
  assert.deepEqual([expired!.data['host'], expired!.data['source'], expired!.data['hours'], expired!.data['daysAgo']], ['mta-sts.ahead.example', 'http-date', 840, 5]);
  assert.match(expired!.message, /expired on \S+ \(5 days ago\) by this machine's clock \(\S+\), yet mta-sts\.ahead\.example states in its HTTP Date header a time 840 hours earlier \(.*\), by which it has not: either the certificate expired, or this clock is ahead/);
});

test('a certificate that really expired, and one other server whose clock is stuck 400 days back: still the recipient\'s, never this clock\'s', async () => {
  const report = await diagnoseAt('stuck.example', 0);
  assert.deepEqual(ranked(report), ['tls.cert-expired:recipient']);
  const [expired, ...rest] = certificateFindings(report);
  assert.deepEqual(rest, []);
  assert.deepEqual([expired!.cause, expired!.messageId, expired!.side], ['tls.cert-expired', 'expiredOneWitness', 'recipient']);
  assert.deepEqual([expired!.data['host'], expired!.data['source'], expired!.data['daysAgo']], ['mx2.stuck.example', 'greeting', 300]);
  assert.ok(!report.diagnosis.some(d => d.cause === 'clock.skewed'));
});

test('the policy server\'s certificate looks expired by this clock, which two MX greetings show 35 days ahead: the clock, not the policy', async () => {
  const report = await diagnoseAt('stsahead.example', 0);
  assert.deepEqual(ranked(report), ['clock.skewed:local']);
  const policyCheck = checkOf(report, 'mta-sts').findings.map(f => `${f.cause}:${f.messageId}`);
  assert.deepEqual(policyCheck, ['mta-sts.invalid:certOutOfDate'], 'the policy could not be fetched here, and the check says so');
  const [clock, ...rest] = certificateFindings(report);
  assert.deepEqual(rest, []);
  assert.deepEqual([clock!.cause, clock!.messageId, clock!.side], ['clock.skewed', 'certificateExpired', 'local']);
  assert.deepEqual(clock!.data['server'], { host: 'mta-sts.stsahead.example', ips: ['203.0.113.39'] });
  assert.equal(clock!.data['hours'], 840);
  assert.match(clock!.message, /by which the certificate CN=mta-sts\.stsahead\.example of mta-sts\.stsahead\.example \(203\.0\.113\.39\), valid until \S+, has not expired: it only looks expired here/);
  assert.deepEqual(report.diagnosis[0]!.explains, ['mta-sts.invalid']);
});

test('the policy server\'s certificate looks not valid yet by this clock; its CA dated it and an MX greeting states a time 3 days on, past its start: the clock', async () => {
  const report = await diagnoseAt('stsbehind.example', 0);
  assert.deepEqual(ranked(report), ['clock.skewed:local']);
  assert.deepEqual(checkOf(report, 'mta-sts').findings.map(f => `${f.cause}:${f.messageId}`), ['mta-sts.invalid:certNotYetValidOrClock']);
  const [clock] = certificateFindings(report);
  assert.deepEqual([clock!.cause, clock!.messageId, clock!.data['host']], ['clock.skewed', 'certificateNotYetValid', 'mx.stsbehind.example']);
  assert.deepEqual(clock!.data['server'], { host: 'mta-sts.stsbehind.example', ips: ['203.0.113.40'] });
});

test('the policy server\'s certificate is valid only from a later date and no server states the time: the policy finding names both suspects', async () => {
  const report = await diagnoseAt('stsearly.example', 0);
  const [invalid] = checkOf(report, 'mta-sts').findings;
  assert.deepEqual([invalid!.cause, invalid!.messageId, invalid!.side], ['mta-sts.invalid', 'certNotYetValidOrClock', 'recipient']);
  assert.ok(Date.parse(String(invalid!.data['validFrom'])) > Date.parse(String(invalid!.data['clock'])));
  assert.match(invalid!.message, /^stsearly\.example: the certificate of mta-sts\.stsearly\.example is valid only from \S+ while this machine's clock says \S+: either it was put in service too early, or this clock is behind/);
  assert.deepEqual(certificateFindings(report), [], 'the MX certificate is fine, and no server\'s time says anything of this clock');
});

test('a certificate expired by the servers\' time too stays the recipient\'s fault, beside the clock', async () => {
  const report = await diagnoseAt('expired.example', 5 * DAY_MS);
  assert.deepEqual(ranked(report).sort(), ['clock.skewed:local', 'tls.cert-expired:recipient']);
  const [expired] = certificateFindings(report);
  assert.equal(expired!.cause, 'tls.cert-expired');
  assert.equal(expired!.messageId, 'expired');
  assert.equal(expired!.data['daysAgo'], 300, 'counted by the servers\' time');
});

test('dates as MTAs write them in the greeting and HTTP servers in Date', () => {
  const at = (text: string) => parseStatedDate(text)?.at.toISOString();
  assert.equal(at('mx.example.com ESMTP Exim 4.96 #2 Fri, 04 Dec 2026 21:00:00 +0000'), '2026-12-04T21:00:00.000Z');
  assert.equal(at('mx.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9; Fri, 4 Dec 2026 21:00:00 -0500 (EST)'), '2026-12-05T02:00:00.000Z');
  assert.equal(at('smtp01.example.com Microsoft ESMTP MAIL Service, Version: 5.0.2172.1 ready at  Tue, 29 Feb 2000 18:55:48 -0600'), '2000-03-01T00:55:48.000Z');
  assert.equal(at('Sat, 05 Dec 2026 02:50:00 GMT'), '2026-12-05T02:50:00.000Z');
  assert.equal(at('mail.example.org ESMTP ready 5 Dec 2026 02:50 +0100'), '2026-12-05T01:50:00.000Z', 'day of week and seconds are optional (RFC 5322 §3.3)');
  assert.equal(parseStatedDate('mx.example.com ESMTP Sendmail; Fri, 4 Dec 2026 21:00:00 GMT')?.stated, 'Fri, 4 Dec 2026 21:00:00 GMT');
});

test('what is no date is ignored: no zone, impossible fields, implausible years, lines over 512 octets', () => {
  for (const text of [
    'Sat, 05 Dec 2026 02:50:00',
    'Sat, 31 Feb 2026 02:50:00 +0000',
    'Sat, 05 Dec 2026 25:00:00 +0000',
    'Sat, 05 Dec 2026 02:50:00 +9900',
    'Sat, 05 Dec 9999 02:50:00 +0000',
    'Sat, 05 Dec 99999 02:50:00 +0000',
    'Sat, 05 Dec 1970 02:50:00 +0000',
    `${'9'.repeat(600)} Sat, 05 Dec 2026 02:50:00 +0000`,
    'ESMTP Exim 4.96 build 20261205 02:50:00',
  ]) {
    assert.equal(parseStatedDate(text), undefined, text);
  }
});

test('readings that disagree among themselves say nothing; readings that agree decide by their median', () => {
  const now = new Date('2026-12-05T02:50:00Z');
  const reading = (host: string, at: string): ClockReading => ({ host, source: 'greeting', stated: at, at });
  assert.deepEqual(judgeClock([], now), { kind: 'unknown' });
  assert.equal(judgeClock([reading('a', '2026-12-05T02:50:30Z')], now).kind, 'agrees');
  assert.equal(judgeClock([reading('a', '2026-12-05T02:50:30Z'), reading('b', '2026-12-08T02:50:00Z')], now).kind, 'unknown');
  const off = judgeClock([reading('a', '2026-12-08T02:50:00Z'), reading('b', '2026-12-08T03:10:00Z'), reading('c', '2026-12-08T02:30:00Z')], now);
  assert.equal(off.kind === 'off' && off.witness.host, 'a');
});

test('an SMTP session states the time in its greeting, or else in the first line of its EHLO reply', () => {
  const probe = (greeting: string[], ehlo: string[]): SmtpProbe =>
    ({ host: 'mx.example.com', ip: '192.0.2.10', port: 25, family: 4, preference: 10, outcome: { kind: 'greeted', connectMs: 1, greetingMs: 1 }, greeting: { code: 220, lines: greeting }, ehlo: { command: 'EHLO', reply: { code: 250, lines: ehlo }, extensions: {} }, transcript: [] }) as unknown as SmtpProbe;
  const [greeted] = smtpReadings([probe(['mx.example.com ESMTP Exim 4.96 Sat, 05 Dec 2026 02:50:00 +0000', 'no unsolicited mail'], ['mx.example.com Hello'])]);
  assert.deepEqual(greeted, { host: 'mx.example.com', source: 'greeting', stated: 'Sat, 05 Dec 2026 02:50:00 +0000', at: '2026-12-05T02:50:00.000Z' });
  const [helloed] = smtpReadings([probe(['mx.example.com ESMTP'], ['mx.example.com Hello, 5 Dec 2026 02:50:00 +0000', 'PIPELINING'])]);
  assert.equal(helloed?.source, 'ehlo');
  assert.deepEqual(smtpReadings([probe(['mx.example.com ESMTP Postfix'], ['mx.example.com', 'PIPELINING'])]), []);
});
