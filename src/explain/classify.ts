// From one recipient's texts to a ranked cause. Every wording rule and code
// prior adds weight to a cause; wording that rules something out scales it
// down; the heaviest cause is the answer and the runners-up are kept as
// secondary causes. Nothing is decided by the first match alone.
import { causes, type CauseId, type Side } from '../causes.js';
import { MEANINGS, REPLY_PATTERNS } from '../replies/index.js';
import { confirmSubjects } from './confirm.js';
import { BOILERPLATE, PERMANENT_WORDS, RULES, TEMPORARY_HINTS, TEMPORARY_WORDS, isGenericCause, type Rule } from './patterns.js';
import { LOCALIZED_RULES, LOCALIZED_TEMPORARY } from './languages.js';
import { PROVIDER_RULES, detectProvider, isAlwaysUpMx, providerFix } from './providers.js';
import { findStage } from './stage.js';
import { codeClass, enhancedPrior, findStatusCodes, type StatusCodes } from './status.js';
import { CONTEXT_WEIGHT } from './parse.js';
import { domainOf, matchableText } from './text.js';
import type { ExplainEntry, SecondaryCause, Segment, Stage } from './types.js';

const DEMOTED = 0.3;
const GENERIC_BESIDE_SPECIFIC = 0.5;
const SPECIFIC_ENOUGH = 2;
const SECONDARY_SHARE = 0.25;
const MAX_SECONDARY = 3;
const MAX_CLAUSE_CHARS = 16 * 1024;
/** An MTA's own wording from the shared reply table names its cause outright. */
const REPLY_TABLE_WEIGHT = 5;
/** A delay notice says so outright (Action: delayed, "warning only"): at least this weight. */
const DELAY_NOTICE = 3;

/** The shared table of MTA replies (src/replies), as wording rules: the live probes read the same lines. */
const REPLY_TABLE_RULES: readonly Rule[] = REPLY_PATTERNS.flatMap(pattern => {
  const { bounce: cause, bounceSide: side, bounceFix: fix } = MEANINGS[pattern.meaning];
  return cause ? [{ cause, weight: REPLY_TABLE_WEIGHT, re: pattern.re, ...(pattern.classes ? { classes: pattern.classes } : {}), ...(side ? { side } : {}), ...(fix ? { fix } : {}) }] : [];
});

// General wordings, the MTAs' shared reply table, the localized wordings, then each provider's own: all weighed together.
const ALL_RULES: readonly Rule[] = [...RULES, ...REPLY_TABLE_RULES, ...LOCALIZED_RULES, ...PROVIDER_RULES];

// Causes that are by nature retried when the reply gives no other hint.
const TRANSIENT_CAUSES = new Set(['smtp.timeout', 'smtp.refused', 'smtp.no-banner', 'smtp.busy', 'smtp.session-dropped', 'smtp.greylisting', 'dns.servfail',
  'delivery.delayed', 'rate.limited', 'policy.multi-domain-deferral', 'network.port25-blocked', 'tls.handshake-failed', 'rbl.query-refused']);

interface Context {
  texts: { text: string; weight: number }[];
  primary: string;
  codes: StatusCodes;
  enhanced?: string;
  replyClass?: 4 | 5 | 2;
  provider?: string;
  stage?: Stage;
}

interface Tally {
  score: number;
  evidence: { text: string; weight: number }[];
  side?: { side: Side; weight: number };
  /** A rule's own fix text, when the wording says more than the registry's fix. */
  fix?: { text: string; weight: number };
}

export interface ClassifyMeta {
  sender?: string;
}

export function classifySegment(segment: Segment, meta: ClassifyMeta): ExplainEntry | undefined {
  const ctx = context(segment);
  const tallies = new Map<CauseId, Tally>();
  const demoted = new Set<CauseId>();
  applyRules(ctx, tallies, demoted);
  applyCodePriors(ctx, segment, tallies);
  applyInferences(ctx, segment, tallies, demoted);
  for (const cause of demoted) scale(tallies, cause, DEMOTED);
  const delayReason = settleGenericCauses(tallies);
  if ((best(tallies)[0]?.[1].score ?? 0) < 0.5) addFallback(ctx, segment, tallies);
  const ranked = best(tallies);
  const [top, second] = ranked;
  if (!top) return undefined;
  const [cause, tally] = top;
  const reason = cause === 'delivery.delayed' ? delayReason : undefined;
  return {
    cause,
    confidence: confidence(tally.score, second?.[1].score ?? 0),
    side: reason ? sideOfTally(reason) : sideOfTally(top),
    temporary: isTemporary(ctx, segment, cause),
    evidence: evidenceLines(tally),
    title: causes[cause].title,
    fix: reason ? `${causes[cause].fix} The notice gives its reason: ${causes[reason[0]].title.toLowerCase()}. ${fixOf(reason, ctx)}` : fixOf(top, ctx),
    statusCodes: [...ctx.codes.basic.slice(0, 1), ...(ctx.enhanced ? [ctx.enhanced] : [])],
    ...(ctx.stage ? { stage: ctx.stage } : {}),
    ...(segment.remoteMta ? { remoteMta: segment.remoteMta } : {}),
    ...(segment.recipient ? { recipient: segment.recipient } : {}),
    ...(ctx.provider ? { provider: ctx.provider } : {}),
    secondary: secondaries(ranked, tally.score),
    ...withConfirm(cause, ctx, segment, meta),
  };
}

