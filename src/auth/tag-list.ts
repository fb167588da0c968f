// The tag=value list shared by DKIM key records, DKIM-Signature header fields
// (RFC 6376 §3.2) and DMARC records (RFC 9989: "the extensible tag-value
// syntax for DNS-based key records defined in DKIM").

import { say } from '../causes.js';

/** What is wrong with a tag=value list; causes.ts's `tagList` format says it in words. */
export type TagListProblem =
  | { code: 'noEquals' | 'noName'; segment: string }
  | { code: 'badName' | 'badValue' | 'repeated'; name: string };

export class TagListError extends Error {
  /** The problem in words (src/causes.ts). */
  readonly reason: string;
  constructor(readonly problem: TagListProblem) {
    const reason = say('tagList', problem);
    super(reason);
    this.reason = reason;
    this.name = 'TagListError';
  }
}

export interface TagListOptions {
  /** DKIM tag names are case-sensitive (RFC 6376 §3.2); DMARC's are ABNF strings, so not. */
  lowerCaseNames?: boolean;
  /**
   * Called for a tag-spec that is not name=value (a stray "tagonly", "=value",
   * a bad name or value), which is then skipped: DMARC ignores such a tag, not
   * the record (RFC 9989 §4.8). Without it, a malformed tag-spec throws (DKIM).
   */
  onMalformed?: (tagSpec: string, problem: TagListProblem) => void;
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
  const malformed = (segment: string, problem: TagListProblem): void => {
    if (!options.onMalformed) throw new TagListError(problem);
    options.onMalformed(segment.trim(), problem);
  };
  for (const segment of text.split(';')) {
    if (!segment.trim()) continue;
    const equals = segment.indexOf('=');
    if (equals < 0) {
      malformed(segment, { code: 'noEquals', segment: segment.trim() });
      continue;
    }
    const rawName = segment.slice(0, equals).trim();
    const value = segment.slice(equals + 1).trim();
    if (!TAG_NAME.test(rawName)) {
      malformed(segment, rawName ? { code: 'badName', name: rawName } : { code: 'noName', segment: segment.trim() });
      continue;
    }
    if (!TAG_VALUE.test(value)) {
      malformed(segment, { code: 'badValue', name: rawName });
      continue;
    }
    const name = options.lowerCaseNames ? rawName.toLowerCase() : rawName;
    if (tags.has(name)) throw new TagListError({ code: 'repeated', name });
    tags.set(name, value);
  }
  return tags;
}
