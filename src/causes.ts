// The cause registry: every problem maildiag can report, with the words people
// read about it. Checks emit ids; renderers and `maildiag causes` read the text
// from here only. Entries are in causal order (domain → DNS → MX → reachability
// → TLS/identity → authentication → hygiene → bounce-only), which the ranker
// uses as its tie-break, so a root cause sorts before its symptoms.

import type { DmarcProblem, DmarcUnreadable } from './auth/dmarc-record.js';
import type { SpfDnsFailure, SpfReason } from './auth/spf-eval.js';
import type { DkimKeyProblem } from './auth/dkim-key.js';
import type { SpfSyntaxProblem } from './auth/spf-record.js';
import type { TagListProblem } from './auth/tag-list.js';
import type { SpfAbsence, SpfWalk } from './auth/spf-walk.js';
import type { CheckedAddress } from './checks/addresses.js';
import type { DnsblSubject } from './checks/dnsbl-findings.js';
import type { ClockSource } from './checks/server-clocks.js';
import type { TesterAddress, TesterReverse } from './checks/tester-address.js';
import type { Unread } from './net/dnsbl-lists.js';
import type { DirectAttempt, ReturnCode, UnansweredWhy } from './net/dnsbl.js';
import { NOT_REACHED, type DirectReply, type ServerReply } from './net/dns/authorities.js';
import type { EmbeddedForm, GenericReason } from './net/ptr-heuristics.js';
import type { HttpFailure } from './net/https.js';
import type { ForwardCheck } from './net/reverse-dns.js';
import { describeDial, duration, sayStopReason, seconds, unreachableWords, type StopReason } from './net/smtp/session.js';
import { sayTlsFailure, type TlsFailure } from './net/tls.js';
import type { HeaderProblem, UnsubscribeGap } from './senders/observe.js';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SIDES = ['recipient', 'sender', 'network', 'local'] as const;
export type Side = (typeof SIDES)[number];

export interface CauseDef {
  title: string;
  severity: Severity;
  side: Side;
  explanation: string;
  fix: string;
  /**
   * Advice for particular cases of the cause, by case name, where `fix` would mislead (a policy listing is not a
   * spam verdict). A finding whose messageId names a case takes that case's fix; explain's wording rules name
   * the case their reply shows.
   */
  fixes?: Readonly<Record<string, string>>;
  refs?: readonly string[];
  /** Symptoms this cause explains: when both are present the symptom is folded under it. */
  masks?: readonly string[];
  /** Symptoms this cause explains only in some of their messages (cause id → messageIds): those findings alone are folded under it. */
  masksMessages?: Readonly<Record<string, readonly string[]>>;
  /**
   * A finding's first line, by messageId: `{name}` is data.name, `{name|format}`
   * says it through FORMATS. Checks report (cause, messageId, data); only this
   * file turns that into words, as ESLint rules' messages do.
   */
  messages?: Readonly<Record<string, string>>;
}

/** Keeps the ids as literal keys (CauseId) while typing every entry as a CauseDef. */
/** What an SMTP session would have shown: nothing to say about them when no session can happen. */
const SESSION_SYMPTOMS = [
  'smtp.insufficient-storage',
  'smtp.ehlo-refused',
  'smtp.greylisting',
  'smtp.rejected',
  'smtp.recipient-rejected',
  'smtp.open-relay',
  'smtp.size-limit-low',
  'smtp.banner-mismatch',
  'smtp.tls-required',
  'tls.starttls-missing',
  'tls.protocol-old',
  'tls.handshake-failed',
  'tls.cert-untrusted',
  'tls.cert-expired',
  'tls.cert-expiring',
  'tls.cert-not-yet-valid',
  'tls.cert-name-mismatch',
] as const;

/** What a resolver that cannot be trusted makes a domain look like: nothing to say about the domain then. */
const RESOLVER_SYMPTOMS = [
  'dns.servfail',
  'domain.nxdomain',
  'mx.missing',
  'mx.implicit',
  'mx.target-nxdomain',
  'mx.all-unreachable',
  'mta-sts.invalid',
  'tls-rpt.missing',
  'ptr.missing',
  'ptr.not-fcrdns',
  'rbl.query-refused',
  'rbl.unknown',
  'spf.missing',
  'spf.void-lookups',
  'spf.temperror',
  'dkim.not-found',
  'dmarc.missing',
  'dmarc.rua-unauthorized',
] as const;

/** A 421/452 mid-session that names the server's own state (out of storage, its connection limit): said alike by the cause it reads as. */
const SERVER_STATE_ENDED_SESSION = '{server|hostAndIp} ended the session at {step|upper} with {reply|quoted}: that is the server\'s own state, and it turns away every sender alike';

/**
 * A TLS failure on an MX host that an MTA-STS policy in enforce mode lists: said alike by each cause that stops
 * delivery there (RFC 8461 §5.1: no STARTTLS, a failed handshake, only deprecated TLS, a certificate that fails
 * validation). Only those causes carry it; an expiring certificate still validates.
 */
const STS_ENFORCED =
  'the MTA-STS policy of {domain} is in enforce mode and lists {host} ({pattern}): senders that apply it (Gmail and Microsoft 365 among them) deliver there only over TLS 1.2 or later with a certificate that validates, so they queue mail for {domain} and bounce it when their retries run out';

/** What an address in an end-user or dynamic range does instead of delivering mail itself. */
const END_USER_RELAY =
  'Send through the ISP\'s or mail provider\'s relay (smarthost), or submit with authentication on port 587 to a provider that delivers for you, instead of connecting to recipients\' MX hosts from this address.';
/** Who may deliver mail itself after all. */
const STATIC_SERVER_ONLY = 'Only a static address that runs a real mail server should deliver itself: give it a specific PTR name (e.g. mail.example.org) that resolves back to it,';
/** And how such an address gets off a policy list. */
const STATIC_SERVER_DELISTING = `${STATIC_SERVER_ONLY} then use the list's self-removal through its lookup page (Spamhaus PBL removal is for static addresses only; a dynamic range is listed again by its ISP).`;

// `const` keeps each message template's literal type, so a finding's data is typed by its placeholders.
const defineCauses = <const D extends Record<string, CauseDef>>(defs: D): D => defs;

