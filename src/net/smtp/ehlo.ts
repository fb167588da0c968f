// What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): every line after
// the first is an extension keyword with optional parameters.
import type { SmtpReply } from './reply.js';

export interface EhloExtensions {
  /** Every keyword, upper case, as announced. */
  keywords: string[];
  /** RFC 1870: the declared maximum message size in bytes; 0 = no fixed limit; undefined = not announced. */
  size?: number;
  starttls: boolean;
  pipelining: boolean;
  eightBitMime: boolean;
  smtpUtf8: boolean;
  chunking: boolean;
  enhancedStatusCodes: boolean;
  /** SASL mechanisms (RFC 4954), including the old "AUTH=" form. */
  auth: string[];
}

export function parseEhlo(reply: SmtpReply): EhloExtensions {
  const entries = reply.lines.slice(1).map(line => {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    return { keyword: keyword.toUpperCase(), params };
  });
  const has = (name: string) => entries.some(e => e.keyword === name);
  const sizeParam = entries.find(e => e.keyword === 'SIZE')?.params[0];
  const auth = entries
    .filter(e => e.keyword === 'AUTH' || e.keyword.startsWith('AUTH='))
    .flatMap(e => (e.keyword === 'AUTH' ? e.params : [e.keyword.slice(5), ...e.params]))
    .map(m => m.toUpperCase())
    .filter(Boolean);
  return {
    keywords: [...new Set(entries.map(e => e.keyword).filter(Boolean))],
    ...(has('SIZE') ? { size: sizeParam && /^\d+$/.test(sizeParam) ? declaredSize(sizeParam) : 0 } : {}),
    starttls: has('STARTTLS'),
    pipelining: has('PIPELINING'),
    eightBitMime: has('8BITMIME'),
    smtpUtf8: has('SMTPUTF8'),
    chunking: has('CHUNKING'),
    enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
    auth: [...new Set(auth)],
  };
}

/** RFC 1870 §4 allows up to 20 digits, more than a double holds exactly: past 2^53 it is a limit no message reaches. */
function declaredSize(digits: string): number {
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}
