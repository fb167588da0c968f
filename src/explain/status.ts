// SMTP reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463 and the
// IANA "SMTP Enhanced Status Codes" registry), as weak priors for the classifier.
// Providers reuse codes for other meanings, so the wording rules outweigh these.
import type { CauseId } from '../causes.js';
import { providerCode } from './providers.js';

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
  '1.9': { meaning: 'message relayed to a non-compliant mailer' },
  '1.10': { meaning: 'recipient address has null MX (RFC 7505)', cause: 'mx.null', weight: 2 },
  '2.1': { meaning: 'mailbox disabled, not accepting messages', cause: 'recipient.disabled', weight: 2 },
  '2.2': { meaning: 'mailbox full', cause: 'mailbox.full', weight: 2 },
  '2.3': { meaning: 'message length exceeds administrative limit', cause: 'message.too-large', weight: 2 },
  '2.4': { meaning: 'mailing list expansion problem' },
  '3.1': { meaning: 'mail system full', cause: 'mailbox.full', weight: 1 },
  '3.2': { meaning: 'system not accepting network messages', cause: 'smtp.busy', weight: 1.5 },
  '3.3': { meaning: 'system not capable of selected features' },
  '3.4': { meaning: 'message too big for system', cause: 'message.too-large', weight: 2 },
  '3.5': { meaning: 'system incorrectly configured' },
  '4.1': { meaning: 'no answer from host', cause: 'smtp.timeout', weight: 1.5 },
  '4.2': { meaning: 'bad connection', cause: 'smtp.timeout', weight: 0.5 },
  '4.3': { meaning: 'directory server failure', cause: 'dns.servfail', weight: 1.5 },
  '4.4': { meaning: 'unable to route', cause: 'domain.nxdomain', weight: 1 },
  '4.5': { meaning: 'mail system congestion', cause: 'smtp.busy', weight: 1 },
  '4.6': { meaning: 'routing loop detected', cause: 'routing.loop', weight: 2 },
  '4.7': { meaning: 'delivery time expired', cause: 'delivery.expired', weight: 1.5 },
  '5.3': { meaning: 'too many recipients', cause: 'rate.limited', weight: 1.5 },
  '5.1': { meaning: 'invalid command' },
  '5.2': { meaning: 'syntax error' },
  '5.4': { meaning: 'invalid command arguments' },
  '5.6': { meaning: 'authentication exchange line too long (RFC 4954)' },
  '6.0': { meaning: 'other or undefined media error', cause: 'message.malformed', weight: 0.5 },
  '6.1': { meaning: 'media not supported', cause: 'message.malformed', weight: 0.5 },
  '6.3': { meaning: 'conversion required but not supported', cause: 'message.malformed', weight: 0.5 },
  '6.7': { meaning: 'non-ASCII addresses not permitted (RFC 6531)', cause: 'message.malformed', weight: 1 },
  '6.8': { meaning: 'UTF-8 string reply required (RFC 6531)', cause: 'message.malformed', weight: 1 },
  '6.9': { meaning: 'UTF-8 header message cannot be transferred (RFC 6531)', cause: 'message.malformed', weight: 1 },
  '7.1': { meaning: 'delivery not authorized, message refused', cause: 'content.rejected', weight: 0.3 },
  '7.2': { meaning: 'mailing list expansion prohibited' },
  '7.7': { meaning: 'message integrity failure', cause: 'message.malformed', weight: 0.5 },
  '7.8': { meaning: 'authentication credentials invalid (RFC 4954)', cause: 'auth.required', weight: 2 },
  '7.9': { meaning: 'authentication mechanism too weak (RFC 4954)', cause: 'auth.required', weight: 1 },
  '7.10': { meaning: 'encryption needed (RFC 5248)', cause: 'tls.starttls-missing', weight: 1.5 },
  '7.11': { meaning: 'encryption required for requested authentication mechanism', cause: 'auth.required', weight: 1 },
  '7.12': { meaning: 'a password transition is needed (RFC 4954)', cause: 'auth.required', weight: 1 },
  '7.13': { meaning: 'user account disabled (RFC 5248)', cause: 'recipient.disabled', weight: 1 },
  '7.16': { meaning: 'message too big for specified priority (RFC 6710)', cause: 'message.too-large', weight: 1 },
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
  const own = providerCode(provider, key);
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
