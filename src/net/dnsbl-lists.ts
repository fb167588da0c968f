// The blocklists maildiag knows: zone, what each answer address means, and
// which answers are the list refusing the query rather than a listing.
// docs/dnsbl.md explains the choice of lists and each one's policy; keep the two in step.
// RFC 5782 §2.1: an IP list answers an A record in 127.0.0.0/8 for a listed entry.

export type ListKind = 'ip' | 'domain';

export interface DnsblList {
  zone: string;
  name: string;
  kind: ListKind;
  /** Answer address → what it means (a listing). */
  codes: Readonly<Record<string, string>>;
  /**
   * Answer addresses that are policy listings: the range's owner or the list says the address should not deliver
   * mail itself (an end-user or dynamic range), which is no verdict on what it sent.
   */
  policy?: readonly string[];
  /** Lists that encode several sub-lists as bits of the last octet of 127.0.0.x. */
  bits?: Readonly<Record<number, string>>;
  /** Answer address → why the list refused to answer: the result is unknown. */
  refusals: Readonly<Record<string, string>>;
  /** Where to look an entry up and ask for removal. */
  lookup?: string;
}

/** Spamhaus answers these instead of a result on every zone (Spamhaus "DNSBL return codes" FAQ). */
const SPAMHAUS_REFUSALS = {
  '127.255.255.252': 'typing error in the DNSBL name',
  '127.255.255.254': 'query via a public or open resolver, which Spamhaus does not answer',
  '127.255.255.255': 'excessive number of queries from this resolver',
} as const;

/** The PBL's answers, in ZEN and in its own zone (Spamhaus "DNSBL return codes"). */
const PBL_CODES = {
  '127.0.0.10': 'PBL: the ISP says this address should not send mail directly to the internet',
  '127.0.0.11': 'PBL: Spamhaus judges this range as not meant to send mail directly (dynamic/residential)',
} as const;
const PBL_POLICY = Object.keys(PBL_CODES);

const ZEN: DnsblList = {
  zone: 'zen.spamhaus.org',
  name: 'Spamhaus ZEN',
  kind: 'ip',
  codes: {
    '127.0.0.2': 'SBL: Spamhaus Block List, a known spam source or spam operation',
    '127.0.0.3': 'SBL CSS: automated listing of a snowshoe spam source',
    '127.0.0.4': 'XBL: exploited or infected host (botnet, proxy, malware)',
    '127.0.0.9': 'SBL DROP: hijacked or criminal network',
    ...PBL_CODES,
    '127.0.0.30': 'BCL: botnet controller',
  },
  policy: PBL_POLICY,
  refusals: SPAMHAUS_REFUSALS,
  lookup: 'https://check.spamhaus.org/',
};

const SPAMCOP: DnsblList = {
  zone: 'bl.spamcop.net',
  name: 'SpamCop',
  kind: 'ip',
  codes: { '127.0.0.2': 'reported by SpamCop users as a source of spam (entries expire 24 hours after the last report)' },
  refusals: {},
  lookup: 'https://www.spamcop.net/bl.shtml',
};

const BARRACUDA: DnsblList = {
  zone: 'b.barracudacentral.org',
  name: 'Barracuda Reputation Block List',
  kind: 'ip',
  codes: { '127.0.0.2': 'poor reputation in the Barracuda Reputation Block List (BRBL)' },
  refusals: {},
  lookup: 'https://www.barracudacentral.org/lookups',
};

const PSBL: DnsblList = {
  zone: 'psbl.surriel.com',
  name: 'Passive Spam Block List (PSBL)',
  kind: 'ip',
  codes: { '127.0.0.2': 'sent mail to PSBL spam traps (self-service removal)' },
  refusals: {},
  lookup: 'https://psbl.org/',
};

const MAILSPIKE: DnsblList = {
  zone: 'bl.mailspike.net',
  name: 'Mailspike Blacklist',
  kind: 'ip',
  codes: {
    '127.0.0.2': 'part of an ongoing distributed spam wave (Mailspike Z)',
    '127.0.0.10': 'worst reputation (Mailspike L5)',
    '127.0.0.11': 'very bad reputation (Mailspike L4)',
    '127.0.0.12': 'bad reputation (Mailspike L3)',
  },
  refusals: {},
  lookup: 'https://mailspike.io/',
};

const UCEPROTECT_1: DnsblList = {
  zone: 'dnsbl-1.uceprotect.net',
  name: 'UCEPROTECT Level 1',
  kind: 'ip',
  codes: { '127.0.0.2': 'this single address sent mail to UCEPROTECT spam traps (expires 7 days after the last hit)' },
  refusals: {},
  lookup: 'https://www.uceprotect.net/en/rblcheck.php',
};

/** The DBL answers in 127.0.1.0/24 (Spamhaus "DBL return codes"), apart from the IP lists' 127.0.0.0/24. */
const DBL: DnsblList = {
  zone: 'dbl.spamhaus.org',
  name: 'Spamhaus DBL',
  kind: 'domain',
  codes: {
    '127.0.1.2': 'spam domain (low reputation)',
    '127.0.1.4': 'phishing domain',
    '127.0.1.5': 'malware domain',
    '127.0.1.6': 'botnet command-and-control domain',
    '127.0.1.102': 'abused legitimate domain (spam)',
    '127.0.1.103': 'abused legitimate redirector or URL shortener',
    '127.0.1.104': 'abused legitimate domain (phishing)',
    '127.0.1.105': 'abused legitimate domain (malware)',
    '127.0.1.106': 'abused legitimate domain (botnet C&C)',
  },
  refusals: { ...SPAMHAUS_REFUSALS, '127.0.1.255': 'the DBL does not answer IP address queries' },
  lookup: 'https://check.spamhaus.org/',
};

