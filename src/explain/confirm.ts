// What a live check could look at to confirm a cause: the sending IP a list or
// PTR check needs, the domain a DNS/MX/auth check needs, the blocklist zone.
import type { Confirm } from './types.js';
import { domainOf } from './text.js';

const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}`;
// IPv6 with "::" or all eight groups, so clock times such as 10:15:22 are not taken for addresses.
const IPV6 = String.raw`(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}`;
const IP_G = new RegExp(`(?<![\\w.:])(?:${IPV4}|${IPV6})(?![\\w.:]*\\w)`, 'g');

// Where a remote server names its own address ("host mx[ip] said", "H=mx [ip]", "relay=mx[ip]").
const REMOTE_IP = new RegExp(String.raw`(?:(?<!client )host |relay=|H=|connect to |talking to |Connected to |on )[^\s[]*\s?\[?(${IPV4}|${IPV6})(?![\d.])`, 'gi');

// Which list the reply names, as a zone; well-known list names map to their main zone.
const ZONE = /\b(?:blocked using|listed (?:at|on|in|by)|black ?list at|is listed at)\s+(?:the )?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i;
const LIST_NAMES: [RegExp, string][] = [
  [/Spamhaus DBL|dbl\.spamhaus/i, 'dbl.spamhaus.org'],
  [/spamhaus/i, 'zen.spamhaus.org'],
  [/spamcop/i, 'bl.spamcop.net'],
  [/barracuda/i, 'b.barracudacentral.org'],
  [/uribl/i, 'multi.uribl.com'],
  [/surbl/i, 'multi.surbl.org'],
];

// Causes about the sending side look at the sender's domain; the rest at the recipient's.
const SENDER_SIDE = /^(?:auth\.|sender\.|rbl\.domain-listed|spf\.|dkim\.|dmarc\.)/;
const WANTS_IP = /^(?:rbl\.listed|rbl\.query-refused|ptr\.|reputation\.poor)/;
const WANTS_LIST = /^rbl\./;
const CHECKABLE = /^(?:rbl\.|ptr\.|dns\.|domain\.|mx\.|smtp\.|tls\.|network\.|auth\.|sender\.domain-invalid|reputation\.poor|recipient\.unknown)/;

export interface ConfirmContext {
  cause: string;
  text: string;
  recipient?: string;
  sender?: string;
}

export function confirmSubjects({ cause, text, recipient, sender }: ConfirmContext): Confirm | undefined {
  if (!CHECKABLE.test(cause)) return undefined;
  const confirm: Confirm = {};
  const ip = WANTS_IP.test(cause) ? sendingIp(text) : undefined;
  const list = WANTS_LIST.test(cause) ? listZone(text) : undefined;
  const domain = SENDER_SIDE.test(cause) ? senderDomain(text) ?? domainOf(sender) : domainOf(recipient);
  if (ip) confirm.ip = ip;
  if (domain) confirm.domain = domain;
  if (list) confirm.list = list;
  return Object.keys(confirm).length ? confirm : undefined;
}

/** The address the reply complains about: an IP in the text that is not the remote server's own. */
function sendingIp(text: string): string | undefined {
  const remote = new Set([...text.matchAll(REMOTE_IP)].map(m => m[1]));
  return [...text.matchAll(IP_G)].map(m => m[0]).find(ip => !remote.has(ip) && !ip.startsWith('127.'));
}

function listZone(text: string): string | undefined {
  const zone = text.match(ZONE)?.[1]?.toLowerCase().replace(/[.;]+$/, '');
  if (zone && !/^\d+(?:\.\d+)+$/.test(zone)) return zone.replace(/=127\..*$/, '');
  return LIST_NAMES.find(([re]) => re.test(text))?.[1];
}

const SENDER_DOMAIN = /\b(?:MAIL FROM domain|sending domain|Unauthenticated email from|DMARC policy for|SPF \[|Sender address \[[^@\]]*@|domain of sender address \S*@|sender domain)\s*\[?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i;

function senderDomain(text: string): string | undefined {
  return text.match(SENDER_DOMAIN)?.[1]?.toLowerCase().replace(/\.$/, '');
}
