// The certificate each MX address presents after STARTTLS, judged the way a
// verifying sender (MTA-STS, RFC 8461 §4.2) would: trust, dates and host name,
// each on its own, so an expired certificate is also seen to be self-signed.
import { isIP } from 'node:net';
import { certificateCoversHost, inspectChain, type CertificateFacts, type ChainFacts } from '../net/tls.js';
import type { PresentedCertificate, StsPolicyFact, TlsSession } from '../pipeline/facts.js';
import { defineCheck, finding, type Finding, type FindingDetails } from './define.js';
import { enforcedByMtaSts } from './mta-sts-enforced.js';
import { corroborated, describeReading, judgeClock, MAX_CLOCK_SKEW_MS, skewData, smtpReadings, type ClockReading, type ClockVerdict } from './server-clocks.js';

/** Senders start to fail soon after; 14 days leaves time to renew. */
const EXPIRING_WITHIN_DAYS = 14;
const DAY_MS = 86_400_000;

/** The addresses of one MX host that present the same certificate. */
interface CertificateGroup {
  host: string;
  ips: string[];
  chain: Buffer[];
}

export default defineCheck({
  id: 'certificate',
  title: 'MX TLS certificates',
  targets: ['domain', 'ip'],
  needs: ['tlsSessions'],
  // The time servers stated, to tell a certificate out of date from this machine's clock being off; the MTA-STS policy that makes a failing
  // certificate stop mail, and the policy server's certificate when it was refused for its dates (to judge them by the servers' time too).
  // The hosts DANE-EE authenticates by key, for whom names and dates matter to no sender without an MTA-STS policy.
  uses: ['smtp25', 'httpClocks', 'stsPolicy', 'stsCertificate', 'daneVerified'],
  provides: [],
  emits: ['tls.cert-untrusted', 'tls.cert-expired', 'tls.cert-expiring', 'tls.cert-not-yet-valid', 'tls.cert-name-mismatch', 'clock.skewed'],
  async run({ tlsSessions, smtp25 = [], httpClocks = [], stsPolicy, stsCertificate, daneVerified = [] }, { options, net }) {
    const now = net.time.now();
    const readings = [...smtpReadings(smtp25), ...httpClocks];
    const judged = groupByCertificate(tlsSessions).map(group => {
      const facts = inspectChain(group.chain, options.caCerts);
      const clocks = clocksFor(group, facts, readings, now);
      const findings = judgeCertificate(group, facts, now, clocks);
      return { group, facts, clocks, findings: daneOnly(group.host, daneVerified, stsPolicy) ? findings.map(f => asDaneNote(f, group.host)) : findings };
    });
    const behind = clockBehind(judged, now);
    // The clock finding says what each future certificate would have: they are not listed again.
    const findings = judged.flatMap(j => j.findings).filter(f => !(behind && f.messageId === 'notYetValidOrClock'));
    const failures = judged.flatMap(({ group, findings }) => findings.map(({ cause }) => ({ host: group.host, cause })));
    const policyClock = stsCertificate ? policyCertificateClock(stsCertificate, readings, now, options.caCerts) : [];
    return {
      findings: [...(behind ? [behind] : []), ...findings, ...policyClock, ...enforcedByMtaSts(failures, stsPolicy)],
      data: {
        certificates: judged.map(({ group, facts }) => ({ host: group.host, addresses: group.ips, ...facts.leaf, trust: facts.trust, chain: facts.path.map(c => c.subject) })),
        ...(readings.length ? { serverClocks: readings } : {}),
      },
    };
  },
});

/**
 * What the servers' readings make of this machine's clock for one
 * certificate. Another server's time always tells; the server's own only
 * about a start date a CA set: a CA dated the certificate and the server
 * states a time past it, two clocks against ours. A self-signed certificate
 * was dated by the server's own clock, and an end date says nothing of today,
 * so there the server's own greeting is one clock against ours.
 */