const SURBL: DnsblList = {
  zone: 'multi.surbl.org',
  name: 'SURBL multi',
  kind: 'domain',
  codes: {},
  bits: { 8: 'phishing (PH)', 16: 'malware (MW)', 64: 'spam and abuse (ABUSE)', 128: 'cracked or compromised site (CR)' },
  refusals: { '127.0.0.1': 'SURBL blocks queries from public or high-volume resolvers' },
  lookup: 'https://www.surbl.org/',
};

const URIBL: DnsblList = {
  zone: 'multi.uribl.com',
  name: 'URIBL multi',
  kind: 'domain',
  codes: {},
  bits: { 2: 'URIBL black: domain used by spammers', 4: 'URIBL grey: bulk-mail domain, may honour opt-outs', 8: 'URIBL red: very young or hidden-owner domain seen in mail' },
  refusals: { '127.0.0.1': 'URIBL refuses queries from public or high-volume resolvers' },
  lookup: 'https://uribl.com/',
};

/** Queried by default: widely used, free for low-volume lookups, still operated. */
export const DEFAULT_LISTS: readonly DnsblList[] = [ZEN, SPAMCOP, BARRACUDA, PSBL, MAILSPIKE, UCEPROTECT_1, DBL, SURBL, URIBL];

/** Known, but not queried by default (docs/dnsbl.md says why). */
const OTHER_LISTS: readonly DnsblList[] = [
  { zone: 'pbl.spamhaus.org', name: 'Spamhaus PBL', kind: 'ip', codes: PBL_CODES, policy: PBL_POLICY, refusals: SPAMHAUS_REFUSALS, lookup: 'https://check.spamhaus.org/' },
  { zone: 'dnsbl-2.uceprotect.net', name: 'UCEPROTECT Level 2', kind: 'ip', codes: { '127.0.0.2': 'the address\'s network neighbourhood has too many Level 1 listings' }, refusals: {}, lookup: 'https://www.uceprotect.net/en/rblcheck.php' },
  { zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', kind: 'ip', codes: { '127.0.0.2': 'the address\'s whole provider (AS) has too many Level 1 listings' }, refusals: {}, lookup: 'https://www.uceprotect.net/en/rblcheck.php' },
];

/** The lists to query: --dnsbl zones (unknown zones are read as IP lists), or the default set. */
export function selectLists(zones: readonly string[] | undefined): DnsblList[] {
  if (!zones) return [...DEFAULT_LISTS];
  const known = [...DEFAULT_LISTS, ...OTHER_LISTS];
  return [...new Set(zones)].map(zone => known.find(l => l.zone === zone) ?? unknownList(zone));
}

/** A list without a table: Spamhaus's refusal codes are never listings anywhere (listings are 127.0.0.x). */
function unknownList(zone: string): DnsblList {
  return { zone, name: zone, kind: 'ip', codes: {}, refusals: SPAMHAUS_REFUSALS };
}

/** Whether every answer of a listing is a policy code: an end-user range, not a verdict on what the address sent. */
export function isPolicyListing(list: DnsblList, addresses: readonly string[]): boolean {
  return addresses.length > 0 && addresses.every(address => list.policy?.includes(address));
}

/** True for a zone maildiag has no return-code table for. */
export const isUnknownList = (list: DnsblList): boolean => !Object.keys(list.codes).length && !list.bits;

/** Why maildiag cannot read an answer address as a documented meaning; src/causes.ts words it. */
export type Unread =
  /** The list has no return-code table: every 127.0.0.x counts as listed. */
  | 'noTable'
  /** Outside 127.0.0.0/8, which no blocklist answers (a resolver rewriting NXDOMAIN). */
  | 'outsideLoopback'
  /** A code the list does not use. */
  | 'undocumented';

export type CodeReading =
  | { verdict: 'listed'; meaning: string }
  | { verdict: 'listed'; unread: 'noTable' }
  | { verdict: 'refused'; meaning: string }
  /** Not a DNSBL answer at all. */
  | { verdict: 'unexpected'; unread: Exclude<Unread, 'noTable'> };

/** What one answer address means on this list. */
export function readCode(list: DnsblList, address: string): CodeReading {
  const refusal = list.refusals[address];
  if (refusal) return { verdict: 'refused', meaning: refusal };
  const known = list.codes[address];
  if (known) return { verdict: 'listed', meaning: known };
  const octets = address.split('.').map(Number);
  if (octets[0] !== 127) return { verdict: 'unexpected', unread: 'outsideLoopback' };
  const inLocalNet = octets[1] === 0 && octets[2] === 0;
  if (list.bits && inLocalNet) {
    const meanings = Object.entries(list.bits).filter(([bit]) => octets[3]! & Number(bit)).map(([, meaning]) => meaning);
    if (meanings.length) return { verdict: 'listed', meaning: meanings.join(' + ') };
  }
  if (isUnknownList(list) && inLocalNet) return { verdict: 'listed', unread: 'noTable' };
  return { verdict: 'unexpected', unread: 'undocumented' };
}
