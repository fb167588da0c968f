// MTA-STS (RFC 8461) as a sending MTA applies it: exactly one _mta-sts TXT
// record, a policy fetched over HTTPS with a valid certificate and no
// redirects, and, in enforce or testing mode, every MX host listed in it.
import { readStsPolicy, type StsPolicyError } from '../auth/mta-sts-policy.js';
import { say } from '../causes.js';
import { describeAnswer, joinTxt, type DnsAnswer } from '../net/dns/index.js';
import { httpsGet, type HttpsResult } from '../net/https.js';
import { nonGlobalReason } from '../net/ip.js';
import { inspectChain } from '../net/tls.js';
import type { MxHost, PresentedCertificate } from '../pipeline/facts.js';
import { defineCheck, finding, type CheckContext, type Finding, type MessageOf } from './define.js';
import { describeReading, MAX_CLOCK_SKEW_MS, offsetMs, readingFrom, skewData, type ClockReading } from './server-clocks.js';

/** RFC 8461 §3.3 suggests this limit for the policy body. */
const MAX_POLICY_BYTES = 64 * 1024;
const POLICY_PATH = '/.well-known/mta-sts.txt';

/** Why the record or the policy does not count: one of mta-sts.invalid's messages, with its data but the domain and the policy URL (the check adds them). */
export type StsProblem = MessageOf<'mta-sts.invalid', 'domain' | 'url'>;

export type StsRecord = { ok: true; id: string } | { ok: false; problem: StsProblem };

/** RFC 8461 §3.1: "v=STSv1" first, then an id of 1-32 letters and digits, extensions name=value. */
export function parseStsRecord(text: string): StsRecord {
  const [version, ...fields] = text.split(/[ \t]*;[ \t]*/);
  if (version !== 'v=STSv1') return { ok: false, problem: { messageId: 'recordVersion', data: { version: version! } } };
  const ids: string[] = [];
  for (const field of fields.filter(Boolean)) {
    const [, name, value] = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=([\x21-\x3a\x3c\x3e-\x7e]+)$/.exec(field) ?? [];
    if (!name || !value) return { ok: false, problem: { messageId: 'recordField', data: { field } } };
    if (name === 'id') ids.push(value);
  }
  if (ids.length !== 1) return { ok: false, problem: { messageId: ids.length ? 'recordSeveralIds' : 'recordNoId', data: {} } };
  if (!/^[A-Za-z0-9]{1,32}$/.test(ids[0]!)) return { ok: false, problem: { messageId: 'recordBadId', data: { id: ids[0]! } } };
  return { ok: true, id: ids[0]! };
}

/** RFC 8461 §4.1: a "*." pattern stands for exactly one left-most label. */
export function mxMatchesPattern(mx: string, pattern: string): boolean {
  const host = mx.toLowerCase().replace(/\.$/, '');
  const wanted = pattern.toLowerCase().replace(/\.$/, '');
  if (!wanted.startsWith('*.')) return host === wanted;
  const firstDot = host.indexOf('.');
  return firstDot > 0 && host.slice(firstDot + 1) === wanted.slice(2);
}

export interface StsPolicy {
  mode: 'enforce' | 'testing' | 'none';
  maxAge: number;
  mx: string[];
}

export type PolicyParse = { ok: true; policy: StsPolicy } | { ok: false; problem: StsProblem };

const POLICY_ERRORS = {
  invalid_sts_version: 'policyVersion',
  invalid_sts_mode: 'policyMode',
  invalid_sts_max_age: 'policyMaxAge',
  invalid_sts_mx: 'policyNoMx',
} as const satisfies Record<StsPolicyError, StsProblem['messageId']>;

/**
 * RFC 8461 §3.2, read as mailauth reads it (its own mx matching allows
 * multi-label wildcards, so ours is above), then the grammar it lets through:
 * mailauth reads max_age with Number() and takes any mx text, so "1.5",
 * "0x10", "1e3" or an empty mx line pass there but not at strict senders.
 */
export async function parseStsPolicy(text: string): Promise<PolicyParse> {
  const parsed = readStsPolicy(text);
  if (!parsed.ok) return { ok: false, problem: { messageId: POLICY_ERRORS[parsed.error], data: {} } };
  const problem = grammarProblem(text);
  return problem ? { ok: false, problem } : { ok: true, policy: parsed.policy };
}