const registry = defineCauses({
  'dns.resolver-unreachable': {
    title: 'No answer from the DNS resolver',
    severity: 'error',
    side: 'local',
    explanation:
      'None of the DNS servers maildiag was told to ask answered at all, so nothing about the domain could be checked. This is about the machine running maildiag, not the domain.',
    fix: 'Check this machine\'s network and firewall and the nameserver lines in /etc/resolv.conf, or point maildiag at a working resolver with --resolver (e.g. --resolver 1.1.1.1).',
    masks: RESOLVER_SYMPTOMS,
    messages: {
      refused: 'the resolver {server} refused to answer (it does not offer recursion to this machine)',
      silent: 'no answer from {resolvers|list}, not even for the root zone',
    },
  },
  'dns.resolver-failing': {
    title: 'The DNS resolver fails every lookup',
    severity: 'error',
    side: 'local',
    explanation:
      'The DNS server maildiag asked answers, but with NXDOMAIN or SERVFAIL even for the root zone, which every working resolver knows. Its answers about the domain mean nothing: the domain was not looked at. This is about the machine running maildiag (its resolver or /etc/resolv.conf), not the domain.',
    fix: 'Use another resolver (e.g. --resolver 1.1.1.1), or fix the nameserver lines in /etc/resolv.conf and the resolver they name (its upstream servers, its firewall, its DNSSEC trust anchor).',
    masks: RESOLVER_SYMPTOMS,
    messages: {
      failing: 'the resolver {resolvers|list} answers {rootAnswer|upper} even for the root zone, so its {answer|upper} for {about} says nothing about {about}',
    },
  },
  'dns.resolver-hijacked': {
    title: 'The DNS resolver makes up addresses for names that do not exist',
    severity: 'error',
    side: 'local',
    explanation:
      'The DNS server maildiag asked gave an address for a random name that cannot exist instead of NXDOMAIN: it rewrites "no such domain" into its own server (ISP "search assist" or ad pages). A domain that does not exist then looks like one whose mail goes to that server, so what maildiag saw is the resolver\'s invention, not the domain.',
    fix: 'Use a resolver that does not rewrite answers (e.g. --resolver 1.1.1.1), or turn off the ISP\'s "search assist"/"DNS error redirect" option and fix the nameserver lines in /etc/resolv.conf.',
    masks: RESOLVER_SYMPTOMS,
    messages: {
      invented: 'the resolver answers {addresses|list} for {domain} and the same for a random name that cannot exist: the address is the resolver\'s, not the domain\'s',
    },
  },
  'dns.resolver-filtered': {
    title: 'The DNS resolver denies a domain that exists',
    severity: 'error',
    side: 'local',
    explanation:
      'The DNS server maildiag asked says the domain does not exist (NXDOMAIN), but the domain\'s own name servers, asked directly, answer for it: the zone above delegates it and they serve it. The resolver, or a DNS filter in front of it, denies the name: a company DNS firewall or RPZ policy, a Pi-hole or AdGuard block list, a "family" or "security" resolver (Quad9, Cloudflare 1.1.1.2/1.1.1.3, OpenDNS), split-horizon DNS, a school content filter. The domain was not looked at through this resolver, and nothing seen says it is broken.',
    fix: 'Run maildiag with another resolver (e.g. --resolver 1.1.1.1) or from another network, or ask whoever runs the filter (your IT department, the resolver\'s operator, the block list) why it blocks the domain. Mail servers behind the same resolver cannot deliver to the domain either.',
    refs: ['RFC 8020', 'RFC 1034 §4.3.2'],
    masks: RESOLVER_SYMPTOMS,
    messages: {
      denied:
        'the resolver {server} says {domain} does not exist, but {authority}, a name server of {zone}, asked directly, publishes its MX {exchanges|list}: the resolver, or a filter in front of it, denies a domain that exists',
      deniedNoMx:
        'the resolver {server} says {domain} does not exist, but {authority}, a name server of {zone}, asked directly, answers for it (with no MX record): the resolver, or a filter in front of it, denies a domain that exists',
    },
  },
  'dns.resolver-servfail': {
    title: 'The DNS resolver fails for a domain whose name servers answer',
    severity: 'error',
    side: 'local',
    explanation:
      'The DNS server maildiag asked answers SERVFAIL for the domain, and SERVFAIL again with DNSSEC checking disabled (CD), so the domain\'s DNSSEC is not what fails; yet the domain\'s own name servers, asked directly from this machine, answer for it. The resolver cannot reach them, or is broken for that zone: a firewall between the resolver and the internet, a forwarder that fails or blocks the name, a stale or broken cache. The domain was not looked at through this resolver. Should other resolvers fail too, look at the domain again: its name servers may answer some addresses and not others (over IPv6, or from other networks), and maildiag asked them over IPv4 from here.',
    fix: 'Run maildiag with another resolver (e.g. --resolver 1.1.1.1) or from another network. If that works, fix the resolver (its forwarders, its firewall, flush its cache); if every resolver fails, check the domain\'s name servers from outside over IPv4 and IPv6 (dnsviz.net).',
    refs: ['RFC 4035 §3.2.2', 'RFC 1034 §4.3.2'],
    masks: RESOLVER_SYMPTOMS,
    messages: {
      ownServersAnswer:
        'the resolver {server} answers SERVFAIL for {domain}, even with DNSSEC checking disabled (CD), while {authority}, a name server of {zone}, asked directly, answers it ({answer|mxAnswer}): the resolver, or its path to those servers, fails, not the domain',
    },
  },
  'clock.skewed': {
    title: 'This machine\'s clock is wrong',
    severity: 'warning',
    side: 'local',
    explanation:
      'Certificates are valid from one date to another, and maildiag judges them by this machine\'s clock. Here the clock is far off what the peers show: servers state a time hours or days away (in their SMTP greeting or HTTP Date header) by which a certificate that looks expired or not valid yet here is valid (two servers agreeing, or one server and the CA that dated the certificate: one server\'s clock alone may be the wrong one), a public CA\'s certificate starts later than this clock\'s today (public CAs never date ahead), or every mail server presents a certificate that is valid only from a later date. Such certificates say more about this clock than about the servers; a certificate that is out of date by the servers\' time too is reported on its own.',
    fix: 'Set this machine\'s clock right (enable NTP: "timedatectl set-ntp true", or check the time zone and the hardware clock), then run maildiag again.',
    refs: ['RFC 5280 §4.1.2.5', 'RFC 5322 §3.3', 'RFC 9110 §6.6.1'],
    // Not the certificate causes: the certificate check itself tells a certificate this clock explains from one that is out of date by the servers' time too.
    // Of a broken MTA-STS policy, only a policy certificate refused for its dates alone: a clock explains no missing MX or malformed policy.
    masksMessages: { 'mta-sts.invalid': ['certOutOfDate', 'certNotYetValidOrClock'] },
    messages: {
      certificatesFromLater: 'every MX host\'s certificate ({certificates}) is valid only from a later date than this machine\'s clock ({clock}); the earliest from {earliestValidFrom|day}: the clock is most likely behind',
      aheadOfServer: 'this machine\'s clock ({clock}) is {hours} hours ahead of the Date that {host} sent ({serverDate})',
      behindServer: 'this machine\'s clock ({clock}) is {hours} hours behind the Date that {host} sent ({serverDate})',
      certificateNotYetValid: 'this machine\'s clock ({clock}) is {hours} hours behind the time {host} states in its {source|clockSource} ({serverDate}), by which the certificate {subject} of {server|hostAndIps}, valid from {validFrom|day}, is already valid: it only looks not valid yet here',
      certificateExpired: 'this machine\'s clock ({clock}) is {hours} hours ahead of the time {host} states in its {source|clockSource} ({serverDate}), by which the certificate {subject} of {server|hostAndIps}, valid until {validTo|day}, has not expired: it only looks expired here',
      publicCaDatedLater: 'the certificate of {server|hostAndIps} is valid only from {validFrom} while this machine\'s clock says {clock}, yet its issuer {issuer} is a public CA, and public CAs date a certificate when they issue it or a little earlier, never later: this clock is most likely behind',
      certificateExpiring: 'this machine\'s clock ({clock}) is {hours} hours ahead of the time {host} states in its {source|clockSource} ({serverDate}), by which the certificate {subject} of {server|hostAndIps}, valid until {validTo|day}, has more than 14 days left: it only looks about to expire here',
    },
  },
  'dns.servfail': {
    title: 'The domain\'s DNS is broken (SERVFAIL)',
    severity: 'error',
    side: 'recipient',
    explanation:
      'Looking up the domain returned SERVFAIL: its name servers do not answer properly (lame delegation, servers down) or its DNSSEC signatures do not validate. Mail servers that cannot look the domain up delay its mail and eventually bounce it.',
    fix: 'Ask whoever hosts the domain\'s DNS to check that every name server listed at the registrar answers for the zone and, if DNSSEC is on, that the DS record at the registrar matches the zone\'s current keys (dnsviz.net shows where it breaks).',
    refs: ['RFC 1035', 'RFC 4035 §5'],
    masks: [
      'mx.missing',
      'mx.implicit',
      'mx.target-nxdomain',
      'mta-sts.invalid',
      'tls-rpt.missing',
      'spf.missing',
      'spf.temperror',
      'dkim.not-found',
      'dmarc.missing',
      'delivery.delayed',
      'delivery.expired',
    ],
    messages: {
      mxHostLookup: 'the address lookup of MX host {host} failed ({a}/{aaaa})',
      mxLookupFailed: 'the MX lookup for {domain} failed ({answer})',
      unconfirmed: 'the resolver {server} answers SERVFAIL for {domain}, and this could not be confirmed: {why|unconfirmed}',
      dnssecBroken:
        '{domain}\'s DNSSEC does not validate: the resolver {server} answers SERVFAIL for it, yet with checking disabled (CD) it answers {answer|mxAnswer}, unvalidated (no AD bit), as {authority}, a name server of {zone}, does asked directly: validating resolvers (Google, Comcast, most ISPs) cannot look the domain up, so their users\' mail to it is not delivered{signatures|dnssecClue}',
      deadServers: '{delegatedBy} delegates {domain} to {nameServers|list}, and none of them answers (asked directly: {servers|serverReplies}), so resolvers answer SERVFAIL for it (the resolver {server} does)',
      lameServers: '{delegatedBy} delegates {domain} to {nameServers|list}, but they do not serve it (asked directly: {servers|serverReplies}), so resolvers answer SERVFAIL for it (the resolver {server} does)',
      unanswered: 'the resolver answers, but not for {domain}: its name servers did not respond in time',
      spfLookupFailed: 'the TXT lookup for {domain} failed ({answer|upper}), so its SPF record cannot be read, by receivers either: they get an SPF temperror for its mail and defer it or treat it as unauthenticated',
      dmarcLookupFailed: 'the TXT lookup for {name} failed ({answer|upper}), so its DMARC policy cannot be read, by receivers either: they get a DMARC temperror and may defer the domain\'s mail',
    },
  },
  'domain.nxdomain': {
    title: 'The domain does not exist',
    severity: 'error',
    side: 'recipient',
    explanation:
      'DNS answers NXDOMAIN for the domain: it is not registered, has expired, or is misspelt, or the registry still delegates it to name servers that no longer serve it. Nobody can deliver mail to it. maildiag asks the name servers of the zone above the domain (and the domain\'s own) directly whether it exists, so that the word of the resolver on this machine, which may filter names, is not the only one.',
    fix: 'Check the spelling; if the domain is yours, renew the registration and make sure the registrar points it at name servers that serve the zone.',
    refs: ['RFC 8020', 'RFC 1034 §4.3.2'],
    masks: ['mx.missing', 'tls-rpt.missing', 'spf.missing', 'dkim.not-found', 'dmarc.missing'],
    messages: {
      nxdomain: '{domain} does not exist (NXDOMAIN from {server})',
      notServed: '{delegatedBy} delegates {domain} to {nameServers|list}, but they do not serve it (asked directly: {replies|directReplies}), so it does not resolve (the resolver {server} answers NXDOMAIN)',
      unconfirmed: '{domain} does not exist, says the resolver {server}, and only the resolver: {why|unconfirmed}',
      zoneDenies: '{domain} does not exist, says {confirmedBy}, a name server of {zone}, asked directly (NXDOMAIN), while the resolver {server} answers SERVFAIL for it',
      aliasTarget: '{domain} is an alias ({alias}, from its name server {authority} asked directly), and the resolver {server} says the name it points to does not exist',
    },
  },

  'mx.missing': {
    title: 'No MX record and no address for the domain',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The domain has no MX record and no A or AAAA record either, so senders have nowhere to deliver its mail and bounce it straight away (RFC 5321 §5.1).',
    fix: 'Publish an MX record for the server or provider that receives the domain\'s mail, e.g. "example.org. MX 10 mail.example.org.", using the host names your provider gives you.',
    refs: ['RFC 5321 §5.1'],
    messages: {
      nowhere: '{domain} has no MX record and no A/AAAA record: there is nowhere to deliver its mail',
    },
  },
  'mx.null': {
    title: 'Null MX: the domain declares it accepts no mail',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The domain publishes a null MX ("MX 0 ."), the RFC 7505 way of saying it never receives email. Senders reject mail to it at once, so nothing sent there will arrive.',
    fix: 'If the domain should receive mail, replace the null MX with real MX records for your mail server or provider; if it should not, this is correct and nothing needs changing.',
    refs: ['RFC 7505'],
    masks: [
      'mx.all-unreachable',
      'mx.primary-unreachable',
      'smtp.refused',
      'smtp.timeout',
      'smtp.no-banner',
      'smtp.busy',
      'smtp.untestable',
      ...SESSION_SYMPTOMS,
      'mta-sts.invalid',
      'tls-rpt.missing',
      'tls-rpt.invalid',
      'dane.tlsa-mismatch',
    ],
    messages: {
      alone: '{domain} publishes a null MX ("0 ."): it declares that it accepts no mail (RFC 7505)',
      mixed: '{domain} mixes a null MX ("0 .") with other MX records; RFC 7505 §3 says the null MX must be the only one',
    },
  },
  'mx.implicit': {
    title: 'No MX record: mail falls back to the A record (implicit MX)',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The domain has no MX record, so senders use its A/AAAA address as an implicit MX (RFC 5321 §5.1). That address is often a web server that does not accept mail, and some senders do not fall back at all.',
    fix: 'Publish an explicit MX record for the host that really receives the mail, e.g. "example.org. MX 10 mail.example.org."',
    refs: ['RFC 5321 §5.1'],
    messages: {
      fallback: '{domain} has no MX record; senders fall back to its A/AAAA record ({addresses|list})',
    },
  },
  'mx.target-nxdomain': {
    title: 'An MX host name does not resolve (NXDOMAIN)',
    severity: 'error',
    side: 'recipient',
    explanation:
      'An MX record names a host that does not exist in DNS (NXDOMAIN), so the MX target does not resolve to any address and senders cannot connect to it. This is usually a typo or a leftover record after a change of mail provider.',
    fix: 'Correct the MX record to the host name your mail provider gives, or add the missing A/AAAA record for that host; delete MX records for servers that no longer exist.',
    refs: ['RFC 5321 §5.1'],
    masks: ['mx.primary-unreachable'],
    messages: {
      nxdomain: 'MX host {host} does not resolve: it does not exist (NXDOMAIN)',
      noAddress: 'MX host {host} does not resolve: it has no A or AAAA record',
    },
  },
  'mx.target-invalid': {
    title: 'MX points at a CNAME or an IP address',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'An MX record must name a host that has its own A/AAAA record. Here it points at an alias (CNAME) or is written as an IP address; many senders tolerate this but some refuse, so part of the mail may bounce (RFC 2181 §10.3, RFC 5321 §5.1).',
    fix: 'Point the MX at the real host name (the target of the CNAME), or give the IP address a host name with an A record and use that, e.g. "MX 10 mail.example.org."',
    refs: ['RFC 2181 §10.3', 'RFC 5321 §5.1'],
    messages: {
      cname: 'MX host {host} is a CNAME ({aliases|list}); RFC 2181 §10.3 forbids it and some senders refuse it',
      addressBesideHosts: 'MX {preference} {exchange} is an IP address; an MX must name a host (RFC 5321 §5.1), so senders cannot use it and deliver to the other MX hosts',
      addressOnly: 'MX {preference} {exchange} is an IP address; an MX must name a host (RFC 5321 §5.1), so no sender can use it, and {domain} has no other MX: its mail cannot be delivered',
    },
  },
  'mx.target-private': {
    title: 'An MX host resolves to a private or reserved address',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'An MX host resolves to a loopback, private (e.g. 10.x.x.x, 192.168.x.x) or otherwise reserved address that cannot be reached from the internet, so outside senders cannot deliver to it. This often happens when internal DNS records leak into public DNS.',
    fix: 'Publish the server\'s public IP address for the MX host in public DNS; if you are testing inside a lab or internal network on purpose, run maildiag with --allow-private.',
    refs: ['RFC 1918', 'RFC 6890'],
    masks: ['mx.all-unreachable', 'mx.primary-unreachable'],
    messages: {
      unroutable: 'MX host {host} resolves to {addresses|addressRanges}, which the internet cannot reach',
    },
  },

  'smtp.refused': {
    title: 'Connection refused on port 25',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The host answered but refused the connection on port 25: no mail server is listening there, or a firewall actively rejects it. Senders cannot deliver to this host.',
    fix: 'Start the mail server (or fix the address and port it listens on) and allow inbound TCP port 25 from the internet in the host and edge firewalls; if the MX record names the wrong host, point it at the real mail server.',
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      refused: '{server|hostAndIp} refused the connection on port 25{fallback|fallback}',
    },
  },
  'smtp.timeout': {
    title: 'Connection to the mail server timed out',
    severity: 'error',
    side: 'recipient',
    explanation:
      'Connecting to port 25 on the host timed out: nothing answered at all, which usually means a firewall silently drops the traffic or the host is down. Senders retry for a few days and then bounce the mail.',
    fix: 'Check that the host is up and that inbound TCP port 25 is allowed through its firewall; if every mail server times out from this machine, the problem is this network (see network.port25-blocked).',
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      timedOut: 'connecting to {server|hostAndIp} on port 25 timed out after {timeoutMs|seconds}{fallback|fallback}',
      unreachable: '{server|hostAndIp} cannot be reached on port 25: {code|unreachable}{fallback|fallback}',
    },
  },
  'smtp.no-banner': {
    title: 'The mail server never sends its greeting banner',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The TCP connection opens but the server never sends its 220 greeting (banner), so no SMTP conversation can start. This happens with overloaded servers, broken filters or deliberate tarpits; senders wait up to 5 minutes, then retry later (RFC 5321 §4.5.3.2).',
    fix: 'Check the mail server\'s load and logs, and any proxy or anti-spam appliance in front of it; a healthy server greets within a few seconds.',
    refs: ['RFC 5321 §4.5.3.2'],
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      noGreeting: '{server|hostAndIp} accepted the connection on port 25 but {failure|smtpFailure}{fallback|fallback}',
    },
  },
  'smtp.greeting-slow': {
    title: 'The mail server greets only after a long delay',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server accepted the connection but sent its 220 greeting (its last line) more than 30 seconds later (the measured delay is shown with the finding). RFC 5321 §4.5.3.2 has senders wait up to 5 minutes for it, so MTAs deliver, but senders with shorter limits (applications sending directly: Nodemailer waits 30 seconds) give up and retry or bounce. Short deliberate pauses (Postfix postscreen\'s 6-second pregreet wait, Sendmail greet_pause) are normal and not reported; an overloaded server, a long greeting delay or slow DNS lookups of the client are the usual reasons for more.',
    fix: 'Check the server\'s load and any greeting delay in its configuration (Exim "delay" in the connect ACL, Sendmail greet_pause, a proxy or appliance in front of it) and slow reverse-DNS lookups of clients; keep the greeting within a few seconds.',
    refs: ['RFC 5321 §4.5.3.2'],
    messages: {
      slow: '{server|hostAndIp} sent its 220 greeting only {greetingMs|seconds} after the connection opened: MTAs wait up to 5 minutes (RFC 5321 §4.5.3.2), but applications that send directly give up sooner (Nodemailer after 30 s)',
    },
  },
  'smtp.service-refused': {
    title: 'The mail server refuses every session (5xx at connect)',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server answered the connection with a permanent 5xx reply (usually 554) instead of its 220 greeting: it will not take mail in this session at all (RFC 5321 §3.1). Senders skip such a host and try the next MX; when no MX takes mail, the message bounces. Unlike a 421, this is not a "try again later".',
    fix: 'If the server is meant to receive mail, find what makes it refuse at connect (a connect ACL or access rule, a firewall or appliance answering for it, a service left in "reject all" mode); if it is not, remove it from the MX records.',
    refs: ['RFC 5321 §3.1', 'RFC 5321 §4.2.3'],
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      atConnect: '{server|hostAndIp} refused every session at connect with {reply|quoted}{fallback|fallback}',
    },
  },
  'smtp.busy': {
    title: 'The mail server is busy (421 at connect)',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server answered the connection with a 421 reply, meaning "service not available, try again later": it is busy, overloaded or not taking new connections from this address for now. Senders retry, so mail is delayed rather than lost unless this lasts for days.',
    fix: 'Check the server\'s load, logs and connection limits; if it sends 421 to everyone, fix the overload or raise its concurrency limits.',
    refs: ['RFC 5321 §3.8', 'RFC 5321 §4.2.3'],
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      atConnect: '{server|hostAndIp} answered the connection with {reply|quoted} instead of a 220 greeting{fallback|fallback}',
      endedSession: SERVER_STATE_ENDED_SESSION,
    },
  },
  'smtp.insufficient-storage': {
    title: 'The mail server is out of storage (452 4.3.1)',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server answered the probe with a temporary "insufficient system storage" (452, 4.3.1 "mail system full") or a similar reply about its own disk or resources. That is the server\'s state, not a limit on the tester: it defers mail from every sender until it has room again, and mail bounces when the senders\' queue lifetime (typically 5 days) runs out.',
    fix: 'Free disk space on the server\'s queue or spool file system and check its free-space thresholds (Postfix queue_minfree, Exim check_spool_space, Exchange back pressure); watch the disk so it does not fill again.',
    refs: ['RFC 5321 §4.2.3', 'RFC 3463 §3.4'],
    masks: ['delivery.delayed', 'delivery.expired'],
    messages: {
      endedSession: SERVER_STATE_ENDED_SESSION,
      outOfStorage: '{server|hostAndIp} answered {command} with {reply|quoted}: it is out of storage and defers mail from every sender until it has room again',
      outOfStorageOtherAccepts: '{server|hostAndIp} answered {command} with {reply|quoted}: it is out of storage and defers mail from every sender until it has room again; {otherHost} accepts the mail instead',
    },
  },
  'smtp.session-dropped': {
    title: 'The mail server drops the connection in mid-session',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server greeted, then closed the connection after a command without answering it. RFC 5321 §3.8 allows a server to close only after QUIT or a 421 reply; senders see "lost connection", retry later, and bounce the mail after a few days if it keeps happening. A crashing or misconfigured server, a filter or proxy in front of it, or a firewall doing "SMTP inspection" is the usual cause.',
    fix: 'Look in the server\'s logs for the time of the test (crashes, "lost connection", resource limits), and check any proxy, anti-spam appliance or firewall SMTP inspection in front of it; the transcript shows the command after which the connection dropped.',
    refs: ['RFC 5321 §3.8'],
    masks: [...SESSION_SYMPTOMS, 'smtp.untestable', 'delivery.delayed', 'delivery.expired'],
    messages: {
      dropped: '{server|hostAndIp} greeted, then {failure|smtpFailure}{fallback|fallback}',
    },
  },
  'smtp.reply-broken': {
    title: 'The mail server sends replies no client can read',
    severity: 'error',
    side: 'recipient',
    explanation:
      'After its greeting the server answered a command with a reply that breaks SMTP: one far larger than any client reads (a reply line may have 512 octets, RFC 5321 §4.5.3.1.5), one that keeps coming and never ends, or bytes that are not an SMTP reply at all. Sending MTAs give up on such a session and retry later, so mail is delayed and eventually bounced. The server is misbehaving; the evidence shows how many bytes came and for how long.',
    fix: 'Look at the mail server or whatever answers on its port 25 (a proxy, filter or load balancer in front of it): the transcript shows the command whose reply broke. A healthy EHLO reply is a few hundred bytes.',
    refs: ['RFC 5321 §4.2', 'RFC 5321 §4.5.3.1.5'],
    masks: [...SESSION_SYMPTOMS, 'smtp.untestable', 'delivery.delayed', 'delivery.expired'],
    messages: {
      broken: '{server|hostAndIp} greeted, then {failure|smtpFailure}{fallback|fallback}',
    },
  },
  'mx.all-unreachable': {
    title: 'No MX host accepts connections on port 25',
    severity: 'error',
    side: 'recipient',
    explanation:
      'maildiag could not open an SMTP connection on port 25 to any of the domain\'s MX hosts, so senders have nowhere to deliver. They queue the mail and retry for a few days before bouncing it.',
    fix: 'Check that the mail servers named in the MX records are running and that inbound port 25 is open to the internet; if the domain moved to a hosted provider, update the MX records to the provider\'s hosts.',
    refs: ['RFC 5321 §5.1'],
    masks: [
      'mx.primary-unreachable',
      ...SESSION_SYMPTOMS,
      'dane.tlsa-mismatch',
      'delivery.delayed',
      'delivery.expired',
    ],
    messages: {
      onlyHost: 'the only MX host of {domain} does not accept SMTP on port 25: {failures|smtpFailures}',
      noHost: 'none of the {hosts} MX hosts of {domain} accepts SMTP on port 25: {failures|smtpFailures}',
      onlyHostUnreachable: 'the only MX host of {domain} could not be reached on port 25: {failures|smtpFailures}; a router on the way said so, so the host may be down or a network on the way (the domain\'s, this one or one between) may filter it',
      noHostUnreachable: 'none of the {hosts} MX hosts of {domain} could be reached on port 25: {failures|smtpFailures}; routers on the way said so, so the hosts may be down or a network on the way (the domain\'s, this one or one between) may filter them',
    },
  },
  'mx.primary-unreachable': {
    title: 'The primary MX is unreachable; a backup MX answers',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The most preferred (primary) MX host does not accept connections, but a backup MX with a lower priority does. Mail still arrives, but through the backup, which is often slower, filters less well, or is forgotten until it too stops working.',
    fix: 'Bring the primary mail server back or, if it was retired, delete its MX record so that a working host is the primary.',
    refs: ['RFC 5321 §5.1'],
    messages: {
      backupAnswers: 'the primary MX {primary|list} (preference {preference}) does not accept mail ({failures|smtpFailures}); the backup {backup} (preference {backupPreference}) answers',
    },
  },
  'network.port25-blocked': {
    title: 'This network blocks outbound port 25',
    severity: 'error',
    side: 'local',
    explanation:
      'Every attempt to reach a mail server on port 25 timed out while other ports work, so the network maildiag runs on (often a home, school or mobile ISP) blocks outgoing SMTP. The timeouts describe this network, not the domains tested, and a mail server here cannot send mail directly.',
    fix: 'Run maildiag from a network that allows outbound port 25, or ask the ISP to unblock it; to send mail from here, use an authenticated relay (smarthost) on port 587 or 2525.',
    refs: ['RFC 5068', 'RFC 6409'],
    masks: ['smtp.timeout', 'mx.all-unreachable', 'mx.primary-unreachable', 'delivery.delayed', 'delivery.expired'],
    messages: {
      otherPortsOpen: 'every port-25 connection timed out ({ips|list}) while {open|list} accepted connections: outbound port 25 is most likely blocked on this network',
      otherPortsOpenFiltered: 'every port-25 connection timed out or was reported unreachable by a router ({ips|list}) while {open|list} accepted connections: outbound port 25 is most likely blocked on this network (some networks reject it with an ICMP "administratively prohibited", which the OS reports as host unreachable)',
    },
  },
  'network.no-route': {
    title: 'This machine cannot send to the mail server',
    severity: 'error',
    side: 'local',
    explanation:
      'Connecting to the mail server failed at once with an error of this machine\'s own: "network unreachable" (ENETUNREACH, its routing table has no way to that address: no default route, a VPN rule, a missing interface), "address not available" (EADDRNOTAVAIL, no address to send from), "network down" (ENETDOWN), "address family not supported" (EAFNOSUPPORT), or "not permitted" (EACCES, EPERM: a firewall rule on this machine). Nothing left this machine, so this says nothing about the server.',
    fix: 'Check this machine\'s network connection and default route ("ip route"), its addresses ("ip addr"), VPN and local firewall rules for outbound port 25 (nftables, iptables, a security agent), then run maildiag again.',
    masks: ['smtp.timeout', 'mx.all-unreachable', 'mx.primary-unreachable', 'delivery.delayed', 'delivery.expired'],
    messages: {
      noRoute: '{server|hostAndIp} cannot be reached on port 25: {code|unreachable}',
    },
  },
  'network.ipv6-unavailable': {
    title: 'IPv6 delivery could not be tested from this machine',
    severity: 'info',
    side: 'local',
    explanation:
      'This machine could not send over IPv6 (no route, no IPv6 address to send from, or a firewall rule here that refuses it), or its IPv6 answered nothing at all during the run while IPv4 did (or the mail servers have IPv6 addresses only), so the mail servers\' IPv6 (AAAA) addresses could not be judged. A machine with a global IPv6 address whose IPv6 goes nowhere (a router advertising a prefix with no upstream, a container without a route out, a firewall dropping IPv6) sees every IPv6 address time out, exactly as a domain whose IPv6 mail service is down would look. Problems that only affect delivery over IPv6 could go unnoticed.',
    fix: 'When this machine could not send over IPv6, nothing to fix for the domain; if it should, check its IPv6 route ("ip -6 route"), addresses ("ip -6 addr") and firewall (ip6tables, nftables). When IPv6 addresses timed out and nothing answered over IPv6, check this machine\'s IPv6 first ("ping -6" or "curl -6" to a known IPv6 host, "ip -6 route"): if it does not work, fix its route or firewall or turn IPv6 off here; if it works, the domain\'s IPv6 mail service is the one to look at. To test IPv6 delivery either way, run maildiag from a machine with working IPv6.',
    messages: {
      oneAddress: 'this machine could not send over IPv6, so 1 IPv6 address ({ips|list}) could not be probed: {code|unreachable}',
      addresses: 'this machine could not send over IPv6, so {count} IPv6 addresses ({ips|list}) could not be probed: {code|unreachable}',
      unheardOne: '{ips|list} (IPv6) timed out on port 25 after {timeoutMs|seconds} while {answered|list} (IPv4) answered, and nothing answered this machine over IPv6 during the run: either this machine\'s IPv6 does not work (an address with no route out, a firewall that drops IPv6) or the domain\'s IPv6 mail service is down, and from here maildiag cannot tell which. To tell, try IPv6 from this machine ("ping -6" or "curl -6" to a known IPv6 host) or test {ips|list} from another host; senders that get no answer over IPv6 try the IPv4 addresses, which answer',
      unheardAddresses: '{count} IPv6 addresses ({ips|list}) timed out on port 25 after {timeoutMs|seconds} while {answered|list} (IPv4) answered, and nothing answered this machine over IPv6 during the run: either this machine\'s IPv6 does not work (an address with no route out, a firewall that drops IPv6) or the domain\'s IPv6 mail service is down, and from here maildiag cannot tell which. To tell, try IPv6 from this machine ("ping -6" or "curl -6" to a known IPv6 host) or test those addresses from another host; senders that get no answer over IPv6 try the IPv4 addresses, which answer',
      unheardIpv6OnlyOne: '{ips|list}, the only address of the domain\'s MX hosts (IPv6, no IPv4 address), timed out on port 25 after {timeoutMs|seconds}, and nothing answered this machine over IPv6 during the run: either this machine\'s IPv6 does not work (an address with no route out, a firewall that drops IPv6) or the domain\'s mail service is down, and from here maildiag cannot tell which. To tell, try IPv6 from this machine ("ping -6" or "curl -6" to a known IPv6 host) or test {ips|list} from another host; if it is the domain\'s, no sender can deliver to it, as its MX hosts have no IPv4 address',
      unheardIpv6OnlyAddresses: '{count} IPv6 addresses ({ips|list}), all the addresses of the domain\'s MX hosts (no IPv4 address), timed out on port 25 after {timeoutMs|seconds}, and nothing answered this machine over IPv6 during the run: either this machine\'s IPv6 does not work (an address with no route out, a firewall that drops IPv6) or the domain\'s mail service is down, and from here maildiag cannot tell which. To tell, try IPv6 from this machine ("ping -6" or "curl -6" to a known IPv6 host) or test those addresses from another host; if it is the domain\'s, no sender can deliver to it, as its MX hosts have no IPv4 address',
    },
  },
  'smtp.untestable': {
    title: 'The mail server could not be tested',
    severity: 'info',
    side: 'local',
    explanation:
      'The server did not let maildiag finish its test. Often the refusal is about the machine maildiag runs on, not the domain: its IP address is on a blocklist, has no reverse DNS, sits in a dynamic or residential range, has a poor reputation, or connects too often, and a home or office connection meets these all the time. Or it is about the sender address given with --from: a domain that does not exist, or whose SPF does not allow this machine, is refused by careful servers whatever the recipient domain. Real mail servers sending to this domain are judged by their own address, so this says nothing bad about the domain, only that the results for this server are incomplete.',
    fix: 'Run maildiag from a host that sends mail itself (a server IP with forward-confirmed reverse DNS, on no blocklist), or try again later; for a complete test, ask the server\'s admin to allow the address maildiag tests from. When the refusal is about the --from address, re-run with a --from whose domain exists and whose SPF allows this machine, or without --from.',
    messages: {
      sessionStopped: '{server|hostAndIp}: the session stopped at {step|upper}: {reason|stopReason}',
      commandDeferred: '{server|hostAndIp} deferred {command} with {reply|quoted}, so the rest was not tested',
      clientBlocklisted: '{server|hostAndIp} answered {command} with {reply|quoted}: the address maildiag connects from is on a blocklist that server uses, which says nothing about the domain, so the rest was not tested{seen|testerAddress}. Run maildiag from a server IP that is on no blocklist, or look this IP up on the list named and ask for its removal',
      clientNoPtr: '{server|hostAndIp} answered {command} with {reply|quoted}: the address maildiag connects from has no reverse DNS (PTR) that resolves back to it, which says nothing about the domain, so the rest was not tested{seen|testerAddressNoPtr}. Run maildiag from a host with forward-confirmed reverse DNS (a mail server), or ask whoever runs this network for a PTR record',
      clientDynamicIp: '{server|hostAndIp} answered {command} with {reply|quoted}: the address maildiag connects from is in a dynamic, residential or end-user range, from which that server takes no direct mail, which says nothing about the domain, so the rest was not tested{seen|testerAddressDynamic}. Run maildiag from a server with a static IP and its own reverse DNS',
      clientReputation: '{server|hostAndIp} answered {command} with {reply|quoted}: that server rates the address maildiag connects from as a poor sender, which says nothing about the domain, so the rest was not tested{seen|testerAddress}. Run maildiag from a mail server\'s IP with a good sending history, or ask that server\'s admin to allow this one',
      clientRate: '{server|hostAndIp} answered {command} with {reply|quoted}: that server limits connections or mail from the address maildiag connects from, which says nothing about the domain, so the rest was not tested{seen|testerAddress}. Try again later, or from another host',
      clientHeloName: '{server|hostAndIp} answered {command} with {reply|quoted}: that server refuses maildiag\'s EHLO name {helo}, which says nothing about the domain, so the rest was not tested{seen|testerAddressHelo}. Re-run with --helo set to this machine\'s real host name (one whose A record and PTR match its IP)',
      clientRefused: '{server|hostAndIp} answered {command} with {reply|quoted}: that server refuses the host maildiag connects from, not the domain, so the rest was not tested{seen|testerAddress}. Run maildiag from a mail server\'s IP, or ask that server\'s admin to allow this one',
      clientScreened: '{server|hostAndIp} answered {command} with {reply|quoted}: that is Postfix\'s postscreen, which screens clients before the mail server itself sees them (a new address is deferred until it has passed its tests; one that failed them or is on its blocklist is refused), which says nothing about the domain, so the rest was not tested{seen|testerAddress}. Run maildiag again in a few minutes (a new address is let through once cleared), or from a mail server\'s IP',
      chosenSenderUnknown: '{server|hostAndIp} answered {command} with {reply|quoted}: that server could not verify the sender maildiag was told to use ({sender}), its domain not found or its address not deliverable, which is about the --from chosen for the test, not the domain, so the rest was not tested. Re-run with a --from whose domain exists and takes mail, or without --from (the null sender <>, which every server must accept)',
      chosenSenderNotAuthorised: '{server|hostAndIp} answered {command} with {reply|quoted}: the SPF of the sender maildiag was told to use ({sender}) does not allow the address maildiag connects from, which is about the --from chosen for the test, not the domain, so the rest was not tested. Re-run with a --from whose domain authorises this machine in its SPF, or without --from (the null sender <>, which every server must accept)',
      chosenSenderRefused: '{server|hostAndIp} answered {command} with {reply|quoted}: that server takes no mail from the sender maildiag was told to use ({sender}), which is about the --from chosen for the test, not the domain, so the rest was not tested. Re-run with a --from of a domain this machine may send for, or without --from (the null sender <>, which every server must accept)',
      relayUnanswered: '{server|hostAndIp} gave no answer to the open-relay probe (RCPT TO:<{address}>): {reason|stopReason}; whether it relays mail for anyone was not tested',
      relayDeferred: '{server|hostAndIp} answered the open-relay probe (RCPT TO:<{address}>) with {reply|quoted}, a temporary refusal, which says nothing about relaying; whether it relays mail for anyone was not tested',
      relayNotAsked: '{server|hostAndIp} refused {command} with {reply|quoted}, so the open-relay probe (RCPT TO:<{address}>) could not be asked; whether it relays mail for anyone was not tested',
    },
  },

  'smtp.ehlo-refused': {
    title: 'The mail server refuses EHLO (HELO only)',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server refused EHLO but accepted the older HELO. When it refuses EHLO from everyone (500/502: it or a firewall in front of it does not know ESMTP), senders fall back to plain SMTP: no STARTTLS, so mail arrives unencrypted, and no SIZE, 8BITMIME or SMTPUTF8. When the refusal is about the EHLO name the tester gave, it says nothing about the domain, and the test should be repeated with a real host name (--helo).',
    fix: 'Let the server answer EHLO (RFC 5321 §4.1.1.1 requires it of every server); check firewalls or appliances that inspect SMTP (Cisco "fixup smtp" turns EHLO into XXXX). If the refusal names the EHLO name, rerun maildiag with --helo set to this machine\'s real host name.',
    refs: ['RFC 5321 §4.1.1.1', 'RFC 5321 §4.1.4'],
    messages: {
      noEsmtp: '{server|hostAndIp} refused EHLO {helo} with {reply|quoted} but accepted HELO: it (or a firewall in front of it) speaks no ESMTP to anyone, so no sender can use STARTTLS, SIZE or 8BITMIME with it and mail arrives unencrypted',
      heloNameRejected: '{server|hostAndIp} refused EHLO {helo} with {reply|quoted} but accepted HELO: the refusal is about maildiag\'s EHLO name, not the domain, so STARTTLS and the ESMTP extensions were not tested; re-test with --helo set to this machine\'s real host name',
      unexplained: '{server|hostAndIp} refused EHLO {helo} with {reply|quoted} but accepted HELO; the reply does not say why. STARTTLS and the ESMTP extensions were not tested: re-test with --helo set to this machine\'s real host name to rule out maildiag\'s EHLO name; if EHLO is still refused, no sender can use STARTTLS with it',
    },
  },
  'smtp.greylisting': {
    title: 'Greylisting: temporary 450/451 for a new sender',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server answered RCPT TO with a temporary 450 or 451 reply, the usual sign of greylisting: mail from a sender it has not seen before is refused once and accepted when the sender retries minutes later. Real mail servers retry, so mail is only delayed, but services that do not retry lose it (RFC 6647).',
    fix: 'Usually nothing: properly configured senders retry. If the delay matters, allow-list known senders and providers in the greylisting settings or shorten the greylisting delay.',
    refs: ['RFC 6647'],
    masks: ['delivery.delayed'],
    messages: {
      senderGreylisted: '{server|hostAndIp} deferred {command} with {reply|quoted}: new senders are greylisted',
      recipientGreylisted: '{server|hostAndIp} answered {command} with {reply|quoted}: mail is delayed until the sender retries',
      recipientDeferred: '{server|hostAndIp} answered {command} with {reply|quoted} (a temporary refusal; the reply does not say "greylist", but senders are delayed the same way): mail is delayed until the sender retries',
      everyRecipientGreylisted: '{server|hostAndIp} answered the recipients of {sampledDomains} domains in a row (so <{address}> was not asked), e.g. {command}, with {reply|quoted}: mail is delayed until the sender retries',
      everyRecipientDeferred: '{server|hostAndIp} answered the recipients of {sampledDomains} domains in a row (so <{address}> was not asked), e.g. {command}, with {reply|quoted} (a temporary refusal; the reply does not say "greylist", but senders are delayed the same way): mail is delayed until the sender retries',
    },
  },
  'smtp.rejected': {
    title: 'The server rejected the test conversation',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server refused maildiag\'s probe at EHLO, MAIL FROM or RCPT TO with a reply that is not one of the common cases; its own words are shown with the finding. Real senders may be refused the same way.',
    fix: 'Read the server\'s reply, which often names the policy or blocklist involved; if the refusal is wrong, adjust the server\'s sender policy, and rerun with --from and --helo set to a real sender to rule out the test identity.',
    refs: ['RFC 5321 §4.2', 'RFC 3463'],
    messages: {
      helloRefused: '{server|hostAndIp} refused {command}: {reply|quoted}',
      senderRefused: '{server|hostAndIp} refused the sender {command}: {reply|quoted}',
      nullSenderRefused: '{server|hostAndIp} refused the sender {command} (every server must accept the null sender <>, which bounces come from: RFC 5321 §4.5.5): {reply|quoted}',
      recipientRefused: '{server|hostAndIp} refused {command}: {reply|quoted}.',
      notResponsible: '{server|hostAndIp} refused {command}: {reply|quoted}. The server does not consider itself responsible for {domain}: the MX record may point at the wrong server.',
      authRequired: '{server|hostAndIp} answered {command} with {reply|quoted}: it takes mail only from clients that log in, so no mail server on the internet can deliver to it (on Exchange, the receive connector for port 25 needs the Anonymous Users permission)',
      authRequiredOtherAccepts: '{server|hostAndIp} answered {command} with {reply|quoted}: it takes mail only from clients that log in, so no mail server on the internet can deliver to it (on Exchange, the receive connector for port 25 needs the Anonymous Users permission); {otherHost} accepts the mail instead',
    },
  },
  'smtp.recipient-rejected': {
    title: 'Recipient rejected: 550 user unknown',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server answered RCPT TO for the probed address with 550 "user unknown" (or a similar 5.1.1 reply), so mail to that address bounces. By default maildiag probes postmaster@ the domain, an address RFC 5321 §4.5.1 requires every mail domain to accept.',
    fix: 'Create the mailbox or an alias for it (at least postmaster@ should forward to an administrator); if you probed another address with --rcpt, check its spelling.',
    refs: ['RFC 5321 §4.5.1', 'RFC 3463'],
    messages: {
      unknownRecipient: '{server|hostAndIp} rejects <{address}>: {reply|quoted}; mail to that address bounces',
    },
  },
  'smtp.open-relay': {
    title: 'Open relay: the server accepts mail for other domains',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The server accepted a message from an outside sender to a domain it does not host, so anyone can use it to relay spam. Open relays are soon put on blocklists, and then the organisation\'s own mail stops being delivered.',
    fix: 'Only relay for authenticated users and your own networks, e.g. in Postfix "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination".',
    refs: ['RFC 5321 §3.6.1', 'RFC 2505'],
    messages: {
      relaysForAnyone: '{server|hostAndIp} accepted RCPT TO:<{address}>, a reserved domain it cannot host: it relays mail for anyone',
      relaysFromNonGlobal: '{server|hostAndIp} accepted RCPT TO:<{address}>, a reserved domain it cannot host: it relays mail for anyone (maildiag connected from {clientAddress}, a {clientRange} address: if that network is one the server trusts on purpose, only it can relay)',
    },
  },
  'smtp.size-limit-low': {
    title: 'Advertised message SIZE limit is low',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server\'s EHLO reply advertises a SIZE limit below what ordinary mail with attachments needs (about 10 MB), so larger messages are refused before they are sent (RFC 1870). Attachments grow by about a third when encoded for email.',
    fix: 'Raise the server\'s message size limit to at least 25 MB, e.g. in Postfix "message_size_limit = 36700160" (35 MB).',
    refs: ['RFC 1870'],
    messages: {
      lowLimit: '{server|hostAndIp} advertises SIZE {size} ({size|megabytes}): messages larger than that are refused, and attachments of about {attachmentBytes|megabytes} already reach it once encoded',
    },
  },

  'submission.unreachable': {
    title: 'Submission ports 587 and 2525 are unreachable',
    severity: 'warning',
    side: 'network',
    explanation:
      'Neither port 587 (mail submission) nor the common alternative 2525 could be reached, so from this network there is no way to hand mail to a relay or smarthost. Together with a blocked port 25, mail cannot be sent from here at all.',
    fix: 'Allow outbound TCP 587 (and 465) in the firewall, check the relay host name given with --relay, or ask the relay provider which ports it accepts.',
    refs: ['RFC 6409', 'RFC 8314'],
    messages: {
      relayUnresolved: 'the relay given with --relay {host} does not resolve to any address',
      srvUnresolved: 'the submission host named in SRV {host} does not resolve to any address',
      relaySilent: 'the relay given with --relay {host} ({ip}) answers on none of its submission ports: {ports|submissionPorts}',
      srvSilent: 'the submission host named in SRV {host} ({ip}) answers on none of its submission ports: {ports|submissionPorts}',
      guessSilent: 'the guessed submission host {host} ({ip}) answers on none of its submission ports: {ports|submissionPorts} ({host} was only a guess, and its firewall may simply drop these ports)',
    },
  },

  'smtp.tls-required': {
    title: 'The MX requires STARTTLS before it takes mail',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'On port 25 the server refuses MAIL FROM until the client has started TLS (e.g. "530 5.7.0 Must issue a STARTTLS command first"). RFC 3207 §4 says a publicly-referenced SMTP server must not require STARTTLS: senders that do not use TLS, or whose handshake with this server fails, cannot deliver at all. When the server does not offer STARTTLS or its handshake fails, nobody can deliver.',
    fix: 'Make TLS optional on the port-25 listener (Postfix "smtpd_tls_security_level = may", not "encrypt"; Exchange: untick "Require TLS" on the internet-facing receive connector); require TLS only on submission (587/465) or for known partners, and use MTA-STS or DANE to ask senders for TLS instead.',
    refs: ['RFC 3207 §4', 'RFC 8461', 'RFC 7672'],
    messages: {
      refusedInsideTls: '{server|hostAndIp} answered {command} with {reply|quoted} even inside TLS: no sender can deliver to it',
      refusedInsideTlsOtherAccepts: '{server|hostAndIp} answered {command} with {reply|quoted} even inside TLS: no sender can deliver to it; {otherHost} accepts the mail instead',
      refusedAfterFailedHandshake: '{server|hostAndIp} answered {command} with {reply|quoted} and the STARTTLS handshake with it failed: no sender can deliver to it',
      refusedAfterFailedHandshakeOtherAccepts: '{server|hostAndIp} answered {command} with {reply|quoted} and the STARTTLS handshake with it failed: no sender can deliver to it; {otherHost} accepts the mail instead',
      refusedWithoutStartTls: '{server|hostAndIp} answered {command} with {reply|quoted} but does not offer STARTTLS: no sender can deliver to it',
      refusedWithoutStartTlsOtherAccepts: '{server|hostAndIp} answered {command} with {reply|quoted} but does not offer STARTTLS: no sender can deliver to it; {otherHost} accepts the mail instead',
      beforeStartTls: '{server|hostAndIp} answers {command} before STARTTLS with {reply|quoted}, so senders that do not use TLS, or whose handshake with it fails, cannot deliver at all (RFC 3207 §4: a publicly-referenced server must not require STARTTLS)',
      beforeFailedHandshake: '{server|hostAndIp} answers {command} before STARTTLS with {reply|quoted}, and the STARTTLS handshake with it failed, so no sender can deliver',
      beforeFailedHandshakeOtherAccepts: '{server|hostAndIp} answers {command} before STARTTLS with {reply|quoted}, and the STARTTLS handshake with it failed, so no sender can deliver to it; {otherHost} accepts the mail instead',
    },
  },
  'tls.starttls-missing': {
    title: 'No STARTTLS: mail arrives unencrypted',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server does not offer STARTTLS on port 25, so every message sent to it crosses the internet unencrypted (RFC 3207). Senders that require encryption, such as those following MTA-STS or DANE, will not deliver.',
    fix: 'Install a certificate on the mail server and enable STARTTLS, e.g. in Postfix "smtpd_tls_security_level = may" with smtpd_tls_cert_file and smtpd_tls_key_file set.',
    refs: ['RFC 3207'],
    messages: {
      notOffered: '{server|hostAndIp} does not offer STARTTLS: mail to it travels unencrypted',
      enforcedByMtaSts: STS_ENFORCED,
    },
  },
  'tls.protocol-old': {
    title: 'Only old TLS versions (TLS 1.0/1.1) offered',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server only negotiates TLS 1.0 or TLS 1.1, which are deprecated and insecure (RFC 8996). Modern senders refuse these versions and either deliver without encryption or, under MTA-STS or DANE, not at all.',
    fix: 'Update the mail server\'s TLS library and settings to allow TLS 1.2 and 1.3, e.g. in Postfix "smtpd_tls_protocols = >=TLSv1.2".',
    refs: ['RFC 8996'],
    masks: ['tls.handshake-failed'],
    messages: {
      oldOnly: '{server|hostAndIp} only negotiates {protocol}; TLS 1.2 or later fails ({handshake|handshakeFailure})',
      enforcedByMtaSts: STS_ENFORCED,
    },
  },
  'tls.handshake-failed': {
    title: 'TLS handshake failed after STARTTLS',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The server offers STARTTLS, but setting up the encrypted connection failed (no shared protocol version or cipher, a broken certificate or key, or the connection was dropped). Senders then retry without encryption or, under MTA-STS or DANE, do not deliver.',
    fix: 'Check the mail server\'s TLS logs and settings: a matching certificate and key, TLS 1.2 or later, and standard ciphers; test with "openssl s_client -starttls smtp -connect mail.example.org:25".',
    refs: ['RFC 3207'],
    messages: {
      startTlsRefused: '{server|hostAndIp} offers STARTTLS but answers STARTTLS with {reply}',
      startTlsUnanswered: '{server|hostAndIp} offers STARTTLS but does not answer STARTTLS ({reason|stopReason})',
      startTlsNoReply: '{server|hostAndIp} offers STARTTLS but does not answer STARTTLS (no reply)',
      handshakeFailed: 'the TLS handshake with {server|hostAndIp} fails: {handshake|handshakeFailure}',
      legacyOnly: 'the TLS handshake with {server|hostAndIp} fails with current security settings ({handshake|handshakeFailure}); it only works with legacy ciphers or keys ({protocol} {cipher})',
      enforcedByMtaSts: STS_ENFORCED,
    },
  },
  'tls.cert-untrusted': {
    title: 'Mail server certificate is self-signed or untrusted',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The TLS certificate is self-signed, issued by a certificate authority (CA) that is not publicly trusted, or sent without its intermediate certificates. Most senders still encrypt without checking, but MTA-STS senders refuse delivery and the certificate proves nothing about who the server is.',
    fix: 'Install a certificate from a public CA (e.g. free from Let\'s Encrypt) for the MX host name, including the intermediate certificates; if you use a private CA on purpose, give it to maildiag with --ca-file.',
    refs: ['RFC 8461 §4.2'],
    messages: {
      selfSigned: 'the certificate of {server|hostAndIps} is self-signed ({subject})',
      enforcedByMtaSts: STS_ENFORCED,
      untrustedRoot: 'the certificate of {server|hostAndIps} chains to {root}, a CA that is not trusted (if it is your private CA, pass it with --ca-file)',
      incompleteChain: 'the certificate of {server|hostAndIps} is issued by {missingIssuer}, which is neither a trusted CA nor sent by the server (unknown CA, or the intermediate certificate is missing)',
    },
  },
  'tls.cert-expired': {
    title: 'Mail server certificate has expired',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The TLS certificate has expired. Senders that check certificates (MTA-STS, many large providers) will not deliver, and the rest encrypt with a certificate that proves nothing.',
    fix: 'Renew the certificate and reload the mail server; automate renewal, e.g. certbot with a deploy hook that reloads Postfix or Exim.',
    refs: ['RFC 8461 §4.2'],
    masks: ['tls.cert-expiring'],
    messages: {
      expired: 'the certificate of {server|hostAndIps} expired on {validTo|day} ({daysAgo} days ago)',
      enforcedByMtaSts: STS_ENFORCED,
      intermediateExpired: 'the intermediate certificate {subject} of {server|hostAndIps} expired on {validTo|day} ({daysAgo} days ago)',
      expiredOneWitness: 'the certificate of {server|hostAndIps} expired on {validTo|day} ({daysAgo} days ago) by this machine\'s clock ({clock}), yet {host} states in its {source|clockSource} a time {hours} hours earlier ({serverDate}), by which it has not: either the certificate expired, or this clock is ahead, and one server\'s clock (which may be stuck) does not tell which; if "date" here is right, renew the certificate',
    },
  },
  'tls.cert-expiring': {
    title: 'Mail server certificate expires soon',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The TLS certificate expires within 14 days. After that, senders that check certificates (MTA-STS, many large providers) will stop delivering.',
    fix: 'Renew the certificate now and reload the mail server; check that automatic renewal reloads the mail service too, not only the web server.',
    refs: ['RFC 8461 §4.2'],
    messages: {
      expiring: 'the certificate of {server|hostAndIps} expires on {validTo|day}, in {daysLeft} days',
      intermediateExpiring: 'the intermediate certificate {subject} of {server|hostAndIps} expires on {validTo|day}, in {daysLeft} days',
    },
  },
  'tls.cert-not-yet-valid': {
    title: 'Mail server certificate is not valid yet',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The TLS certificate\'s validity period has not started: its "not before" date is in the future. Senders that check certificates (MTA-STS, many large providers) refuse it until then. Usually a renewed certificate was put in service too early, or a clock is wrong.',
    fix: 'Serve the certificate that is valid today and switch to the new one on its start date; check the clocks of the mail server and of whatever issued the certificate.',
    refs: ['RFC 5280 §4.1.2.5', 'RFC 8461 §4.2'],
    messages: {
      notYetValid: 'the certificate of {server|hostAndIps} is valid only from {validFrom|day}',
      enforcedByMtaSts: STS_ENFORCED,
      notYetValidOrClock: 'the certificate of {server|hostAndIps} is valid only from {validFrom} while this machine\'s clock says {clock}, and no server stated the time to tell which is wrong: either the certificate was put in service too early, or this clock is behind (if "date" here is wrong, set this clock right first)',
      intermediateNotYetValid: 'the intermediate certificate {subject} of {server|hostAndIps} is valid only from {validFrom|day}',
      notYetValidOneWitness: 'the certificate of {server|hostAndIps} is valid only from {validFrom} while this machine\'s clock says {clock}, yet {host} states in its {source|clockSource} a time {hours} hours later ({serverDate}), by which it is valid: either the certificate was put in service too early, or this clock is behind, and one server\'s clock (which may be wrong) does not tell which (if "date" here is wrong, set this clock right first)',
    },
  },
  'tls.cert-name-mismatch': {
    title: 'Certificate name does not match the MX host name',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The TLS certificate does not list the MX host name the server was reached by (a name mismatch), e.g. it was issued for the web site or for the provider\'s own name. Senders that verify certificates, including those following MTA-STS, refuse delivery.',
    fix: 'Use a certificate that covers every MX host name (as a Subject Alternative Name), or point the MX records at the host name your provider\'s certificate covers.',
    refs: ['RFC 8461 §4.2', 'RFC 9525'],
    messages: {
      otherNames: 'the certificate of {server|hostAndIps} is for {names|list}, not {host}',
      enforcedByMtaSts: STS_ENFORCED,
    },
  },

  'mta-sts.invalid': {
    title: 'MTA-STS record or policy is broken',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The domain has an MTA-STS record, but the policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt cannot be fetched, is malformed, or does not list the current MX hosts. Senders that honour MTA-STS may then refuse delivery in enforce mode (RFC 8461).',
    fix: 'Serve a valid policy over HTTPS with a trusted certificate that lists every MX host (version: STSv1, mode: enforce, mx: mail.example.org, max_age: 604800), and change the id= in the _mta-sts TXT record whenever the policy changes.',
    refs: ['RFC 8461 §3'],
    messages: {
      severalRecords: '{domain}: {count} MTA-STS TXT records; senders ignore MTA-STS unless there is exactly one',
      recordVersion: '{domain}: the MTA-STS TXT record is malformed: it must start with "v=STSv1", not "{version}" (RFC 8461 §3.1)',
      recordField: '{domain}: the MTA-STS TXT record is malformed: "{field}" is not a name=value field (RFC 8461 §3.1)',
      recordSeveralIds: '{domain}: the MTA-STS TXT record is malformed: it has more than one id= field (RFC 8461 §3.1)',
      recordNoId: '{domain}: the MTA-STS TXT record is malformed: it has no id= field (RFC 8461 §3.1)',
      recordBadId: '{domain}: the MTA-STS TXT record is malformed: id={id} must be 1 to 32 letters and digits (RFC 8461 §3.1)',
      noAddress: '{domain}: the policy host {host} has no address ({aLookup}/{aaaaLookup}), so the policy cannot be fetched',
      onlyNonGlobal: '{domain}: the policy host {host} resolves only to addresses the internet cannot reach ({addresses|list})',
      connectFailed: '{domain}: cannot connect to {host} ({ip}) on port 443: {outcome}',
      tlsFailed: '{domain}: the TLS handshake with {host} ({ip}) failed: {reason|tlsFailure}',
      certInvalid: '{domain}: the certificate of {host} is not valid ({reason}); senders must not use a policy fetched without a valid certificate (RFC 8461 §3.3)',
      certOutOfDate: '{domain}: the certificate of {host} is out of date by this machine\'s clock ({reason}); senders must not use a policy fetched without a valid certificate (RFC 8461 §3.3)',
      certNotYetValidOrClock: '{domain}: the certificate of {host} is valid only from {validFrom} while this machine\'s clock says {clock}: either it was put in service too early, or this clock is behind (if "date" here is wrong, set this clock right first); senders must not use a policy fetched without a valid certificate (RFC 8461 §3.3)',
      handshakeTimedOut: '{domain}: {host} ({ip}) did not complete the TLS handshake in time',
      downloadTimedOut: '{domain}: {host} ({ip}) did not complete the policy download in time',
      tooLarge: '{domain}: the policy at {url} is larger than {maxKilobytes} KB',
      httpError: '{domain}: fetching {url} failed: {reason|httpFailure}',
      redirect: '{domain}: {url} answers {status} with a redirect to {location}; senders do not follow redirects (RFC 8461 §3.3)',
      redirectWithoutLocation: '{domain}: {url} answers {status} with a redirect to (no Location); senders do not follow redirects (RFC 8461 §3.3)',
      httpStatus: '{domain}: {url} answers HTTP {status} instead of the policy',
      notTextPlain: '{domain}: {url} is served as {contentType|quoted}; the policy must be text/plain (RFC 8461 §3.2)',
      noContentType: '{domain}: {url} is served as "no Content-Type"; the policy must be text/plain (RFC 8461 §3.2)',
      policyVersion: '{domain}: the policy at {url} is malformed: the version: line is missing or not "STSv1" (RFC 8461 §3.2)',
      policyMode: '{domain}: the policy at {url} is malformed: the mode: line is missing or not enforce, testing or none (RFC 8461 §3.2)',
      policyMaxAge: '{domain}: the policy at {url} is malformed: the max_age: line is missing or not a number of seconds up to 31557600 (RFC 8461 §3.2)',
      policyNoMx: '{domain}: the policy at {url} is malformed: there is no mx: line (required unless mode is none) (RFC 8461 §3.2)',
      policyMaxAgeDigits: '{domain}: the policy at {url} is malformed: max_age: {value|json} is not a whole number of seconds (digits only) (RFC 8461 §3.2)',
      policyMxPattern: '{domain}: the policy at {url} is malformed: mx: {value|json} is not a host name or a "*." pattern (RFC 8461 §3.2)',
      mxUnlisted: '{domain}: the MTA-STS policy (mode: {mode}) does not list MX host {unlisted|list}; it allows only {allowed|list}',
    },
  },

  'tls-rpt.missing': {
    title: 'No TLS reporting (TLS-RPT) record',
    severity: 'info',
    side: 'recipient',
    explanation:
      'The domain publishes no _smtp._tls TXT record, so senders have nowhere to report failed encrypted deliveries to it (RFC 8460). Nothing breaks, but TLS and MTA-STS problems go unnoticed.',
    fix: 'Publish a TXT record at _smtp._tls.<domain>, e.g. "v=TLSRPTv1; rua=mailto:tls-reports@example.org".',
    refs: ['RFC 8460 §3'],
    messages: {
      unreported: '{domain} uses {policies|and} but publishes no TLS-RPT record, so failed encrypted deliveries go unreported',
    },
  },
  'tls-rpt.invalid': {
    title: 'TLS reporting (TLS-RPT) record is malformed',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'The _smtp._tls TXT record exists but is not valid (wrong version tag, missing or bad rua= address, or more than one record), so senders ignore it and send no TLS reports (RFC 8460).',
    fix: 'Replace it with a single valid record, e.g. "v=TLSRPTv1; rua=mailto:tls-reports@example.org".',
    refs: ['RFC 8460 §3'],
    messages: {
      severalRecords: '{domain}: {count} TLS-RPT records; senders ignore TLS-RPT unless there is exactly one (RFC 8460 §3)',
      recordVersion: '{domain}: the TLS-RPT record is malformed: it must start with "v=TLSRPTv1", not "{version}" (RFC 8460 §3)',
      recordField: '{domain}: the TLS-RPT record is malformed: "{field}" is not a name=value field (RFC 8460 §3)',
      severalRua: '{domain}: the TLS-RPT record is malformed: it has more than one rua= field (RFC 8460 §3)',
      noRua: '{domain}: the TLS-RPT record is malformed: it has no rua= field (RFC 8460 §3)',
      badRua: '{domain}: the TLS-RPT record is malformed: rua={uri} is not a mailto: address or an https: URL (RFC 8460 §3)',
      emptyRua: '{domain}: the TLS-RPT record is malformed: rua=(empty) is not a mailto: address or an https: URL (RFC 8460 §3)',
    },
  },

  'dane.tlsa-mismatch': {
    title: 'DANE TLSA records do not match the certificate',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The MX host publishes DNSSEC-signed TLSA records (DANE), but none of them matches the certificate the server presents. Senders that use DANE refuse to deliver rather than risk an intercepted connection (RFC 7672).',
    fix: 'Publish TLSA records for the certificate or key actually in use, e.g. "_25._tcp.mail.example.org. TLSA 3 1 1" followed by the SHA-256 hash of the public key; when renewing, publish the new key\'s record before switching certificates.',
    refs: ['RFC 7672', 'RFC 6698'],
    messages: {
      noMatch: 'no TLSA record of {host} matches the certificate presented by {ips|list}',
      noMatchUnvalidated: 'no TLSA record of {host} matches the certificate presented by {ips|list} (the resolver did not mark the TLSA answer as DNSSEC-validated: DANE senders act on it only if the zone is signed)',
    },
  },

  'ptr.missing': {
    title: 'No reverse DNS (PTR) record for the IP address',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The IP address has no PTR record, so a reverse DNS lookup returns no name. Many receiving servers, large providers included, reject or spam-folder mail from addresses without reverse DNS.',
    fix: 'Ask whoever owns the IP address (the ISP or hosting provider; only they can) to set its PTR record to the mail server\'s host name, e.g. 203.0.113.5 to mail.example.org, and make that name resolve back to the IP.',
    refs: ['RFC 1912 §2.1', 'RFC 8601 §3'],
    messages: {
      none: '{address|address} has no PTR record: a reverse lookup returns no name',
    },
  },
  'ptr.not-fcrdns': {
    title: 'Reverse DNS (PTR) name does not resolve back to the IP',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The IP address has a PTR record, but a forward lookup of that name does not return the same IP: a forward/reverse mismatch, so the reverse DNS is not forward-confirmed (FCrDNS). Receivers treat this much like having no reverse DNS at all.',
    fix: 'Make the PTR name\'s A/AAAA record include the IP (e.g. "mail.example.org. A 203.0.113.5"), or ask the IP\'s owner to change the PTR to a name that does.',
    refs: ['RFC 8601 §3', 'RFC 1912 §2.1'],
    messages: {
      notConfirmed: '{address|address} has PTR {ptrNames|list}, but {disproved|forwardLookups}, not to {ip}',
    },
  },
  'ptr.generic': {
    title: 'Reverse DNS (PTR) name looks generic or dynamic',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The PTR name looks like an ISP\'s generic name for dynamic or residential addresses (e.g. 203-0-113-5.dyn.isp.example), not a mail server\'s. Many receivers score or reject mail from such addresses as likely spam from infected home computers.',
    fix: 'Ask the IP\'s owner for a specific PTR such as mail.example.org (with a matching A record), or send through a relay or provider that has proper reverse DNS.',
    fixes: {
      dynamicRange: `The receiver refuses the address as a dynamic, residential or end-user one (by its range or its generic PTR name), not for anything it sent. ${END_USER_RELAY} ${STATIC_SERVER_ONLY} then ask the receiver to review the address through the link or contact its reply gives.`,
    },
    messages: {
      generic: '{address|address} has the PTR name {name}, which looks like an ISP\'s generic name: {reasons|ptrNameReasons}',
    },
  },
  'smtp.banner-mismatch': {
    title: 'SMTP banner name differs from the PTR or MX name',
    severity: 'info',
    side: 'recipient',
    explanation:
      'The host name the server gives in its SMTP greeting banner or EHLO reply is neither its reverse DNS (PTR) name nor the MX host name. This is a weak signal: it is common behind load balancers and hosted providers, and few receivers care about it on its own.',
    fix: 'If convenient, set the server\'s host name (e.g. Postfix myhostname) to the name in its PTR record and MX record.',
    refs: ['RFC 5321 §4.1.1.1'],
    messages: {
      mxHostNotPtr: 'MX host {host} ({ip}) announces itself as {announcedAs|announcements}, but its address\'s forward-confirmed PTR name is {ptrNames|list}',
      mxHostNotExpected: 'MX host {host} ({ip}) announces itself as {announcedAs|announcements}, but that is neither {expected|nor}',
      addressNotPtr: '{ip} announces itself as {announcedAs|announcements}, but its address\'s forward-confirmed PTR name is {ptrNames|list}',
      localhostName: '{server|hostAndIp} announces itself as {announcedAs|announcements}: its own host name is not set (Postfix myhostname, Exim primary_hostname). Mail to it still arrives, but when this server sends it most likely says EHLO localhost too, which many receivers refuse or count as spam',
      addressLiteral: '{server|hostAndIp} announces itself as {announcedAs|announcements}, an address rather than a host name: mail to it still arrives, but its host name is not set, and receivers expect a name matching the PTR when it sends',
      addressNotExpected: '{ip} announces itself as {announcedAs|announcements}, but that is neither {expected|nor}',
    },
  },

  'rbl.listed': {
    title: 'IP address listed on a DNS blocklist',
    severity: 'error',
    side: 'sender',
    explanation:
      'The IP address is listed on a DNS blocklist (DNSBL); the list, its return code and its stated reason are shown with the finding. Receivers that use this list reject or spam-folder mail from the address. A policy list (Spamhaus PBL, and its kin such as SORBS DUL or Trend Micro ERS-DUL) is different: it names end-user and dynamic ranges that should send through their provider\'s relay, and says nothing about what the address sent.',
    fix: 'Find and stop the cause first (infected machine, compromised account, open relay, unwanted bulk mail), then request delisting on the list\'s website via the link in its reason; some lists expire entries by themselves.',
    fixes: {
      policyListed: `This is a policy listing, not a spam verdict: the address is in a range (home, dynamic or end-user) that its ISP or the list says should not deliver mail itself. ${END_USER_RELAY} ${STATIC_SERVER_DELISTING}`,
      policyListedInbound:
        'Nothing to fix for mail to the domain: receivers ask a policy list about the clients that connect to them to send, so it does not stop anyone delivering to this host. Only if the host also sends mail itself: send through a relay (smarthost), or, for a static address, give it a specific PTR name that resolves back and use the list\'s self-removal via its lookup link.',
      spamhausZen: `Spamhaus ZEN combines several lists and the reply does not say which one lists the address; the lookup link in the reply (or https://check.spamhaus.org) does. SBL, CSS or XBL (spam, snowshoe sending, an infected or exploited host): find and stop the cause first, then request removal there. PBL (an end-user or dynamic range, not a spam verdict): ${END_USER_RELAY} ${STATIC_SERVER_DELISTING}`,
    },
    refs: ['RFC 5782'],
    masks: ['reputation.poor'],
    messages: {
      listed: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}',
      listedWithReason: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}; the list says: {reason|quoted}',
      listedDirectly: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes} (answered by the list\'s own name servers after the resolver was refused)',
      listedDirectlyWithReason: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}; the list says: {reason|quoted} (answered by the list\'s own name servers after the resolver was refused)',
      policyListed: '{who|dnsblSubject} is on {listName} ({list}) by policy, not for mail it sent: {codes|returnCodes}{listing|dnsblListing}. Receivers that use the list refuse mail this address delivers itself to their MX hosts',
      policyListedInbound: '{who|dnsblSubject} is on {listName} ({list}) by policy only: {codes|returnCodes}{listing|dnsblListing}. That does not stop anyone delivering to it (receivers ask the list about clients that connect to send); it matters only if this host also sends mail itself',
    },
  },
  'rbl.domain-listed': {
    title: 'Domain listed on a domain blocklist',
    severity: 'error',
    side: 'sender',
    explanation:
      'The domain is listed on a domain blocklist (e.g. Spamhaus DBL or SURBL), which receivers check against sender addresses and links in messages. Mail from or mentioning the domain is likely to be rejected or filtered as spam.',
    fix: 'Look for compromised web pages, accounts or redirects on the domain and clean them up, then request removal through the list\'s lookup page.',
    refs: ['RFC 5782'],
    masks: ['reputation.poor'],
    messages: {
      listed: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}',
      listedWithReason: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}; the list says: {reason|quoted}',
      listedDirectly: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes} (answered by the list\'s own name servers after the resolver was refused)',
      listedDirectlyWithReason: '{who|dnsblSubject} is listed on {listName} ({list}): {codes|returnCodes}; the list says: {reason|quoted} (answered by the list\'s own name servers after the resolver was refused)',
    },
  },
  'rbl.query-refused': {
    title: 'Blocklist refused the query from this resolver',
    severity: 'warning',
    side: 'local',
    explanation:
      'The blocklist answered with an error code (e.g. 127.255.255.254) instead of a result, because it refuses queries that arrive through public or high-volume DNS resolvers. Whether the address is listed is unknown, not "listed".',
    fix: 'Run maildiag with --resolver pointing at your own recursive resolver (not 8.8.8.8, 1.1.1.1 or 9.9.9.9), or register for the list\'s own query service.',
    refs: ['RFC 5782'],
    messages: {
      refused: '{listName} ({list}) refused to answer for {asked|dnsblSubjects}: {reasons|dnsblReasons}. Whether it is listed there is unknown',
    },
  },
  'rbl.unknown': {
    title: 'A blocklist did not answer: listing status unknown',
    severity: 'info',
    side: 'local',
    explanation:
      'A DNS blocklist (DNSBL) did not answer in time or answered with an error, so whether the address is listed there is unknown. The list may be down, slow, retired, or blocked on this network.',
    fix: 'Retry later or with a longer --timeout, and check that the list still operates; choose the lists to query with --dnsbl.',
    refs: ['RFC 5782'],
    messages: {
      noUsableAnswer: '{listName} ({list}) gave no usable answer for {asked|dnsblSubjects}: {reasons|dnsblReasons}. Whether it is listed there is unknown',
    },
  },

  'spf.missing': {
    title: 'No SPF record',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The domain publishes no SPF record (a TXT record starting "v=spf1") listing the servers allowed to send its mail. Receivers cannot check the sending server, so mail is more likely to be marked as spam and the domain is easier to forge (RFC 7208).',
    fix: 'Publish one TXT record at the domain listing your sending servers and providers, e.g. "v=spf1 mx include:_spf.google.com -all".',
    refs: ['RFC 7208 §3'],
    masks: ['spf.ip-not-authorized'],
    messages: {
      none: '{domain} publishes no SPF record ({absence|spfAbsence})',
    },
  },
  'spf.multiple': {
    title: 'Multiple SPF records (permerror)',
    severity: 'error',
    side: 'sender',
    explanation:
      'The domain publishes more than one TXT record starting "v=spf1". SPF then ends in a permerror (permanent error) for every message, and receivers treat the domain as having a broken SPF setup (RFC 7208 §4.5).',
    fix: 'Merge them into a single record and delete the others, e.g. "v=spf1 mx include:spf.protection.outlook.com include:_spf.google.com -all".',
    refs: ['RFC 7208 §3.2', 'RFC 7208 §4.5'],
    masks: ['spf.ip-not-authorized', 'spf.permerror'],
    messages: {
      here: '{domain} publishes {records} SPF records; receivers return permerror',
      nested: '{term} (in {parent}) leads to {domain}, which publishes {records} SPF records; receivers return permerror',
    },
  },
  'spf.syntax': {
    title: 'SPF record has a syntax error',
    severity: 'error',
    side: 'sender',
    explanation:
      'The SPF record contains something SPF does not understand, such as a misspelt mechanism, a stray character or a bad IP range. Receivers stop with a permerror, so the record protects nothing and may count against the mail (RFC 7208 §4.6).',
    fix: 'Correct the term shown in the finding so the record uses valid mechanisms only, e.g. "v=spf1 ip4:203.0.113.0/24 include:_spf.example.net -all".',
    refs: ['RFC 7208 §4.6', 'RFC 7208 §12'],
    masks: ['spf.ip-not-authorized', 'spf.permerror'],
    messages: {
      here: 'the SPF record of {domain} has a syntax error at "{term}": {problem|spfSyntax}; receivers return permerror',
      nested: '{via} leads to {domain}, whose SPF record has a syntax error at "{term}": {problem|spfSyntax}; receivers return permerror',
    },
  },
  'spf.too-many-lookups': {
    title: 'SPF needs more than 10 DNS lookups',
    severity: 'error',
    side: 'sender',
    explanation:
      'Checking the SPF record takes more than 10 DNS lookups (each include, a, mx, ptr, exists and redirect counts, inside nested includes too). Receivers stop at 10 and return a permerror, so SPF fails for all mail (RFC 7208 §4.6.4).',
    fix: 'Remove includes for services you no longer use, replace a and mx with ip4:/ip6: ranges where they are stable, and drop ptr; flattening includes into IP addresses is a last resort because providers change them.',
    refs: ['RFC 7208 §4.6.4'],
    masks: ['spf.ip-not-authorized', 'spf.permerror'],
    messages: {
      loop: 'include loop {loop|arrows}: receivers follow it until the limit of {limit} lookups and return permerror',
      overLimit: 'checking SPF for {domain} takes {lookups} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of {limit}: receivers return permerror',
      overLimitUncounted: 'checking SPF for {domain} takes more than {lookups} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of {limit}: receivers return permerror',
      overLimitIpStopsEarlier:
        'checking SPF for {domain} takes {lookups} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of {limit}: receivers return permerror for senders whose evaluation goes that far; for {ip} it stops after {ipLookups|lookups} ({ipVoidLookups} void) with {ipResult}',
      overLimitUncountedIpStopsEarlier:
        'checking SPF for {domain} takes more than {lookups} DNS lookups (include, a, mx, ptr, exists, redirect), over the limit of {limit}: receivers return permerror for senders whose evaluation goes that far; for {ip} it stops after {ipLookups|lookups} ({ipVoidLookups} void) with {ipResult}',
      mxHosts: '{term} (in {domain}) has {mxHosts} MX hosts; receivers look up at most {limit} and return permerror',
    },
  },
  'spf.void-lookups': {
    title: 'SPF record has void DNS lookups',
    severity: 'warning',
    side: 'sender',
    explanation:
      'Some names in the SPF record (in include, a, mx or exists) have no records or do not exist. These void lookups waste the lookup budget, and more than two of them make receivers return a permerror (RFC 7208 §4.6.4).',
    fix: 'Remove or correct the names that no longer exist, typically an include: for a provider you have left.',
    refs: ['RFC 7208 §4.6.4'],
    masks: ['spf.permerror'],
    messages: {
      overLimit: '{voidLookups} lookups in the SPF of {domain} find nothing (limit {limit}): {voids|spfVoids}; receivers return permerror',
      overLimitIpStopsEarlier:
        '{voidLookups} lookups in the SPF of {domain} find nothing (limit {limit}): {voids|spfVoids}; receivers return permerror for senders whose evaluation goes that far; for {ip} it stops after {ipLookups|lookups} ({ipVoidLookups} void) with {ipResult}',
    },
  },
  'spf.include-missing': {
    title: 'SPF include or redirect names a domain without SPF',
    severity: 'error',
    side: 'sender',
    explanation:
      'The SPF record includes (include:) or redirects to (redirect=) a domain that publishes no SPF record, often a provider the domain has left or a misspelt name. Receivers stop with a permerror when they reach that term, so SPF fails for every server not listed before it (RFC 7208 §5.2, §6.1).',
    fix: 'Correct the name to the one your provider documents (e.g. include:_spf.google.com), or remove the term if you no longer use that service.',
    refs: ['RFC 7208 §5.2', 'RFC 7208 §6.1'],
    masks: ['spf.ip-not-authorized', 'spf.permerror'],
    messages: {
      none: '{term} (in {parent}) names {domain}, which has no SPF record ({absence|spfAbsence}); receivers return permerror there',
    },
  },
  'spf.permerror': {
    title: 'SPF ends in permerror for the sending IP',
    severity: 'error',
    side: 'sender',
    explanation:
      'Evaluating the SPF record for the sending IP given with --ip ends in a permerror (permanent error): something on the path that address takes is broken, such as an include or redirect whose name expands to nothing valid, more than 10 DNS-querying terms, or more than 2 lookups that find nothing. Receivers treat the message as failing SPF, and DMARC cannot pass on SPF (RFC 7208 §2.6.7).',
    fix: 'Correct the term named in the finding (the path shows how the evaluation got there), e.g. replace an include of a domain without SPF, or remove lookups so the path stays within 10.',
    refs: ['RFC 7208 §2.6.7', 'RFC 7208 §4.6.4'],
    masks: ['spf.ip-not-authorized'],
    messages: {
      permerror: 'SPF permerror for {ip} sending as {domain}: {why|spfReason}',
    },
  },
  'spf.temperror': {
    title: 'SPF ends in temperror for the sending IP',
    severity: 'warning',
    side: 'sender',
    explanation:
      'A DNS lookup the SPF evaluation for the sending IP needs timed out or failed (SERVFAIL), so the result is a temperror (temporary error). Receivers usually defer the message (a 4xx reply) and try again, so mail is delayed, and bounces if the failure lasts (RFC 7208 §2.6.6).',
    fix: 'Make the name shown in the finding answer reliably: check the name servers of the domain (or of the provider it includes). If lookups of other domains fail too, the resolver maildiag used is the problem instead; try --resolver.',
    refs: ['RFC 7208 §2.6.6', 'RFC 7208 §5'],
    messages: {
      temperror: 'SPF temperror for {ip} sending as {domain}: {why|spfReason}',
    },
  },
  'spf.plus-all': {
    title: 'SPF +all authorises the whole internet',
    severity: 'error',
    side: 'sender',
    explanation:
      'The SPF record ends in +all (or a bare "all"), which says every server on the internet may send mail for the domain. This makes SPF useless against forgery, and many receivers treat it as a sign of spam (RFC 7208 §5.1).',
    fix: 'List your real senders and end the record with -all (or ~all while testing), e.g. "v=spf1 mx include:_spf.google.com -all".',
    refs: ['RFC 7208 §5.1'],
    messages: {
      passesAll: 'SPF of {domain} passes mail from any address: {chain|arrows}',
    },
  },
  'spf.soft-all': {
    title: 'SPF ends in ~all (softfail) or ?all (neutral)',
    severity: 'info',
    side: 'sender',
    explanation:
      'The SPF record ends in ~all (softfail) or ?all (neutral), so mail from servers it does not list is only marked as suspicious, not failed. This is common and fine while setting up; DMARC decides what happens to mail that fails.',
    fix: 'Once every legitimate sender is listed, end the record with -all, e.g. "v=spf1 mx include:_spf.google.com -all".',
    refs: ['RFC 7208 §8.5', 'RFC 7208 §8.2'],
    messages: {
      softfail: 'SPF of {domain} ends in ~all: mail from unlisted servers gets softfail, not fail',
      softfailVia: 'SPF of {domain} ends in ~all (via {via}): mail from unlisted servers gets softfail, not fail',
      neutral: 'SPF of {domain} ends in ?all: mail from unlisted servers gets neutral, as if there were no SPF',
      neutralVia: 'SPF of {domain} ends in ?all (via {via}): mail from unlisted servers gets neutral, as if there were no SPF',
      noAll: 'SPF of {domain} has neither "all" nor redirect=: mail from unlisted servers gets neutral (RFC 7208 §4.7)',
    },
  },
  'spf.ip-not-authorized': {
    title: 'Sending IP not authorised by SPF',
    severity: 'error',
    side: 'sender',
    explanation:
      'The sending IP address given with --ip is not allowed by the domain\'s SPF record, so SPF fails for mail sent from it. Unless DKIM passes, receivers that enforce DMARC reject or spam-folder that mail.',
    fix: 'Add the address or its provider to the SPF record, e.g. "v=spf1 mx ip4:203.0.113.5 -all" or an include: for the provider, or send through a server the record already lists.',
    refs: ['RFC 7208 §8.4'],
    messages: {
      unlisted: 'SPF {result} for {ip} sending as {domain}: the record does not list this address ({why|spfReason})',
      refused: 'SPF {result} for {ip} sending as {domain}: {why|spfReason}',
    },
  },

  'dkim.not-found': {
    title: 'No DKIM key found at the common selectors',
    severity: 'info',
    side: 'sender',
    explanation:
      'No DKIM public key was found at the selectors maildiag tried (common names and any given with --dkim-selector). DNS cannot list selectors, so the domain may still sign with one that was not tried: the s= tag in a received message\'s DKIM-Signature header names it.',
    fix: 'If the domain does not sign its mail, turn on DKIM signing at your mail provider and publish the key record it gives you; otherwise rerun with --dkim-selector set to the s= value of a signed message.',
    refs: ['RFC 6376 §3.6.2'],
    messages: {
      givenSelector: 'no DKIM key at {name} ({outcome}), the selector given with --dkim-selector',
      messageSelector: 'no DKIM key at {name} ({outcome}), the selector a signature in the message names',
      noSubtree: 'no DKIM key for {domain}: _domainkey.{domain} does not exist, so no selector below it does (RFC 8020)',
      commonSelectors: 'no DKIM key at the {selectorsTried} common selectors of {domain} ({selectors|list})',
    },
  },
  'dkim.key-invalid': {
    title: 'DKIM key record is invalid',
    severity: 'error',
    side: 'sender',
    explanation:
      'The DKIM key record at this selector cannot be used: the public key (p=) is not a valid key or its tags are malformed, often because the record was split or cut short when pasted into DNS. Every signature made with this selector fails (RFC 6376 §3.6.1).',
    fix: 'Republish the record exactly as your provider or signing server generated it, e.g. "v=DKIM1; k=rsa; p=MIIBIjANBg...", splitting a long key into several quoted strings within one TXT record.',
    refs: ['RFC 6376 §3.6.1'],
    messages: {
      invalid: '{name}: {problem|dkimKeyProblem}',
    },
  },
  'dkim.key-revoked': {
    title: 'DKIM key revoked (empty p=)',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The DKIM key record at this selector has an empty p= tag, which means the key was deliberately revoked. Any mail still signed with this selector fails DKIM (RFC 6376 §3.6.1).',
    fix: 'If the selector is retired and nothing signs with it any more, nothing to do; otherwise switch signing to an active selector or publish the current key.',
    refs: ['RFC 6376 §3.6.1'],
    messages: {
      revoked: '{name} has an empty p=: the key for selector {selector} is revoked',
    },
  },
  'dkim.key-weak': {
    title: 'Weak DKIM key (too short)',
    severity: 'error',
    side: 'sender',
    explanation:
      'The DKIM key is an RSA key shorter than receivers accept; its length is shown with the finding. Keys under 1024 bits are ignored by major providers, so the mail is treated as unsigned (RFC 8301).',
    fix: 'Generate a new 2048-bit RSA key, publish it under a new selector, switch signing to it, then delete the old record.',
    refs: ['RFC 8301 §3.2'],
    messages: {
      ignored: '{name} holds a {bits}-bit RSA key; receivers ignore keys under {minimumBits} bits, so its signatures count as missing (RFC 8301 §3.2)',
      belowRecommended: '{name} holds a {bits}-bit RSA key: accepted today, but {recommendedBits} bits is the recommended size (RFC 8301 §3.2)',
    },
  },
  'dkim.testing': {
    title: 'DKIM key in testing mode (t=y)',
    severity: 'info',
    side: 'sender',
    explanation:
      'The DKIM key record carries t=y, telling receivers the domain is only testing DKIM, so some treat its signatures as if the mail were unsigned. Left on after testing, it weakens DKIM (RFC 6376 §3.6.1).',
    fix: 'Remove t=y from the key record once signing works, e.g. "v=DKIM1; k=rsa; p=MIIBIjANBg...".',
    refs: ['RFC 6376 §3.6.1'],
    messages: {
      testing: '{name} has t=y: receivers may treat its signatures as absent',
    },
  },

  'dmarc.missing': {
    title: 'No DMARC record',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The domain publishes no DMARC record at _dmarc.<domain>, so receivers have no policy for mail that fails SPF and DKIM, and the owner gets no reports. Large providers such as Google, Yahoo and Microsoft require DMARC from bulk senders (RFC 9989).',
    fix: 'Publish a TXT record at _dmarc.<domain>, starting with monitoring, e.g. "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.org", and move to p=quarantine or p=reject once the reports look clean.',
    refs: ['RFC 9989'],
    masks: ['dmarc.no-reports'],
    messages: {
      none: 'no DMARC record at {names|list}: receivers apply no DMARC policy to mail from {domain}',
    },
  },
  'dmarc.multiple': {
    title: 'Multiple DMARC records',
    severity: 'error',
    side: 'sender',
    explanation:
      'More than one TXT record at _dmarc.<domain> starts with "v=DMARC1". Receivers then ignore DMARC for the domain altogether, as if there were no record (RFC 9989).',
    fix: 'Keep a single record combining the tags you need and delete the others, e.g. "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.org".',
    refs: ['RFC 9989'],
    masks: ['dmarc.policy-none', 'dmarc.testing', 'dmarc.partial', 'dmarc.rua-unauthorized', 'dmarc.no-reports'],
    messages: {
      several: '{name} has {count} DMARC records; receivers discard them all (RFC 9989 §4.10)',
    },
  },
  'dmarc.syntax': {
    title: 'DMARC record has a syntax error',
    severity: 'error',
    side: 'sender',
    explanation:
      'The DMARC record is malformed, e.g. it does not start with "v=DMARC1", has an unknown policy value or a broken tag. Receivers may discard it or fall back to p=none, so the intended policy is not applied (RFC 9989).',
    fix: 'Correct the tag shown in the finding, e.g. "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org".',
    refs: ['RFC 9989'],
    messages: {
      unreadable: 'the DMARC record at {name} cannot be read: {problem|dmarcUnreadable}; receivers ignore it',
      lookalike: 'the TXT record at {name} looks like DMARC but does not start with "v=DMARC1;", so receivers ignore it',
      problems: '{source|dmarcSource}: {problems|dmarcProblems}',
      noPolicy: '{source|dmarcSource}: {broken|brokenPolicyTags} and no rua=, so RFC 9989 receivers apply no DMARC',
      noPolicyNorP: '{source|dmarcSource}: {broken|brokenPolicyTags} and no rua=, so RFC 9989 receivers apply no DMARC and RFC 7489 receivers discard the record (p= is required there)',
    },
  },
  'dmarc.policy-none': {
    title: 'DMARC policy is p=none (monitoring only)',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The DMARC record has p=none, so receivers take no action on mail that fails SPF and DKIM: forged mail using the domain is still delivered. It is the right first step, but only a monitoring mode (RFC 9989).',
    fix: 'Once the aggregate reports show your legitimate senders pass, change to p=quarantine and then p=reject, e.g. "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org".',
    refs: ['RFC 9989'],
    masks: ['dmarc.testing', 'dmarc.partial'],
    messages: {
      none: '{source|dmarcSource}: {tag}={policy}; failing mail is delivered as usual',
      brokenReadAsNone: '{source|dmarcSource}: {broken|brokenPolicyTags}, which RFC 9989 reads as p=none because rua= is set; failing mail is delivered as usual',
      brokenReadAsNoneNorP: '{source|dmarcSource}: {broken|brokenPolicyTags}, which RFC 9989 reads as p=none because rua= is set (RFC 7489 receivers discard a record without p=); failing mail is delivered as usual',
      subdomainsUnprotected: '{source|dmarcSource}: p={policy}, but sp=none leaves subdomains unprotected',
      nonExistentUnprotected: '{source|dmarcSource}: p={policy}, but np=none leaves non-existent subdomains unprotected',
      bothUnprotected: '{source|dmarcSource}: p={policy}, but sp=none and np=none leaves subdomains unprotected',
    },
  },
  'dmarc.testing': {
    title: 'DMARC in testing mode (t=y)',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The DMARC record carries t=y, which asks receivers not to enforce the published quarantine or reject policy while the owner tests it, so forged mail may still be delivered (RFC 9989).',
    fix: 'Remove t=y (or set t=n) once the reports show that legitimate mail passes.',
    refs: ['RFC 9989'],
    messages: {
      nextLower: '{source|dmarcSource}: t=y asks receivers to apply the next lower policy, {testingPolicy} instead of {policy} (RFC 9989 §4.7)',
    },
  },
  'dmarc.partial': {
    title: 'DMARC policy applies to only part of failing mail (pct below 100)',
    severity: 'info',
    side: 'sender',
    explanation:
      'The DMARC record has pct= below 100. RFC 9989 removed this tag; receivers that still follow RFC 7489 apply the policy to only that share of failing mail, and the newer ones ignore it.',
    fix: 'Remove the pct tag (or set pct=100); to try a policy out gently, use t=y instead.',
    refs: ['RFC 9989', 'RFC 7489 §6.3'],
    messages: {
      pct: '{source|dmarcSource}: pct={pct}; RFC 7489 receivers apply p={policy} to {pct}% of failing mail, RFC 9989 receivers ignore pct and apply it to all',
    },
  },
  'dmarc.rua-unauthorized': {
    title: 'External DMARC report address (rua) not authorised',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The DMARC rua= report address is at another domain, and that domain has not published the record authorising it to receive your reports (<domain>._report._dmarc.<report-domain>, RFC 9990). Receivers then send no aggregate reports there.',
    fix: 'Ask the report receiver (your DMARC service) to publish the TXT record "v=DMARC1" at <domain>._report._dmarc.<report-domain> (e.g. example.org._report._dmarc.reports.example.net), or use a rua= address at your own domain.',
    refs: ['RFC 9990'],
    messages: {
      aggregate: 'rua={uri} is outside {policyDomain}\'s organisation and {authorizationName} has no "v=DMARC1" record, so receivers send no aggregate reports there (RFC 9990)',
      failure: 'ruf={uri} is outside {policyDomain}\'s organisation and {authorizationName} has no "v=DMARC1" record, so receivers send no failure reports there (RFC 9990)',
    },
  },
  'dmarc.no-reports': {
    title: 'No DMARC aggregate reports (no rua)',
    severity: 'info',
    side: 'sender',
    explanation:
      'The DMARC record has no rua= tag, so receivers send no aggregate reports and the owner cannot see who sends mail in the domain\'s name, or what fails DMARC, before tightening the policy (RFC 9989).',
    fix: 'Add a report address, e.g. "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.org", or the one a DMARC reporting service gives you.',
    refs: ['RFC 9989'],
    messages: {
      noRua: '{source|dmarcSource}: no rua= address, so no receiver sends aggregate reports',
    },
  },

  'sender.domain-invalid': {
    title: 'Sender domain does not resolve or is refused',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiving server refused the sender address because its domain (in MAIL FROM or the From header) does not resolve in DNS, has no MX or A record, or is otherwise refused. Receivers do this to stop forged and misconfigured senders.',
    fix: 'Check the sender address the server or application uses (a typo or an internal-only domain such as school.local is common) and make sure its domain has public MX or A records.',
    refs: ['RFC 3463', 'RFC 5321 §3.3'],
  },
  'sender.unverified': {
    title: 'Sender or domain not verified with the sending provider',
    severity: 'error',
    side: 'sender',
    explanation:
      'The sending provider (e.g. Amazon SES, SendGrid, Microsoft 365, Google Workspace) refused to send because this sender address or domain has not been verified in its account. Providers require this so customers cannot send as domains they do not own.',
    fix: 'Verify the address or domain in the provider\'s admin console, usually by adding a DNS record it gives you, or send from an address that is already verified.',
  },
  'routing.loop': {
    title: 'Mail loop or too many hops',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The message was passed between servers too many times (too many Received headers) and was stopped as a mail loop. Typical causes are forwarding rules that point at each other, or an MX record that points back at the sending server (RFC 5321 §6.3).',
    fix: 'Check forwarding rules and aliases on both sides, and make sure the domain\'s MX records point at the server that actually holds its mailboxes, not at a relay that sends it back.',
    refs: ['RFC 5321 §6.3', 'RFC 3463'],
  },
  'relay.denied': {
    title: 'Relaying denied',
    severity: 'error',
    side: 'sender',
    explanation:
      'The server refused to pass the message on to another domain ("relay access denied", often 554 5.7.1). Usually the sender reached a server that does not host the recipient\'s domain without logging in, or the recipient domain\'s MX points at a server that does not know it hosts that domain.',
    fix: 'When sending through your own relay, turn on authentication (SMTP AUTH on port 587) in the device or application; if the recipient\'s server said this, its admin must add the domain to the server\'s accepted domains.',
    refs: ['RFC 5321 §3.6.1', 'RFC 3463'],
  },

  'auth.required': {
    title: 'The mail server requires authentication',
    severity: 'error',
    side: 'sender',
    explanation:
      'The server requires the sender to log in (SMTP AUTH) before it accepts the message, e.g. "530 5.7.0 Authentication required". Printers, scanners and applications set up to send without a user name and password often hit this.',
    fix: 'Configure the device or application with the mailbox\'s user name and password (or an app password), on port 587 with STARTTLS.',
    refs: ['RFC 4954', 'RFC 6409'],
  },
  'auth.unauthenticated': {
    title: 'Message passed neither SPF nor DKIM',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiver refused the message because neither SPF nor DKIM passed for it, so nothing showed the domain had authorised it. Large providers now require at least one of them, and DMARC needs one to pass for the From domain.',
    fix: 'Add the sending server or service to the domain\'s SPF record and turn on DKIM signing for the domain there; check the Authentication-Results header of a test message.',
    refs: ['RFC 7208', 'RFC 6376', 'RFC 9989'],
    masks: ['auth.spf-fail', 'auth.dkim-fail', 'auth.dmarc-reject', 'auth.from-not-aligned'],
    messages: {
      unsigned: 'neither SPF ({spf}) nor DKIM (no signature) passed for this message',
      signed: 'neither SPF ({spf}) nor DKIM ({signatures|dkimResults}) passed for this message',
    },
  },
  'auth.spf-fail': {
    title: 'Message fails SPF',
    severity: 'error',
    side: 'sender',
    explanation:
      'The sending server\'s IP address is not allowed by the sender domain\'s SPF record (SPF fail), and receivers refuse or junk such mail, whether a bounce says so or a received message shows it. This happens when a new service, forwarder or server sends as the domain without being added to SPF.',
    fix: 'Add the sending server or its provider to the SPF record, e.g. "v=spf1 mx include:_spf.google.com ip4:203.0.113.5 -all"; forwarded mail needs the forwarder to rewrite the sender (SRS).',
    refs: ['RFC 7208 §8.4', 'RFC 7372'],
    messages: {
      mailFrom: 'SPF {result} for {ip} sending as {sender}: {why|spfReason}',
      helo: 'SPF {result} for {ip} sending as the HELO name {domain}: {why|spfReason}',
    },
  },
  'auth.dkim-fail': {
    title: 'Message fails DKIM',
    severity: 'error',
    side: 'sender',
    explanation:
      'The message\'s DKIM signature was missing, did not verify, or its key could not be found, and receivers refuse or junk such mail, whether a bounce says so or a received message shows it. Signatures break when a gateway or mailing list changes the message after signing, or when the published key does not match the signing key.',
    fix: 'Check that the DKIM key published at the selector matches the key the server signs with, and that no footer or disclaimer tool changes messages after they are signed.',
    refs: ['RFC 6376', 'RFC 7372'],
    messages: {
      unsigned: 'the message carries no DKIM signature',
      failed: 'DKIM {result} for d={domain}',
      failedWithComment: 'DKIM {result} for d={domain}: {comment}',
      failedSelector: 'DKIM {result} for d={domain} s={selector}',
      failedSelectorWithComment: 'DKIM {result} for d={domain} s={selector}: {comment}',
    },
  },
  'auth.dmarc-reject': {
    title: 'Message refused by the sender domain\'s DMARC policy',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiver refused the message because it failed DMARC and the From domain publishes p=reject (or p=quarantine): neither SPF nor DKIM passed for a domain matching the From address. Often a legitimate service sends as the domain without being set up for it.',
    fix: 'Set up the sending service to sign with DKIM for your domain (and use SPF for its return-path domain); the DMARC aggregate reports show other senders that do not align.',
    refs: ['RFC 9989', 'RFC 7372'],
    masks: ['auth.from-not-aligned'],
    messages: {
      policy: 'the message fails DMARC for {fromDomain}: neither SPF nor DKIM passed for a domain aligned with it, and _dmarc.{policyDomain} asks receivers to {policy} such mail',
    },
  },
  'auth.from-not-aligned': {
    title: 'From domain aligned with neither SPF nor DKIM',
    severity: 'warning',
    side: 'sender',
    explanation:
      'No SPF or DKIM pass in this message is for the From domain (or a domain under the same organisation), so DMARC fails for it even where SPF or DKIM passed for another domain, such as the sending service\'s own. Gmail and Yahoo require this alignment from bulk senders, Outlook.com from high-volume senders, and a DMARC policy of quarantine or reject turns it into junked or refused mail (RFC 9989).',
    fix: 'Have the sending service sign with DKIM as your domain (d= your domain, usually a CNAME to the provider\'s key), or use a return-path (MAIL FROM) under your domain that SPF authorises.',
    refs: ['RFC 9989'],
    messages: {
      otherDomains: '{passed|passedFor} passed, none aligned with From {fromDomain}',
      nothingPassed: 'neither SPF nor DKIM passed, so nothing aligns with From {fromDomain}',
    },
  },

  'reputation.poor': {
    title: 'Sender reputation too poor',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiver refused the message because of the sending IP address\'s or domain\'s reputation, built from spam complaints, blocklistings, spam-trap hits and sending patterns (e.g. Gmail\'s "unusual rate of unsolicited mail").',
    fix: 'Check the IP and domain against blocklists and the provider\'s postmaster tools (Google Postmaster Tools, Microsoft SNDS), stop any source of spam and send only mail people asked for, then ask for mitigation through the provider\'s support form.',
  },
  'rate.limited': {
    title: 'Rate limited: too many messages or connections',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The receiver temporarily refused the message because the sender sent too many messages, recipients or connections in a short time (e.g. "421 4.7.0 Try again later" or "452 4.5.3 Too many recipients"). The sending server retries, so mail is delayed rather than lost.',
    fix: 'Send in smaller batches with fewer recipients per message and fewer parallel connections, and raise the volume from a new IP address gradually.',
    fixes: {
      mailboxRate: 'Nothing on the sending side: senders retry and the mail arrives once the mailbox\'s rate drops. If it lasts, the recipient or their admin should find what floods that mailbox (a mail loop, an auto-forward, a subscription bomb) or ask the provider to lift the limit.',
    },
    refs: ['RFC 3463'],
    masks: ['delivery.delayed'],
    messages: {
      mailboxRate: '{server|hostAndIp} answered {command} with {reply|quoted}: that one mailbox is receiving mail faster than its provider lets it (a limit per recipient, not greylisting and not a limit on maildiag\'s address), so mail to it is delayed or refused until the rate drops',
    },
  },
  'policy.multi-domain-deferral': {
    title: 'Deferred: recipients at several domains in one transaction',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The receiver deferred the message because one SMTP transaction carried recipients at several different domains (e.g. "451 4.3.0 Multiple destination domains per transaction is unsupported"). The sending server normally retries each domain separately, so mail is delayed; if it does not, some recipients never get it.',
    fix: 'Configure the sending application or relay to use one transaction per recipient domain; most mail servers do this by default, so check the relay or application that groups them.',
    masks: ['delivery.delayed'],
  },

  'content.rejected': {
    title: 'Message refused by a spam, virus or content filter',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiver\'s filter refused the message for its content: it looked like spam, contained a virus or a blocked attachment type (e.g. .exe files or documents with macros), or matched a content policy. The bounce usually names the filter or rule.',
    fix: 'Remove the flagged attachment or links (share files through a link instead) and avoid URL shorteners; if the message is legitimate, ask the recipient\'s admin to allow-list the sender.',
    refs: ['RFC 3463'],
  },
  'message.malformed': {
    title: 'Message format breaks the email standards',
    severity: 'error',
    side: 'sender',
    explanation:
      'The message breaks RFC 5322/5321 format rules, and receivers refuse or junk such mail, e.g. duplicate or missing headers (From, Date, Message-ID), bare LF line endings instead of CRLF, or lines longer than 1000 characters. Usually an application or script builds the messages by hand.',
    fix: 'Build messages with a standard mail library, make sure each header appears once and lines end in CRLF, and wrap long lines or use quoted-printable encoding.',
    refs: ['RFC 5322 §3.6', 'RFC 5321 §2.3.8', 'RFC 5321 §4.5.3.1.6'],
    messages: {
      problems: '{problems|headerProblems}',
      problemsCutOff: '{problems|headerProblems} (the header block has no end: the file may be cut off, so only the fields present were judged)',
    },
  },
  'message.from-impersonates-provider': {
    title: 'From address uses a mailbox provider\'s domain it was not sent by',
    severity: 'error',
    side: 'sender',
    explanation:
      'The From address is at a big mailbox provider\'s domain (e.g. gmail.com, yahoo.com, outlook.com), but the message did not come from that provider: DMARC does not pass for it. Those domains publish DMARC policies of quarantine or reject, and Gmail\'s sender rules forbid impersonating Gmail From addresses, so such mail is junked or refused.',
    fix: 'Send from an address at your own domain (set up with SPF, DKIM and DMARC), and put the provider address in Reply-To if replies should go there; or send through the provider\'s own servers.',
    refs: ['RFC 9989'],
    messages: {
      notSentBy: 'From {fromDomain}, but DMARC {result} for it: not sent through {fromDomain}',
      notEvaluated: 'From {fromDomain}, but DMARC could not be evaluated for it: not sent through {fromDomain}',
    },
  },
  'message.sent-without-tls': {
    title: 'Message handed to the receiver without TLS',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The receiving server recorded the hop from the sending server as plain SMTP (e.g. "with ESMTP" rather than "with ESMTPS"): the message crossed the internet unencrypted. Gmail requires all senders to use a TLS connection.',
    fix: 'Turn on opportunistic TLS for outgoing mail on the sending server (Postfix: smtp_tls_security_level = may; Exchange: TLS on the send connector) and check it has a working certificate store.',
    refs: ['RFC 3207', 'RFC 3848'],
    messages: {
      plain: 'Received field {position} from the top: with {protocol}, no TLS named',
      plainBy: 'Received field {position} from the top (by {by}): with {protocol}, no TLS named',
    },
  },
  'message.unsubscribe-missing': {
    title: 'No List-Unsubscribe header',
    severity: 'info',
    side: 'sender',
    explanation:
      'The message has no List-Unsubscribe header. Personal and transactional mail needs none, but Gmail and Yahoo require marketing and subscribed mail from bulk senders to offer one-click unsubscribe through it (RFC 8058); without it, recipients who want no more mail press "Report spam" instead.',
    fix: 'For newsletters and marketing mail, add "List-Unsubscribe: <https://example.com/unsub?id=...>" and "List-Unsubscribe-Post: List-Unsubscribe=One-Click", sign both with DKIM, and honour requests within two days.',
    refs: ['RFC 2369', 'RFC 8058'],
    messages: {
      missing: 'no List-Unsubscribe field',
    },
  },
  'message.unsubscribe-not-one-click': {
    title: 'Unsubscribe is not one-click (RFC 8058)',
    severity: 'warning',
    side: 'sender',
    explanation:
      'The message has a List-Unsubscribe header but not what one-click unsubscribe needs: an https URI in it and "List-Unsubscribe-Post: List-Unsubscribe=One-Click" beside it. Gmail and Yahoo require one-click unsubscribe from bulk senders of marketing and subscribed mail; a mailto: or web page alone does not count.',
    fix: 'Add an https URI that unsubscribes on a POST without further steps, and the header "List-Unsubscribe-Post: List-Unsubscribe=One-Click"; most sending services have a setting for it.',
    refs: ['RFC 8058 §3.1'],
    messages: {
      gaps: '{gaps|unsubscribeGaps}',
    },
  },
  'message.unsubscribe-not-signed': {
    title: 'Unsubscribe headers not covered by the From domain\'s DKIM signature',
    severity: 'warning',
    side: 'sender',
    explanation:
      'List-Unsubscribe and List-Unsubscribe-Post must be covered by a valid DKIM signature (RFC 8058 §4), so that nobody can add an unsubscribe link to mail they did not send; receivers ignore one-click unsubscribe headers that no passing signature of the From domain covers.',
    fix: 'Add both headers before the message is signed and include them in the signature\'s h= list (most DKIM signers take a list of headers to sign), with d= your From domain.',
    refs: ['RFC 8058 §4', 'RFC 6376 §5.4'],
    messages: {
      notCovered: 'no passing DKIM signature of {fromDomain} covers both List-Unsubscribe and List-Unsubscribe-Post',
      notCoveredSigners: 'no passing DKIM signature of {fromDomain} covers both List-Unsubscribe and List-Unsubscribe-Post ({signers|unsubscribeSigners})',
      notCoveredNoFrom: 'no passing DKIM signature of the From domain covers both List-Unsubscribe and List-Unsubscribe-Post',
      notCoveredNoFromSigners: 'no passing DKIM signature of the From domain covers both List-Unsubscribe and List-Unsubscribe-Post ({signers|unsubscribeSigners})',
    },
  },
  'message.too-large': {
    title: 'Message too large for the receiving server',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiver refused the message because it is bigger than its size limit (e.g. "552 5.3.4 Message size exceeds fixed limit"). Attachments grow by about a third when encoded for email, so a 20 MB file becomes about 27 MB.',
    fix: 'Send large files as a sharing link (e.g. OneDrive or Google Drive) instead of an attachment, or split them; if the limit is on your own server, raise it.',
    refs: ['RFC 1870', 'RFC 3463'],
  },

  'recipient.unknown': {
    title: 'Recipient address does not exist',
    severity: 'error',
    side: 'sender',
    explanation:
      'The receiving server says there is no such mailbox (e.g. "550 5.1.1 User unknown"): the address is misspelt, or the person has left and the account was deleted. Mail to that address will never be delivered.',
    fix: 'Check the address with the recipient by another route, and remove it from mailing lists if it keeps bouncing.',
    refs: ['RFC 3463'],
  },
  'recipient.disabled': {
    title: 'Recipient account is disabled or suspended',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The address exists but the account is disabled, suspended or inactive (e.g. "550 5.2.1 Mailbox disabled"), often because the person left or the account was locked. Mail bounces until the recipient\'s organisation reactivates it.',
    fix: 'Contact the recipient by another route; if the account is in your organisation, re-enable it or forward its mail to a colleague.',
    refs: ['RFC 3463'],
  },
  'mailbox.full': {
    title: 'Recipient mailbox is full',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The recipient\'s mailbox has reached its storage quota (e.g. "552 5.2.2 Mailbox full", or temporarily "452 4.2.2"), so new mail is refused until space is freed. Temporary refusals are retried for a while; permanent ones bounce at once.',
    fix: 'The recipient or their admin must delete old mail or raise the quota; the sender can only tell them another way and resend later.',
    refs: ['RFC 3463'],
    masks: ['delivery.delayed', 'delivery.expired'],
  },

  'delivery.expired': {
    title: 'Delivery given up after retrying',
    severity: 'error',
    side: 'recipient',
    explanation:
      'The sending server kept retrying and finally gave up after its retry period (usually 1 to 5 days) without a more specific reason. Most often the recipient\'s mail servers were unreachable or kept deferring the mail the whole time (RFC 5321 §4.5.4.1).',
    fix: 'Run maildiag on the recipient\'s domain to see whether its MX hosts are reachable, and resend once they are; if mail to every domain expires, check your own server\'s outbound port 25 and blocklist status.',
    refs: ['RFC 5321 §4.5.4.1', 'RFC 3464'],
    masks: ['delivery.delayed'],
  },
  'delivery.delayed': {
    title: 'Delivery delayed: still retrying',
    severity: 'warning',
    side: 'recipient',
    explanation:
      'This is a delay warning, not a bounce: the sending server could not deliver yet and keeps retrying, so the mail may still arrive (RFC 3464). The warning usually says how long retries will go on.',
    fix: 'Nothing needs resending yet; if mail to a domain is often delayed, run maildiag on that domain to see why its servers defer or cannot be reached.',
    refs: ['RFC 3464', 'RFC 5321 §4.5.4.1'],
  },
});

