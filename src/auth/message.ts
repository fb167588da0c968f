// A received message given with --message: read with a size cap, and the few
// header fields the authentication checks need (RFC 5322 §2.2, unfolded).
import { open } from 'node:fs/promises';
import { parseTagList, TagListError } from './tag-list.js';

/** Far above any real message with headers; keeps a wrong file from filling memory. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class MessageFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MessageFileError';
  }
}

export async function readMessageFile(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > MAX_MESSAGE_BYTES) throw new MessageFileError(`${path} is ${size} bytes; messages over ${MAX_MESSAGE_BYTES} bytes are not read`);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await file.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The values of every header field with this name, top to bottom, unfolded. */
export function headerValues(message: Buffer, name: string): string[] {
  const text = message.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const header = end ? text.slice(0, end.index) : text;
  const fields = header.split(/\r?\n(?![ \t])/);
  const wanted = name.toLowerCase();
  return fields.flatMap(field => {
    const colon = field.indexOf(':');
    if (colon < 0 || field.slice(0, colon).trim().toLowerCase() !== wanted) return [];
    return [field.slice(colon + 1).replace(/\r?\n[ \t]/g, ' ').trim()];
  });
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
