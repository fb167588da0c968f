// Real domains are broken in several ways at once. Each world here is one
// such domain, built from the faults postmasters meet together (an Exchange
// Online school, a cPanel host with a dead primary, a parked domain...), run
// through every check; the test says first what an experienced postmaster
// would rank, then holds maildiag's diagnosis to it: the top cause, the order
// of the first few, whose side each is, and nothing "pass" or "ok" that was
// not looked at.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash, X509Certificate } from 'node:crypto';
import type { Report } from '../../src/report/schema.js';
import type { SimZone } from '../../src/sim/dns-server.js';
import type { SimHttpsOptions } from '../../src/sim/https-server.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { createCa, createCertificate, daysFromNow } from '../../src/sim/tls-certs.js';
import { COMMON_SELECTORS } from '../../src/checks/dkim.js';
import type { MtaFamily } from '../../src/replies/index.js';
import { mtaPersona } from '../helpers/mta-personas.js';
import { startSmtpWorld, type Endpoint } from '../helpers/smtp-world.js';

const ca = createCa();
const tlsFor = (host: string, spec: { notBefore?: Date; notAfter?: Date; selfSigned?: boolean; altNames?: string[] } = {}) => {
  const cert = createCertificate({ commonName: host, altNames: spec.altNames ?? [host], ...(spec.selfSigned ? {} : { issuer: ca }), ...spec });
  return { key: cert.keyPem, cert: cert.certPem };
};
/** A server of this family that greets and answers EHLO with its own host name. */
const server = (family: MtaFamily, host: string, overrides: Partial<SmtpPersona> = {}): SmtpPersona => {
  const persona = mtaPersona(family, { name: host, ...overrides });
  return { ...persona, greeting: overrides.greeting ?? persona.greeting!.map(line => line.replace('mx.example.com', host)) };
};
const reverse = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
/** An address whose PTR names the host, and the host's A names the address (FCrDNS). */
const fcrdns = (host: string, ip: string): SimZone => ({ [reverse(ip)]: { PTR: [host] } });
const spf = (domain: string, record: string): SimZone => ({ [domain]: { TXT: [[record]] } });
const dmarc = (domain: string, record: string): SimZone => ({ [`_dmarc.${domain}`]: { TXT: [[record]] } });

interface Diagnosed {
  report: Report;
  /** "cause:severity:side" in rank order. */
  ranked: string[];
}

async function diagnoseDomain(domain: string, zone: SimZone, endpoints: Record<string, Endpoint>, https: Record<string, SimHttpsOptions> = {}): Promise<Diagnosed> {
  const world = await startSmtpWorld(zone, endpoints, 1500, https);
  const report = await world.diagnose(domain, [], { caCerts: [ca.certPem] });
  const ranked = report.diagnosis.map(d => `${d.cause}:${d.severity}:${d.side}`);
  return { report, ranked };
}

const causeIds = ({ report }: Diagnosed): string[] => report.diagnosis.map(d => d.cause);
const statusOf = ({ report }: Diagnosed, check: string) => report.checks.find(c => c.id === check)?.status;
/** Every finding of every check, folded or not. */
const allFindings = ({ report }: Diagnosed) => report.checks.flatMap(c => c.findings.map(f => f.cause));

function assertTop(d: Diagnosed, expected: string[]) {
  assert.deepEqual(d.ranked.slice(0, expected.length), expected, `ranked: ${d.ranked.join(', ')}`);
}