export type CauseId = keyof typeof registry;
export const causes: Readonly<Record<CauseId, CauseDef>> = registry;
export const causeIds = Object.keys(causes) as CauseId[];

export function isCauseId(id: string): id is CauseId {
  return Object.hasOwn(causes, id);
}

/** The fix for one case of a cause (a finding's messageId, or a case explain names), else the cause's own. */
export function fixFor(cause: CauseId, caseName?: string): string {
  const fixes = causes[cause].fixes;
  return caseName !== undefined && fixes && Object.hasOwn(fixes, caseName) ? fixes[caseName]! : causes[cause].fix;
}

/** Position in causal order: smaller is closer to the root. */
export const causalOrder: Readonly<Record<string, number>> = Object.fromEntries(causeIds.map((id, i) => [id, i]));

/**
 * How a placeholder's value is said, by the name after `|`: `{hosts|list}`.
 * A placeholder without a format takes a string or a number as it is. `takes`
 * is the JSON type of the value, for the report schema ('objects': an array of objects).
 */
function hostAndIp(server: { host: string; ip: string }): string {
  return server.host === server.ip ? server.ip : `${server.host} (${server.ip})`;
}

/** While one MX address fails, what answers instead: another address of the same host, a host of another preference, or nothing. */
export type Fallback = { by: 'none' } | { by: 'otherAddress'; ip: string } | { by: 'otherHost'; host: string; preference: number };

