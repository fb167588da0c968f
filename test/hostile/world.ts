// The hostile world: DNS, SMTP and HTTPS peers that misbehave in every way a
// diagnostic meets out there (oversized, endless, trickling, looping,
// malformed, escape codes, broken TLS). Each case is data about its own
// domain, "<id>.example", which is otherwise healthy (MX with FCrDNS, STARTTLS
// with a trusted certificate, SPF, DMARC, TLS-RPT), so whatever the diagnosis
// reports comes from the misbehaviour. startHostileWorld serves every case at
// once; runHostileCase diagnoses one. Only RFC 2606 names and RFC 5737
// addresses, and nothing leaves 127.0.0.1.
import dgram from 'node:dgram';
import type { CauseId } from '../../src/causes.js';
import { parseTarget } from '../../src/cli/targets.js';
import { diagnose } from '../../src/diagnose.js';
import type { Net } from '../../src/net/context.js';
import type { DnsServer } from '../../src/net/dns/types.js';
import { reverseName } from '../../src/net/ip.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { CheckStatus } from '../../src/pipeline/run.js';
import type { Report } from '../../src/report/schema.js';
import type { SimRecordSet, SimZone } from '../../src/sim/dns-server.js';
import type { SimHttpsOptions, SimHttpsReply } from '../../src/sim/https-server.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { chainPem, createCa, createCertificate, daysFromNow, type SimCertificate } from '../../src/sim/tls-certs.js';
import { mailServer, startWorld } from '../../src/sim/world.js';

export type HostileLayer = 'dns' | 'smtp' | 'https';

/** The names of one case. */
export interface CaseNames {
  domain: string;
  mx: string;
  /** The MTA-STS policy host (RFC 8461 §3.3). */
  policyHost: string;
}

/** What a correct diagnosis of the case shows. */
export interface HostileExpectation {
  /** Causes it must report. */
  causes?: CauseId[];
  /** Causes that must not be listed in the diagnosis (reported, if at all, only folded under their root cause). */
  mustNotRank?: CauseId[];
  /** Checks that must end with this status (e.g. "info": ran, could not conclude, and its data says why). */
  checks?: Record<string, CheckStatus>;
  /** How reading the MX host's greeting ends, when it gives none: silence and trickles time out, the rest is cut short. */
  greeting?: 'timeout' | 'garbage' | 'too-long';
}

export interface HostileCase {
  /** Also the first label of the case's domain. */
  id: string;
  layer: HostileLayer;
  /** What the peer does, in a few words. */
  what: string;
  /** Names that replace the healthy records, or misbehave (actions). */
  zone?(names: CaseNames, mxIp: string): SimZone;
  /** Changes to the MX host's healthy persona. */
  smtp?(names: CaseNames, ca: SimCertificate): Partial<SmtpPersona>;
  /** The domain publishes MTA-STS, and its policy host answers this way. */
  https?: { reply(names: CaseNames): SimHttpsReply; certificateFor?: string };
  /** The run's resolver never answers anything. */
  silentResolver?: boolean;
  expect: HostileExpectation;
  /** How long the whole diagnosis may take, in --timeout periods. */
  limitTimeouts: number;
}

const ESCAPES = '\u001b[31mRED\u001b[0m \u001b[2J\u001b[H \u001b]0;pwned title\u0007 \u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007 \u009b6n \u202eevil';
/** Bytes that are not text: every value once, NUL, CR and LF included. */
const BINARY = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => (i * 151 + 7) & 0xff));
/** Sequences no UTF-8 decoder accepts: lone continuation, overlong, truncated, invalid bytes. */
const INVALID_UTF8 = '\u0080\u00bf \u00c0\u00af \u00e2\u0082 \u00ed\u00a0\u0080 \u00fe\u00ff';
/**
 * TXT records for `name` that fill a 64 KB answer, just under the limit of a
 * DNS message over TCP (65,535 bytes, RFC 1035 §4.2.2). The sim does not
 * compress names: each record costs its owner name, 10 bytes of type, class,
 * TTL and length, and 256 of text.
 */
