// Human-readable bounce bodies (Postfix, Exim, Sendmail, qmail, Exchange, Gmail):
// cut off the returned message, then find which paragraph speaks about which recipient.
import { EMAIL } from './text.js';

// Where MTAs start quoting the bounced message back; nothing after it is about the failure.
const RETURNED_MESSAGE = /^(?:-{3,} ?This is a copy of the message.*|-{2,} ?Below this line is a copy of the message.*|Original message headers:\s*|-{5,} ?(?:Forwarded|Original) message ?-{5,}.*|-{3,} ?The header of the original message is following.*|Content-Type: message\/rfc822.*)$/im;

/** The part of a bounce body before the returned copy of the message. */
export function withoutReturnedMessage(text: string): string {
  const at = text.search(RETURNED_MESSAGE);
  return at > 0 ? text.slice(0, at) : text;
}

// A line that names one recipient and starts its block:
//   Postfix/qmail "<a@b>: host ... said", Exim "  a@b", Sendmail "<a@b>", Exchange "a@b".
const RECIPIENT_LINE = new RegExp(`^[ \\t]{0,4}<?(${EMAIL.source})>?:?(?:[ \\t]|$)`);

export interface RecipientBlock {
  recipient: string;
  text: string;
}

/** Blocks per recipient (an address mentioned twice, as Exchange does, gets both), in first-seen order. */
export function recipientBlocks(text: string): RecipientBlock[] {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const address = headerAddress(line);
    if (address) {
      current = blocks.get(address) ?? [];
      blocks.set(address, current);
    }
    if (!current) continue;
    if (!line.trim() && current.length && !current[current.length - 1]!.trim()) current = undefined;
    else current.push(line);
  }
  return [...blocks].map(([recipient, lines]) => ({ recipient, text: lines.join('\n').trim() }));
}

function headerAddress(line: string): string | undefined {
  const m = line.match(RECIPIENT_LINE);
  if (!m) return undefined;
  const rest = line.slice(m[0].length).trim();
  // "a@b" alone, "<a@b>" alone, or "<a@b>: reason" (Postfix, qmail); not prose that starts with an address.
  const bare = rest === '' || /^<?[^\s]*>?:?$/.test(rest);
  return bare || /^<[^>]+>:/.test(line.trim()) ? m[1]!.toLowerCase() : undefined;
}
