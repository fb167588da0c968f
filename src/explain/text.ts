// Turning raw input into text the parser can read: charset guessing, binary
// detection, line endings, and the normalisation the wording rules match on.
import { ExplainInputError } from './errors.js';

/** Bytes analysed at most; a bounce's useful parts come first, the returned message last. */
const MAX_ANALYSED_BYTES = 4 * 1024 * 1024;
const SNIFF_BYTES = 64 * 1024;

export interface DecodedInput {
  text: string;
  truncated: boolean;
}

export function decodeInput(input: Buffer | string): DecodedInput {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const truncated = bytes.length > MAX_ANALYSED_BYTES;
  const head = truncated ? bytes.subarray(0, MAX_ANALYSED_BYTES) : bytes;
  if (looksBinary(head.subarray(0, SNIFF_BYTES))) {
    throw new ExplainInputError('the input looks like binary data, not a bounce message, SMTP reply or log line');
  }
  const text = normaliseNewlines(bytesToText(head)).replace(/^\uFEFF/, '');
  if (!text.trim()) throw new ExplainInputError('nothing to explain: the input is empty');
  return { text, truncated };
}

// Mail is text: NUL bytes or a high share of other control bytes mean an
// image, archive or executable was passed by mistake.
function looksBinary(sample: Buffer): boolean {
  if (isUtf16(sample)) return false;
  let nul = 0;
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) nul++;
    else if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 12 && byte !== 27) control++;
  }
  return nul > 0 || control > sample.length * 0.05;
}

const isUtf16 = (b: Buffer) => b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));

function bytesToText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  const utf8 = bytes.toString('utf8');
  // More invalid sequences than valid non-ASCII characters: the bytes were Windows-1252 / Latin-1.
  const bad = utf8.match(/\uFFFD/g)?.length ?? 0;
  const good = utf8.match(/[^\u0000-\u007f\uFFFD]/g)?.length ?? 0;
  return bad > good ? decodeCharset(bytes, 'windows-1252') : utf8;
}

/** Decodes bytes in a declared MIME charset, falling back to Latin-1 for unknown names. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const name = (charset ?? 'utf-8').trim().toLowerCase();
  if (name === 'us-ascii' || name === 'ascii' || name === 'utf-8' || name === 'utf8') return Buffer.from(bytes).toString('utf8');
  try {
    return new TextDecoder(name).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** CRLF and old-Mac CR-only line endings both become LF. */
function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

// A multi-line reply repeats its codes on every line ("550-5.7.1 ... 550 5.7.1 ..."),
// and Postfix joins those lines into one. Keep the first code, drop the repeats,
// so a phrase split across reply lines still reads as one phrase.
const REPLY_PREFIX = /(^|\s)([245]\d\d)([- ])((?:[245]\.\d{1,3}\.\d{1,3})(?:\s+|$))?/gm;

export function stripReplyContinuations(text: string): string {
  const continued = new Set<string>();
  return text.replace(REPLY_PREFIX, (whole: string, lead: string, code: string, sep: string, enhanced: string | undefined) => {
    const key = `${code} ${(enhanced ?? '').trim()}`;
    if (continued.has(key)) return lead;
    if (sep === '-') continued.add(key);
    return whole;
  });
}

/** The text the wording rules match on: one line, single spaces, reply continuations merged. */
export function matchableText(text: string): string {
  return stripReplyContinuations(text.replace(/\\n/g, '\n')).replace(/\s+/g, ' ').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Enough HTML-to-text for NDR bodies: drop style/script, turn tags into breaks, decode entities. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|tr|li|h\d|table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole: string, name: string) => decodeEntity(whole, name))
    .replace(/[ \t]+/g, ' ');
}

function decodeEntity(whole: string, name: string): string {
  const lower = name.toLowerCase();
  if (ENTITIES[lower] !== undefined) return ENTITIES[lower];
  const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN;
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
}

export const EMAIL = /[A-Za-z0-9._%+'=~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}/;

export function domainOf(address: string | undefined): string | undefined {
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at > 0 ? address.slice(at + 1).toLowerCase().replace(/\.$/, '') : undefined;
}
