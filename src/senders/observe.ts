// What one received message shows about its sender, one observation per thing
// the providers' rules ask for: met, not met, or cannot tell (and why), each
// with its evidence and the cause whose fix applies when it is not met.
import { formatMessage, type CauseId, type MessageData, type MessageId } from '../causes.js';
import type { HeaderBlock } from '../auth/message.js';
import { organizationalDomain, walkDmarcTree } from '../auth/dmarc-discovery.js';
import type { DnsClient } from '../net/dns/index.js';
import type { ReverseLookup } from '../net/reverse-dns.js';
import type { MessageAuth } from '../pipeline/facts.js';

export type Verdict = 'met' | 'not-met' | 'cannot-tell';

export interface Observation {
  verdict: Verdict;
  evidence: string;
  /** When not met: the cause whose explanation and fix apply. */
  cause?: CauseId;
  /** When the cause words it (src/causes.ts): its message and data, of which evidence is the text. */
  messageId?: string;
  data?: Record<string, unknown>;
}

export const OBSERVATIONS = ['spf-or-dkim', 'spf-and-dkim', 'spf', 'dkim', 'ptr', 'tls', 'rfc5322', 'not-impersonating', 'dmarc-policy', 'dmarc-aligned', 'one-click-unsubscribe'] as const;
export type ObservationId = (typeof OBSERVATIONS)[number];
export type Observations = Record<ObservationId, Observation>;

const met = (evidence: string): Observation => ({ verdict: 'met', evidence });
const notMet = (cause: CauseId, evidence: string): Observation => ({ verdict: 'not-met', evidence, cause });
const cannotTell = (evidence: string): Observation => ({ verdict: 'cannot-tell', evidence });
/** Not met, said by the cause's message (the sender-rules check reports its own causes so as findings). */
const notMetAs = <C extends CauseId, M extends MessageId<C>>(cause: C, messageId: M, data: MessageData<C, M> & Readonly<Record<string, unknown>>): Observation => ({
  verdict: 'not-met',
  evidence: formatMessage(cause, messageId, data),
  cause,
  messageId,
  data,
});

/** What breaks RFC 5322 in a header block; src/causes.ts says it (format headerProblems). */
export type HeaderProblem =
  | { code: 'missing'; field: 'From' | 'Date' | 'Message-ID' }
  | { code: 'repeated'; field: string; count: number }
  | { code: 'fromWithoutSender'; mailboxes: number }
  | { code: 'badDate'; date: string };

/** What one-click unsubscribe lacks; src/causes.ts says it (format unsubscribeGaps). */
export type UnsubscribeGap = { code: 'noHttps'; uris: string[] } | { code: 'postNotOneClick'; post: string } | { code: 'noPost' };

/** RFC 5322 §3.6: fields that may appear at most once. */
const SINGLETONS = ['date', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'message-id', 'in-reply-to', 'references', 'subject'];
const ONE_CLICK = 'list-unsubscribe=one-click';

export interface MessageEvidence {
  header: HeaderBlock;
  auth: MessageAuth;
  /** Reverse DNS of the sending client, when there is one. */
  reverse?: ReverseLookup;
  /** The big providers' own domains: From at one of them must come from that provider. */
  providerDomains: readonly string[];
}

export async function observe(evidence: MessageEvidence, dns: DnsClient): Promise<Observations> {
  const { auth } = evidence;
  const spf = spfObservation(auth);
  const dkim = dkimObservation(auth);
  const aligned = await alignedSignatures(auth, dns);
  return {
    spf,
    dkim,
    'spf-or-dkim': either(spf, dkim),
    'spf-and-dkim': both(spf, dkim),
    ptr: ptrObservation(auth, evidence.reverse),
    tls: tlsObservation(auth),
    rfc5322: formatObservation(evidence.header, auth),
    'not-impersonating': impersonation(auth, evidence.providerDomains),
    'dmarc-policy': dmarcPolicy(auth),
    'dmarc-aligned': await alignment(auth, aligned, dns),
    'one-click-unsubscribe': unsubscribe(evidence.header, auth, aligned),
  };
}

const NO_CLIENT = 'no sending IP: no Received field from outside the receiver (and no --ip)';

function spfObservation({ spf, client }: MessageAuth): Observation {
  if (!spf || !client) return cannotTell(NO_CLIENT);
  const text = `SPF ${spf.result} for ${client.ip}${spf.sender ? ` sending as ${spf.sender}` : ` (HELO ${spf.domain})`}`;
  if (spf.result === 'pass') return met(text);
  if (spf.result === 'temperror') return cannotTell(`${text}: ${spf.reason}`);
  return notMet('auth.spf-fail', `${text}: ${spf.reason}`);
}

function dkimObservation({ dkim }: MessageAuth): Observation {
  const passing = dkim.find(d => d.result === 'pass');
  if (passing) return met(`DKIM pass for d=${passing.domain}${passing.selector ? ` s=${passing.selector}` : ''}`);
  if (!dkim.length) return notMetAs('auth.dkim-fail', 'unsigned', {});
  return notMet('auth.dkim-fail', dkim.map(d => `DKIM ${d.result} for d=${d.domain}${d.comment ? ` (${d.comment})` : ''}`).join('; '));
}