interface Clocks {
  /** For end dates and untrusted certificates: the other servers' time, convicting this clock only when WITNESSES of them agree. */
  others: ClockVerdict;
  /** For the start date of a CA-dated certificate: the CA is one witness, so one server's time is the second. */
  startDate: ClockVerdict;
}

function clocksFor(group: Pick<CertificateGroup, 'host'>, facts: ChainFacts, readings: ClockReading[], now: Date): Clocks {
  const others = corroborated(judgeClock(readings.filter(r => r.host !== group.host), now));
  return { others, startDate: facts.trust.kind === 'trusted' ? judgeClock(readings, now) : others };
}

/**
 * The MTA-STS policy server's certificate, refused for its dates: the mta-sts
 * check reports the broken policy; here, only that this clock explains the
 * dates, when the servers' time says so (clock.skewed then masks it).
 */
function policyCertificateClock({ host, ip, chain }: PresentedCertificate, readings: ClockReading[], now: Date, caCerts: string[]): Finding[] {
  const facts = inspectChain(chain, caCerts);
  const about: About = { server: { host, ips: [ip] }, sha256: facts.leaf.sha256 };
  const details = { subjects: [host, ip], evidence: [describeCertificate(facts.leaf)] };
  return dateFindings(facts, now, clocksFor({ host }, facts, readings, now), about, details).filter(f => f.cause === 'clock.skewed');
}

function groupByCertificate(sessions: TlsSession[]): CertificateGroup[] {
  const groups = new Map<string, CertificateGroup>();
  for (const session of sessions) {
    const leaf = session.chain[0];
    if (!leaf) continue;
    const key = `${session.host} ${leaf.toString('base64')}`;
    const group = groups.get(key);
    if (group) group.ips.push(session.ip);
    else groups.set(key, { host: session.host, ips: [session.ip], chain: session.chain });
  }
  return [...groups.values()];
}

/**
 * DANE-EE authenticates the host by its key, names and dates aside (RFC 7672 §3.1.1), and with no MTA-STS policy
 * listing it, no other sender checks its certificate: nobody is turned away by what is wrong with it.
 */
function daneOnly(host: string, daneVerified: readonly string[], sts: StsPolicyFact | undefined): boolean {
  const listed = sts !== undefined && sts.mode !== 'none' && sts.mxMatches.some(m => m.host === host && m.pattern !== null);
  return daneVerified.includes(host) && !listed;
}

/** A certificate finding on a host DANE-EE authenticates: a note, and the evidence says why. */
function asDaneNote(f: Finding, host: string): Finding {
  if (f.cause === 'clock.skewed') return f;
  return { ...f, severity: 'info', evidence: [...f.evidence, `_25._tcp.${host}: a DNSSEC-validated DANE-EE TLSA record (usage 3) matches this key, which is all DANE senders check (RFC 7672 §3.1.1); no MTA-STS policy lists ${host}, so no other sender checks the certificate`] };
}

/** What every finding about a certificate carries: the server as messages name it and the certificate's fingerprint. */
type About = { server: { host: string; ips: string[] }; sha256: string };

function judgeCertificate(group: CertificateGroup, facts: ChainFacts, now: Date, clocks: Clocks): Finding[] {
  const about: About = { server: { host: group.host, ips: group.ips }, sha256: facts.leaf.sha256 };
  const details = { subjects: [group.host, ...group.ips.filter(ip => ip !== group.host)], evidence: [describeCertificate(facts.leaf)] };
  const findings: Finding[] = [];
  const untrusted = untrustedFinding(facts, about, details);
  if (untrusted) findings.push(untrusted);
  findings.push(...dateFindings(facts, now, clocks, about, details));
  // Senders verify the MX host name (RFC 7672 §3.2.2, RFC 8461 §4.2); an IP target has no name to match.
  if (!isIP(group.host) && !certificateCoversHost(group.chain[0]!, group.host)) {
    const names = facts.leaf.altNames.length ? facts.leaf.altNames.map(n => n.replace(/^DNS:/, '')) : [facts.leaf.subject];
    findings.push(finding('tls.cert-name-mismatch', 'otherNames', { ...about, names, host: group.host }, details));
  }
  return findings;
}

