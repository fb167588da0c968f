// A received message given with --message or check-message: read with a size
// cap and refused when it is not a message at all, and the header fields the
// checks need (RFC 5322 §2.2, unfolded).
import { readFileSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseTagList, TagListError } from './tag-list.js';

/** Far above any real message with headers; keeps a wrong file from filling memory. */
const MB = 1024 * 1024;
export const MAX_MESSAGE_BYTES = 10 * MB;
/** A header block is read this far for the binary test: attachments further down may hold anything. */
const SNIFF_BYTES = 64 * 1024;

export class MessageFileError extends Error {
  constructor(path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'MessageFileError';
  }
}

export async function readMessageFile(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const size = admitFile(path, await file.stat());
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await file.read(buffer, 0, size, 0);
    return admitMessage(path, buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** The same reading, synchronous: the command line refuses a wrong file before anything is checked. */
export function readMessageFileSync(path: string): Buffer {
  admitFile(path, statSync(path));
  return admitMessage(path, readFileSync(path));
}

function admitFile(path: string, stats: Stats): number {
  if (stats.isDirectory()) throw new MessageFileError(path, 'a directory, not a message file');
  if (!stats.isFile()) throw new MessageFileError(path, 'not a regular file');
  if (stats.size > MAX_MESSAGE_BYTES) throw new MessageFileError(path, `${(stats.size / MB).toFixed(1)} MB; messages over ${MAX_MESSAGE_BYTES / MB} MB are not read`);
  return stats.size;
}

/** Refuses what is not an Internet message: empty, binary, or not starting with a header field. */
function admitMessage(path: string, bytes: Buffer): Buffer {
  if (!bytes.length) throw new MessageFileError(path, 'empty');
  const head = withoutMboxLine(bytes.subarray(0, SNIFF_BYTES).toString('latin1'));
  const end = /\r?\n\r?\n/.exec(head);
  if (head.slice(0, end ? end.index : head.length).includes('\0')) throw new MessageFileError(path, 'a binary file, not a message (save it as .eml: "Show original", then "Download")');
  if (!/^[!-9;-~]+:/.test(head)) throw new MessageFileError(path, 'not an email message: it does not start with a header field ("Name: value")');
  return bytes;
}

/** An mbox export starts with its "From " separator line; the message follows it. */
const withoutMboxLine = (text: string): string => text.replace(/^From [^\n]*\n/, '');

export interface HeaderField {
  name: string;
  /** Unfolded and trimmed. */
  value: string;
}

export interface HeaderBlock {
  /** Top to bottom. */
  fields: HeaderField[];
  /** A blank line ends the header block; without one the file may have been cut off. */
  complete: boolean;
}

export function readHeader(message: Buffer): HeaderBlock {
  const text = withoutMboxLine(message.toString('latin1'));
  const end = /\r?\n\r?\n/.exec(text);
  const header = end ? text.slice(0, end.index) : text;
  const fields = header.split(/\r?\n(?![ \t])/).flatMap(field => {
    const colon = field.indexOf(':');
    const name = field.slice(0, Math.max(colon, 0)).trim();
    if (!name) return [];
    return [{ name, value: field.slice(colon + 1).replace(/\r?\n[ \t]/g, ' ').trim() }];
  });
  return { fields, complete: Boolean(end) };
}

/** The values of every header field with this name, top to bottom, unfolded. */
export function headerValues(message: Buffer, name: string): string[] {
  const wanted = name.toLowerCase();
  return readHeader(message).fields.filter(f => f.name.toLowerCase() === wanted).map(f => f.value);
}

export interface SignatureKey {
  domain: string;
  selector: string;
}

/** The d= and s= of every DKIM-Signature that can be read (RFC 6376 §3.5). */
export function signatureKeys(message: Buffer): SignatureKey[] {
  return headerValues(message, 'DKIM-Signature').flatMap(value => {
    try {
      const tags = parseTagList(value);
      const domain = tags.get('d')?.toLowerCase();
      const selector = tags.get('s')?.toLowerCase();
      return domain && selector ? [{ domain, selector }] : [];
    } catch (err) {
      if (err instanceof TagListError) return [];
      throw err;
    }
  });
}