function either(spf: Observation, dkim: Observation): Observation {
  if (spf.verdict === 'met' || dkim.verdict === 'met') return met([spf, dkim].filter(o => o.verdict === 'met').map(o => o.evidence).join('; '));
  if (spf.verdict === 'cannot-tell') return cannotTell(`${dkim.evidence}; ${spf.evidence}`);
  return notMet('auth.unauthenticated', `${spf.evidence}; ${dkim.evidence}`);
}

function both(spf: Observation, dkim: Observation): Observation {
  const failed = [spf, dkim].find(o => o.verdict === 'not-met');
  if (failed) return notMet(failed.cause!, `${spf.evidence}; ${dkim.evidence}`);
  if (spf.verdict === 'cannot-tell') return cannotTell(`${dkim.evidence}; ${spf.evidence}`);
  return met(`${spf.evidence}; ${dkim.evidence}`);
}

function ptrObservation({ client }: MessageAuth, reverse: ReverseLookup | undefined): Observation {
  if (!client || !reverse) return cannotTell(NO_CLIENT);
  if (reverse.kind === 'failed') return cannotTell(`the PTR lookup for ${client.ip} failed (${reverse.outcome}): nothing can be said`);
  if (reverse.kind === 'none') return notMet('ptr.missing', `${client.ip} has no PTR record`);
  const confirmed = reverse.names.find(n => n.confirms);
  if (confirmed) return met(`${client.ip} → ${confirmed.name} → ${client.ip}`);
  return notMet('ptr.not-fcrdns', `${client.ip} → ${reverse.names.map(n => `${n.name} (→ ${n.addresses.join(', ') || n.outcome})`).join(', ')}: no name resolves back to it`);
}

function tlsObservation({ hop }: MessageAuth): Observation {
  if (!hop) return cannotTell('no Received field from outside the receiver: the hop that carried the message is unknown');
  const where = `Received field ${hop.position} from the top${hop.by ? ` (by ${hop.by})` : ''}`;
  if (hop.tls === 'tls') return met(`${where}: ${hop.tlsEvidence}`);
  if (hop.tls === 'plain') {
    const data = { position: hop.position, protocol: hop.protocol! };
    return hop.by ? notMetAs('message.sent-without-tls', 'plainBy', { ...data, by: hop.by }) : notMetAs('message.sent-without-tls', 'plain', data);
  }
  return cannotTell(`${where} names neither a protocol nor TLS`);
}

/** RFC 5322 §3.6: one From and one Date, the singleton fields at most once; Gmail also refuses mail without a Message-ID. */
export function formatProblems(header: HeaderBlock, auth: MessageAuth): HeaderProblem[] {
  const counts = new Map<string, number>();
  for (const field of header.fields) counts.set(field.name.toLowerCase(), (counts.get(field.name.toLowerCase()) ?? 0) + 1);
  const problems: HeaderProblem[] = [];
  for (const field of ['From', 'Date', 'Message-ID'] as const) if (!counts.get(field.toLowerCase())) problems.push({ code: 'missing', field });
  for (const name of SINGLETONS) if ((counts.get(name) ?? 0) > 1) problems.push({ code: 'repeated', field: name, count: counts.get(name)! });
  if (counts.get('from') === 1 && auth.fromAddresses.length > 1 && !counts.get('sender')) problems.push({ code: 'fromWithoutSender', mailboxes: auth.fromAddresses.length });
  const date = header.fields.find(f => f.name.toLowerCase() === 'date')?.value;
  if (date && Number.isNaN(Date.parse(date))) problems.push({ code: 'badDate', date: date.slice(0, 80) });
  return problems;
}

function formatObservation(header: HeaderBlock, auth: MessageAuth): Observation {
  const problems = formatProblems(header, auth);
  if (problems.length) return notMetAs('message.malformed', header.complete ? 'problems' : 'problemsCutOff', { problems });
  const cut = header.complete ? '' : ' (the header block has no end: the file may be cut off, so only the fields present were judged)';
  return met(`one From, one Date, a Message-ID, no repeated singleton field${cut}`);
}

function impersonation({ fromDomain, dmarc }: MessageAuth, providerDomains: readonly string[]): Observation {
  if (!fromDomain) return cannotTell('the message does not have exactly one From address');
  if (!providerDomains.includes(fromDomain)) return met(`From domain ${fromDomain} is not a mailbox provider's`);
  if (dmarc?.result === 'pass') return met(`From ${fromDomain}, and DMARC passes for it: sent by ${fromDomain} itself`);
  return dmarc ? notMetAs('message.from-impersonates-provider', 'notSentBy', { fromDomain, result: dmarc.result }) : notMetAs('message.from-impersonates-provider', 'notEvaluated', { fromDomain });
}