function sayFallback(fallback: Fallback): string {
  switch (fallback.by) {
    case 'none': return '';
    case 'otherAddress': return `; its other address ${fallback.ip} answers`;
    case 'otherHost': return `; mail goes to ${fallback.host} (preference ${fallback.preference}) instead`;
  }
}

/**
 * How a port-25 session failed, as the OS or the server showed it: its
 * connect was refused, timed out or found no route; no greeting came (why,
 * and how long maildiag waited: `patience` times --timeout); a 4xx/5xx came
 * instead of the greeting; the server dropped the session or broke the
 * protocol at a step. `detail` and `reason` are the reader's account of what
 * came instead of a reply.
 */
export type SmtpFailure =
  | { kind: 'refused' }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'unreachable'; code: string }
  | { kind: 'no-greeting'; reason: 'silent' | 'slow' | 'closed' | 'reset' | 'garbage' | 'too-long'; waitedMs: number; patience: number; detail: StopReason }
  | { kind: 'reply'; reply: string }
  | { kind: 'dropped'; step: string; reset: boolean }
  | { kind: 'malformed'; how: 'too-long' | 'unfinished' | 'garbage'; step: string; bytes?: number; waitedMs?: number; reason: StopReason };

/** A failed connect in the words of the transcripts (describeDial), for port 25 and submission alike; the data says timeoutMs where the dialer says waitedMs. */
function sayConnectFailure(failure: { kind: 'refused' } | { kind: 'reset' } | { kind: 'unreachable'; code: string } | { kind: 'timeout'; timeoutMs: number }): string {
  return describeDial(failure.kind === 'timeout' ? { kind: 'timeout', waitedMs: failure.timeoutMs } : failure);
}