/** sts-policy-max-age-value = 1*10(DIGIT); sts-policy-mx-value = ["*."] Domain (RFC 5321 §4.1.2: LDH labels). */
const MAX_AGE_VALUE = /^\d{1,10}$/;
const MX_VALUE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function grammarProblem(text: string): StsProblem | undefined {
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'max_age' && !MAX_AGE_VALUE.test(value)) return { messageId: 'policyMaxAgeDigits', data: { value } };
    if (key === 'mx' && !MX_VALUE.test(value)) return { messageId: 'policyMxPattern', data: { value } };
  }
  return undefined;
}

export default defineCheck({
  id: 'mta-sts',
  title: 'MTA-STS policy',
  targets: ['domain'],
  needs: ['domain', 'mxHosts'],
  // A policy certificate refused for its dates goes on to the certificate check, which has every server's time to judge them by.
  provides: ['httpClocks', 'stsPolicy', 'stsCertificate'],
  emits: ['mta-sts.invalid', 'clock.skewed'],
  budget: 'policyFetch',
  async run({ domain, mxHosts }, ctx) {
    const name = `_mta-sts.${domain}`;
    const answer = await ctx.net.dns.query(name, 'TXT');
    const evidence = [describeAnswer(name, 'TXT', answer)];
    if (answer.kind !== 'records') return noRecord(answer);
    const records = answer.records.map(joinTxt).filter(r => /^v=STSv1\b/i.test(r.trim()));
    if (!records.length) return { findings: [], data: { record: null } };
    const policyHost = `mta-sts.${domain}`;
    const url = `https://${policyHost}${POLICY_PATH}`;
    const invalid = ({ messageId, data: said }: StsProblem, subject = name, seen = evidence, data: Record<string, unknown> = { records }) => ({
      findings: [finding('mta-sts.invalid', messageId, { domain, url, ...said }, { subjects: [subject], evidence: seen })],
      data,
    });
    // RFC 8461 §3.1: not exactly one record means no policy at all.
    if (records.length > 1) return invalid({ messageId: 'severalRecords', data: { count: records.length } });
    const record = parseStsRecord(records[0]!.trim());
    if (!record.ok) return invalid(record.problem);

    const fetched = await fetchPolicy(policyHost, ctx);
    const seen = [...evidence, ...fetched.evidence];
    const data = { records, id: record.id, policyUrl: url, ...fetched.data };
    const reading = fetched.serverDate === undefined ? undefined : readingFrom(policyHost, 'http-date', fetched.serverDate);
    const provided = { httpClocks: reading ? [reading] : [], ...(fetched.outOfDate ? { stsCertificate: fetched.outOfDate } : {}) };
    if (!fetched.ok) return { ...invalid(fetched.problem, policyHost, seen, data), provided };
    const clock = reading && clockSkew(reading, ctx.net.time.now());
    const policy = await parseStsPolicy(fetched.body);
    if (!policy.ok) return { ...invalid(policy.problem, policyHost, seen, { ...data, policyText: truncate(fetched.body, 2000) }), provided };
    const judged = judgePolicy(domain, policy.policy, mxHosts, { ...data, policy: policy.policy }, seen);
    const stsPolicy = { domain, mode: policy.policy.mode, mxMatches: judged.data.mxMatches };
    return { ...judged, findings: [...(clock ? [clock] : []), ...judged.findings], provided: { ...provided, stsPolicy } };
  },
});

/** No record is no MTA-STS; a failed lookup leaves the question open. */
function noRecord(answer: DnsAnswer) {
  const absent = answer.kind === 'nxdomain' || answer.kind === 'nodata';
  return { findings: [], data: { record: null, ...(absent ? {} : { lookup: answer.kind }) }, ...(absent ? {} : { status: 'info' as const }) };
}

