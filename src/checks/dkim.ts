// DKIM public keys of the domain (RFC 6376 §3.6). DNS cannot list selectors,
// so probe the common ones, those given with --dkim-selector and those named
// by the signatures of a --message, and judge every key found.
import { describeAnswer, joinTxt, type DnsAnswer, type DnsClient } from '../net/dns/index.js';
import { DkimKeyError, keyStrength, parseDkimKeyRecord, type DkimKeyProblem, type DkimKeyStrength } from '../auth/dkim-key.js';
import { MessageFileError, readMessageFile, signatureKeys } from '../auth/message.js';
import { declaresNoSenders, isSpfRecord } from '../auth/spf-record.js';
import { defineCheck, finding, type Finding } from './define.js';

/** Selectors of common providers and defaults (Google, Microsoft 365, Mailchimp, SendGrid, Fastmail, Proton, iCloud, cPanel...). */
export const COMMON_SELECTORS = [
  'default', 'dkim', 'mail', 'smtp', 'mx', 'google', 'selector1', 'selector2', 'k1', 'k2',
  'k3', 's1', 's2', 'key1', 'key2', 'sig1', 'fm1', 'fm2', 'protonmail', 'mandrill',
] as const;

/** RFC 8301 §3.2: signers must use at least 1024 bits and should use 2048. */
const RSA_MINIMUM_BITS = 1024;
const RSA_RECOMMENDED_BITS = 2048;

type SelectorSource = 'common' | 'given' | 'message';

interface Probe {
  selector: string;
  /** The signing domain: the target, or a subdomain a message signed with. */
  domain: string;
  source: SelectorSource;
}

type KeyVerdict =
  | { status: 'valid'; record: string; strength: DkimKeyStrength; testing: boolean }
  | { status: 'revoked'; record: string }
  | { status: 'invalid'; record: string; problem: DkimKeyProblem; reason: string };

interface ProbeResult extends Probe {
  name: string;
  outcome: string;
  /** The TXT answer, worded by `evidence` only when a finding quotes it: most of twenty guesses never are. */
  answer: DnsAnswer<'TXT'>;
  aliases: string[];
  keys: KeyVerdict[];
}

/** The TXT answer as seen on the wire. */
const evidence = (result: ProbeResult): string => describeAnswer(result.name, 'TXT', result.answer);

export default defineCheck({
  id: 'dkim',
  title: 'DKIM keys',
  targets: ['domain'],
  needs: ['domain'],
  provides: [],
  emits: ['dkim.not-found', 'dkim.key-weak', 'dkim.key-revoked', 'dkim.key-invalid', 'dkim.testing'],
  async run({ domain }, { net, options }) {
    const named = [
      ...options.dkimSelectors.map(selector => ({ selector, domain, source: 'given' as const })),
      ...(await messageProbes(options.messageFile, domain)),
    ];
    const [guesses, namedResults, sendsNoMail] = await Promise.all([guessSelectors(domain, named, net.dns), Promise.all(uniqueProbes(named).map(probe => probeSelector(probe, net.dns))), declaresNoMail(domain, net.dns)]);
    const results = [...guesses.results, ...namedResults];
    const found = results.filter(r => r.keys.length);
    const findings = [...found.flatMap(keyFindings), ...notFoundFindings(domain, results, sendsNoMail, guesses.noSubtree)];
    const data = {
      ...(sendsNoMail ? { note: 'SPF "v=spf1 -all": the domain sends no mail, so it needs no DKIM key' } : {}),
      ...(guesses.noSubtree ? { noSubtree: guesses.noSubtree } : {}),
      selectorsTried: results.length,
      keys: found.map(r => ({ selector: r.selector, name: r.name, source: r.source, aliases: r.aliases, keys: r.keys })),
      notFound: results.filter(r => !r.keys.length && r.source !== 'common').map(r => ({ name: r.name, answer: r.outcome })),
    };
    return { findings, data };
  },
});

/** Selectors from the message's DKIM-Signature fields whose d= is the domain or below it. */
async function messageProbes(path: string | undefined, domain: string): Promise<Probe[]> {
  if (!path) return [];
  try {
    const keys = signatureKeys(await readMessageFile(path));
    return keys.filter(k => k.domain === domain || k.domain.endsWith(`.${domain}`)).map(k => ({ ...k, source: 'message' as const }));
  } catch (err) {
    // The message check reports an unreadable file; the probes of the other selectors still count.
    if (err instanceof MessageFileError || (err as NodeJS.ErrnoException).code) return [];
    throw err;
  }
}

/**
 * The common selectors not named otherwise, asked only when _domainkey.<domain>
 * exists: an NXDOMAIN there means no name below it exists either (RFC 8020),
 * so one question answers twenty. Named selectors are asked anyway: some
 * servers still answer NXDOMAIN for names that only have names below them.
 */
async function guessSelectors(domain: string, named: Probe[], dns: DnsClient): Promise<{ results: ProbeResult[]; noSubtree?: string }> {
  const parent = `_domainkey.${domain}`;
  const answer = await dns.query(parent, 'TXT');
  if (answer.kind === 'nxdomain') return { results: [], noSubtree: describeAnswer(parent, 'TXT', answer) };
  const namedNames = new Set(named.map(keyName));
  const guesses = COMMON_SELECTORS.map(selector => ({ selector, domain, source: 'common' as const })).filter(p => !namedNames.has(keyName(p)));
  return { results: await Promise.all(guesses.map(probe => probeSelector(probe, dns))) };
}

