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
      findings: judged.flatMap(j => (j.mismatched.length ? [mismatchFinding(j)] : [])),
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
  return name && HOST_NAME.test(name) ? name : undefined;
}

function mismatchFinding({ probe, ptr, announced, expected, mismatched }: Judgement): Finding {
  const announcedAs = mismatched.map(name => ({ name, in: (Object.keys(announced) as AnnouncedIn[]).filter(where => announced[where] === name) }));
  const lines = [
    ...(probe.greeting ? [`S: ${replyText(probe.greeting)}`] : []),
    ...(probe.ehlo ? [`S: ${replyText({ ...probe.ehlo.reply, lines: probe.ehlo.reply.lines.slice(0, 1) })}`] : []),
  ];
  const ptrEvidence = ptr?.names.length ? [`${reverseName(probe.ip)} PTR ${ptr.names.join(', ')}`] : [];
  const data = { host: probe.host, ip: probe.ip, announced, expected, announcedAs };
  const details = { subjects: probeSubject(probe), evidence: [...probeEvidence(probe, lines), ...ptrEvidence] };
  // An IP target is named by its address alone; an MX host by name and address.
  const byAddress = probe.host === probe.ip;
  if (ptr?.forwardConfirmed) return finding('smtp.banner-mismatch', byAddress ? 'addressNotPtr' : 'mxHostNotPtr', { ...data, ptrNames: ptr.names }, details);
  return finding('smtp.banner-mismatch', byAddress ? 'addressNotExpected' : 'mxHostNotExpected', data, details);
}