function txtFilling64k(name: string): string[][] {
  const perRecord = name.length + 2 + 10 + 256;
  return Array.from({ length: Math.floor(64_000 / perRecord) }, (_, i) => [`filler-${i}=`.padEnd(255, 'x')]);
}
const policy = (mx: string) => `version: STSv1\r\nmode: enforce\r\nmx: ${mx}\r\nmax_age: 86400\r\n`;
/** An SPF record as one TXT record, cut into character-strings of at most 255 bytes (RFC 7208 §3.3). */
const spf = (...terms: string[]): string[][] => [`v=spf1 ${terms.join(' ')} -all`.match(/.{1,255}/g)!];

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    id: 'txt-64k',
    layer: 'dns',
    what: 'a 64 KB TXT answer: truncated over UDP, whole over TCP',
    zone: n => ({ [n.domain]: { TXT: [['v=spf1 mx -all'], ...txtFilling64k(n.domain)] } }),
    expect: { checks: { spf: 'pass' } },
    limitTimeouts: 3,
  },
  {
    id: 'tcp-refused',
    layer: 'dns',
    what: 'the 64 KB TXT answer is truncated over UDP, and TCP is refused',
    zone: n => ({ [n.domain]: { action: 'TCP_REFUSED', TXT: [['v=spf1 mx -all'], ...txtFilling64k(n.domain)] } }),
    expect: { checks: { spf: 'info' } },
    limitTimeouts: 3,
  },
  {
    id: 'txt-too-big',
    layer: 'dns',
    what: 'a TXT answer larger than a DNS message can carry, even over TCP',
    zone: n => ({ [n.domain]: { TXT: [['v=spf1 mx -all'], ...txtFilling64k(n.domain), ...txtFilling64k(n.domain)] } }),
    expect: { checks: { spf: 'info' } },
    limitTimeouts: 3,
  },
  {
    id: 'cname-chain',
    layer: 'dns',
    what: 'the MX host is a chain of 20 CNAMEs',
    zone: n => ({
      [n.mx]: { CNAME: `c1.${n.domain}` },
      ...Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`c${i + 1}.${n.domain}`, { CNAME: `c${i + 2}.${n.domain}` }])),
      [`c20.${n.domain}`]: { A: ['192.0.2.1'] },
    }),
    expect: { causes: ['dns.servfail'] },
    limitTimeouts: 3,
  },
  {
    id: 'cname-loop',
    layer: 'dns',
    what: 'the MX host is a CNAME loop',
    zone: n => ({ [n.mx]: { CNAME: `loop.${n.domain}` }, [`loop.${n.domain}`]: { CNAME: n.mx } }),
    expect: { causes: ['dns.servfail'] },
    limitTimeouts: 3,
  },
  {
    id: 'spf-include-loop',
    layer: 'dns',
    what: 'SPF includes a record that includes the domain again',
    zone: n => ({ [n.domain]: { TXT: spf(`include:_spf.${n.domain}`) }, [`_spf.${n.domain}`]: { TXT: spf(`include:${n.domain}`) } }),
    expect: { causes: ['spf.too-many-lookups'] },
    limitTimeouts: 3,
  },
  {
    id: 'spf-include-tree',
    layer: 'dns',
    what: 'SPF pulls in a tree of 110 includes',
    zone: n => {
      const branch = (i: number) => `b${i}.${n.domain}`;
      const leaf = (i: number, j: number) => `l${i}-${j}.${n.domain}`;
      const zone: SimZone = { [n.domain]: { TXT: spf(...Array.from({ length: 10 }, (_, i) => `include:${branch(i)}`)) } };
      for (let i = 0; i < 10; i++) {
        zone[branch(i)] = { TXT: spf(...Array.from({ length: 10 }, (_, j) => `include:${leaf(i, j)}`)) };
        for (let j = 0; j < 10; j++) zone[leaf(i, j)] = { TXT: spf(`ip4:198.51.100.${i * 10 + j}`) };
      }
      return zone;
    },
    expect: { causes: ['spf.too-many-lookups'] },
    limitTimeouts: 3,
  },
  {
    id: 'malformed',
    layer: 'dns',
    what: 'every answer about the domain is a malformed packet',
    zone: n => ({ [n.domain]: 'MALFORMED' }),
    expect: { causes: ['dns.servfail'] },
    limitTimeouts: 3,
  },
  {
    id: 'wrong-id',
    layer: 'dns',
    what: 'every answer about the domain carries another message id',
    zone: n => ({ [n.domain]: 'WRONG_ID' }),
    expect: { causes: ['dns.servfail'] },
    limitTimeouts: 3,
  },
  {
    id: 'nxdomain-with-answers',
    layer: 'dns',
    what: 'NXDOMAIN that still carries answer records',
    zone: n => ({ [n.domain]: 'NXDOMAIN_WITH_ANSWERS' }),
    expect: { causes: ['domain.nxdomain'] },
    limitTimeouts: 3,
  },
  {
    id: 'mx-host-silent',
    layer: 'dns',
    what: 'the name servers of the MX host never answer',
    zone: n => ({ [n.mx]: 'DROP' }),
    expect: { causes: ['dns.servfail'] },
    limitTimeouts: 3,
  },
  {
    id: 'resolver-silent',
    layer: 'dns',
    what: 'the resolver never answers anything',
    silentResolver: true,
    expect: { causes: ['dns.resolver-unreachable'] },
    limitTimeouts: 5,
  },
  {
    id: 'tarpit',
    layer: 'smtp',
    what: 'accepts the connection and never says a word',
    smtp: () => ({ greeting: null }),
    expect: { causes: ['smtp.no-banner'], greeting: 'timeout' },
    limitTimeouts: 3,
  },
  {
    id: 'banner-endless',
    layer: 'smtp',
    what: 'a banner that never ends',
    smtp: n => ({ greeting: [`220-${n.mx} ESMTP`], endlessLine: '220-still greeting you' }),
    expect: { causes: ['smtp.no-banner'], greeting: 'too-long' },
    limitTimeouts: 3,
  },
  {
    id: 'line-1mb',
    layer: 'smtp',
    what: 'a greeting line of 1 MB',
    smtp: n => ({ greeting: [`220 ${n.mx} ${'x'.repeat(1024 * 1024)}`] }),
    expect: { causes: ['smtp.no-banner'], greeting: 'too-long' },
    limitTimeouts: 3,
  },
  {
    id: 'byte-per-second',
    layer: 'smtp',
    what: 'sends one byte per second',
    smtp: () => ({ byteDelayMs: 1000 }),
    expect: { causes: ['smtp.no-banner'], greeting: 'timeout' },
    limitTimeouts: 3,
  },
  {
    id: 'binary-garbage',
    layer: 'smtp',
    what: 'greets with binary garbage',
    smtp: () => ({ greeting: [BINARY], encoding: 'latin1' }),
    expect: { causes: ['smtp.no-banner'], greeting: 'garbage' },
    limitTimeouts: 3,
  },
  {
    id: 'invalid-utf8',
    layer: 'smtp',
    what: 'invalid UTF-8 in the banner, EHLO and replies',
    smtp: n => ({
      greeting: [`220 ${n.mx} ESMTP ${INVALID_UTF8}`],
      extensions: ['PIPELINING', `X-${INVALID_UTF8}`],
      replies: { MAIL: `250 2.1.0 ${INVALID_UTF8} ok` },
      recipients: { [`@${n.domain}`]: `250 2.1.5 ${INVALID_UTF8} ok`, '*': `554 5.7.1 ${INVALID_UTF8} relay denied` },
      encoding: 'latin1',
    }),
    expect: { checks: { 'smtp-reachability': 'pass', 'smtp-policy': 'pass' } },
    limitTimeouts: 3,
  },
  {
    id: 'escape-codes',
    layer: 'smtp',
    what: 'ANSI and OSC escape sequences (colour, cursor moves, title, OSC 8 link) in banner, EHLO and replies',
    smtp: n => ({
      greeting: [`220 ${n.mx} ESMTP ${ESCAPES}`],
      name: `${n.mx}${ESCAPES}`,
      extensions: ['PIPELINING', `X-${ESCAPES}`],
      recipients: { [`@${n.domain}`]: `550 5.1.1 ${ESCAPES} no such user`, '*': `554 5.7.1 ${ESCAPES} relay denied` },
    }),
    expect: { causes: ['smtp.recipient-rejected'] },
    limitTimeouts: 3,
  },
  {
    id: 'ehlo-1000-lines',
    layer: 'smtp',
    what: 'an EHLO reply of 1,000 lines',
    smtp: () => ({ extensions: Array.from({ length: 999 }, (_, i) => `X-EXTENSION-${i} parameter`) }),
    expect: { checks: { 'smtp-reachability': 'pass', 'smtp-policy': 'pass' } },
    limitTimeouts: 3,
  },
  {
    id: 'ehlo-128k',
    layer: 'smtp',
    what: 'greets, then answers EHLO with 128 KB of extension lines',
    smtp: () => ({ extensions: Array.from({ length: 2048 }, (_, i) => `X-PADDING-${i} ${'x'.repeat(48)}`) }),
    expect: { causes: ['smtp.reply-broken'], checks: { 'smtp-policy': 'untestable', 'smtp-identity': 'untestable', starttls: 'untestable' } },
    limitTimeouts: 3,
  },
  {
    id: 'ehlo-endless',
    layer: 'smtp',
    what: 'greets, then answers EHLO with extension lines that never end',
    smtp: () => ({ endlessLine: '250-X-STILL-LISTING', endlessAfter: 'EHLO' }),
    expect: { causes: ['smtp.reply-broken'], checks: { 'smtp-policy': 'untestable', 'smtp-identity': 'untestable' } },
    limitTimeouts: 3,
  },
  {
    id: 'reset-after-banner',
    layer: 'smtp',
    what: 'greets, then resets the connection (TCP RST) instead of answering EHLO',
    smtp: () => ({ hangUp: { on: 'EHLO', reset: true } }),
    expect: { causes: ['smtp.session-dropped'], checks: { 'smtp-policy': 'untestable', 'smtp-identity': 'untestable' } },
    limitTimeouts: 3,
  },
  {
    id: 'starttls-reset',
    layer: 'smtp',
    what: 'accepts STARTTLS, then resets the connection on the ClientHello',
    smtp: () => ({ tls: 'reset' }),
    expect: { causes: ['tls.handshake-failed'] },
    limitTimeouts: 3,
  },
  {
    id: 'cert-future',
    layer: 'smtp',
    what: 'both MX hosts present a certificate valid only from next month (as seen by a clock that is behind)',
    zone: (n, mxIp) => ({ [n.domain]: { MX: [{ priority: 10, exchange: n.mx }, { priority: 20, exchange: `mx2.${n.domain}` }] }, [`mx2.${n.domain}`]: { A: [mxIp] } }),
    smtp: (n, ca) => {
      const future = createCertificate({ commonName: n.mx, altNames: [n.mx, `mx2.${n.domain}`], issuer: ca, notBefore: daysFromNow(30), notAfter: daysFromNow(120) });
      return { tls: { key: future.keyPem, cert: chainPem(future) } };
    },
    expect: { causes: ['clock.skewed'], mustNotRank: ['tls.cert-not-yet-valid'] },
    limitTimeouts: 3,
  },
  {
    id: 'sts-date-skewed',
    layer: 'https',
    what: 'the MTA-STS policy server\'s Date header is a day away from this machine\'s clock',
    https: { reply: n => ({ kind: 'body', body: policy(n.mx), date: new Date(Date.now() - 86_400_000).toUTCString() }) },
    expect: { causes: ['clock.skewed'] },
    limitTimeouts: 3,
  },
  {
    id: 'starttls-garbage',
    layer: 'smtp',
    what: 'accepts STARTTLS, then sends bytes that are not TLS',
    smtp: () => ({ tls: 'broken' }),
    expect: { causes: ['tls.handshake-failed'] },
    limitTimeouts: 3,
  },
  {
    id: 'tls-alert',
    layer: 'smtp',
    what: 'accepts STARTTLS, then a fatal TLS alert mid-handshake',
    smtp: () => ({ tls: 'alert' }),
    expect: { causes: ['tls.handshake-failed'] },
    limitTimeouts: 3,
  },
  {
    id: 'close-after-command',
    layer: 'smtp',
    what: 'closes the connection after answering each command',
    smtp: () => ({ closeAfterReply: true }),
    expect: { causes: ['smtp.session-dropped'] },
    limitTimeouts: 3,
  },
  {
    id: 'sts-10mb',
    layer: 'https',
    what: 'a 10 MB MTA-STS policy',
    https: { reply: () => ({ kind: 'oversized', bytes: 10 * 1024 * 1024 }) },
    expect: { causes: ['mta-sts.invalid'] },
    limitTimeouts: 3,
  },
  {
    id: 'sts-slowloris',
    layer: 'https',
    what: 'the policy body trickles in one byte every 100 ms, forever',
    https: { reply: () => ({ kind: 'slow', intervalMs: 100 }) },
    expect: { causes: ['mta-sts.invalid'] },
    limitTimeouts: 4,
  },
  {
    id: 'sts-redirect',
    layer: 'https',
    what: 'the policy URL redirects elsewhere',
    https: { reply: () => ({ kind: 'redirect', location: 'https://policy.elsewhere.example/.well-known/mta-sts.txt' }) },
    expect: { causes: ['mta-sts.invalid'] },
    limitTimeouts: 3,
  },
  {
    id: 'sts-wrong-name',
    layer: 'https',
    what: 'the policy host presents a certificate for another name',
    https: { reply: n => ({ kind: 'body', body: policy(n.mx) }), certificateFor: 'mta-sts.other.example' },
    expect: { causes: ['mta-sts.invalid'] },
    limitTimeouts: 3,
  },
];