test('a school on Exchange Online: the mistyped Microsoft include in SPF first, then DMARC p=none; no DKIM is a note; mail to it works', async () => {
  const domain = 'school.example';
  const mx = 'school-example.mail.protection.outlook.com';
  const d = await diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 0, exchange: mx }], TXT: [['v=spf1 include:spf.protection.outlok.com -all'], ['MS=ms12345678']] },
      [mx]: { A: ['192.0.2.31'] },
      'mail-bn8nam12.inbound.protection.outlook.com': { A: ['192.0.2.31'] },
      ...fcrdns('mail-bn8nam12.inbound.protection.outlook.com', '192.0.2.31'),
      ...dmarc(domain, `v=DMARC1; p=none; rua=mailto:dmarc@${domain}`),
    },
    { '192.0.2.31:25': mtaPersona('exchange', { name: 'BN8NAM12FT011.mail.protection.outlook.com', tls: tlsFor(mx, { altNames: ['*.mail.protection.outlook.com', 'mail.protection.outlook.com'] }) }) },
  );
  // RFC 7208 §5.2: an include naming a domain without SPF is a permerror for all mail; p=none lets it through unjudged (RFC 7489 §6.3).
  assertTop(d, ['spf.include-missing:error:sender', 'dmarc.policy-none:warning:sender']);
  assert.ok(d.ranked.includes('dkim.not-found:info:sender'), d.ranked.join(', '));
  // Exchange Online's banner names its front end, not the PTR: a note at most.
  assert.ok(!d.ranked.some(r => /^(mx|smtp|tls|network|ptr|rbl)\.[^:]+:(error|warning)/.test(r)), `mail to the school is fine: ${d.ranked.join(', ')}`);
  for (const check of ['smtp-reachability', 'starttls', 'certificate']) assert.equal(statusOf(d, check), 'pass', check);
});

test('a cPanel/Exim host: SPF over 10 lookups first; the dead primary is a warning because the greylisting backup takes the mail', async () => {
  const domain = 'biz.example';
  const providers = ['_spf.google.com', 'spf.protection.outlook.com', 'relay.mailchannels.net', 'servers.mcsv.net', 'sendgrid.net', 'mailgun.org', 'spf.brevo.com', 'zoho.com', 'amazonses.com', '_spf.hostgator.com'];
  const zone: SimZone = {
    [domain]: { MX: [{ priority: 0, exchange: `mail.${domain}` }, { priority: 10, exchange: `backup.${domain}` }], TXT: [[`v=spf1 +a +mx ${providers.slice(0, 5).map(p => `include:${p}`).join(' ')} `, `${providers.slice(5).map(p => `include:${p}`).join(' ')} ~all`]], A: ['192.0.2.40'] },
    [`mail.${domain}`]: { A: ['192.0.2.41'] },
    [`backup.${domain}`]: { A: ['192.0.2.42'] },
    ...fcrdns(`mail.${domain}`, '192.0.2.41'),
    ...fcrdns(`backup.${domain}`, '192.0.2.42'),
    ...dmarc(domain, `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`),
  };
  providers.forEach((p, i) => Object.assign(zone, spf(p, `v=spf1 ip4:198.51.100.${i + 1} ~all`)));
  const greylisted = '451 192.0.2.7 is not yet authorized to deliver mail from <> to <postmaster@biz.example>. Greylisted, please try later.';
  const d = await diagnoseDomain(domain, zone, {
    '192.0.2.41:25': 'timeout',
    '192.0.2.42:25': server('exim', `backup.${domain}`, { tls: tlsFor(`backup.${domain}`, { selfSigned: true }), recipients: { [`postmaster@${domain}`]: greylisted } }),
  });
  // RFC 7208 §4.6.4: 12 lookups is a permerror for every message; RFC 5321 §5.1: senders go on to the backup, which defers first-time senders (RFC 6647).
  assertTop(d, ['spf.too-many-lookups:error:sender', 'mx.primary-unreachable:warning:recipient']);
  for (const expected of ['smtp.greylisting:warning:recipient', 'tls.cert-untrusted:warning:recipient']) assert.ok(d.ranked.includes(expected), `${expected} in ${d.ranked.join(', ')}`);
  assert.ok(!causeIds(d).includes('mx.all-unreachable'), 'the backup answers');
  assert.ok(!d.ranked.some(r => /^smtp\.timeout:error/.test(r)), `one dead MX of two is not an error: ${d.ranked.join(', ')}`);
});

const STS_MX = 'mx.sts.example';
const STS_BACKUP = 'mx2.sts.example';
/** A Postfix MX whose TLS is a certificate with this spec. */
const stsCert = (spec: Parameters<typeof tlsFor>[1]): Partial<SmtpPersona> => ({ tls: tlsFor(STS_MX, spec) });

/**
 * sts.example: one MX, STS_MX, set up as `mx` says (and a healthy backup MX when `backup`), and an MTA-STS
 * policy in `mode` whose mx line is `listed` (the MX itself unless told).
 */
