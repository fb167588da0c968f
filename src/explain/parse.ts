// What was given: a whole bounce message (RFC 3464 DSN or a plain NDR), MTA log
// lines, or bare text (an SMTP reply, an NDR body pasted from a mail client).
// The result is one segment per recipient, each with the texts that speak about it.
import { parseDeliveryStatus, type DeliveryStatus, type DsnRecipient } from './dsn.js';
import { MAX_LOG_ENTRIES, parseLogLines } from './logs.js';
import { leaves, looksLikeMessage, parseHeaders, parseMessage, type MimePart } from './mime.js';
import { recipientBlocks, withoutReturnedMessage, type RecipientBlock } from './ndr.js';
import { EMAIL } from './text.js';
import type { Clause, InputKind, ParsedInput, Segment } from './types.js';

const MAX_CONTEXT_CHARS = 6 * 1024;
const MAX_SEGMENTS = 1000;
/** Weight of message-wide text (intros, footers) beside a recipient's own diagnostic. */
export const CONTEXT_WEIGHT = 0.5;
const SOLE_RECIPIENT_WEIGHT = 0.8;

export function parseInput(text: string, truncated: boolean): ParsedInput {
  if (looksLikeMessage(text)) return parseBounceMessage(text, truncated);
  const logs = parseLogLines(text);
  // Past MAX_LOG_ENTRIES failed deliveries the rest of the log is not read.
  if (logs) return { kind: 'log', segments: logs.map(withRemoteMta), truncated: truncated || logs.length >= MAX_LOG_ENTRIES };
  const body = withoutReturnedMessage(text);
  return { kind: textKind(body), segments: textSegments(body), truncated };
}