function judgePolicy(domain: string, policy: StsPolicy, mxHosts: MxHost[], data: Record<string, unknown>, evidence: string[]) {
  const matches = mxHosts.map(mx => ({ host: mx.name, pattern: policy.mx.find(p => mxMatchesPattern(mx.name, p)) ?? null }));
  const unlisted = matches.filter(m => !m.pattern).map(m => m.host);
  const findings: Finding[] = [];
  if (policy.mode !== 'none' && unlisted.length) {
    // In testing mode senders deliver anyway and only report the failure (RFC 8461 §5).
    findings.push(
      finding('mta-sts.invalid', 'mxUnlisted', { domain, mode: policy.mode, unlisted, allowed: policy.mx }, {
        subjects: [`mta-sts.${domain}`, ...unlisted],
        evidence: [...evidence, `policy mx: ${policy.mx.join(', ')}`],
        ...(policy.mode === 'testing' ? { severity: 'info' as const } : {}),
      }),
    );
  }
  return { findings, data: { ...data, mxMatches: matches } };
}

/** The policy server's HTTP Date (RFC 9110 §6.6.1) against this machine's clock. */
function clockSkew(reading: ClockReading, now: Date): Finding | undefined {
  if (Math.abs(offsetMs(reading, now)) <= MAX_CLOCK_SKEW_MS) return undefined;
  const data = skewData(reading, now);
  return finding('clock.skewed', data.skewMs > 0 ? 'aheadOfServer' : 'behindServer', data, {
    subjects: [reading.host],
    evidence: [describeReading(reading), `this machine's clock: ${data.clock}`],
  });
}

/** `serverDate`: the HTTP Date of the last response, whatever its status; `outOfDate`: the certificate refused for its dates alone. */
type PolicyFetch = { serverDate?: string; outOfDate?: PresentedCertificate; evidence: string[]; data: Record<string, unknown> } & ({ ok: true; body: string } | { ok: false; problem: StsProblem });

/** RFC 8461 §3.3: HTTPS to mta-sts.<domain>, resolved with our resolver; the first address that connects answers. */
async function fetchPolicy(host: string, { net, options, signal }: CheckContext): Promise<PolicyFetch> {
  const [a, aaaa] = await Promise.all([net.dns.query(host, 'A'), net.dns.query(host, 'AAAA')]);
  const evidence = [describeAnswer(host, 'A', a), describeAnswer(host, 'AAAA', aaaa)];
  const ips = [a, aaaa].flatMap(x => (x.kind === 'records' ? (x.records as string[]) : []));
  if (!ips.length) return { ok: false, problem: { messageId: 'noAddress', data: { host, aLookup: a.kind, aaaaLookup: aaaa.kind } }, evidence, data: {} };
  const reachable = options.allowPrivate ? ips : ips.filter(ip => !nonGlobalReason(ip));
  if (!reachable.length) return { ok: false, problem: { messageId: 'onlyNonGlobal', data: { host, addresses: ips } }, evidence, data: { addresses: ips } };
  const attempts: { ip: string; result: HttpsResult }[] = [];
  for (const ip of reachable) {
    const result = await net.once(`https:${ip}:443:${host}${POLICY_PATH}`, () =>
      httpsGet(net, { host, ip, path: POLICY_PATH }, { maxBytes: MAX_POLICY_BYTES, caCerts: options.caCerts, signal }),
    );
    attempts.push({ ip, result });
    if (result.kind !== 'connect-failed') break;
  }
  const last = attempts.at(-1)!;
  const data = { addresses: ips, fetch: attempts.map(({ ip, result }) => ({ ip, ...summarize(result) })) };
  const fetchEvidence = [...evidence, ...attempts.map(({ ip, result }) => `GET https://${host}${POLICY_PATH} (${ip}): ${describeResult(result)}`)];
  const serverDate = last.result.kind === 'response' ? last.result.headers.date : undefined;
  const seen = { evidence: fetchEvidence, data, ...(serverDate === undefined ? {} : { serverDate }) };
  const problem = fetchFailure(host, last.ip, last.result, { now: net.time.now(), caCerts: options.caCerts });
  if (problem) return { ok: false, problem, ...seen, ...(outOfDate(last.result) ? { outOfDate: { host, ip: last.ip, chain: last.result.chain } } : {}) };
  const response = last.result as Extract<HttpsResult, { kind: 'response' }>;
  return { ok: true, body: response.body.toString('utf8'), ...seen };
}