function context(segment: Segment): Context {
  const texts = segment.clauses.map(c => ({ text: matchableText(c.text.slice(0, MAX_CLAUSE_CHARS)).replace(BOILERPLATE, ' '), weight: c.weight }));
  // The recipient's own texts: its diagnostic and paragraph, not the message-wide boilerplate.
  const primary = texts.filter(t => t.weight > CONTEXT_WEIGHT).map(t => t.text).join(' \n ');
  const codes = findStatusCodes(primary || texts.map(t => t.text).join(' \n '));
  const enhanced = [...codes.enhanced, segment.status].find(code => code && !/^\d\.0\.0$/.test(code)) ?? codes.enhanced[0] ?? segment.status;
  const replyCode = codes.basic[0] ?? enhanced;
  return {
    texts,
    primary,
    codes,
    enhanced,
    replyClass: replyCode ? codeClass(replyCode) : undefined,
    provider: detectProvider(`${segment.remoteMta ?? ''} ${primary}`) ?? detectProvider(texts.map(t => t.text).join(' ')),
    stage: findStage(segment.clauses.map(c => c.text.slice(0, MAX_CLAUSE_CHARS).replace(/\n[ \t]+/g, ' ').replace(/[ \t]+/g, ' '))),
  };
}

function applies(rule: Rule, ctx: Context): boolean {
  if (rule.provider && rule.provider !== ctx.provider) return false;
  if (rule.classes && !rule.classes.some(cls => cls === ctx.replyClass)) return false;
  return !rule.stages || (ctx.stage !== undefined && rule.stages.includes(ctx.stage));
}

function applyRules(ctx: Context, tallies: Map<CauseId, Tally>, demoted: Set<CauseId>): void {
  for (const rule of ALL_RULES) {
    if (!applies(rule, ctx) || (rule.unless && ctx.texts.some(t => rule.unless!.test(t.text)))) continue;
    const hit = strongestHit(rule.re, ctx.texts);
    if (!hit) continue;
    const weight = rule.weight * hit.weight;
    add(tallies, rule.cause, weight, hit.phrase, rule.side, rule.fix);
    for (const cause of rule.demotes ?? []) if (cause !== rule.cause) demoted.add(cause);
  }
}

/** The match in the most direct clause (a recipient's own diagnostic beats boilerplate). */
function strongestHit(re: RegExp, texts: Context['texts']): { phrase: string; weight: number } | undefined {
  let found: { phrase: string; weight: number } | undefined;
  for (const { text, weight } of texts) {
    if (found && found.weight >= weight) continue;
    const m = re.exec(text);
    if (m) found = { phrase: sentenceAround(text, m.index, m[0].length), weight };
  }
  return found;
}