async function stsDomain(mode: 'enforce' | 'testing', mx: Partial<SmtpPersona>, listed = STS_MX, backup = false): Promise<Diagnosed> {
  const domain = 'sts.example';
  const policyHost = `mta-sts.${domain}`;
  const policyCert = tlsFor(policyHost);
  return diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 10, exchange: STS_MX }, ...(backup ? [{ priority: 20, exchange: STS_BACKUP }] : [])], TXT: [['v=spf1 mx -all']] },
      [STS_MX]: { A: ['192.0.2.51'] },
      ...fcrdns(STS_MX, '192.0.2.51'),
      ...(backup ? { [STS_BACKUP]: { A: ['192.0.2.53'] }, ...fcrdns(STS_BACKUP, '192.0.2.53') } : {}),
      [`_mta-sts.${domain}`]: { TXT: [['v=STSv1; id=20260101T000000']] },
      [policyHost]: { A: ['192.0.2.52'] },
      [`_smtp._tls.${domain}`]: { TXT: [[`v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`]] },
      ...dmarc(domain, `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`),
      [`selector1._domainkey.${domain}`]: { TXT: [['v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=']] },
    },
    { '192.0.2.51:25': server('postfix', STS_MX, mx), ...(backup ? { '192.0.2.53:25': server('postfix', STS_BACKUP, { tls: tlsFor(STS_BACKUP) }) } : {}) },
    { '192.0.2.52:443': { cert: policyCert.cert, key: policyCert.key, routes: { [`${policyHost}/.well-known/mta-sts.txt`]: { kind: 'body', body: `version: STSv1\r\nmode: ${mode}\r\nmx: ${listed}\r\nmax_age: 604800\r\n` } } } },
  );
}

test('the only MX has an expired certificate and MTA-STS enforce lists it: the certificate is the error, the policy is not blamed', async () => {
  const d = await stsDomain('enforce', stsCert({ notBefore: daysFromNow(-100), notAfter: daysFromNow(-10) }));
  // RFC 8461 §5.1/§4.2: in enforce mode a sender that cannot validate the MX certificate must not deliver: the expired certificate stops mail, it is no longer a warning.
  assertTop(d, ['tls.cert-expired:error:recipient']);
  assert.ok(!causeIds(d).includes('mta-sts.invalid'), `the policy is right, the certificate is not: ${d.ranked.join(', ')}`);
  assert.match(d.report.diagnosis[0]!.messages.join(' '), /MTA-STS policy of sts\.example is in enforce mode/, 'the message says why it stops mail');
});

test('MTA-STS in testing mode, or a certificate that still validates: no escalation', async () => {
  // RFC 8461 §5: in testing mode senders deliver anyway and only report.
  const testing = await stsDomain('testing', stsCert({ notBefore: daysFromNow(-100), notAfter: daysFromNow(-10) }));
  assertTop(testing, ['tls.cert-expired:warning:recipient']);
  const expiring = await stsDomain('enforce', stsCert({ notBefore: daysFromNow(-80), notAfter: daysFromNow(5) }));
  assertTop(expiring, ['tls.cert-expiring:warning:recipient']);
  const selfSigned = await stsDomain('enforce', stsCert({ selfSigned: true }));
  assertTop(selfSigned, ['tls.cert-untrusted:error:recipient']);
});

test('MTA-STS enforce lists two MX hosts and only one has an expired certificate: senders deliver to the other, a warning, not an error', async () => {
  const d = await stsDomain('enforce', stsCert({ notBefore: daysFromNow(-100), notAfter: daysFromNow(-10) }), '*.sts.example', true);
  assert.ok(d.ranked.includes('tls.cert-expired:warning:recipient'), d.ranked.join(', '));
  assert.ok(!d.ranked.some(r => r.endsWith(':error:recipient')), `the backup takes mail over TLS: ${d.ranked.join(', ')}`);
  assert.ok(!d.report.diagnosis.some(e => e.messages.join(' ').includes('in enforce mode and lists')), d.ranked.join(', '));
});

