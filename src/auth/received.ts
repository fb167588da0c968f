// Received fields (RFC 5321 §4.4) as the big MTAs write them: where the
// receiving side took the message from outside (the client address and HELO
// name it recorded) and whether that hop was encrypted (RFC 3848's ESMTPS, or
// the TLS details Gmail, Postfix, Exim, Sendmail, OpenSMTPD and Exchange add).
import { isIP } from 'node:net';
import { nonGlobalReason } from '../net/ip.js';

export type HopTls = 'tls' | 'plain' | 'unknown';

export interface ReceivedHop {
  /** 1 = the topmost Received field, the last hop. */
  position: number;
  field: string;
  /** The name the client gave in HELO/EHLO, as recorded in the "from" clause. */
  helo?: string;
  ip?: string;
  by?: string;
  /** The "with" protocol, e.g. ESMTPS. */
  protocol?: string;
  tls: HopTls;
  /** The words the TLS verdict rests on. */
  tlsEvidence?: string;
}

/** RFC 3848 protocol types: an S after (E)SMTP/LMTP means TLS, an A means AUTH. */
const TLS_PROTOCOL = /^(?:e?smtps|esmtpsa|utf8smtpsa?|lmtps|lmtpsa|utf8lmtpsa?)$/i;
const PLAIN_PROTOCOL = /^(?:e?smtp|esmtpa|utf8smtpa?|lmtp|lmtpa|utf8lmtpa?)$/i;
/** TLS details in a comment: Gmail/Sendmail "version=TLS1_3", Postfix "using TLSv1.3", Exim "(TLS1.3)", OpenSMTPD "(TLSv1.3:...)". */
const TLS_DETAIL = /\b(?:version=TLS\S*|using TLSv?[\d.]+|TLSv?1[._]?[0-3]\b[^;)]*)/i;

export function parseReceived(field: string, position: number): ReceivedHop {
  const from = /^from\s+(\S+)(?:\s*\(([^)]*)\))?/i.exec(field);
  const by = /\bby\s+([^\s;()]+)/i.exec(field)?.[1];
  const microsoft = /\bwith\s+Microsoft SMTP Server\b/i.test(field);
  const protocol = microsoft ? 'Microsoft SMTP Server' : /\bwith\s+([A-Za-z0-9_-]+)/i.exec(field)?.[1];
  const ip = from ? clientAddress(from[2] ?? '') : undefined;
  return {
    position,
    field,
    ...(from ? { helo: from[1]!.replace(/^\[|\]$/g, '') } : {}),
    ...(ip ? { ip } : {}),
    ...(by ? { by: by.toLowerCase() } : {}),
    ...(protocol ? { protocol } : {}),
    ...tlsOf(field, protocol, microsoft),
  };
}

/** The address in the "from" clause's comment: "[203.0.113.5]" (most MTAs) or a bare "(203.0.113.5)" (Exchange). */
function clientAddress(comment: string): string | undefined {
  const bracketed = /\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/.exec(comment)?.[1];
  if (bracketed && isIP(bracketed)) return bracketed;
  return comment.split(/[\s,]+/).find(word => isIP(word));
}

function tlsOf(field: string, protocol: string | undefined, microsoft: boolean): Pick<ReceivedHop, 'tls' | 'tlsEvidence'> {
  const detail = TLS_DETAIL.exec(field)?.[0];
  if (protocol && TLS_PROTOCOL.test(protocol)) return { tls: 'tls', tlsEvidence: `with ${protocol}${detail ? ` (${detail})` : ''}` };
  if (detail) return { tls: 'tls', tlsEvidence: detail };
  if ((protocol && PLAIN_PROTOCOL.test(protocol)) || microsoft) return { tls: 'plain', tlsEvidence: `with ${protocol}, no TLS named` };
  return { tls: 'unknown' };
}

/**
 * The hop where the receiving side took the message from outside: the topmost
 * Received field whose client is neither the receiver itself (loopback, a
 * private address unless allowed, a host of the receiver's own domain handing
 * it on internally, as Outlook.com's hops between its servers do).
 */
export function sendingHop(receivedFields: readonly string[], allowPrivate: boolean): ReceivedHop | undefined {
  for (const [i, field] of receivedFields.entries()) {
    const hop = parseReceived(field, i + 1);
    if (!hop.ip || hop.ip === '127.0.0.1' || hop.ip === '::1') continue;
    if (!allowPrivate && nonGlobalReason(hop.ip)) continue;
    if (hop.helo && hop.by && sameDomain(hop.helo, hop.by)) continue;
    return hop;
  }
  return undefined;
}

/** Both names under the same two last labels, e.g. two hosts of prod.outlook.com: one operator's servers. */
function sameDomain(a: string, b: string): boolean {
  const tail = (name: string) => name.toLowerCase().replace(/\.$/, '').split('.').slice(-2).join('.');
  return a.includes('.') && b.includes('.') && tail(a) === tail(b);
}

/** How a hop is named in the report: which field, counted from the top. */
export const describeHop = (hop: ReceivedHop): string => `Received field ${hop.position} from the top: ${hop.field.slice(0, 300)}`;
