// The certificate each MX address presents after STARTTLS, judged the way a
// verifying sender (MTA-STS, RFC 8461 §4.2) would: trust, dates and host name,
// each on its own, so an expired certificate is also seen to be self-signed.
import { isIP } from 'node:net';
import { certificateCoversHost, inspectChain, type CertificateFacts, type ChainFacts } from '../net/tls.js';
import type { TlsSession } from '../pipeline/facts.js';
import { defineCheck, finding, type Finding, type FindingDetails } from './define.js';

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
  provides: [],
  emits: ['tls.cert-untrusted', 'tls.cert-expired', 'tls.cert-expiring', 'tls.cert-not-yet-valid', 'tls.cert-name-mismatch', 'clock.skewed'],
  async run({ tlsSessions }, { options, net }) {
    const now = net.time.now();
    const judged = groupByCertificate(tlsSessions).map(group => {
      const facts = inspectChain(group.chain, options.caCerts);
      return { group, facts, findings: judgeCertificate(group, facts, now) };
    });
    const clock = clockBehind(judged, now);
    return {
      findings: [...(clock ? [clock] : []), ...judged.flatMap(j => j.findings)],
      data: { certificates: judged.map(({ group, facts }) => ({ host: group.host, addresses: group.ips, ...facts.leaf, trust: facts.trust, chain: facts.path.map(c => c.subject) })) },
    };
  },
});

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

/** What every finding about a certificate carries: the server as messages name it and the certificate's fingerprint. */
type About = { server: { host: string; ips: string[] }; sha256: string };

function judgeCertificate(group: CertificateGroup, facts: ChainFacts, now: Date): Finding[] {
  const about: About = { server: { host: group.host, ips: group.ips }, sha256: facts.leaf.sha256 };
  const details = { subjects: [group.host, ...group.ips.filter(ip => ip !== group.host)], evidence: [describeCertificate(facts.leaf)] };
  const findings: Finding[] = [];
  const untrusted = untrustedFinding(facts, about, details);
  if (untrusted) findings.push(untrusted);
  findings.push(...dateFindings(facts, now, about, details));
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
 * proves nothing, so it takes two.
 */
function clockBehind(judged: { group: CertificateGroup; facts: ChainFacts }[], now: Date): Finding | undefined {
  if (judged.length < 2 || !judged.every(j => new Date(j.facts.leaf.validFrom) > now)) return undefined;
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

/** Every certificate on the path counts: an expired intermediate breaks verification as surely as an expired leaf. */
function dateFindings(facts: ChainFacts, now: Date, about: About, details: FindingDetails): Finding[] {
  const findings: Finding[] = [];
  for (const cert of facts.path) {
    const leaf = cert === facts.path[0];
    const data = { ...about, subject: cert.subject, validFrom: cert.validFrom, validTo: cert.validTo };
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (to < now) findings.push(finding('tls.cert-expired', leaf ? 'expired' : 'intermediateExpired', { ...data, daysAgo: daysBetween(to, now) }, details));
    else if (from > now) findings.push(finding('tls.cert-not-yet-valid', leaf ? 'notYetValid' : 'intermediateNotYetValid', data, details));
    else if (to.getTime() - now.getTime() < EXPIRING_WITHIN_DAYS * DAY_MS) {
      findings.push(finding('tls.cert-expiring', leaf ? 'expiring' : 'intermediateExpiring', { ...data, daysLeft: daysBetween(now, to) }, details));
    }
  }
  return findings;
}

function describeCertificate(cert: CertificateFacts): string {
  const key = [cert.key.type.toUpperCase(), cert.key.bits ? `${cert.key.bits} bits` : cert.key.curve].filter(Boolean).join(' ');
  const names = cert.altNames.length ? `, names ${cert.altNames.join(' ')}` : '';
  return `certificate ${cert.subject}${names}, issuer ${cert.issuer}, valid ${day(new Date(cert.validFrom))} to ${day(new Date(cert.validTo))}, key ${key}`;
}

const day = (date: Date): string => date.toISOString().slice(0, 10);
const daysBetween = (earlier: Date, later: Date): number => Math.max(0, Math.round((later.getTime() - earlier.getTime()) / DAY_MS));