test('MTA-STS enforce lists the only MX and it offers no STARTTLS: that stops mail, an error first', async () => {
  const d = await stsDomain('enforce', {});
  // RFC 8461 §5.1: a sender applying the policy must not deliver to a listed MX without validated TLS.
  assertTop(d, ['tls.starttls-missing:error:recipient']);
  assert.ok(!causeIds(d).includes('mta-sts.invalid'), `the policy is right, the server is not: ${d.ranked.join(', ')}`);
  assert.match(d.report.diagnosis[0]!.messages.join(' '), /MTA-STS policy of sts\.example is in enforce mode and lists mx\.sts\.example/);
});

test('MTA-STS enforce and a failed TLS handshake, or only TLS 1.0: errors; in testing mode, or on an MX the policy does not list, no STARTTLS stays a warning', async () => {
  const broken = await stsDomain('enforce', { tls: 'broken' });
  assertTop(broken, ['tls.handshake-failed:error:recipient']);
  // OpenSSL 3 negotiates TLS 1.0/1.1 only at security level 0, on both ends (the persona passes `ciphers` on).
  const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
  const old = await stsDomain('enforce', { tls: { ...tlsFor(STS_MX), ...legacy } });
  assertTop(old, ['tls.protocol-old:error:recipient']);
  // RFC 8461 §5: in testing mode senders deliver anyway and only report.
  const testing = await stsDomain('testing', {});
  assert.ok(testing.ranked.includes('tls.starttls-missing:warning:recipient'), testing.ranked.join(', '));
  // The policy that does not list the MX is the error of its own (mta-sts.invalid); the missing STARTTLS is not said twice as one.
  const unlisted = await stsDomain('enforce', {}, 'other.sts.example');
  assert.ok(unlisted.ranked.includes('tls.starttls-missing:warning:recipient'), unlisted.ranked.join(', '));
  for (const d of [testing, unlisted]) assert.ok(!d.report.diagnosis.some(e => e.messages.join(' ').includes('in enforce mode and lists')), d.ranked.join(', '));
});

test('the hosting provider\'s certificate (*.hostingprovider.example) on the MX: a warning that stops no mail while senders only encrypt opportunistically; under MTA-STS enforce, the error that stops it', async () => {
  const providerCert = stsCert({ altNames: ['*.hostingprovider.example'] });
  // RFC 8461 §5: in testing mode senders deliver anyway; without a policy (or DANE) nobody checks the name at all.
  const testing = await stsDomain('testing', providerCert);
  assertTop(testing, ['tls.cert-name-mismatch:warning:recipient']);
  assert.ok(!testing.ranked.some(r => r.includes(':error:')), testing.ranked.join(', '));
  for (const check of ['smtp-reachability', 'starttls']) assert.equal(statusOf(testing, check), 'pass', check);
  // RFC 8461 §4.1: a sender applying an enforce policy delivers only to an MX whose certificate names it.
  const enforced = await stsDomain('enforce', providerCert);
  assertTop(enforced, ['tls.cert-name-mismatch:error:recipient']);
  assert.match(enforced.report.diagnosis[0]!.messages.join(' '), /MTA-STS policy of sts\.example is in enforce mode and lists mx\.sts\.example/);
});

test('a self-signed certificate for the provider\'s name, pinned by a DNSSEC-validated DANE-EE TLSA record and no MTA-STS: DANE senders check the key alone and nobody else checks the certificate, so its faults are notes; unsigned, the same record pins nothing and they stay warnings', async () => {
  const domain = 'dane.example';
  const mx = `mx.${domain}`;
  const cert = createCertificate({ commonName: '*.hostingprovider.example', altNames: ['*.hostingprovider.example'] });
  const key = createHash('sha256').update(new X509Certificate(cert.der).publicKey.export({ type: 'spki', format: 'der' })).digest();
  const run = (signed: boolean) =>
    diagnoseDomain(
      domain,
      {
        [domain]: { MX: [{ priority: 10, exchange: mx }], TXT: [['v=spf1 mx -all']] },
        [mx]: { A: ['192.0.2.61'] },
        ...fcrdns(mx, '192.0.2.61'),
        [`_25._tcp.${mx}`]: { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: key }], signed },
        ...dmarc(domain, `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`),
      },
      { '192.0.2.61:25': server('postfix', mx, { tls: { key: cert.keyPem, cert: cert.certPem } }) },
    );
  const pinned = await run(true);
  const certificateFaults = (d: Diagnosed) => d.ranked.filter(r => r.startsWith('tls.cert-')).sort();
  assert.deepEqual(certificateFaults(pinned), ['tls.cert-name-mismatch:info:recipient', 'tls.cert-untrusted:info:recipient']);
  assert.equal(statusOf(pinned, 'dane'), 'pass');
  const unsigned = await run(false);
  assert.deepEqual(certificateFaults(unsigned), ['tls.cert-name-mismatch:warning:recipient', 'tls.cert-untrusted:warning:recipient']);
});