/**
 * CAs date certificates from their issuance or a little before it, never
 * ahead: when every host presents one that is valid only from a later date,
 * the odd one out is this machine's clock, not each server. One host alone
 * proves nothing, so it takes two, and no server may have stated the time.
 */
function clockBehind(judged: { group: CertificateGroup; facts: ChainFacts; clocks: Clocks }[], now: Date): Finding | undefined {
  if (judged.length < 2 || !judged.every(j => j.clocks.startDate.kind === 'unknown' && new Date(j.facts.leaf.validFrom) > now)) return undefined;
  const earliest = new Date(Math.min(...judged.map(j => new Date(j.facts.leaf.validFrom).getTime())));
  return finding('clock.skewed', 'certificatesFromLater', { clock: now.toISOString(), earliestValidFrom: earliest.toISOString(), certificates: judged.length }, {
    subjects: [...new Set(judged.map(j => j.group.host))],
    evidence: [`this machine's clock: ${now.toISOString()}`, ...judged.map(j => `${j.group.host}: ${describeCertificate(j.facts.leaf)}`)],
  });
}

function untrustedFinding({ trust, leaf }: ChainFacts, about: About, details: FindingDetails): Finding | undefined {
  switch (trust.kind) {
    case 'trusted': return undefined;
    case 'self-signed': return finding('tls.cert-untrusted', 'selfSigned', { ...about, subject: leaf.subject }, details);
    case 'untrusted-root': return finding('tls.cert-untrusted', 'untrustedRoot', { ...about, root: trust.root }, details);
    case 'incomplete': return finding('tls.cert-untrusted', 'incompleteChain', { ...about, missingIssuer: trust.missingIssuer }, details);
  }
}

type DateState = 'expired' | 'notYetValid' | 'expiring' | undefined;

function dateState(cert: CertificateFacts, at: Date): DateState {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (to < at) return 'expired';
  if (from > at) return 'notYetValid';
  if (to.getTime() - at.getTime() < EXPIRING_WITHIN_DAYS * DAY_MS) return 'expiring';
  return undefined;
}

/**
 * Every certificate on the path counts: an expired intermediate breaks
 * verification as surely as an expired leaf. A certificate out of date by
 * this clock is judged again by the servers' time when that differs: what
 * only this clock makes of it is the clock's finding. One fine by this clock
 * stays fine: a server's clock alone never makes a finding.
 */
function dateFindings(facts: ChainFacts, now: Date, clocks: Clocks, about: About, { subjects, evidence = [] }: FindingDetails): Finding[] {
  return facts.path.flatMap(cert => {
    const here = dateState(cert, now);
    if (!here) return [];
    const clock = here === 'notYetValid' ? clocks.startDate : clocks.others;
    const leaf = cert === facts.path[0];
    const data = { ...about, subject: cert.subject, validFrom: cert.validFrom, validTo: cert.validTo };
    const details = { ...(subjects ? { subjects } : {}), evidence: [...evidence, ...clockEvidence(clock, now)] };
    if (clock.kind === 'unknown' && leaf && here === 'notYetValid' && publicCaDatedLater(facts, now)) {
      return [finding('clock.skewed', 'publicCaDatedLater', { ...data, issuer: cert.issuer, clock: now.toISOString() }, details)];
    }
    if (clock.kind === 'unknown' || clock.kind === 'agrees') return [dateFinding(here, leaf, now, data, details, clock)];
    const servers = new Date(clock.witness.at);
    const there = dateState(cert, servers);
    if (there === here) return [dateFinding(here, leaf, servers, data, details, clock)];
    if (clock.kind === 'lone') return [loneWitnessFinding(here, leaf, clock.witness, now, data, details)];
    return [clockFinding(here, clock.witness, now, data, details), ...(there ? [dateFinding(there, leaf, servers, data, details, clock)] : [])];
  });
}

