// SMTP replies as values: the three-digit code, the enhanced status code when
// the server sends one (RFC 2034, RFC 3463), and the text of every line.

export interface SmtpReply {
  code: number;
  /** "5.1.1" when the first line starts with an enhanced status code. */
  enhanced?: string;
  /** The text after "250-" / "250 " of each line, in order. */
  lines: string[];
}

/** A reply line: three digits, then "-" (more lines follow), " " or nothing (the last line), RFC 5321 §4.2.1. */
const REPLY_LINE = /^([2-5]\d\d)([ -]|$)(.*)$/s;
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;

export type ParsedLine = { code: number; last: boolean; text: string };

/** One line of a reply, or undefined when it is not SMTP at all. */
export function parseReplyLine(line: string): ParsedLine | undefined {
  const match = REPLY_LINE.exec(line);
  if (!match) return undefined;
  return { code: Number(match[1]), last: match[2] !== '-', text: match[3]! };
}

export function buildReply(lines: ParsedLine[]): SmtpReply {
  const first = lines[0]!;
  const enhanced = ENHANCED.exec(first.text)?.[1];
  return { code: first.code, ...(enhanced ? { enhanced } : {}), lines: lines.map(l => l.text) };
}

/** The reply as one line, the way it appears in evidence: "550 5.1.1 <a@b>: User unknown". */
export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' / ')}`.trim();
}

/** The reply's words without the code and enhanced code, for messages. */
export function replyWords(reply: SmtpReply): string {
  const text = reply.lines.join(' ').trim();
  return reply.enhanced ? text.slice(reply.enhanced.length).trim() : text;
}

/** First word of the first line: the name a server announces in its greeting or EHLO reply. */
export function announcedName(reply: SmtpReply): string | undefined {
  return reply.lines[0]?.trim().split(/\s+/)[0] || undefined;
}

export const isPositive = (reply: SmtpReply): boolean => reply.code >= 200 && reply.code < 400;
export const isTransient = (reply: SmtpReply): boolean => reply.code >= 400 && reply.code < 500;
export const isPermanent = (reply: SmtpReply): boolean => reply.code >= 500;