function saySmtpFailure(failure: SmtpFailure): string {
  switch (failure.kind) {
    case 'refused':
    case 'timeout':
    case 'unreachable': return sayConnectFailure(failure);
    case 'reply': return failure.reply;
    case 'no-greeting': return sayNoGreeting(failure);
    case 'dropped': return `${failure.reset ? 'reset the connection (ECONNRESET)' : 'closed the connection'} instead of answering ${failure.step.toUpperCase()}`;
    case 'malformed': return sayMalformed(failure);
  }
}

function sayNoGreeting(failure: Extract<SmtpFailure, { kind: 'no-greeting' }>): string {
  switch (failure.reason) {
    case 'silent': return `sent no greeting within ${seconds(failure.waitedMs)} (senders wait up to 5 minutes, RFC 5321 §4.5.3.2; maildiag waits ${failure.patience} times --timeout)`;
    case 'slow': return `had not finished its greeting after ${seconds(failure.waitedMs)}`;
    case 'closed': return 'closed it without a greeting';
    case 'reset': return 'reset it (ECONNRESET) without a greeting';
    case 'garbage':
    case 'too-long': return `sent no valid SMTP greeting (${sayStopReason(failure.detail)})`;
  }
}

/** A reply that broke the protocol, with what was seen: how many bytes, for how long. */
function sayMalformed({ how, step, bytes, waitedMs, reason }: Extract<SmtpFailure, { kind: 'malformed' }>): string {
  const command = step.toUpperCase();
  switch (how) {
    case 'too-long': return `answered ${command} with ${bytes} bytes${waitedMs === undefined ? '' : ` within ${duration(waitedMs)}`} and was still going, far beyond any SMTP reply: maildiag stopped reading`;
    case 'unfinished': return `started its reply to ${command} but had not finished it after ${seconds(waitedMs!)} (${bytes} bytes so far): a reply that never ends`;
    case 'garbage': return `answered ${command} with something that is not an SMTP reply (${sayStopReason(reason)})`;
  }
}