function textKind(body: string): InputKind {
  if (/^\s*[245]\d\d[ -]/.test(body) && body.length < 8192) return 'reply';
  return /\b(?:mail delivery|delivery (?:has )?failed|undeliver|qmail-send|could not be delivered|Delivery Status Notification|MAILER-DAEMON|couldn't be delivered|not delivered|Delivery incomplete|delayed)\b/i.test(body) ? 'ndr' : 'text';
}

function parseBounceMessage(text: string, truncated: boolean): ParsedInput {
  const message = parseMessage(text);
  const parts = leaves(message);
  const report = parts.find(p => /^message\/(?:global-)?delivery-status$/.test(p.type));
  const human = withoutReturnedMessage(humanText(parts));
  const status = report ? parseDeliveryStatus(report.body) : undefined;
  const segments = status?.recipients.length ? dsnSegments(status, human) : textSegments(human);
  return {
    kind: report ? 'dsn' : 'message',
    segments,
    reportingMta: status?.reportingMta,
    sender: status?.sender ?? returnedSender(parts) ?? firstAddress(message.headers.get('to')),
    subject: message.headers.get('subject'),
    truncated,
  };
}

// The notification a person reads: plain text if the bounce has it, else its HTML.
function humanText(parts: MimePart[]): string {
  const readable = parts.filter(p => !p.params.name && (p.type === 'text/plain' || p.type === 'text/html'));
  return (readable.find(p => p.type === 'text/plain' && p.body.trim()) ?? readable.find(p => p.body.trim()))?.body ?? '';
}

function returnedSender(parts: MimePart[]): string | undefined {
  const returned = parts.find(p => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers' || p.type === 'message/rfc822-headers');
  if (!returned) return undefined;
  const headers = parseHeaders(returned.body.split(/\n\n/, 1)[0] ?? '');
  return firstAddress(headers.get('return-path') ?? headers.get('from'));
}

function dsnSegments(status: DeliveryStatus, human: string): Segment[] {
  const blocks = recipientBlocks(human);
  const sole = status.recipients.length === 1;
  const context = contextText(human, blocks);
  return status.recipients.slice(0, MAX_SEGMENTS).map(r => {
    const block = blocks.find(b => b.recipient === r.recipient?.toLowerCase());
    const clauses: Clause[] = [];
    if (r.diagnostic) clauses.push({ text: r.diagnostic, weight: 1 });
    if (block) clauses.push({ text: block.text, weight: 1 });
    if (sole && !block) clauses.push({ text: human.slice(0, MAX_CONTEXT_CHARS), weight: SOLE_RECIPIENT_WEIGHT });
    else if (context) clauses.push({ text: context, weight: CONTEXT_WEIGHT });
    return dsnSegment(r, clauses, block);
  });
}

function dsnSegment(r: DsnRecipient, clauses: Clause[], block: RecipientBlock | undefined): Segment {
  return withRemoteMta({
    recipient: r.recipient,
    action: r.action,
    status: r.status,
    remoteMta: r.remoteMta ? cleanHost(r.remoteMta) : block ? remoteMtaIn(block.text) : undefined,
    clauses,
  });
}

/** Segments of a bounce body without a machine-readable report: one per recipient block, or one in all. */
function textSegments(text: string): Segment[] {
  const blocks = recipientBlocks(text);
  if (!blocks.length) return [withRemoteMta({ recipient: guessRecipient(text), clauses: [{ text: text.slice(0, MAX_CONTEXT_CHARS * 2), weight: 1 }] })];
  const context = contextText(text, blocks);
  return blocks.slice(0, MAX_SEGMENTS).map(block => withRemoteMta({
    recipient: block.recipient,
    clauses: [{ text: block.text, weight: 1 }, ...(context ? [{ text: context, weight: CONTEXT_WEIGHT }] : [])],
  }));
}

// The text outside every recipient block: intros and footers about the whole message.
function contextText(text: string, blocks: RecipientBlock[]): string {
  let rest = text;
  for (const block of blocks) for (const line of block.text.split('\n')) if (line.trim()) rest = rest.replace(line, '');
  return rest.replace(/\n{3,}/g, '\n\n').trim().slice(0, MAX_CONTEXT_CHARS);
}

function withRemoteMta(segment: Segment): Segment {
  if (segment.remoteMta) return { ...segment, remoteMta: cleanHost(segment.remoteMta) };
  const found = remoteMtaIn(segment.clauses.filter(c => c.weight > CONTEXT_WEIGHT).map(c => c.text).join('\n'));
  return found ? { ...segment, remoteMta: found } : segment;
}

// Each MTA's way of naming the server that answered.
const REMOTE_MTA: RegExp[] = [
  /\bhost (\S+?\[[^\]\s]+\]) said\b/i,
  /\bconnect to (\S+?\[[^\]\s]+\])(?::\d+)?/i,
  /\b(?:lost connection with|conversation with|offered by host|refused to talk to me)\s*(\S+?\[[^\]\s]+\])/i,
  /\bhost (\S+?\[[^\]\s]+\]) refused to talk\b/i,
  /\bH=(\S+ \[[^\]\s]+\])/,
  /^\s*host (\S+ \[[^\]\s]+\])/im,
  /\bwhile talking to (\S+?)\.?:/i,
  /\bReceiving server: (\S+)/i,
  /\bLastAttemptedServerName=([^\]\s]+)/i,
  /\bServer at (\S+) returned\b/i,
  /\[(\S+?)\.? [\d.:a-f]+: (?:timed out|[245]\d\d\b)/i,
  /\b(?:Giving up on|Connected to) ([\d.:a-f]+|\S+?)\.?(?: but|$)/im,
  /^([\d.]+) (?:does not like|failed after)/m,
];

function remoteMtaIn(text: string): string | undefined {
  for (const re of REMOTE_MTA) {
    const m = text.match(re);
    if (m?.[1]) return cleanHost(m[1]);
  }
  return undefined;
}

const cleanHost = (host: string) => host.trim().replace(/\.(?=\s|\[|$)/g, '').replace(/\s*\((\S+?),.*\)$/, ' [$1]').replace(/:25$/, '');

function guessRecipient(text: string): string | undefined {
  const m = text.match(/\bto=<([^>\s]+@[^>\s]+)>/) ?? text.match(/\bRCPT TO:\s*<([^>\s]+@[^>\s]+)>/i) ?? text.match(/\b(?:delivered|deliver your message) to (\S+@[^\s,]+?)[\s.,]/i) ?? text.match(/<([^>\s@]+@[^>\s]+)>/);
  return m?.[1]?.replace(/[.,;:]$/, '');
}

function firstAddress(value: string | undefined): string | undefined {
  return value?.match(EMAIL)?.[0];
}