export const caseNames = (c: Pick<HostileCase, 'id'>): CaseNames => {
  const domain = `${c.id}.example`;
  return { domain, mx: `mx.${domain}`, policyHost: `mta-sts.${domain}` };
};

export interface HostileWorld {
  /** The world's certificate authority (PEM), trusted like --ca-file. */
  caPem: string;
  /** The address of the case's MX host. */
  mxAddress(c: HostileCase): string;
  /** A network for one run of the case. */
  net(c: HostileCase, timeoutMs: number): Net;
  close(): Promise<void>;
}

const POLICY_PATH = '/.well-known/mta-sts.txt';

/** Serve every case at once: one resolver, an SMTP server per MX address, an HTTPS server per policy host. */
export async function startHostileWorld(cases: readonly HostileCase[] = HOSTILE_CASES): Promise<HostileWorld> {
  const ca = createCa('maildiag hostile CA');
  const mxCertificate = createCertificate({ commonName: 'hostile MX hosts', altNames: cases.map(c => caseNames(c).mx), issuer: ca });
  const zone: SimZone = {};
  const smtp: Record<string, SmtpPersona> = {};
  const https: Record<string, SimHttpsOptions> = {};
  const mxAddresses = new Map<string, string>();
  cases.forEach((c, i) => {
    const names = caseNames(c);
    const mxIp = `192.0.2.${20 + i}`;
    mxAddresses.set(c.id, mxIp);
    const policyIp = `203.0.113.${20 + i}`;
    merge(zone, healthyZone(names, mxIp));
    if (c.https) {
      merge(zone, { [`_mta-sts.${names.domain}`]: { TXT: [['v=STSv1; id=20250101T000000']] }, [names.policyHost]: { A: [policyIp] } });
      const certificate = createCertificate({ commonName: c.https.certificateFor ?? names.policyHost, altNames: [c.https.certificateFor ?? names.policyHost], issuer: ca });
      https[`${policyIp}:443`] = { cert: chainPem(certificate), key: certificate.keyPem, routes: { [`${names.policyHost}${POLICY_PATH}`]: c.https.reply(names) } };
    }
    merge(zone, c.zone?.(names, mxIp) ?? {});
    smtp[`${mxIp}:25`] = mailServer(names.mx, [names.domain], { tls: { key: mxCertificate.keyPem, cert: chainPem(mxCertificate) }, ...c.smtp?.(names, ca) });
  });
  const world = await startWorld({ zone, smtp, https });
  const silent = await startSilentResolver();
  return {
    caPem: ca.certPem,
    mxAddress: c => mxAddresses.get(c.id)!,
    net: (c, timeoutMs) => world.net(timeoutMs, c.silentResolver ? { resolvers: [silent.server] } : {}),
    close: async () => {
      await Promise.all([world.close(), silent.close()]);
    },
  };
}