/** How a submission port failed: its connect (refused, reset, timed out, no route), implicit TLS, the greeting, or a 4xx/5xx instead of it. */
export type SubmissionFailure =
  | { kind: 'refused' }
  | { kind: 'reset' }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'unreachable'; code: string }
  | { kind: 'tls-failed'; reason: TlsFailure | { code: 'timeout' } }
  | { kind: 'no-greeting'; detail: StopReason }
  | { kind: 'refused-session'; reply: string };

function saySubmissionFailure(failure: SubmissionFailure): string {
  switch (failure.kind) {
    case 'refused':
    case 'reset':
    case 'timeout':
    case 'unreachable': return sayConnectFailure(failure);
    case 'tls-failed': return `TLS failed: ${sayTlsFailure(failure.reason)}`;
    case 'no-greeting': return `no greeting: ${sayStopReason(failure.detail)}`;
    case 'refused-session': return `refused the session: ${failure.reply}`;
  }
}

/** Where a server announces its name (RFC 5321 §4.1.1.1, §4.2). */
export type AnnouncedIn = 'greeting' | 'ehlo';
const ANNOUNCED_IN: Record<AnnouncedIn, string> = { greeting: 'greeting', ehlo: 'EHLO' };
const CLOCK_SOURCES: Record<ClockSource, string> = { greeting: 'SMTP greeting', ehlo: 'EHLO reply', 'http-date': 'HTTP Date header' };