function uniqueProbes(probes: Probe[]): Probe[] {
  const byName = new Map<string, Probe>();
  // Later sources win, so a selector the user or a message named is reported as such.
  for (const probe of probes) byName.set(keyName(probe), probe);
  return [...byName.values()];
}

const keyName = (probe: Probe): string => `${probe.selector}._domainkey.${probe.domain}`;

async function probeSelector(probe: Probe, dns: DnsClient): Promise<ProbeResult> {
  const name = keyName(probe);
  const answer = await dns.query(name, 'TXT');
  const aliases = 'aliases' in answer ? answer.aliases : [];
  // Only records that look like keys: a wildcard TXT (often SPF) answers every selector.
  const texts = answer.kind === 'records' ? answer.records.map(joinTxt).filter(looksLikeKeyRecord) : [];
  // Fields named, not `...probe`: the spread was most of this function's time, twenty times per domain (profile of `npm run bench`).
  return { selector: probe.selector, domain: probe.domain, source: probe.source, name, outcome: answer.kind, answer, aliases, keys: texts.map(judgeKey) };
}

const looksLikeKeyRecord = (text: string): boolean => /(^|;)\s*(v\s*=\s*DKIM1|p\s*=)/i.test(text);

function judgeKey(record: string): KeyVerdict {
  try {
    const key = parseDkimKeyRecord(record);
    if (!key.publicKey) return { status: 'revoked', record };
    return { status: 'valid', record, strength: keyStrength(key), testing: key.flags.includes('y') };
  } catch (err) {
    if (err instanceof DkimKeyError) return { status: 'invalid', record, problem: err.problem, reason: err.reason };
    throw err;
  }
}

function keyFindings(result: ProbeResult): Finding[] {
  const subjects = [result.name];
  return result.keys.flatMap((key): Finding[] => {
    const details = { subjects, evidence: [`${result.name} TXT "${abbreviateKey(key.record)}"`, ...result.aliases] };
    const data = { selector: result.selector, source: result.source, name: result.name };
    switch (key.status) {
      case 'revoked':
        return [finding('dkim.key-revoked', 'revoked', data, details)];
      case 'invalid':
        return [finding('dkim.key-invalid', 'invalid', { ...data, reason: key.reason, problem: key.problem }, details)];
      case 'valid':
        return [...strengthFindings(key.strength, data, details), ...(key.testing ? [finding('dkim.testing', 'testing', data, details)] : [])];
    }
  });
}

function strengthFindings(strength: DkimKeyStrength, key: { selector: string; source: SelectorSource; name: string }, details: { subjects: string[]; evidence: string[] }): Finding[] {
  if (strength.algorithm !== 'rsa' || strength.bits >= RSA_RECOMMENDED_BITS) return [];
  const data = { ...key, bits: strength.bits };
  if (strength.bits < RSA_MINIMUM_BITS) return [finding('dkim.key-weak', 'ignored', { ...data, minimumBits: RSA_MINIMUM_BITS }, details)];
  return [finding('dkim.key-weak', 'belowRecommended', { ...data, recommendedBits: RSA_RECOMMENDED_BITS }, { ...details, severity: 'warning' })];
}

/** A domain whose SPF allows no sender at all needs no key: no note about its absence. */
async function declaresNoMail(domain: string, dns: DnsClient): Promise<boolean> {
  const answer = await dns.query(domain, 'TXT');
  const spf = answer.kind === 'records' ? answer.records.map(joinTxt).filter(isSpfRecord) : [];
  return spf.length === 1 && declaresNoSenders(spf[0]!);
}

/** Not finding a guessed selector proves nothing; not finding a named one is worth saying. */
function notFoundFindings(domain: string, results: ProbeResult[], sendsNoMail: boolean, noSubtree?: string): Finding[] {
  const missingNamed = results.filter(r => !r.keys.length && r.source !== 'common');
  const findings = missingNamed.map(r =>
    finding('dkim.not-found', r.source === 'given' ? 'givenSelector' : 'messageSelector', { selector: r.selector, source: r.source, name: r.name, outcome: r.outcome }, { subjects: [r.name], evidence: [evidence(r)] }),
  );
  if (results.some(r => r.keys.length) || findings.length || sendsNoMail) return findings;
  if (noSubtree) return [finding('dkim.not-found', 'noSubtree', { selectorsTried: 0, domain }, { subjects: [domain], evidence: [noSubtree] })];
  return [finding('dkim.not-found', 'commonSelectors', { selectorsTried: results.length, domain, selectors: [...COMMON_SELECTORS] }, { subjects: [domain], evidence: results.map(evidence) })];
}

/** Long p= values make reports unreadable; the full record is in the check's data. */
function abbreviateKey(record: string): string {
  return record.replace(/(p\s*=\s*)([A-Za-z0-9+/=\s]{40,})/, (_, tag: string, key: string) => `${tag}${key.replace(/\s+/g, '').slice(0, 32)}…(${key.replace(/\s+/g, '').length} chars)`);
}