/** The words around a match, cut at sentence or clause ends, for evidence. */
function sentenceAround(text: string, index: number, length: number): string {
  const before = text.slice(Math.max(0, index - 80), index);
  const after = text.slice(index + length, index + length + 80);
  const starts = [...before.matchAll(SENTENCE_START)];
  const last = starts[starts.length - 1];
  const start = last ? last.index + last[0].length : index < 80 ? 0 : before.indexOf(' ') + 1;
  const end = after.search(SENTENCE_END);
  // Banner rules (##### THIS IS A WARNING ONLY #####) frame a phrase; they are not part of it.
  return `${before.slice(start)}${text.slice(index, index + length)}${end >= 0 ? after.slice(0, end) : after}`.replace(/^[#*=\s-]{3,}|[#*=\s-]{3,}$/g, '').trim();
}

// A sentence starts after ". X", "; " or "said: "; it ends before ". X", "; " or Postfix's "(in reply to".
const SENTENCE_START = /[.;!?]\s+(?=[A-Z<("'\[])|;\s|\bsaid:\s/g;
const SENTENCE_END = /[.;!?]\s+(?=[A-Z<("'\[])|;\s|\s\(in reply to\b/;

function add(tallies: Map<CauseId, Tally>, cause: CauseId, weight: number, evidence: string, side?: Side, fix?: string): void {
  const tally = tallies.get(cause) ?? { score: 0, evidence: [] };
  tally.score += weight;
  if (!tally.evidence.some(e => e.text === evidence)) tally.evidence.push({ text: evidence, weight });
  if (side && (!tally.side || tally.side.weight < weight)) tally.side = { side, weight };
  if (fix && (!tally.fix || tally.fix.weight < weight)) tally.fix = { text: fix, weight };
  tallies.set(cause, tally);
}

function scale(tallies: Map<CauseId, Tally>, cause: CauseId, factor: number): void {
  const tally = tallies.get(cause);
  if (tally) tally.score *= factor;
}

function applyCodePriors(ctx: Context, segment: Segment, tallies: Map<CauseId, Tally>): void {
  const prior = ctx.enhanced ? enhancedPrior(ctx.enhanced, ctx.provider) : undefined;
  if (prior && ctx.enhanced) add(tallies, prior.cause, prior.weight, `status ${ctx.enhanced}: ${prior.meaning}`);
  const basic = ctx.codes.basic[0];
  if (basic === '552' && !ctx.enhanced) add(tallies, 'mailbox.full', 0.5, 'reply 552: requested mail action aborted, exceeded storage allocation (RFC 5321)');
  if (basic === '421' && ctx.stage === 'connect') add(tallies, 'smtp.busy', 1, 'reply 421 at connection: service not available (RFC 5321)');
  if (segment.action === 'delayed') add(tallies, 'delivery.delayed', 4, 'Action: delayed (a delay notification, RFC 3464)');
  if (segment.action === 'expired') add(tallies, 'delivery.expired', 4, 'status=expired (the queue lifetime ran out)');
}

// Conclusions that need more than one phrase: the remote host, the DNS name, two failures together.
function applyInferences(ctx: Context, segment: Segment, tallies: Map<CauseId, Tally>, demoted: Set<CauseId>): void {
  inferPortBlocked(ctx, segment, tallies, demoted);
  inferMxTarget(ctx, segment, tallies, demoted);
  const spf = tallies.get('auth.spf-fail');
  const dkim = tallies.get('auth.dkim-fail');
  if (spf && dkim && !tallies.has('auth.dmarc-reject')) {
    add(tallies, 'auth.unauthenticated', Math.max(spf.score, dkim.score) + 1, 'both SPF and DKIM failed');
    demoted.add('auth.spf-fail').add('auth.dkim-fail');
  }
}

// A timeout to Gmail's, Outlook's or Yahoo's MX is the sender's network, not theirs.
function inferPortBlocked(ctx: Context, segment: Segment, tallies: Map<CauseId, Tally>, demoted: Set<CauseId>): void {
  const timeout = tallies.get('smtp.timeout');
  if (!timeout) return;
  const host = segment.remoteMta ?? ctx.primary.match(/\bconnect to (\S+?)\[/)?.[1] ?? ctx.primary.match(/\bH=(\S+)/)?.[1];
  if (!host || !isAlwaysUpMx(host)) return;
  add(tallies, 'network.port25-blocked', timeout.score + 1, `timed out connecting to ${host}, a provider whose MX hosts are never all down: outbound port 25 is likely filtered`, 'network');
  demoted.add('smtp.timeout');
}

// Postfix names the DNS name it failed on: when that is not the recipient's domain, the MX host is the broken one.
function inferMxTarget(ctx: Context, segment: Segment, tallies: Map<CauseId, Tally>, demoted: Set<CauseId>): void {
  const m = ctx.primary.match(/Name service error for name=(\S+?) type=(?:A|AAAA): Host not found(?!, try again)/i);
  const domain = domainOf(segment.recipient);
  if (!m || !domain || m[1]!.toLowerCase().replace(/\.$/, '') === domain) return;
  add(tallies, 'mx.target-nxdomain', 7, `the MX host ${m[1]} does not resolve (the recipient domain is ${domain})`);
  demoted.add('domain.nxdomain');
}

// "Message expired" and a bare rejection are what happened, not why: a stated reason wins.
// A delay notice is the exception: the mail is not lost yet, which is what the reader
// must learn first, so it leads and its stated reason (returned) comes second.
function settleGenericCauses(tallies: Map<CauseId, Tally>): [CauseId, Tally] | undefined {
  const specific = best(tallies).filter(([cause, t]) => !isGenericCause(cause) && t.score >= SPECIFIC_ENOUGH);
  if (!specific.length) return undefined;
  const delayed = tallies.get('delivery.delayed');
  const isDelayNotice = delayed && delayed.score >= DELAY_NOTICE && !tallies.has('delivery.expired');
  for (const [cause] of tallies) if (isGenericCause(cause) && !(isDelayNotice && cause === 'delivery.delayed')) scale(tallies, cause, GENERIC_BESIDE_SPECIFIC);
  if (!isDelayNotice) return undefined;
  delayed.score = Math.max(delayed.score, specific[0]![1].score + 1);
  return specific[0];
}

// A reply code or a failure outcome with no recognised wording: say so rather than guess.
function addFallback(ctx: Context, segment: Segment, tallies: Map<CauseId, Tally>): void {
  const failed = ctx.replyClass === 4 || ctx.replyClass === 5 || ['failed', 'bounced', 'deferred'].includes(segment.action ?? '');
  if (!failed) return;
  const reply = ctx.primary.match(/[245]\d\d[ -].{0,150}/)?.[0] ?? ctx.primary.slice(0, 150);
  add(tallies, 'smtp.rejected', 0.5, reply);
}

const best = (tallies: Map<CauseId, Tally>) => [...tallies].filter(([, t]) => t.score > 0).sort((a, b) => b[1].score - a[1].score);

function confidence(top: number, second: number): number {
  const strength = 1 - Math.exp(-top / 4);
  const dominance = top / (top + second);
  return Math.round(Math.min(0.99, strength * (0.5 + 0.5 * dominance)) * 100) / 100;
}

function secondaries(ranked: [CauseId, Tally][], topScore: number): SecondaryCause[] {
  return ranked.slice(1)
    .filter(([, t]) => t.score >= Math.max(1, topScore * SECONDARY_SHARE))
    .slice(0, MAX_SECONDARY)
    .map(([cause, t]) => ({ cause, confidence: confidence(t.score, topScore), evidence: evidenceLines(t) }));
}

// Strongest first; a phrase already inside a longer quoted one is not repeated.
function evidenceLines(tally: Tally): string[] {
  const texts = [...tally.evidence].sort((a, b) => b.weight - a.weight).map(e => e.text);
  return texts.filter((t, i) => !texts.some((other, j) => j !== i && other.length > t.length && other.includes(t))).slice(0, 4);
}

function sideOfTally([cause, tally]: [CauseId, Tally]): Side {
  return tally.side?.side ?? causes[cause].side;
}

// The wording's own fix, then the provider's (its portal), then the registry's.
function fixOf([cause, tally]: [CauseId, Tally], ctx: Context): string {
  return tally.fix?.text ?? providerFix(ctx.provider, cause) ?? causes[cause].fix;
}

// Temporary means the sending MTA retries. Its own action says so outright; otherwise
// the words that state a retry or its end, then the reply code (a hint such as
// "temporarily blocked" does not outweigh a 5xx), and last the cause's nature.
function isTemporary(ctx: Context, segment: Segment, cause: CauseId): boolean {
  const action = segment.action ?? '';
  if (action === 'delayed' || action === 'deferred') return true;
  if (action === 'failed' || action === 'bounced' || action === 'expired') return false;
  let temporary = 0;
  let permanent = 0;
  for (const { text, weight } of ctx.texts) {
    const hints = (text.match(TEMPORARY_HINTS)?.length ?? 0) + (LOCALIZED_TEMPORARY.test(text) ? 1 : 0);
    temporary += Math.min(6, (text.match(TEMPORARY_WORDS)?.length ?? 0) * 3 + hints) * weight;
    permanent += Math.min(6, (text.match(PERMANENT_WORDS)?.length ?? 0) * 3) * weight;
  }
  const basicClass = ctx.codes.basic[0] ? codeClass(ctx.codes.basic[0]) : undefined;
  const codeWeight = basicClass ? 2.5 : 1.5;
  const cls = basicClass ?? (ctx.enhanced ? codeClass(ctx.enhanced) : undefined);
  if (cls === 4) temporary += codeWeight;
  if (cls === 5) permanent += codeWeight;
  if (temporary !== permanent) return temporary > permanent;
  return TRANSIENT_CAUSES.has(cause);
}

function withConfirm(cause: string, ctx: Context, segment: Segment, meta: ClassifyMeta): { confirm?: ExplainEntry['confirm'] } {
  const confirm = confirmSubjects({ cause, text: ctx.primary, recipient: segment.recipient, sender: meta.sender });
  return confirm ? { confirm } : {};
}