/** Whose address it is, as the reverse-DNS and blocklist findings name it. */
function sayAddress(address: CheckedAddress): string {
  switch (address.role) {
    case 'mx': return `MX host ${address.host} (${address.ip})`;
    case 'sender': return `the sending IP ${address.ip}`;
    case 'target': return address.ip;
  }
}

function sayForwardLookup(lookup: Pick<ForwardCheck, 'name' | 'addresses' | 'outcome'>): string {
  if (lookup.outcome === 'nxdomain') return `${lookup.name} does not exist (NXDOMAIN)`;
  if (!lookup.addresses.length) return `${lookup.name} has no address record`;
  return `${lookup.name} resolves to ${lookup.addresses.join(', ')}`;
}

const EMBEDDED_FORMS: Record<EmbeddedForm, string> = { inOrder: 'octets in order', reversed: 'octets reversed', zeroPadded: 'zero-padded digits', hexadecimal: 'hexadecimal' };

/** What a forward-confirmed PTR tells the admin, by what the server objected to (none: the facts alone). */
type ConfirmedPtrReading = 'noPtr' | 'dynamic' | 'heloName';

/** The address a server that refused the tester saw: "; that server saw this machine as 192.0.2.1, which has no PTR record". */
function sayTesterAddress(seen: TesterAddress, reading?: ConfirmedPtrReading): string {
  switch (seen.from) {
    case 'unknown': return '';
    case 'nat': return `; this machine connects from ${seen.ip} (${seen.range}), through NAT, so the public address that server saw is not known here`;
    case 'reply': return `; that server saw this machine as ${seen.ip}${sayTesterReverse(seen.reverse, reading)}`;
    case 'local': return `; this machine connected from ${seen.ip}${sayTesterReverse(seen.reverse, reading)}`;
  }
}

const CONFIRMED_PTR_READINGS: Record<ConfirmedPtrReading, string> = {
  noPtr: ', so its reverse DNS is in order as seen from here: that server may have read an older or failed answer; try again later',
  dynamic: ', so that server goes by a list of dynamic ranges (such as the Spamhaus PBL) or its own rules, not by the name',
  heloName: ', the name to give with --helo',
};

function sayTesterReverse(reverse: TesterReverse | undefined, reading?: ConfirmedPtrReading): string {
  switch (reverse?.ptr) {
    case undefined: return '';
    case 'none': return ', which has no PTR record';
    case 'unconfirmed': return `, whose PTR does not resolve back to it (${reverse.names.map(sayForwardLookup).join('; ')})`;
    case 'confirmed':
      if (reverse.generic.length) return `, whose PTR ${reverse.name} resolves back to it but reads as an access line's name (${reverse.generic.map(sayGenericReason).join('; ')})`;
      return `, whose PTR ${reverse.name} resolves back to it${reading ? CONFIRMED_PTR_READINGS[reading] : ''}`;
    case 'failed': return `, whose PTR could not be looked up (${reverse.outcome === 'timeout' ? 'no answer in time' : reverse.outcome.toUpperCase()})`;
    case 'notLookedUp': return ` (${reverse.range}), whose reverse DNS means nothing on the internet`;
  }
}

function sayGenericReason(reason: GenericReason): string {
  const words = (list: string[]) => `it has the access-line word${list.length > 1 ? 's' : ''} "${list.join('", "')}"`;
  switch (reason.code) {
    case 'embedsAddress': return `it embeds the address ${reason.ip}${reason.form ? ` (${EMBEDDED_FORMS[reason.form]})` : ''}`;
    case 'embedsSomeAddress': return `it embeds an address (${reason.address})`;
    case 'accessWords': return words(reason.words);
    case 'accessWordsAndAddressPart': return `${words(reason.words)} and the name carries part of the address (${reason.part})`;
    case 'accessWordsAndLineNumber': return `${words(reason.words)} and the name carries a line number (${reason.number})`;
  }
}

/** A subject looked up on a blocklist: an address, the domain, or one of its MX host names. */
function sayDnsblSubject(subject: DnsblSubject): string {
  if ('ip' in subject) return sayAddress(subject);
  return subject.role === 'domain' ? subject.name : `MX host name ${subject.name}`;
}

const UNREAD: Record<Unread, (list: string) => string> = {
  noTable: () => 'listed (maildiag has no return-code table for this list: every 127.0.0.x answer counts as listed)',
  outsideLoopback: () => 'an address outside 127.0.0.0/8, which no blocklist answers; the resolver may rewrite NXDOMAIN answers',
  undocumented: list => `a return code ${list} does not document`,
};

/** "127.0.0.2 (its meaning), ...": `list` names the list for a code it does not document. */
const sayReturnCodes = (codes: readonly ReturnCode[], list = ''): string =>
  codes.map(c => `${c.address} (${'meaning' in c ? c.meaning : UNREAD[c.unread](list)})`).join(', ');

function sayDnsblListing({ reason, direct }: { reason?: string; direct: boolean }): string {
  return `${reason === undefined ? '' : `; the list says: "${reason}"`}${direct ? ' (answered by the list\'s own name servers after the resolver was refused)' : ''}`;
}

function sayUnansweredWhy(why: UnansweredWhy): string {
  switch (why.code) {
    case 'refusal': return `it answered ${why.address} (${why.meaning})`;
    case 'unexpected': return `it answered ${sayReturnCodes(why.answers, why.list)}`;
    case 'listsEverything': return `it also lists ${why.testName}, which RFC 5782 §5 says must never be listed: the list answers "listed" for everything (retired or broken)`;
    case 'referral': return 'an empty answer or a referral, not a result';
    case 'timeout': return 'no answer in time';
    case 'noUsableAnswer': return `no usable answer (${why.answer})`;
  }
}

/** Why a list gave no result, and, after a refusal, what its own name servers said when asked directly. */
function sayDnsblReason({ why, direct }: { why: UnansweredWhy; direct?: DirectAttempt }): string {
  const first = sayUnansweredWhy(why);
  switch (direct?.code) {
    case undefined: return first;
    case 'noServers': return `${first}; the list's own name servers could not be found to ask directly`;
    case 'sameAnswer': return `${first}; the list's own name servers, asked directly, gave the same answer`;
    case 'refused': return `${first}; asked directly, the list's own name servers gave no result either: ${sayUnansweredWhy(direct.why)}`;
    case 'unusable': return `${first}; asking the list's own name servers directly gave no usable answer (${sayUnansweredWhy(direct.why)})`;
  }
}

/** What name servers asked directly gave instead of an answer with authority. */
const DIRECT_REPLIES: Record<DirectReply, string> = {
  timeout: 'no answer',
  error: 'no usable answer',
  servfail: 'SERVFAIL',
  refused: 'REFUSED',
  nxdomain: 'NXDOMAIN',
  notAuthoritative: 'an answer without authority, as if something else answered in their place',
  referral: 'a referral that leads nowhere',
  noAddress: 'nothing: their names have no address',
  noIpv6: 'nothing: not asked, as this machine has no IPv6 route',
  failedHere: 'nothing: this machine could not send to them',
  familyUnheard: 'no answer, over an address family over which nothing answered this machine',
};

/** Why an NXDOMAIN or a SERVFAIL rests on the resolver's word alone. */
export type Unconfirmed =
  | { code: 'noServers' }
  | { code: 'unanswered'; zone: string; nameServers: string[]; replies: DirectReply[] }
  /** Some of the servers were not reached for a reason of this machine's (NOT_REACHED): `servers`, what each gave. */
  | { code: 'notReached'; zone: string; nameServers: string[]; servers: ServerReply[] }
  | { code: 'outOfTime'; waitedMs: number }
  /** The domain's own servers answered, but the resolver asked again with CD gave no answer at all. */
  | { code: 'checkingDisabledUnanswered'; answer: string }
  /** The domain's own servers answered, and so did the resolver asked again with CD, flagging its answer validated (AD). */
  | { code: 'validatedWithCheckingDisabled' };

function sayUnconfirmed(why: Unconfirmed): string {
  switch (why.code) {
    case 'noServers': return 'it named no name server of a zone above the domain to ask directly';
    case 'unanswered': return `the name servers of ${why.zone} (${why.nameServers.join(', ')}), asked directly, gave ${sayDirectReplies(why.replies)}; this network may block DNS to servers other than its resolver`;
    case 'notReached': return `the name servers of ${why.zone} (${why.nameServers.join(', ')}), asked directly, ${why.servers.every(r => NOT_REACHED.includes(r.reply)) ? 'could not be reached' : 'were not all reached'} from this machine, which says nothing about them: ${why.servers.map(sayServerReply).join('; ')}`;
    case 'outOfTime': return `asking the name servers of the zones above it directly took longer than ${seconds(why.waitedMs)}`;
    case 'checkingDisabledUnanswered': return `the domain's own name servers answer for it, but asked again with DNSSEC checking disabled (CD), the resolver gave ${why.answer === 'timeout' ? 'no answer' : `no usable answer (${why.answer})`}, so whether its DNSSEC or the resolver fails is not known`;
    case 'validatedWithCheckingDisabled': return 'the domain\'s own name servers answer for it, and asked again with DNSSEC checking disabled (CD), the resolver answered too and flagged the answer as validated (AD bit): neither the domain\'s DNSSEC nor its name servers explain the SERVFAIL, which may have passed';
  }
}

const sayDirectReplies = (replies: readonly DirectReply[]): string => replies.map(r => DIRECT_REPLIES[r]).join(', ');

/** What the signatures a domain's own name server serves say about why its DNSSEC fails. */
export type DnssecClue =
  /** No MX records came back to be read. */
  | { code: 'unread' }
  | { code: 'unsigned'; authority: string }
  | { code: 'expired'; authority: string; expiration: string }
  | { code: 'notYetValid'; authority: string; inception: string }
  | { code: 'current'; authority: string; inception: string; expiration: string };

function sayDnssecClue(clue: DnssecClue): string {
  switch (clue.code) {
    case 'unread': return '';
    case 'unsigned': return `; ${clue.authority} serves no RRSIG over its MX records: the zone is not signed (any more), and a DS record the zone above still holds for it is the usual cause`;
    case 'expired': return `; the RRSIGs over its MX records, as ${clue.authority} serves them, expired on ${clue.expiration}: the zone is no longer re-signed`;
    case 'notYetValid': return `; the RRSIGs over its MX records, as ${clue.authority} serves them, are valid only from ${clue.inception} (or this machine's clock is behind)`;
    case 'current': return `; the RRSIGs over its MX records, as ${clue.authority} serves them, are within their dates (${clue.inception} to ${clue.expiration}), so the break is elsewhere in the chain: most often a DS record at the zone above that matches no DNSKEY (a key rolled, or the DNS provider changed)`;
  }
}

/** Which name server gave what: "192.0.2.1:53 gave REFUSED, 192.0.2.2:53 gave no answer". */
const sayServerReplies = (replies: readonly ServerReply[]): string => replies.map(sayServerReply).join(', ');

/** What one name server gave; for one this machine did not reach, why, in the words port-25 probes use for the same OS errors. */
function sayServerReply({ server, reply, code }: ServerReply): string {
  const [family, other] = server.startsWith('[') ? ['IPv6', 'IPv4'] : ['IPv4', 'IPv6'];
  switch (reply) {
    case 'failedHere': return `${server} got nothing: this machine could not send to it, ${unreachableWords(code ?? 'no code')}`;
    case 'familyUnheard': return `${server} gave no answer, and nothing at all answered this machine over ${family} while ${other} servers did: this machine's ${family} most likely does not work (an address with no route out, or a firewall that drops it)`;
    default: return `${server} gave ${DIRECT_REPLIES[reply]}`;
  }
}

/** An MX answer: "MX 10 mx.example.org", or "no MX record" for NODATA. */
const sayMxAnswer = (exchanges: readonly string[]): string => (exchanges.length ? `MX ${exchanges.join(', ')}` : 'no MX record');

