// The name each MX server announces in its 220 greeting and EHLO reply
// (RFC 5321 §4.1.1.1, §4.2), against the names DNS gives it. Receivers compare
// a client's HELO name with its reverse DNS; the same server names itself the
// same way when it sends, so a mismatch here is one there (docs/identity.md).
import { replyText, type SmtpProbe } from '../net/smtp/index.js';
import { reverseName } from '../net/ip.js';
import type { PtrNames } from '../pipeline/facts.js';
import type { AnnouncedIn } from '../causes.js';
import { defineCheck, finding, type Finding } from './define.js';
import { noSessionToJudge, probeEvidence, probeSubject } from './smtp-probes.js';

/** A host name with at least two labels; "ESMTP", "****" (masked banners) and address literals name nobody. */
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?)+$/;

export default defineCheck({
  id: 'smtp-identity',
  title: 'SMTP banner and EHLO names',
  targets: ['domain', 'ip'],
  needs: ['smtp25', 'ptrNames'],
  judges: 'ehlo',
  provides: [],
  emits: ['smtp.banner-mismatch'],
  async run({ smtp25, ptrNames }) {
    const greeted = smtp25.filter(p => p.outcome.kind === 'greeted');
    if (!greeted.length) return noSessionToJudge();
    const judged = greeted.map(probe => judgeProbe(probe, ptrNames.find(p => p.ip === probe.ip)));
    return {
      findings: judged.flatMap(j => [...(j.mismatched.length ? [mismatchFinding(j)] : []), ...noNameFindings(j.probe)]),
      data: { servers: judged.map(({ probe, announced, expected, mismatched }) => ({ host: probe.host, ip: probe.ip, announced, expected, mismatched })) },
    };
  },
});

interface Judgement {
  probe: SmtpProbe;
  ptr: PtrNames | undefined;
  /** Host names the server announced, by where it announced them. */
  announced: Partial<Record<AnnouncedIn, string>>;
  /** Names it may rightly announce. */
  expected: string[];
  mismatched: string[];
}

/**
 * With a forward-confirmed PTR, that name is the one receivers verify, so the
 * server should announce it. Without one, the MX host name or any PTR name
 * will do (the ptr check reports the reverse DNS itself).
 */
function judgeProbe(probe: SmtpProbe, ptr: PtrNames | undefined): Judgement {
  const expected = ptr?.forwardConfirmed ? ptr.names : [...(probe.host === probe.ip ? [] : [probe.host]), ...(ptr?.names ?? [])];
  const announced = {
    ...(hostName(probe.greetingName) ? { greeting: hostName(probe.greetingName) } : {}),
    ...(hostName(probe.ehloName) ? { ehlo: hostName(probe.ehloName) } : {}),
  };
  const wanted = new Set(expected.map(n => n.toLowerCase()));
  // With nothing to compare with (an IP target without PTR), there is no mismatch to speak of.
  const mismatched = wanted.size ? [...new Set(Object.values(announced))].filter(name => !wanted.has(name)) : [];
  return { probe, ptr, announced, expected, mismatched };
}

function hostName(word: string | undefined): string | undefined {
  const name = word?.toLowerCase().replace(/\.$/, '');
  // "localhost.localdomain" has two labels but names no host: noNameFindings says so.
  return name && HOST_NAME.test(name) && !LOCALHOST.test(name) ? name : undefined;
}

/** What a server calls itself when its own host name was never set: "localhost", or its address as a literal. */
const LOCALHOST = /^localhost(?:\.localdomain)?\.?$/i;
const ADDRESS_LITERAL = /^\[(?:IPv6:)?[0-9a-f.:]+\]$|^\d{1,3}(?:\.\d{1,3}){3}$/i;

/**
 * A server that greets as "localhost" has no host name of its own (Postfix myhostname, Exim primary_hostname
 * unset): when the same server sends, its EHLO says "localhost" too, which receivers refuse or score as spam
 * (a warning). An address literal is a valid EHLO argument (RFC 5321 §4.1.3) but names no host (a note).
 */
function noNameFindings(probe: SmtpProbe): Finding[] {
  const said = { greeting: probe.greetingName, ehlo: probe.ehloName };
  const where = (re: RegExp) => (Object.keys(said) as AnnouncedIn[]).filter(w => re.test(said[w] ?? ''));
  const details = () => ({ subjects: probeSubject(probe), evidence: probeEvidence(probe, announcementLines(probe)) });
  const data = (re: RegExp) => {
    const places = where(re);
    return { server: { host: probe.host, ip: probe.ip }, announcedAs: [...new Set(places.map(w => said[w]!))].map(name => ({ name, in: places.filter(w => said[w] === name) })) };
  };
  return [
    ...(where(LOCALHOST).length ? [finding('smtp.banner-mismatch', 'localhostName', data(LOCALHOST), { ...details(), severity: 'warning' })] : []),
    ...(where(ADDRESS_LITERAL).length ? [finding('smtp.banner-mismatch', 'addressLiteral', data(ADDRESS_LITERAL), details())] : []),
  ];
}

/** The greeting and the first line of the EHLO reply, as transcript lines. */
function announcementLines(probe: SmtpProbe): string[] {
  return [
    ...(probe.greeting ? [`S: ${replyText(probe.greeting)}`] : []),
    ...(probe.ehlo ? [`S: ${replyText({ ...probe.ehlo.reply, lines: probe.ehlo.reply.lines.slice(0, 1) })}`] : []),
  ];
}

function mismatchFinding({ probe, ptr, announced, expected, mismatched }: Judgement): Finding {
  const announcedAs = mismatched.map(name => ({ name, in: (Object.keys(announced) as AnnouncedIn[]).filter(where => announced[where] === name) }));
  const lines = announcementLines(probe);
  const ptrEvidence = ptr?.names.length ? [`${reverseName(probe.ip)} PTR ${ptr.names.join(', ')}`] : [];
  const data = { host: probe.host, ip: probe.ip, announced, expected, announcedAs };
  const details = { subjects: probeSubject(probe), evidence: [...probeEvidence(probe, lines), ...ptrEvidence] };
  // An IP target is named by its address alone; an MX host by name and address.
  const byAddress = probe.host === probe.ip;
  if (ptr?.forwardConfirmed) return finding('smtp.banner-mismatch', byAddress ? 'addressNotPtr' : 'mxHostNotPtr', { ...data, ptrNames: ptr.names }, details);
  return finding('smtp.banner-mismatch', byAddress ? 'addressNotExpected' : 'mxHostNotExpected', data, details);
}
