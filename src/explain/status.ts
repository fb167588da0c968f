// SMTP reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463 and the
// IANA "SMTP Enhanced Status Codes" registry), as weak priors for the classifier.
// Providers reuse codes for other meanings, so the wording rules outweigh these.
import type { CauseId } from '../causes.js';

export interface CodePrior {
  cause: CauseId;
  weight: number;
  /** Short RFC meaning, shown as evidence. */
  meaning: string;
}

// subject.detail → meaning and the cause it usually signals (X.0.0-style "other" codes signal nothing).
export const ENHANCED: Record<string, { meaning: string; cause?: CauseId; weight?: number }> = {
  '1.1': { meaning: 'bad destination mailbox address', cause: 'recipient.unknown', weight: 2 },
  '1.2': { meaning: 'bad destination system address', cause: 'domain.nxdomain', weight: 1.5 },
  '1.3': { meaning: 'bad destination mailbox address syntax', cause: 'recipient.unknown', weight: 1.5 },
  '1.4': { meaning: 'destination mailbox address ambiguous', cause: 'recipient.unknown', weight: 1 },
  '1.6': { meaning: 'destination mailbox has moved', cause: 'recipient.unknown', weight: 1.5 },
  '1.7': { meaning: 'bad sender mailbox address syntax', cause: 'sender.domain-invalid', weight: 1 },
  '1.8': { meaning: 'bad sender system address', cause: 'sender.domain-invalid', weight: 1.5 },
  '1.10': { meaning: 'recipient address has null MX (RFC 7505)', cause: 'mx.null', weight: 2 },
  '2.1': { meaning: 'mailbox disabled, not accepting messages', cause: 'recipient.disabled', weight: 2 },
  '2.2': { meaning: 'mailbox full', cause: 'mailbox.full', weight: 2 },
  '2.3': { meaning: 'message length exceeds administrative limit', cause: 'message.too-large', weight: 2 },
  '3.1': { meaning: 'mail system full', cause: 'mailbox.full', weight: 1 },
  '3.2': { meaning: 'system not accepting network messages', cause: 'smtp.busy', weight: 1.5 },
  '3.4': { meaning: 'message too big for system', cause: 'message.too-large', weight: 2 },
  '4.1': { meaning: 'no answer from host', cause: 'smtp.timeout', weight: 1.5 },
  '4.2': { meaning: 'bad connection', cause: 'smtp.timeout', weight: 0.5 },
  '4.3': { meaning: 'directory server failure', cause: 'dns.servfail', weight: 1.5 },
  '4.4': { meaning: 'unable to route', cause: 'domain.nxdomain', weight: 1 },
  '4.5': { meaning: 'mail system congestion', cause: 'smtp.busy', weight: 1 },
  '4.6': { meaning: 'routing loop detected', cause: 'routing.loop', weight: 2 },
  '4.7': { meaning: 'delivery time expired', cause: 'delivery.expired', weight: 1.5 },
  '5.3': { meaning: 'too many recipients', cause: 'rate.limited', weight: 1.5 },
  '6.0': { meaning: 'other or undefined media error', cause: 'message.malformed', weight: 0.5 },
  '6.7': { meaning: 'non-ASCII addresses not permitted (RFC 6531)', cause: 'message.malformed', weight: 1 },
  '7.1': { meaning: 'delivery not authorized, message refused', cause: 'content.rejected', weight: 0.3 },
  '7.8': { meaning: 'authentication credentials invalid (RFC 4954)', cause: 'auth.required', weight: 2 },
  '7.9': { meaning: 'authentication mechanism too weak (RFC 4954)', cause: 'auth.required', weight: 1 },
  '7.10': { meaning: 'encryption needed (RFC 5248)', cause: 'tls.starttls-missing', weight: 1.5 },
  '7.11': { meaning: 'encryption required for requested authentication mechanism', cause: 'auth.required', weight: 1 },
  '7.13': { meaning: 'user account disabled (RFC 5248)', cause: 'recipient.disabled', weight: 1 },
  '7.17': { meaning: 'mailbox owner has changed (RFC 7293)', cause: 'recipient.unknown', weight: 1.5 },
  '7.18': { meaning: 'domain owner has changed (RFC 7293)', cause: 'recipient.unknown', weight: 1 },
  '7.20': { meaning: 'no passing DKIM signature found (RFC 7372)', cause: 'auth.dkim-fail', weight: 2.5 },
  '7.21': { meaning: 'no acceptable DKIM signature found (RFC 7372)', cause: 'auth.dkim-fail', weight: 2.5 },
  '7.22': { meaning: 'no valid author-matched DKIM signature found (RFC 7372)', cause: 'auth.dkim-fail', weight: 2.5 },
  '7.23': { meaning: 'SPF validation failed (RFC 7372)', cause: 'auth.spf-fail', weight: 2.5 },
  '7.24': { meaning: 'SPF validation error (RFC 7372)', cause: 'auth.spf-fail', weight: 2 },
  '7.25': { meaning: 'reverse DNS validation failed (RFC 7372)', cause: 'ptr.missing', weight: 2.5 },
  '7.26': { meaning: 'multiple authentication checks failed (RFC 7372)', cause: 'auth.unauthenticated', weight: 1.5 },
  '7.27': { meaning: 'sender address has null MX (RFC 7505)', cause: 'sender.domain-invalid', weight: 2.5 },
  '7.28': { meaning: 'mail flood detected (IANA registry)', cause: 'rate.limited', weight: 1 },
  '7.29': { meaning: 'ARC validation failure (RFC 8617)', cause: 'auth.unauthenticated', weight: 1 },
  '7.30': { meaning: 'REQUIRETLS support required (RFC 8689)', cause: 'tls.starttls-missing', weight: 1.5 },
};