const FORMATS = {
  /** What name servers asked directly gave: "no answer, REFUSED". */
  directReplies: { takes: 'array', say: sayDirectReplies },
  /** Why only the resolver says a domain does not exist or fails: "the name servers of com (...), asked directly, gave no answer; ...". */
  unconfirmed: { takes: 'object', say: sayUnconfirmed },
  /** Which name server asked directly gave what: "192.0.2.1:53 gave REFUSED, ...". */
  serverReplies: { takes: 'objects', say: sayServerReplies },
  /** What the domain's RRSIGs say about its broken DNSSEC: "; the RRSIGs over its MX records ... expired on ...", or nothing when none were read. */
  dnssecClue: { takes: 'object', say: sayDnssecClue },
  /** The MX records an answer holds, or "no MX record". */
  mxAnswer: { takes: 'array', say: sayMxAnswer },
  /** a, b, c */
  list: { takes: 'array', say: (items: readonly (string | number)[]) => items.join(', ') },
  /** a and b and c */
  and: { takes: 'array', say: (items: readonly (string | number)[]) => items.join(' and ') },
  /** a; b; c */
  semicolons: { takes: 'array', say: (items: readonly (string | number)[]) => items.join('; ') },
  /** NXDOMAIN */
  upper: { takes: 'string', say: (text: string) => text.toUpperCase() },
  /** "text" */
  quoted: { takes: 'string', say: (text: string) => `"${text}"` },
  /** A string as JSON writes it, in quotes with escapes: "1.5", "a\"b". */
  json: { takes: 'string', say: (text: string) => JSON.stringify(text) },
  /** The day of an ISO 8601 timestamp: 2026-12-04. */
  day: { takes: 'string', say: (iso: string) => iso.slice(0, 10) },
  /** A byte count in decimal megabytes: 10.2 MB, 35 MB. */
  megabytes: { takes: 'number', say: (bytes: number) => `${bytes / 1e6 >= 10 ? Math.round(bytes / 1e6) : (bytes / 1e6).toFixed(1)} MB` },
  /** A server by name and address, "mx.example.org (192.0.2.1)", or its address alone when it has no name. */
  hostAndIp: { takes: 'object', say: hostAndIp },
  /** Where a server stated the time: "SMTP greeting", "EHLO reply", "HTTP Date header". */
  clockSource: { takes: 'string', say: (source: ClockSource) => CLOCK_SOURCES[source] },
  /** a nor b nor c */
  nor: { takes: 'array', say: (items: readonly (string | number)[]) => items.join(' nor ') },
  /** A wait in milliseconds, in seconds: 5 s, 2.5 s. */
  seconds: { takes: 'number', say: seconds },
  /** A measured time: milliseconds below a second (a 128 KB reply arrives in a few), else seconds. */
  duration: { takes: 'number', say: duration },
  /** Why a connection found no route, by the OS's error code (EHOSTUNREACH, ENETUNREACH, ...). */
  unreachable: { takes: 'string', say: unreachableWords },
  /** What still takes the mail while one address fails: "; its other address 192.0.2.2 answers", "; mail goes to mx2.example.org (preference 20) instead", or nothing. */
  fallback: { takes: 'object', say: sayFallback },
  /** How one port-25 session failed (SmtpFailure): "connection refused", "closed the connection instead of answering MAIL", ... */
  smtpFailure: { takes: 'object', say: saySmtpFailure },
  /** How port-25 sessions failed, by server: "mx.example.org (192.0.2.1): connection refused; ..." (the address alone without a host). */
  smtpFailures: { takes: 'objects', say: (items: readonly { host?: string; ip: string; failure: SmtpFailure }[]) => items.map(i => `${i.host === undefined ? i.ip : hostAndIp({ host: i.host, ip: i.ip })}: ${saySmtpFailure(i.failure)}`).join('; ') },
  /** What each submission port did: "587: connection refused; 465: TLS failed: ..." */
  submissionPorts: { takes: 'objects', say: (ports: readonly { port: number; failure: SubmissionFailure }[]) => ports.map(p => `${p.port}: ${saySubmissionFailure(p.failure)}`).join('; ') },
  /** Addresses and the reserved range each is in: "10.0.0.1 (private (RFC 1918)), ::1 (loopback)". */
  addressRanges: { takes: 'objects', say: (addresses: readonly { ip: string; range: string }[]) => addresses.map(a => `${a.ip} (${a.range})`).join(', ') },
  /** Names a server announced and where: "smtp.example.org (greeting and EHLO), mx.example.org (EHLO)". */
  announcements: { takes: 'objects', say: (names: readonly { name: string; in: readonly AnnouncedIn[] }[]) => names.map(n => `${n.name} (${n.in.map(w => ANNOUNCED_IN[w]).join(' and ')})`).join(', ') },
  /** An address with whose it is: "MX host mx.example.org (192.0.2.1)", "the sending IP 192.0.2.1", or an IP target alone. */
  address: { takes: 'object', say: sayAddress },
  /** PTR names that do not lead back: "a.example.net does not exist (NXDOMAIN); b.example.net resolves to 192.0.2.9". */
  forwardLookups: { takes: 'objects', say: (lookups: readonly Pick<ForwardCheck, 'name' | 'addresses' | 'outcome'>[]) => lookups.map(sayForwardLookup).join('; ') },
  /** Why a PTR name looks generic (src/net/ptr-heuristics.ts): "it embeds the address 192.0.2.1 (octets in order); ...". */
  ptrNameReasons: { takes: 'objects', say: (reasons: readonly GenericReason[]) => reasons.map(sayGenericReason).join('; ') },
  /** The address a server that refused the tester saw and what its reverse DNS says (src/checks/tester-address.ts), or nothing when not known. */
  testerAddress: { takes: 'object', say: (seen: TesterAddress) => sayTesterAddress(seen) },
  /** The same, for a refusal for no reverse DNS: a PTR that resolves back points at the server's view of it. */
  testerAddressNoPtr: { takes: 'object', say: (seen: TesterAddress) => sayTesterAddress(seen, 'noPtr') },
  /** The same, for a refusal of a dynamic range: a PTR that resolves back and reads as no access line's points at a list of ranges. */
  testerAddressDynamic: { takes: 'object', say: (seen: TesterAddress) => sayTesterAddress(seen, 'dynamic') },
  /** The same, for a refusal of the EHLO name: a PTR that resolves back is the name to give with --helo. */
  testerAddressHelo: { takes: 'object', say: (seen: TesterAddress) => sayTesterAddress(seen, 'heloName') },
  /** Who was looked up on a blocklist: an address as `address` says it, the domain, or "MX host name mx.example.org". */
  dnsblSubject: { takes: 'object', say: sayDnsblSubject },
  /** Several of them: a, b */
  dnsblSubjects: { takes: 'objects', say: (subjects: readonly DnsblSubject[]) => subjects.map(sayDnsblSubject).join(', ') },
  /** A blocklist's answer addresses with what each means: "127.0.0.2 (SBL: ...), 127.0.0.4 (XBL: ...)". */
  returnCodes: { takes: 'objects', say: (codes: readonly ReturnCode[]) => sayReturnCodes(codes) },
  /** What else a listing says: "; the list says: \"...\"", " (answered by the list's own name servers ...)", both, or nothing. */
  dnsblListing: { takes: 'object', say: sayDnsblListing },
  /** Why lists gave no result: "it answered 127.255.255.254 (...); the list's own name servers could not be found to ask directly". */
  dnsblReasons: { takes: 'objects', say: (reasons: readonly { why: UnansweredWhy; direct?: DirectAttempt }[]) => reasons.map(sayDnsblReason).join('; ') },
  /** a → b → c: a chain of includes, redirects or terms. */
  arrows: { takes: 'array', say: (items: readonly (string | number)[]) => items.join(' → ') },
  /** A count of DNS lookups: 1 lookup, 3 lookups. */
  lookups: { takes: 'number', say: (count: number) => `${count} lookup${count === 1 ? '' : 's'}` },
  /** What decided an SPF evaluation (spf-eval.ts's SpfReason): the term that matched, the default, or what went wrong. */
  spfReason: { takes: 'object', say: spfReasonWords },
  /** Why a name has no SPF record (spf-walk.ts's SpfAbsence). */
  spfAbsence: { takes: 'object', say: spfAbsenceWords },
  /** What is wrong with an SPF term (spf-record.ts's SpfSyntaxProblem): 'unknown mechanism "ipv4"'. */
  spfSyntax: { takes: 'object', say: spfSyntaxWords },
  /** What is wrong with a tag=value list (DKIM, DMARC): '"p" has no "="'. */
  tagList: { takes: 'object', say: tagListWords },
  /** Why a DKIM key record is unusable (dkim-key.ts's DkimKeyProblem): "p= is not valid base64". */
  dkimKeyProblem: { takes: 'object', say: dkimKeyProblemWords },
  /** The lookups of an SPF walk that find nothing: "a:gone.example, mx → MX host mx1.gone.example". */
  spfVoids: { takes: 'objects', say: (voids: SpfWalk['voidLookups']) => voids.map(v => (v.mxHost ? `${v.term} → MX host ${v.target}` : v.term)).join(', ') },
  /** Why a DMARC record cannot be used at all. */
  dmarcUnreadable: { takes: 'object', say: sayDmarcUnreadable },
  /** What is wrong with one tag of a DMARC record: "adkim= must be one of r, s". */
  dmarcProblemReason: { takes: 'object', say: sayDmarcProblemReason },
  /** Each problem of a DMARC record with its tag as published: "adkim=x (adkim= must be one of r, s); "tagonly" (...)". */
  dmarcProblems: {
    takes: 'objects',
    say: (problems: readonly DmarcProblem[]) => problems.map(p => `${p.tag ? `${p.tag}=${p.value}` : `"${p.value}"`} (${sayDmarcProblemReason(p)})`).join('; '),
  },
  /** Whose record a DMARC finding is about: _dmarc.<domain>, or the ancestor's the tree walk found for it. */
  dmarcSource: {
    takes: 'object',
    say: ({ domain, policyDomain, inherited }: { domain: string; policyDomain: string; inherited: boolean }) =>
      inherited ? `${domain} has no usable DMARC record of its own; the tree walk continues and the record at _dmarc.${policyDomain} applies` : `_dmarc.${policyDomain}`,
  },
  /** DKIM results by signing domain: "d=example.com fail, d=esp.example pass". */
  dkimResults: { takes: 'objects', say: (results: readonly { domain: string; result: string }[]) => results.map(r => `d=${r.domain} ${r.result}`).join(', ') },
  /** What breaks RFC 5322 in a header block: "no Date field; 2 subject fields, where RFC 5322 allows one". */
  headerProblems: { takes: 'objects', say: (problems: readonly HeaderProblem[]) => problems.map(sayHeaderProblem).join('; ') },
  /** What one-click unsubscribe (RFC 8058) lacks: "no https URI in List-Unsubscribe (mailto:u@example.org); no List-Unsubscribe-Post field". */
  unsubscribeGaps: { takes: 'objects', say: (gaps: readonly UnsubscribeGap[]) => gaps.map(sayUnsubscribeGap).join('; ') },
  /** Which unsubscribe fields each passing DKIM signature signs: "d=esp.example signs list-unsubscribe; d=example.org signs neither". */
  unsubscribeSigners: {
    takes: 'objects',
    say: (signers: readonly { domain: string; fields: readonly string[] }[]) => signers.map(s => `d=${s.domain} signs ${s.fields.join(' and ') || 'neither'}`).join('; '),
  },
  /** SPF and DKIM passes by domain: "SPF for esp.example, DKIM for d=esp.example". */
  passedFor: {
    takes: 'objects',
    say: (passes: readonly { method: 'spf' | 'dkim'; domain: string }[]) => passes.map(p => (p.method === 'spf' ? `SPF for ${p.domain}` : `DKIM for d=${p.domain}`)).join(', '),
  },
  /** The policy tags that make receivers fall back, absent ones (no value) first: "no p=, sp=rejct is not a policy". */
  brokenPolicyTags: {
    takes: 'objects',
    say: (tags: readonly { tag: string; value?: string }[]) => tags.map(t => (t.value === undefined ? `no ${t.tag}=` : `${t.tag}=${t.value} is not a policy`)).join(', '),
  },
  /** A server by name and the addresses that answered for it, "mx.example.org (192.0.2.1, 2001:db8::1)", or its address alone when it has no name. */
  hostAndIps: { takes: 'object', say: (server: { host: string; ips: readonly string[] }) => (server.ips.every(ip => ip === server.host) ? server.host : `${server.host} (${server.ips.join(', ')})`) },
  /** Why a TLS handshake failed: OpenSSL's or the peer's reason, or the wait that ran out. */
  handshakeFailure: {
    takes: 'object',
    say: (failure: { kind: 'failed'; reason: TlsFailure } | { kind: 'timeout'; timeoutMs: number }) => (failure.kind === 'timeout' ? `no handshake within ${failure.timeoutMs} ms` : sayTlsFailure(failure.reason)),
  },
  /** Why a TLS handshake failed (src/net/tls.ts's TlsFailure): "the server sent a fatal TLS alert: handshake failure", or OpenSSL's reason. */
  tlsFailure: { takes: 'object', say: sayTlsFailure },
  /** Why an SMTP session stopped, or what came instead of its greeting (src/net/smtp/session.ts's StopReason): the server's reply, "the server closed the connection", ... */
  stopReason: { takes: 'object', say: sayStopReason },
  /** Why an HTTPS response could not be read (src/net/https.ts's HttpFailure): "connection closed before the end of the response", or Node's error. */
  httpFailure: { takes: 'object', say: (failure: HttpFailure) => (failure.code === 'cutShort' ? 'connection closed before the end of the response' : failure.error) },
} satisfies Record<string, { takes: 'string' | 'number' | 'array' | 'object' | 'objects'; say: (value: never) => string }>;

function spfReasonWords(why: SpfReason): string {
  switch (why.code) {
    case 'invalidDomain': return `"${why.domain}" is not a valid domain name, so it has no SPF record (RFC 7208 §4.3)`;
    case 'noSpfRecord': return `${why.domain} has TXT records but none starts with "v=spf1"`;
    case 'nxdomain': return `${why.domain} does not exist (NXDOMAIN)`;
    case 'noTxt': return `${why.domain} has no TXT record`;
    case 'multipleRecords': return `${why.domain} publishes ${why.records} SPF records (RFC 7208 §4.5)`;
    case 'txtLookupFailed': return `the TXT lookup for ${why.domain} failed (${dnsFailureWords(why)})`;
    case 'syntax': return `the SPF record of ${why.domain} has a syntax error at "${why.term}": ${spfSyntaxWords(why.problem)}`;
    case 'matched': return `${why.term} in the SPF record of ${why.domain} matched`;
    case 'noMatch': return `no term in the SPF record of ${why.domain} matched and it has no redirect=: neutral (RFC 7208 §4.7)`;
  }
  const where = `${why.domain}: ${why.term}`;
  switch (why.code) {
    case 'includeInvalid': return `${where} names no valid domain, so there is no record to include`;
    case 'includeNone': return `${where}: ${spfReasonWords(why.inner)}; an include of a domain without SPF is a permerror (RFC 7208 §5.2)`;
    case 'redirectInvalid': return `${where} names no valid domain (RFC 7208 §6.1)`;
    case 'redirectNone': return `${where}: ${spfReasonWords(why.inner)}; a redirect to a domain without SPF is a permerror (RFC 7208 §6.1)`;
    case 'tooManyMx': return `${where}: ${why.target} has ${why.mxRecords} MX records, over the limit of ${why.limit} (RFC 7208 §4.6.4)`;
    case 'voidLimit': return `${where}: ${why.target} finds nothing, the ${ordinal(why.voids)} lookup that does, over the limit of ${why.limit} (RFC 7208 §4.6.4)`;
    case 'lookupFailed': return `${where}: the lookup of ${why.target} failed (${dnsFailureWords(why)})`;
    case 'lookupLimit': return `${where} is DNS-querying term ${why.lookups} on this address's path, over the limit of ${why.limit} (RFC 7208 §4.6.4)`;
    case 'macro': return `${where}: ${spfSyntaxWords(why.problem)}`;
  }
}

function spfSyntaxWords(problem: SpfSyntaxProblem): string {
  switch (problem.code) {
    case 'notSpf1': return 'the record does not start with "v=spf1"';
    case 'repeatedModifier': return `${problem.name}= appears more than once (RFC 7208 §6)`;
    case 'notVisibleAscii': return 'contains a character outside visible ASCII';
    case 'unknownMechanism': return `unknown mechanism "${problem.name}"`;
    case 'notATerm': return 'not a mechanism or modifier';
    case 'badModifierName': return `"${problem.name}" is not a modifier name`;
    case 'modifierNeedsDomain': return `${problem.name}= needs a domain`;
    case 'allTakesValue': return '"all" takes no value';
    case 'needsValue': return 'needs ":" and a value';
    case 'emptyValue': return 'has an empty value after ":"';
    case 'textAfterName': return 'unexpected text after the mechanism name';
    case 'malformedPrefix': return 'malformed prefix length';
    case 'notAnAddress': return `"${problem.address}" is not an ${problem.family === 'ip4' ? 'IPv4' : 'IPv6'} address`;
    case 'badPrefixLength': return `/${problem.digits} is not a prefix length between 0 and ${problem.max}`;
    case 'notADomain': return `"${problem.spec}" is not a domain name`;
    case 'malformedMacro': return `malformed macro at "${problem.at}"`;
    case 'unknownMacroLetter': return `unknown macro letter "${problem.letter}"`;
    case 'explanationOnlyLetter': return `macro letter "${problem.letter}" is only allowed in explanation text`;
    case 'macroKeepsNoPart': return `${problem.macro} keeps no part (RFC 7208 §7.3)`;
    case 'macroKeepsNone': return 'a macro keeps at least one part (RFC 7208 §7.3)';
  }
}

function tagListWords(problem: TagListProblem): string {
  switch (problem.code) {
    case 'noEquals': return `"${problem.segment}" has no "="`;
    case 'noName': return `"${problem.segment}" has no tag name`;
    case 'badName': return `"${problem.name}" is not a tag name`;
    case 'badValue': return `the value of ${problem.name}= contains characters a tag value cannot hold`;
    case 'repeated': return `${problem.name}= appears more than once`;
  }
}

function dkimKeyProblemWords(problem: DkimKeyProblem): string {
  switch (problem.code) {
    case 'tagList': return tagListWords(problem.tagList);
    case 'badVersion': return `v=${problem.value}: when present, v= must come first and be "DKIM1"`;
    case 'noKey': return 'no p= tag (the public key)';
    case 'notBase64': return 'p= is not valid base64';
    case 'unknownKeyType': return `k=${problem.value}: receivers know only rsa and ed25519`;
    case 'noSha256': return `h=${problem.value}: without sha256 no signature can verify (RFC 8301 §3.1)`;
    case 'notForEmail': return `s=${problem.value}: the key is not for email`;
    case 'ed25519Length': return `an Ed25519 key is 32 bytes, p= holds ${problem.bytes} (RFC 8463 §4.2)`;
    case 'notEd25519': return 'p= does not hold an Ed25519 public key';
    case 'notRsa': return 'p= does not hold an RSA public key';
    case 'notRsaKey': return `p= holds an ${problem.keyType} key, but k=rsa`;
  }
}

function spfAbsenceWords(absence: SpfAbsence): string {
  switch (absence.code) {
    case 'noSpfRecord': return `no SPF record among ${absence.txtRecords} TXT record${absence.txtRecords === 1 ? '' : 's'}`;
    case 'nxdomain': return 'the name does not exist (NXDOMAIN)';
    case 'noTxt': return 'no TXT record';
    case 'invalidName': return 'not a valid domain name (an empty label, a label over 63 octets or a name over 253), so it is never asked and has no SPF record';
  }
}

const dnsFailureWords = ({ failure, error }: SpfDnsFailure): string => (failure === 'timeout' ? 'no answer' : (error ?? failure.toUpperCase()));
const ordinal = (n: number): string => `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;

function sayDmarcUnreadable(problem: DmarcUnreadable): string {
  switch (problem.code) {
    case 'vNotFirst': return 'the record does not start with v=DMARC1';
    case 'version': return `v=${problem.version}: the version must be exactly "DMARC1", followed by ";"`;
    default: return tagListWords(problem);
  }
}

function sayDmarcProblemReason(problem: DmarcProblem): string {
  switch (problem.code) {
    case 'malformed': return `${tagListWords(problem.malformed)}; receivers ignore it (RFC 9989 §4.8)`;
    case 'leadingSpace': return 'the record starts with whitespace before "v=DMARC1"; RFC 9989 §4.8 has it begin with "v", and strict receivers discard it';
    case 'failureOptions': return 'fo= is one or more of 0, 1, d, s separated by ":"; receivers use the default fo=0';
    case 'notOneOf': return `${problem.tag}= must be one of ${problem.allowed.join(', ')}`;
    case 'notUri': return `"${problem.value}" is not a URI (e.g. mailto:dmarc@example.org)`;
    case 'notAddress': return `"${problem.value}" is not a mail address`;
  }
}

function sayHeaderProblem(problem: HeaderProblem): string {
  switch (problem.code) {
    case 'missing': return `no ${problem.field} field`;
    case 'repeated': return `${problem.count} ${problem.field} fields, where RFC 5322 allows one`;
    case 'fromWithoutSender': return `From names ${problem.mailboxes} mailboxes and there is no Sender field`;
    case 'badDate': return `Date "${problem.date}" is not a date-time`;
  }
}

function sayUnsubscribeGap(gap: UnsubscribeGap): string {
  switch (gap.code) {
    case 'noHttps': return `no https URI in List-Unsubscribe (${gap.uris.join(', ') || 'no <URI> at all'})`;
    case 'postNotOneClick': return `List-Unsubscribe-Post is "${gap.post}", not "List-Unsubscribe=One-Click"`;
    case 'noPost': return 'no List-Unsubscribe-Post field';
  }
}

type Format = keyof typeof FORMATS;
type Scalar = string | number;

/** The messageIds a cause declares. */
export type MessageId<C extends CauseId> = (typeof registry)[C] extends { messages: infer M } ? keyof M & string : never;
type Template<C extends CauseId, M extends MessageId<C>> = (typeof registry)[C] extends { messages: infer T } ? (M extends keyof T ? T[M] : never) : never;

/** The data a template needs: one field per placeholder, typed by its format. */
export type TemplateData<T> = T extends `${string}{${infer P}}${infer Rest}` ? Field<P> & TemplateData<Rest> : unknown;
type Field<P extends string> = P extends `${infer Name}|${infer F}`
  ? { [K in Name]: F extends Format ? Parameters<(typeof FORMATS)[F]['say']>[0] : never }
  : { [K in P]: Scalar };
export type MessageData<C extends CauseId, M extends MessageId<C>> = TemplateData<Template<C, M>>;

export const PLACEHOLDER = /\{([a-zA-Z]\w*)(?:\|([a-zA-Z]\w*))?\}/g;

/** The template of (cause, messageId); undefined when the cause declares no such message. */
export function messageTemplate(cause: CauseId, messageId: string): string | undefined {
  const messages = causes[cause].messages;
  return messages && Object.hasOwn(messages, messageId) ? messages[messageId] : undefined;
}

/** A placeholder's name and format, for every placeholder of a template. */
export function placeholders(template: string): { name: string; format?: string }[] {
  return [...template.matchAll(PLACEHOLDER)].map(m => ({ name: m[1]!, ...(m[2] ? { format: m[2] } : {}) }));
}

export function isFormat(name: string): name is Format {
  return Object.hasOwn(FORMATS, name);
}

/** The JSON type a format takes. */
export const formatTakes = (format: Format): (typeof FORMATS)[Format]['takes'] => FORMATS[format].takes;

/** A value said through a format, for words outside a finding's first line (an SPF reason in the check's data, say). */
export const say = <F extends Format>(format: F, value: Parameters<(typeof FORMATS)[F]['say']>[0]): string => (FORMATS[format].say as (v: unknown) => string)(value);

/** The words of a finding. Throws, as ESLint does, on an undeclared messageId or data a placeholder lacks. */
export function formatMessage(cause: CauseId, messageId: string, data: Readonly<Record<string, unknown>>): string {
  const template = messageTemplate(cause, messageId);
  if (template === undefined) throw new Error(`${cause} declares no message "${messageId}"`);
  return template.replace(PLACEHOLDER, (_, name: string, format: string | undefined) => {
    const value = data[name];
    if (value === undefined) throw new Error(`${cause}/${messageId}: data.${name} is missing`);
    if (format !== undefined) {
      if (!isFormat(format)) throw new Error(`${cause}/${messageId}: unknown format "${format}"`);
      return say(format, value as never);
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${cause}/${messageId}: data.${name} is not a string or number (give it a format)`);
    return String(value);
  });
}