function dmarcPolicy({ fromDomain, dmarc }: MessageAuth): Observation {
  if (!fromDomain || !dmarc) return cannotTell('the message does not have exactly one From address');
  if (dmarc.result === 'none' || !dmarc.policy) return notMet('dmarc.missing', `no DMARC policy applies to ${fromDomain} (_dmarc.${fromDomain} and its organisational domain)`);
  return met(`p=${dmarc.policy}: _dmarc.${dmarc.policyDomain} TXT "${dmarc.record}"`);
}

/** Passing DKIM signatures whose domain is aligned with the From domain (relaxed: the same organisational domain). */
async function alignedSignatures({ fromDomain, dkim }: MessageAuth, dns: DnsClient): Promise<MessageAuth['dkim']> {
  if (!fromDomain) return [];
  const passing = dkim.filter(d => d.result === 'pass');
  const aligned = await Promise.all(passing.map(d => relaxedAligned(d.domain, fromDomain, dns)));
  return passing.filter((_, i) => aligned[i]);
}

async function relaxedAligned(domain: string, fromDomain: string, dns: DnsClient): Promise<boolean> {
  if (domain === fromDomain) return true;
  const [a, b] = await Promise.all([walkDmarcTree(domain, dns), walkDmarcTree(fromDomain, dns)]);
  return organizationalDomain(a) === organizationalDomain(b);
}

async function alignment(auth: MessageAuth, alignedDkim: MessageAuth['dkim'], dns: DnsClient): Promise<Observation> {
  const { fromDomain, dmarc, spf } = auth;
  if (!fromDomain) return cannotTell('the message does not have exactly one From address');
  // A published record decides alignment with its own modes (aspf/adkim); without one, relaxed.
  const spfAligned = dmarc?.record ? dmarc.alignedSpf : spf?.result === 'pass' && (await relaxedAligned(spf.domain, fromDomain, dns)) ? spf.domain : undefined;
  const dkimAligned = dmarc?.record ? dmarc.alignedDkim : alignedDkim[0]?.domain;
  if (spfAligned || dkimAligned) return met([spfAligned && `SPF passed for ${spfAligned}`, dkimAligned && `DKIM passed for d=${dkimAligned}`].filter(Boolean).join(' and ') + `, aligned with From ${fromDomain}`);
  const passed = [
    ...(spf?.result === 'pass' ? [{ method: 'spf' as const, domain: spf.domain }] : []),
    ...auth.dkim.filter(d => d.result === 'pass').map(d => ({ method: 'dkim' as const, domain: d.domain })),
  ];
  if (!passed.length && !spf) return cannotTell(`no DKIM signature passed, and SPF could not be checked: ${NO_CLIENT}`);
  return passed.length ? notMetAs('auth.from-not-aligned', 'otherDomains', { passed, fromDomain }) : notMetAs('auth.from-not-aligned', 'nothingPassed', { fromDomain });
}

function unsubscribe(header: HeaderBlock, auth: MessageAuth, alignedDkim: MessageAuth['dkim']): Observation {
  const values = (name: string) => header.fields.filter(f => f.name.toLowerCase() === name).map(f => f.value);
  const [list] = values('list-unsubscribe');
  if (list === undefined) return notMetAs('message.unsubscribe-missing', 'missing', {});
  const uris = [...list.matchAll(/<([^>]*)>/g)].map(m => m[1]!.trim());
  const https = uris.find(u => /^https:\/\//i.test(u));
  const post = values('list-unsubscribe-post');
  const oneClick = post.some(p => p.replace(/\s+/g, '').toLowerCase() === ONE_CLICK);
  if (!https || !oneClick) {
    const gaps: UnsubscribeGap[] = [
      ...(https ? [] : [{ code: 'noHttps' as const, uris }]),
      ...(oneClick ? [] : [post.length ? { code: 'postNotOneClick' as const, post: post[0]! } : { code: 'noPost' as const }]),
    ];
    return notMetAs('message.unsubscribe-not-one-click', 'gaps', { gaps });
  }
  const covering = alignedDkim.find(d => d.signedFields.includes('list-unsubscribe') && d.signedFields.includes('list-unsubscribe-post'));
  if (covering) return met(`List-Unsubscribe <${https}> with List-Unsubscribe=One-Click, both signed by d=${covering.domain}`);
  const signers = auth.dkim.filter(d => d.result === 'pass').map(d => ({ domain: d.domain, fields: d.signedFields.filter(f => f.startsWith('list-unsubscribe')) }));
  const { fromDomain } = auth;
  if (fromDomain) return signers.length ? notMetAs('message.unsubscribe-not-signed', 'notCoveredSigners', { fromDomain, signers }) : notMetAs('message.unsubscribe-not-signed', 'notCovered', { fromDomain });
  return signers.length ? notMetAs('message.unsubscribe-not-signed', 'notCoveredNoFromSigners', { signers }) : notMetAs('message.unsubscribe-not-signed', 'notCoveredNoFrom', {});
}
