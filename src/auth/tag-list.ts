// The tag=value list shared by DKIM key records, DKIM-Signature header fields
// (RFC 6376 §3.2) and DMARC records (RFC 9989: "the extensible tag-value
// syntax for DNS-based key records defined in DKIM").

export class TagListError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TagListError';
  }
}

export interface TagListOptions {
  /** DKIM tag names are case-sensitive (RFC 6376 §3.2); DMARC's are ABNF strings, so not. */
  lowerCaseNames?: boolean;
}

/** ALPHA *ALNUMPUNC, plus "-": unknown tags must be ignored (RFC 9989), not break the record. */
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** VALCHAR (%x21-3A / %x3C-7E) and the whitespace folded between values. */
const TAG_VALUE = /^[\x21-\x3a\x3c-\x7e \t\r\n]*$/;

/**
 * The tags in order of appearance. Empty segments (";;", a trailing ";") are
 * tolerated as every verifier does; a duplicate tag invalidates the whole list
 * (RFC 6376 §3.2).
 */
export function parseTagList(text: string, options: TagListOptions = {}): Map<string, string> {
  const tags = new Map<string, string>();
  for (const segment of text.split(';')) {
    if (!segment.trim()) continue;
    const equals = segment.indexOf('=');
    if (equals < 0) throw new TagListError(`"${segment.trim()}" has no "="`);
    const rawName = segment.slice(0, equals).trim();
    const value = segment.slice(equals + 1).trim();
    if (!TAG_NAME.test(rawName)) throw new TagListError(`"${rawName}" is not a tag name`);
    if (!TAG_VALUE.test(value)) throw new TagListError(`the value of ${rawName}= contains characters a tag value cannot hold`);
    const name = options.lowerCaseNames ? rawName.toLowerCase() : rawName;
    if (tags.has(name)) throw new TagListError(`${name}= appears more than once`);
    tags.set(name, value);
  }
  return tags;
}