export interface HostileRun {
  report: Report;
  /** The network the run used, to inspect afterwards (open sockets). */
  net: Net;
  elapsedMs: number;
}

/** Diagnose one case the way a user would, with every check, and the addresses of the world allowed. */
export async function runHostileCase(hostile: HostileWorld, c: HostileCase, options: Partial<RunOptions> & { timeoutMs: number }): Promise<HostileRun> {
  const net = hostile.net(c, options.timeoutMs);
  const started = performance.now();
  const runOptions = defaultRunOptions({ allowPrivate: true, helo: 'probe.example.net', caCerts: [hostile.caPem], ...options });
  const report = await diagnose(parseTarget(caseNames(c).domain), runOptions, net);
  return { report, net, elapsedMs: performance.now() - started };
}

/** What a well-run domain publishes, so that a case's misbehaviour is the only thing to report. */
function healthyZone(n: CaseNames, mxIp: string): SimZone {
  return {
    [n.domain]: { MX: [{ priority: 10, exchange: n.mx }], TXT: [['v=spf1 mx -all']] },
    [n.mx]: { A: [mxIp] },
    [reverseName(mxIp)]: { PTR: [n.mx] },
    [`_dmarc.${n.domain}`]: { TXT: [[`v=DMARC1; p=reject; rua=mailto:dmarc@${n.domain}`]] },
    [`_smtp._tls.${n.domain}`]: { TXT: [[`v=TLSRPTv1; rua=mailto:tls-reports@${n.domain}`]] },
  };
}

/** Records of the same name are combined type by type; an action replaces them. */
function merge(zone: SimZone, changes: SimZone): void {
  for (const [name, records] of Object.entries(changes)) {
    const base = zone[name];
    zone[name] = typeof records === 'string' || typeof base !== 'object' ? records : ({ ...base, ...records } as SimRecordSet);
  }
}

/** A resolver address where nothing ever answers: questions arrive and are dropped. */
async function startSilentResolver(): Promise<{ server: DnsServer; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: { host: '127.0.0.1', port: socket.address().port },
    close: () => new Promise<void>(resolve => socket.close(() => resolve())),
  };
}