test('a parked domain with a null MX, SPF -all and DMARC reject: the null MX is the one thing said', async () => {
  const domain = 'parked.example';
  const d = await diagnoseDomain(domain, {
    [domain]: { MX: [{ priority: 0, exchange: '.' }], TXT: [['v=spf1 -all']], A: ['192.0.2.60'] },
    ...dmarc(domain, `v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:dmarc@reports.example`),
    [`${domain}._report._dmarc.reports.example`]: { TXT: [['v=DMARC1']] },
  }, {});
  // RFC 7505 §3: the domain accepts no mail; a domain that sends none (SPF -all) needs no DKIM key.
  assertTop(d, ['mx.null:error:recipient']);
  assert.deepEqual(d.ranked.slice(1).filter(r => !r.includes(':info:')), [], `nothing else but notes: ${d.ranked.join(', ')}`);
  assert.ok(!allFindings(d).some(c => /^(smtp|tls|mta-sts|tls-rpt)\./.test(c)), `no mail server to judge: ${allFindings(d).join(', ')}`);
});

test("an MX host on a blocklist, without PTR, greeting as localhost: the listing first, then the missing PTR, both for the domain to fix", async () => {
  const domain = 'listed.example';
  const mx = `mail.${domain}`;
  const d = await diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 10, exchange: mx }], TXT: [['v=spf1 mx -all']] },
      [mx]: { A: ['192.0.2.71'] },
      [reverse('192.0.2.71')]: 'NXDOMAIN',
      '71.2.0.192.zen.spamhaus.org': { A: ['127.0.0.4'], TXT: [['https://www.spamhaus.org/query/ip/192.0.2.71']] },
      ...dmarc(domain, `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`),
    },
    { '192.0.2.71:25': server('postfix', 'localhost.localdomain', { tls: tlsFor(mx) }) },
  );
  // The same host sends the domain's mail: a listing (XBL) is refused at most receivers; no PTR fails RFC 8904-era checks (Gmail, Microsoft); the banner name is a note.
  assertTop(d, ['rbl.listed:error:recipient', 'ptr.missing:warning:recipient']);
  assert.ok(causeIds(d).includes('smtp.banner-mismatch'), d.ranked.join(', '));
});

/** alias.example: its MX is an alias of a host with an IPv4 address that answers and an IPv6 address that behaves as `v6`. */
function aliasDomain(v6: Endpoint): Promise<Diagnosed> {
  const domain = 'alias.example';
  const target = 'host42.hosting.example';
  return diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 10, exchange: `mx.${domain}` }], TXT: [['v=spf1 mx -all']] },
      [`mx.${domain}`]: { CNAME: target },
      [target]: { A: ['192.0.2.81'], AAAA: ['2001:db8::81'] },
      ...fcrdns(target, '192.0.2.81'),
      ['1.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa']: { PTR: [target] },
      ...dmarc(domain, `v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`),
    },
    { '192.0.2.81:25': server('postfix', target, { tls: tlsFor(`mx.${domain}`, { altNames: [`mx.${domain}`, target] }) }), '[2001:db8::81]:25': v6 },
  );
}

test('an MX that is an alias whose IPv6 address times out while IPv4 answers, and nothing answers this machine over IPv6: warnings, not an error, and mail arrives', async () => {
  const d = await aliasDomain('timeout');
  // RFC 2181 §10.3 / RFC 5321 §5.1: an MX must not be an alias (tolerated by most MTAs); senders that try IPv6 first wait, then use IPv4.
  // Nothing in this world answers over IPv6, so the timeout may as well be this machine's IPv6: both are named, on this machine's side.
  const top = d.ranked.slice(0, 2).sort();
  assert.deepEqual(top, ['mx.target-invalid:warning:recipient', 'network.ipv6-unavailable:warning:local'], `ranked: ${d.ranked.join(', ')}`);
  assert.ok(!d.ranked.some(r => r.includes(':error:')), `mail arrives over IPv4: ${d.ranked.join(', ')}`);
});