// Codes a provider documents with its own meaning, which beat the registry's.
export const PROVIDER_ENHANCED: Record<string, { cause: CauseId; weight: number; meaning: string }> = {
  'microsoft 1.10': { cause: 'recipient.unknown', weight: 2, meaning: 'Microsoft: recipient not found' },
  'microsoft 4.1': { cause: 'recipient.unknown', weight: 1, meaning: 'Microsoft: recipient rejected by directory-based edge blocking' },
  'microsoft 7.606': { cause: 'rbl.listed', weight: 2, meaning: 'Microsoft: sending IP on its block list' },
  'microsoft 7.708': { cause: 'reputation.poor', weight: 2, meaning: 'Microsoft: IP in the high-risk delivery pool' },
  'microsoft 4.316': { cause: 'smtp.refused', weight: 1.5, meaning: 'Microsoft: connection refused' },
  'microsoft 4.310': { cause: 'domain.nxdomain', weight: 1.5, meaning: 'Microsoft: DNS domain does not exist' },
  'microsoft 4.312': { cause: 'dns.servfail', weight: 1.5, meaning: 'Microsoft: DNS query failed' },
  'microsoft 4.14': { cause: 'routing.loop', weight: 2, meaning: 'Microsoft: hop count exceeded' },
  'microsoft 7.509': { cause: 'auth.dmarc-reject', weight: 2, meaning: 'Microsoft: DMARC reject' },
  'microsoft 7.515': { cause: 'auth.unauthenticated', weight: 2, meaning: 'Microsoft: authentication level not met' },
  'microsoft 7.57': { cause: 'auth.required', weight: 2, meaning: 'Microsoft: client not authenticated' },
  'microsoft 7.54': { cause: 'relay.denied', weight: 2, meaning: 'Microsoft: unable to relay' },
  'microsoft 7.64': { cause: 'relay.denied', weight: 2, meaning: 'Microsoft: relay access denied (tenant attribution)' },
  'microsoft 7.750': { cause: 'sender.unverified', weight: 2, meaning: 'Microsoft: unregistered sending domain' },
  'microsoft 7.705': { cause: 'reputation.poor', weight: 2, meaning: 'Microsoft: tenant exceeded spam threshold' },
  'google 2.1': { cause: 'recipient.disabled', weight: 1, meaning: 'Google: disabled account, or a receiving-rate limit (4.2.1)' },
  'google 7.28': { cause: 'reputation.poor', weight: 1, meaning: 'Google: unusual rate of unsolicited mail' },
};

export interface StatusCodes {
  /** Three-digit reply codes, in order of appearance. */
  basic: string[];
  /** Enhanced codes (class.subject.detail), in order of appearance. */
  enhanced: string[];
}

// An enhanced code not glued to other digits (Yahoo's "4.16.55.1" and IP addresses are not codes).
const ENHANCED_CODE = /(?<![\d.])([245])\.([0-7]\d{0,2})\.(\d{1,3})(?![\d]|\.\d)/g;
// A reply code at the start of a reply, after "said:", a quote, "#", "<<<", or "smtp;".
const BASIC_CODE = /(?:^|[\s'"#(;:>])([245][0-5]\d)(?=[ -]|$)/gm;

export function findStatusCodes(text: string): StatusCodes {
  const enhanced = unique([...text.matchAll(ENHANCED_CODE)].map(m => m[0]));
  const basic = unique([...text.matchAll(BASIC_CODE)].map(m => m[1]!).filter(code => !isPartOfNumber(code, text)));
  return { basic, enhanced };
}

// "size 552 bytes" is no reply code; a reply code is followed by text, a dash or an enhanced code.
function isPartOfNumber(code: string, text: string): boolean {
  return new RegExp(`\\b${code}\\s+(?:bytes|seconds|minutes|MB|KB)\\b`, 'i').test(text);
}

const unique = <T>(items: T[]) => [...new Set(items)];

/** The cause an enhanced code suggests, honouring the provider's own documented meaning. */
export function enhancedPrior(code: string, provider: string | undefined): CodePrior | undefined {
  const key = code.split('.').slice(1).join('.');
  const own = provider ? PROVIDER_ENHANCED[`${provider} ${key}`] : undefined;
  if (own) return own;
  const entry = ENHANCED[key];
  if (!entry?.cause) return undefined;
  return { cause: entry.cause, weight: entry.weight ?? 1, meaning: entry.meaning };
}

/** 4 = transient, 5 = permanent, per the first digit of a reply or enhanced code. */
export function codeClass(code: string): 4 | 5 | 2 | undefined {
  const first = code[0];
  return first === '4' ? 4 : first === '5' ? 5 : first === '2' ? 2 : undefined;
}