function describeResult(result: HttpsResult): string {
  switch (result.kind) {
    case 'response': {
      const location = result.headers.location ? `, Location: ${truncate(result.headers.location)}` : '';
      return `HTTP ${result.status}, ${truncate(result.headers['content-type'] ?? 'no Content-Type')}${location}, ${result.body.length} bytes`;
    }
    case 'too-large': return `HTTP ${result.status}, more than ${result.maxBytes} bytes`;
    case 'connect-failed': return `connect ${result.outcome}`;
    case 'timeout': return `${result.phase} timed out`;
    case 'tls-failed': return `${result.kind}: ${say('tlsFailure', result.reason)}`;
    case 'http-error': return `${result.kind}: ${say('httpFailure', result.reason)}`;
    case 'cert-invalid': return `${result.kind}: ${result.reason}`;
  }
}

/** OpenSSL's verdict when a certificate's dates alone are wrong by this machine's clock (no name or trust problem beside it). */
const OUT_OF_DATE = /^(?:CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/;
const outOfDate = (result: HttpsResult): result is Extract<HttpsResult, { kind: 'cert-invalid' }> => result.kind === 'cert-invalid' && OUT_OF_DATE.test(result.reason);

/** Why the fetched policy cannot be used (the message adds the domain and the URL), or undefined for a text/plain 200. */
function fetchFailure(host: string, ip: string, result: HttpsResult, clock: { now: Date; caCerts: string[] }): StsProblem | undefined {
  switch (result.kind) {
    case 'connect-failed': return { messageId: 'connectFailed', data: { host, ip, outcome: result.outcome } };
    case 'tls-failed': return { messageId: 'tlsFailed', data: { host, ip, reason: result.reason } };
    case 'cert-invalid':
      if (!OUT_OF_DATE.test(result.reason)) return { messageId: 'certInvalid', data: { host, reason: result.reason } };
      return result.reason === 'CERT_NOT_YET_VALID' ? notYetValid(host, result.chain, clock) : { messageId: 'certOutOfDate', data: { host, reason: result.reason } };
    case 'timeout': return { messageId: result.phase === 'handshake' ? 'handshakeTimedOut' : 'downloadTimedOut', data: { host, ip } };
    case 'too-large': return { messageId: 'tooLarge', data: { maxKilobytes: MAX_POLICY_BYTES / 1024 } };
    case 'http-error': return { messageId: 'httpError', data: { reason: result.reason } };
    case 'response': {
      const { status } = result;
      const { location, 'content-type': contentType } = result.headers;
      if (status >= 300 && status < 400) return location === undefined ? { messageId: 'redirectWithoutLocation', data: { status } } : { messageId: 'redirect', data: { status, location: truncate(location) } };
      if (status !== 200) return { messageId: 'httpStatus', data: { status } };
      if (contentType === undefined) return { messageId: 'noContentType', data: {} };
      if (!/^text\/plain\s*(;|$)/i.test(contentType)) return { messageId: 'notTextPlain', data: { contentType: truncate(contentType) } };
      return undefined;
    }
  }
}

/**
 * A certificate not valid yet by this clock: either it was put in service too
 * early, or this clock is behind. Which one, the certificate check tells when
 * servers stated the time (stsCertificate); this names both suspects.
 */
function notYetValid(host: string, chain: Buffer[], { now, caCerts }: { now: Date; caCerts: string[] }): StsProblem {
  const starts = inspectChain(chain, caCerts).path.map(cert => cert.validFrom);
  const validFrom = starts.reduce((latest, from) => (Date.parse(from) > Date.parse(latest) ? from : latest));
  return { messageId: 'certNotYetValidOrClock', data: { host, validFrom, clock: now.toISOString() } };
}

function summarize(result: HttpsResult): Record<string, unknown> {
  if (result.kind === 'cert-invalid') return { kind: result.kind, reason: result.reason };
  if (result.kind !== 'response') return { ...result };
  const { location, 'content-type': contentType } = result.headers;
  return { kind: result.kind, status: result.status, contentType, ...(location ? { location: truncate(location) } : {}), bytes: result.body.length };
}

const truncate = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);