/**
 * Public CAs date a certificate when they issue it or a little earlier (Let's
 * Encrypt an hour), never later: one of theirs that starts more than the
 * clock tolerance after this clock's now is this clock's fault, no server needed.
 */
function publicCaDatedLater({ trust, leaf }: ChainFacts, now: Date): boolean {
  return trust.kind === 'trusted' && trust.publicCa === true && new Date(leaf.validFrom).getTime() - now.getTime() > MAX_CLOCK_SKEW_MS;
}

type CertificateData = About & { subject: string; validFrom: string; validTo: string };

function dateFinding(state: NonNullable<DateState>, leaf: boolean, at: Date, data: CertificateData, details: FindingDetails, clock: ClockVerdict): Finding {
  const to = new Date(data.validTo);
  switch (state) {
    case 'expired': return finding('tls.cert-expired', leaf ? 'expired' : 'intermediateExpired', { ...data, daysAgo: daysBetween(to, at) }, details);
    case 'expiring': return finding('tls.cert-expiring', leaf ? 'expiring' : 'intermediateExpiring', { ...data, daysLeft: daysBetween(at, to) }, details);
    case 'notYetValid':
      if (!leaf) return finding('tls.cert-not-yet-valid', 'intermediateNotYetValid', data, details);
      // Nobody said what time it is: this clock is as much a suspect as the certificate.
      return clock.kind === 'unknown' ? finding('tls.cert-not-yet-valid', 'notYetValidOrClock', { ...data, clock: at.toISOString() }, details) : finding('tls.cert-not-yet-valid', 'notYetValid', data, details);
  }
}

const CLOCK_MESSAGES = { notYetValid: 'certificateNotYetValid', expired: 'certificateExpired', expiring: 'certificateExpiring' } as const;

/** A certificate that only looks out of date by this clock, which the witness's time shows to be off. */
function clockFinding(state: NonNullable<DateState>, witness: ClockReading, now: Date, data: CertificateData, details: FindingDetails): Finding {
  return finding('clock.skewed', CLOCK_MESSAGES[state], { ...skewData(witness, now), ...data }, {
    subjects: [...new Set([...(details.subjects ?? []), witness.host])],
    evidence: details.evidence ?? [],
  });
}

/**
 * Out of date by this clock, fine by the one server that stated another time:
 * one of the two clocks is wrong, and one server's word does not tell which.
 * The certificate stays the finding (the recipient's to check), naming both.
 */
function loneWitnessFinding(state: NonNullable<DateState>, leaf: boolean, witness: ClockReading, now: Date, data: CertificateData, details: FindingDetails): Finding {
  const clock = { ...skewData(witness, now), ...data };
  if (leaf && state === 'expired') return finding('tls.cert-expired', 'expiredOneWitness', { ...clock, daysAgo: daysBetween(new Date(data.validTo), now) }, details);
  if (leaf && state === 'notYetValid') return finding('tls.cert-not-yet-valid', 'notYetValidOneWitness', clock, details);
  return dateFinding(state, leaf, now, data, details, { kind: 'unknown' });
}

/** What the servers said the time was, beside this machine's clock. */
function clockEvidence(clock: ClockVerdict, now: Date): string[] {
  return clock.kind === 'unknown' ? [] : [...clock.readings.map(describeReading), `this machine's clock: ${now.toISOString()}`];
}

function describeCertificate(cert: CertificateFacts): string {
  const key = [cert.key.type.toUpperCase(), cert.key.bits ? `${cert.key.bits} bits` : cert.key.curve].filter(Boolean).join(' ');
  const names = cert.altNames.length ? `, names ${cert.altNames.join(' ')}` : '';
  return `certificate ${cert.subject}${names}, issuer ${cert.issuer}, valid ${day(new Date(cert.validFrom))} to ${day(new Date(cert.validTo))}, key ${key}`;
}

const day = (date: Date): string => date.toISOString().slice(0, 10);
const daysBetween = (earlier: Date, later: Date): number => Math.max(0, Math.round((later.getTime() - earlier.getTime()) / DAY_MS));