test('the same alias MX seen from a machine without an IPv6 route: the alias leads, IPv6 is this machine\'s note, not the domain\'s', async () => {
  const d = await aliasDomain({ unreachable: 'ENETUNREACH' });
  assertTop(d, ['mx.target-invalid:warning:recipient']);
  assert.ok(d.ranked.includes('network.ipv6-unavailable:info:local'), d.ranked.join(', '));
  assert.ok(!d.ranked.some(r => r.startsWith('smtp.') || r.includes(':error:')), `the IPv6 address is not blamed: ${d.ranked.join(', ')}`);
});

test('an MX that refuses the tester and a broken SPF: the SPF error leads, SMTP is untestable, never "pass"', async () => {
  const domain = 'refused.example';
  const mx = `mx.${domain}`;
  const d = await diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 10, exchange: mx }], TXT: [['v=spf1 a mx ipv4:203.0.113.5 -all']] },
      [mx]: { A: ['192.0.2.91'] },
      ...fcrdns(mx, '192.0.2.91'),
      ...dmarc(domain, `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`),
    },
    { '192.0.2.91:25': { greeting: ['554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.7'], hangUpAfterGreeting: true } satisfies SmtpPersona },
  );
  // RFC 7208 §4.6: an unknown mechanism is a permerror; the refusal is about this machine's IP, so the server was not looked at.
  assertTop(d, ['spf.syntax:error:sender']);
  assert.ok(d.ranked.includes('smtp.untestable:info:local'), d.ranked.join(', '));
  for (const check of ['smtp-reachability', 'smtp-policy', 'starttls', 'certificate', 'smtp-identity']) assert.notEqual(statusOf(d, check), 'pass', check);
  assert.ok(!d.ranked.some(r => /:recipient$/.test(r) && r.startsWith('smtp.')), `the server is not blamed: ${d.ranked.join(', ')}`);
  assert.notEqual(d.report.verdict, 'ok');
});

test('DNS that fails TXT lookups only: SERVFAIL is the error, SPF and DMARC are unknown (not missing, not pass), mail to it works', async () => {
  const domain = 'txtfail.example';
  const mx = `mx.${domain}`;
  const d = await diagnoseDomain(
    domain,
    {
      [domain]: { MX: [{ priority: 10, exchange: mx }], TXT: [['v=spf1 mx -all']], actionByType: { TXT: 'SERVFAIL' } },
      [mx]: { A: ['192.0.2.101'] },
      ...fcrdns(mx, '192.0.2.101'),
      [`_dmarc.${domain}`]: 'SERVFAIL',
      [`_domainkey.${domain}`]: 'SERVFAIL',
      ...Object.fromEntries(COMMON_SELECTORS.map(selector => [`${selector}._domainkey.${domain}`, 'SERVFAIL' as const])),
      [`_mta-sts.${domain}`]: 'SERVFAIL',
      [`_smtp._tls.${domain}`]: 'SERVFAIL',
    },
    { '192.0.2.101:25': server('postfix', mx, { tls: tlsFor(mx) }) },
  );
  // RFC 7208 §5 / RFC 7489 §6.6.3: a lookup error is temperror, not "none": receivers defer or treat the mail as unauthenticated.
  assertTop(d, ['dns.servfail:error:sender']);
  for (const absent of ['spf.missing', 'dmarc.missing']) assert.ok(!causeIds(d).includes(absent), `${absent} in ${d.ranked.join(', ')}`);
  for (const check of ['spf', 'dmarc']) assert.notEqual(statusOf(d, check), 'pass', check);
  assert.ok(!d.ranked.some(r => /^(mx|smtp|tls)\./.test(r)), `mail to the domain works: ${d.ranked.join(', ')}`);
  for (const check of ['smtp-reachability', 'starttls', 'certificate']) assert.equal(statusOf(d, check), 'pass', check);
});
