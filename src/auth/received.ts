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
/**
 * TLS details in a comment: Gmail/Sendmail/Haraka/Exchange "version=TLS1_3",
 * Postfix "using TLSv1.3", Exim "(TLS1.3)", OpenSMTPD "(TLSv1.3:...)". Case
 * matters: a host name such as tls13.example.net is no evidence.
 */
const TLS_DETAIL = /version=TLSv?1[._]?[0-3]\b|using TLSv1\.[0-3]\b|\(TLSv?1[._][0-3]\b[^;)]*/;

export function parseReceived(field: string, position: number): ReceivedHop {
  const from = /^from\s+(\S+)(?:\s*\(([^)]*)\))?/i.exec(field);
  const by = /\bby\s+([^\s;()]+)/i.exec(field)?.[1];
  const microsoft = /\bwith\s+Microsoft\s+SMTP\s+Server\b/i.test(field);
  const protocol = microsoft ? 'Microsoft SMTP Server' : /\bwith\s+([A-Za-z0-9_-]+)/i.exec(field)?.[1];
  const ip = from ? clientAddress(from[2] ?? '') : undefined;
  return {
    position,
    field,
    ...(from ? { helo: heloOf(from[1]!, from[2] ?? '') } : {}),
    ...(ip ? { ip } : {}),
    ...(by ? { by: by.toLowerCase() } : {}),
    ...(protocol ? { protocol } : {}),
    ...tlsOf(field, protocol, microsoft),
  };
}

/** The HELO name: Exim writes the verified host name first and "helo=NAME" in the comment when they differ. */
const heloOf = (name: string, comment: string): string => /\bhelo=([^\s)\]]+)/i.exec(comment)?.[1] ?? name.replace(/^\[|\]$/g, '');

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
 * Received field whose client is not the receiver itself. The receiver's own
 * hops are those from loopback or (unless allowed) private addresses, and
 * those from a host under a domain the receiver's "by" names already used
 * (Outlook.com hands a message between prod.outlook.com and office365.com
 * servers over public IPv6). When every client with a public address is such
 * a host and nothing below it had an address, the lowest one is the sender:
 * mail sent through the same provider (Google Workspace to Gmail) enters at
 * its own outbound servers.
 */
export function sendingHop(receivedFields: readonly string[], allowPrivate: boolean): ReceivedHop | undefined {
  const receiverDomains = new Set<string>();
  let lowestOwn: ReceivedHop | undefined;
  let internalBelow = false;
  for (const [i, field] of receivedFields.entries()) {
    const hop = parseReceived(field, i + 1);
    if (hop.by) receiverDomains.add(domainTail(hop.by));
    if (!hop.ip) continue;
    if (hop.ip === '127.0.0.1' || hop.ip === '::1' || (!allowPrivate && nonGlobalReason(hop.ip))) {
      internalBelow = Boolean(lowestOwn);
      continue;
    }
    if (!hop.helo || !receiverDomains.has(domainTail(hop.helo))) return hop;
    lowestOwn = hop;
  }
  // A client below the provider's own hops that was skipped (private, loopback) may be the real sender: say nothing.
  return internalBelow ? undefined : lowestOwn;
}

/** The last two labels of a host name: enough to tell one operator's servers from another's. */
const domainTail = (name: string): string => name.toLowerCase().replace(/\.$/, '').split('.').slice(-2).join('.');

/** How a hop is named in the report: which field, counted from the top. */
export const describeHop = (hop: ReceivedHop): string => `Received field ${hop.position} from the top: ${hop.field.slice(0, 300)}`;
