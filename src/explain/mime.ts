// A small, forgiving MIME reader (RFC 2045/2046/2047): headers, multipart
// trees, base64 and quoted-printable bodies, charsets. It never throws: a bounce
// written by a broken MTA still yields whatever text it has.
import { decodeCharset, htmlToText } from './text.js';

export interface Headers {
  get(name: string): string | undefined;
}

export interface MimePart {
  headers: Headers;
  /** Lower-case type/subtype, text/plain when absent (RFC 2045 §5.2). */
  type: string;
  params: Record<string, string>;
  /** Decoded body text (for multiparts: the preamble, unused). */
  body: string;
  parts: MimePart[];
}

const MAX_DEPTH = 8;
const MAX_PARTS = 64;

/** True when the text starts like an RFC 5322 message: header fields, then a blank line. */
export function looksLikeMessage(text: string): boolean {
  const head = text.slice(0, 4096);
  const firstLine = head.split('\n', 1)[0] ?? '';
  if (!/^[A-Za-z][A-Za-z0-9-]*:[ \t]?\S?/.test(firstLine) || /^[A-Za-z]+:\/\//.test(firstLine)) return false;
  const headerBlock = head.split(/\n\n/, 1)[0] ?? '';
  return /^(from|to|subject|date|received|return-path|content-type|mime-version|message-id|delivered-to|x-[\w-]+):/im.test(headerBlock) &&
    headerBlock.split('\n').every(line => /^[\t ]/.test(line) || /^[!-9;-~]+:/.test(line));
}

export function parseMessage(text: string, depth = 0): MimePart {
  const split = text.search(/\n\n|^\n/);
  const headerText = split < 0 ? text : text.slice(0, split);
  const rawBody = split < 0 ? '' : text.slice(split).replace(/^\n\n?/, '');
  const headers = parseHeaders(headerText);
  const { type, params } = parseContentType(headers.get('content-type'));
  if (type.startsWith('multipart/') && params.boundary && depth < MAX_DEPTH) {
    return { headers, type, params, body: '', parts: splitMultipart(rawBody, params.boundary).map(p => parseMessage(p, depth + 1)) };
  }
  return { headers, type, params, body: decodeBody(rawBody, headers.get('content-transfer-encoding'), params.charset, type), parts: [] };
}

export function parseHeaders(text: string): Headers {
  const fields = new Map<string, string>();
  for (const line of text.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return { get: name => fields.get(name.toLowerCase()) };
}

function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [rawType = '', ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const match of rest.join(';').matchAll(/([\w*-]+)\s*=\s*(?:"([^"]*)"|([^\s;]+))/g)) {
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return { type: rawType.trim().toLowerCase() || 'text/plain', params };
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) break;
    if (trimmed === delimiter) {
      if (current) parts.push(current.join('\n'));
      if (parts.length >= MAX_PARTS) return parts;
      current = [];
    } else current?.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

function decodeBody(raw: string, encoding: string | undefined, charset: string | undefined, type: string): string {
  const cte = (encoding ?? '').trim().toLowerCase();
  const bytes = cte === 'base64' ? Buffer.from(raw.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
    : cte === 'quoted-printable' ? decodeQuotedPrintable(raw)
      : Buffer.from(raw, 'utf8');
  // 8bit bodies were already decoded as UTF-8 (or Latin-1) with the whole input.
  const text = cte === 'base64' || cte === 'quoted-printable' ? decodeCharset(bytes, charset) : raw;
  return type === 'text/html' ? htmlToText(text) : text;
}

/** RFC 2045 §6.7: =XX escapes, soft line breaks ("=" at end of line). */
export function decodeQuotedPrintable(raw: string): Buffer {
  const text = raw.replace(/[ \t]+$/gm, '').replace(/=\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const byte of Buffer.from(text[i]!, 'utf8')) out.push(byte);
    }
  }
  return Buffer.from(out);
}

// RFC 2047 encoded words in headers (Subject: =?utf-8?B?...?=).
function decodeEncodedWords(value: string): string {
  return value.replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=(?:\s+(?==\?))?/g, (_whole: string, charset: string, encoding: string, data: string) =>
    decodeCharset(
      encoding.toLowerCase() === 'b' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
      charset.replace(/\*.*$/, ''),
    ));
}

/** Every leaf part, depth first, in message order. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length ? part.parts.flatMap(leaves) : [part];
}
