// What real MTAs say, and what it means: one table of reply wordings per MTA
// family (Postfix, Exim, Exchange, Google, Sendmail, OpenSMTPD, Haraka), read
// by the port-25 checks (a live reply) and by `maildiag explain` (a bounce's
// text). A meaning names the registry cause each of them reports, so a new
// wording is one line here, not a phrase in two places.
import { fixFor, type CauseId, type Side } from '../causes.js';
import { detectProvider, PROVIDERS } from '../explain/providers.js';
import { sameAddress, wellFormedAddress } from '../net/ip.js';
import type { SmtpReply } from '../net/smtp/reply.js';

export type MtaFamily = 'postfix' | 'exim' | 'exchange' | 'google' | 'sendmail' | 'opensmtpd' | 'haraka' | 'yahoo' | 'any';

export type ReplyMeaning =
  /** The address does not exist here: mail to it bounces. */
  | 'recipient-unknown'
  /** The server's own disk or queue is full: it defers every sender, not this one. */
  | 'server-out-of-storage'
  /** The server's own connection limit: every client is turned away alike. */
  | 'server-connection-limit'
  /** A limit on this client: the reply names the client's address or host. */
  | 'client-limit'
  /** The envelope sender's domain does not exist or cannot be verified (no A or MX, a null MX, a failed callout). */
  | 'sender-unknown'
  /** The envelope sender's SPF does not authorise this client to send for it. */
  | 'sender-spf'
  /** The server does not take mail from this envelope sender (an access rule, an address owned by someone else, a listed domain). */
  | 'sender-refused'
  /** This client is blocked (a blocklist, a banned address): the reply is about the tester, not the domain. */
  | 'client-blocked'
  /** This client's address has no reverse DNS (PTR), or none that resolves back to it. */
  | 'client-no-ptr'
  /** This client's address is in a dynamic, residential or end-user range (Spamhaus PBL and its kin). */
  | 'client-dynamic'
  /** The server rates this client's address as a poor sender (its own reputation data). */
  | 'client-reputation'
  /** The server refuses this client host and says no more ("Client host rejected: Access denied"). */
  | 'client-refused'
  /** Postfix's postscreen turned this client away before the real server saw it: a client it has not cleared yet (a new address), or one that failed a test. */
  | 'client-screened'
  /** The server takes no mail before STARTTLS (RFC 3207 §4 forbids that on a public MX). */
  | 'tls-required'
  /** The server refuses the EHLO/HELO name it was given. */
  | 'helo-name-rejected'
  /** The server does not know EHLO at all (RFC 5321 §4.1.4: 500 or 502), so it offers no extension. */
  | 'no-esmtp'
  /** This one recipient's mailbox is receiving mail faster than its provider allows (Gmail's ReceivingRate): about the mailbox, not the client, not greylisting. */
  | 'mailbox-rate'
  /** "Too many recipients" (RFC 5321 §4.5.3.1.10, RFC 3463 X.5.3): a count of recipients or messages, nothing about this one. */
  | 'recipient-limit'
  /** The server will not relay to a domain it does not serve: Postfix's stock defer_unauth_destination says so with a 454. */
  | 'relay-denied'
  /** The server takes mail only from clients that log in (SMTP AUTH): on a public MX, no server on the internet can deliver. */
  | 'auth-required';

/**
 * The cause a port-25 probe reports for each meaning, and the one `explain` weighs when a bounce says it (none:
 * probes only). A reply about the client is about the tester in a probe, and about the sending server in a bounce.
 */
export const MEANINGS: Readonly<Record<ReplyMeaning, { probe: CauseId; bounce?: CauseId; bounceSide?: Side; bounceFix?: string }>> = {
  'recipient-unknown': { probe: 'smtp.recipient-rejected', bounce: 'recipient.unknown' },
  'server-out-of-storage': { probe: 'smtp.insufficient-storage', bounce: 'smtp.busy' },
  'server-connection-limit': { probe: 'smtp.busy', bounce: 'smtp.busy' },
  'client-limit': { probe: 'smtp.untestable', bounce: 'rate.limited' },
  'client-blocked': { probe: 'smtp.untestable' },
  // A bounce's sender refusals are weighed by explain's own wording rules (sender.domain-invalid, spf.*).
  'sender-unknown': { probe: 'smtp.untestable' },
  'sender-spf': { probe: 'smtp.untestable' },
  'sender-refused': { probe: 'smtp.untestable' },
  'client-no-ptr': { probe: 'smtp.untestable', bounce: 'ptr.missing', bounceSide: 'sender' },
  // The sending server is refused as an end-user address: a relay is the way out, a PTR only for a static server.
  'client-dynamic': { probe: 'smtp.untestable', bounce: 'ptr.generic', bounceSide: 'sender', bounceFix: fixFor('ptr.generic', 'dynamicRange') },
  'client-reputation': { probe: 'smtp.untestable', bounce: 'reputation.poor', bounceSide: 'sender' },
  'client-refused': { probe: 'smtp.untestable' },
  'client-screened': { probe: 'smtp.untestable' },
  'tls-required': { probe: 'smtp.tls-required', bounce: 'tls.starttls-missing' },
  'helo-name-rejected': { probe: 'smtp.ehlo-refused', bounce: 'smtp.banner-mismatch' },
  'no-esmtp': { probe: 'smtp.ehlo-refused' },
  'recipient-limit': { probe: 'smtp.untestable' },
  // explain weighs a bounce's receiving-rate wording with its own rules (rate.limited).
  'mailbox-rate': { probe: 'rate.limited' },
  'relay-denied': { probe: 'smtp.rejected' },
  'auth-required': { probe: 'smtp.rejected' },
};

export interface ReplyPattern {
  family: MtaFamily;
  meaning: ReplyMeaning;
  /** Matched against the reply as one line: code, enhanced code and the text of every line. Never anchored, so bounce texts match too. */
  re: RegExp;
  /** Only replies of these classes (4 = temporary, 5 = permanent). */
  classes?: readonly (4 | 5)[];
  /** Only a reply to the connection itself: at connect a server knows nothing but the client, so a bare refusal there is about it. */
  atConnect?: true;
  /** The reply as that MTA sends it (tests serve it from persona servers). */
  example: string;
}

const p = (family: MtaFamily, meaning: ReplyMeaning, re: RegExp, example: string, classes?: readonly (4 | 5)[]): ReplyPattern => ({ family, meaning, re, example, ...(classes ? { classes } : {}) });

export const REPLY_PATTERNS: readonly ReplyPattern[] = [
  // ---- the recipient does not exist
  p('postfix', 'recipient-unknown', /\bRecipient address rejected: User unknown\b/i, '550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown in virtual mailbox table', [5]),
  // Exim's router found no route for the address (verify = recipient); cPanel's Exim says it in its own words.
  p('exim', 'recipient-unknown', /\bUnrouteable address\b/i, '550 Unrouteable address', [5]),
  p('exim', 'recipient-unknown', /\bNo Such User Here\b/i, '550 No Such User Here', [5]),
  // Exchange Online's directory-based edge blocking: the address is not in the tenant's directory.
  p('exchange', 'recipient-unknown', /\b5\.4\.1 Recipient address rejected: Access denied\b/i, '550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [BN8NAM12FT011.eop-nam12.prod.protection.outlook.com]', [5]),
  p('exchange', 'recipient-unknown', /\bRESOLVER\.ADR\.Recip(?:ient)?NotFound\b|\bnot found by SMTP address lookup\b/i, '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', [5]),
  p('google', 'recipient-unknown', /\bemail account that you tried to reach does not exist\b|\bNoSuchUser\b/i, '550-5.1.1 The email account that you tried to reach does not exist. Please try\n550-5.1.1 double-checking the recipient\'s email address for typos or\n550-5.1.1 unnecessary spaces. For more information, go to\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123456qkb.42 - gsmtp', [5]),
  p('sendmail', 'recipient-unknown', /\.\.\. User unknown\b/i, '550 5.1.1 <alice@example.com>... User unknown', [5]),
  p('opensmtpd', 'recipient-unknown', /\bInvalid recipient\b/i, '550 Invalid recipient: <alice@example.com>', [5]),
  // Haraka's answer when no rcpt_to plugin takes the address: not a domain or user it delivers for.
  p('haraka', 'recipient-unknown', /\bI cannot deliver mail for\b/i, '550 I cannot deliver mail for <alice@example.com>', [5]),
  p('yahoo', 'recipient-unknown', /\bdoesn't have an? [\w.-]+ account\b/i, '554 delivery error: dd This user doesn\'t have a yahoo.com account (alice@yahoo.com) [0] - mta1042.mail.ne1.yahoo.com', [5]),
  p('any', 'recipient-unknown', /\buser unknown\b|\bunknown (?:user|recipient|mailbox)\b|\bno such (?:user|mailbox|recipient|address)\b|\b(?:user|recipient|mailbox|address) (?:not found|does not exist|doesn't exist)\b|\binvalid (?:recipient|mailbox)\b/i, '550 5.1.1 Mailbox does not exist', [5]),

  // ---- the server's own storage: every sender is deferred
  p('postfix', 'server-out-of-storage', /\bInsufficient system storage\b/i, '452 4.3.1 Insufficient system storage', [4]),
  p('exim', 'server-out-of-storage', /\bSpace shortage, please try later\b/i, '452 Space shortage, please try later', [4]),
  p('sendmail', 'server-out-of-storage', /\bInsufficient disk space\b/i, '452 4.4.5 Insufficient disk space; try again later', [4]),
  // Exchange's back pressure: the transport server is short of disk or memory.
  p('exchange', 'server-out-of-storage', /\bInsufficient system resources\b/i, '452 4.3.1 Insufficient system resources', [4]),
  // RFC 3463 §3.4: X.3.1 "Mail system full".
  p('any', 'server-out-of-storage', /\b4\.3\.1\b/, '452 4.3.1 Mail system full', [4]),

  // ---- what the server objects to in the envelope sender the client gave (Postfix applies its sender restrictions at
  // RCPT by default, smtpd_delay_reject, and says "Sender address rejected" there too): the most specific first.
  // Postfix reject_unknown_sender_domain says "Domain not found", or "does not accept mail (nullMX)" for a null MX (RFC 7505).
  p('postfix', 'sender-unknown', /\bSender address rejected: (?:Domain not found|unverified address|undeliverable address|Domain \S+ does not accept mail)\b/i, '450 4.1.8 <tester@nowhere.example>: Sender address rejected: Domain not found'),
  // Exim's "verify = sender": the callout or routing of the sender failed; the lines before quote why ("Unrouteable address", a callout's "User unknown").
  p('exim', 'sender-unknown', /\bSender verify failed\b/i, '550-Verification failed for <tester@nowhere.example>\n550-Unrouteable address\n550 Sender verify failed'),
  p('sendmail', 'sender-unknown', /\bDomain of sender address \S+ does not (?:exist|resolve)\b/i, '553 5.1.8 <tester@nowhere.example>... Domain of sender address tester@nowhere.example does not exist'),
  // postfix-policyd-spf-python (called from the recipient restrictions, so its 5.7.23 says "Recipient address rejected"), Zoho, and RFC 7372 X.7.23/X.7.24.
  p('any', 'sender-spf', /\bSPF\b[^.;]{0,60}?\b(?:fail(?:s|ed|ure)?|not (?:authori[sz]ed|permitted|allowed))\b|\bnot (?:authori[sz]ed|permitted|allowed) to send\b[^;]{0,80}?\bSPF\b|\b[45]\.7\.2[34]\b/i, '550 5.7.23 <postmaster@example.com>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=tester@nowhere.example;ip=192.0.2.1;r=<UNKNOWN>'),
  // Every other Postfix sender restriction: check_sender_access REJECT, reject_sender_login_mismatch, reject_rhsbl_sender, reject_non_fqdn_sender.
  p('postfix', 'sender-refused', /\bSender address rejected\b/i, '553 5.7.1 <tester@example.org>: Sender address rejected: not owned by user bob'),
  // By code alone, after the words that say more (Postfix's 5.1.8 for a sender not owned by the user): RFC 3463 X.1.7 (bad sender's mailbox syntax), X.1.8 (bad sender's system address); RFC 7505 §4.2 X.7.27 (the sender's domain has a null MX).
  p('any', 'sender-unknown', /\b[45]\.1\.[78]\b|\b[45]\.7\.27\b|\bsender address has null MX\b|\bsender domain (?:does not exist|not found|is unknown|has no MX)\b/i, '550 5.7.27 Sender address has null MX'),
  p('any', 'sender-refused', /\bsender (?:address |domain )?(?:rejected|refused|denied|blocked|not allowed)\b/i, '550 5.7.1 Sender domain blocked'),

  // ---- what the server objects to in this client (its address, its reverse DNS, its range, its standing), most specific first
  // Spamhaus PBL, SORBS DUL, T-Online (DIAL): end-user ranges that should send through their provider's relay.
  p('any', 'client-dynamic', /\bdynamic(?:ally[- ]assigned)? (?:IP|address|pool|range|host)|\bDialup\/transient IP\b|\bdial-?up (?:IP|address|range|pool)|\bresidential (?:IP|address|range|network)|\bend-?user (?:IP|address|range|network)|\bpbl\.spamhaus\.org\b|\bSpamhaus PBL\b|\bspamhaus\.org\/pbl\b|\bdul\.dnsbl\.sorbs\.net\b/i, '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using pbl.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1'),
  // Postfix reject_unknown_client_hostname and reject_unknown_reverse_client_hostname (450 by default).
  p('postfix', 'client-no-ptr', /\bcannot find your (?:reverse )?hostname\b/i, '450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]'),
  // GMX and WEB.DE (United Internet) refuse at connect, with one line per reason.
  p('any', 'client-no-ptr', /\bBad DNS PTR resource record\b|\b(?:no|missing|bad|invalid) (?:DNS )?(?:PTR|rDNS|reverse DNS)\b|\bPTR record\b|\breverse DNS\b[^.;]{0,40}?\b(?:fail|not|no|missing|required)|\bfix reverse DNS\b|\breverse (?:DNS |host(?:name)? )?lookup failed\b|\bIP name lookup failed\b/i, '554-mx.example.com Nemesis ESMTP Service not available\n554-No SMTP service\n554-Bad DNS PTR resource record.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=192.0.2.1'),
  // Cisco Secure Email (IronPort) refusing on the SenderBase score; Yahoo's TSS deferrals; T-Online's "bad reputation" (NOWL).
  p('any', 'client-reputation', /\bsending MTA's poor reputation\b|\b(?:poor|bad|low) (?:sender |sending |IP )?reputation\b|\breputation of the sending (?:IP|MTA|host|server)|\bdue to (?:the )?(?:IP|sender|sending IP)(?:'s)? reputation\b|\[TSS?0\d\]/i, "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means."),
  p('exim', 'client-limit', /\bToo many concurrent SMTP connections from (?:this|one) IP address\b/i, '421 Too many concurrent SMTP connections from this IP address; please try again later.', [4]),
  p('postfix', 'client-limit', /\btoo many connections from \S+|\btoo much mail from \S+/i, '421 4.7.0 mx.example.com Error: too many connections from 192.0.2.1', [4]),
  // Sendmail's conncontrol and ratecontrol features count per client host.
  p('sendmail', 'client-limit', /\bToo many (?:open connections|SMTP sessions for this host)\b|\bConnection rate limit exceeded\b/i, '421 4.3.2 Too many open connections.', [4]),
  // Exchange's MaxInboundConnectionPerSource; its server-wide MaxInboundConnection says "concurrent server connections".
  p('exchange', 'client-limit', /\bmaximum number of concurrent connections has exceeded a limit\b/i, '421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel', [4]),
  // Exchange Online's throttle of one sending address (S77719).
  p('exchange', 'client-limit', /\btry again later from \[/i, '451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) [BN8NAM12FT011.eop-nam12.prod.protection.outlook.com]', [4]),
  // Haraka's limit plugin, whose counters are per client address (rate_conn, rate_rcpt_host), per connection, or per
  // sender (rate_rcpt_sender, and rate_rcpt_null: null-sender mail to one recipient, which the tester's <> probes repeat).
  p('haraka', 'client-limit', /\b(?:recipient|rcpt|connection) rate limit exceeded\b|\bToo many recipient attempts\b|\bnull recip rate limit\b/i, '450 recipient rate limit exceeded', [4]),
  // Its concurrency limit counts connections per client address and answers the connection with exactly these words
  // (no enhanced code, no host name; "[uuid] " first with deny_includes_uuid). The same words with anything more are
  // not Haraka's, and name nobody: another server's own limit reads alike, so they stay the server's (below).
  { ...p('haraka', 'client-limit', /^421 (?:\[[\w.-]+\] )?Too many concurrent connections$/i, '421 Too many concurrent connections', [4]), atConnect: true },
  p('any', 'client-limit', /\b(?:too many|limit|rate|throttl)\w*\b[^.;]{0,60}?\b(?:from|for|of) (?:your|this|that|one|the same|the sending) (?:IP|host|address|client|server|network)\b|\byour (?:IP|host|address|network)\b[^.;]{0,60}?\b(?:too many|limit|rate|throttl)/i, '421 4.7.0 Too many connections from your IP address', [4]),
  p('exchange', 'server-connection-limit', /\bmaximum number of concurrent server connections has exceeded a limit\b/i, '421 4.3.2 The maximum number of concurrent server connections has exceeded a limit, closing transmission channel', [4]),
  p('exim', 'server-connection-limit', /\bToo many concurrent SMTP connections(?! from)\b/i, '421 mx.example.com: Too many concurrent SMTP connections; please try again later.', [4]),
  p('any', 'server-connection-limit', /\btoo many (?:concurrent |simultaneous )?(?:connections|sessions)\b|\bconnection limit\b/i, '421 4.4.5 Service unavailable, concurrency limit reached', [4]),

  // ---- this client blocked
  // Postfix reject_rbl_client and postscreen; Barracuda's own list reads the same. A recipient's domain "blocked using" is not the client.
  p('postfix', 'client-blocked', /\b(?:client(?: host)?|sender address|helo command)\b[^;]{0,80}?\bblocked using\b/i, '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1'),
  // Exim's default dnslists message: "rejected because $sender_host_address is in a black list at $dnslist_domain".
  p('exim', 'client-blocked', /\bis in an? (?:black|block) ?list at\b/i, '550 rejected because 192.0.2.1 is in a black list at zen.spamhaus.org'),
  p('exchange', 'client-blocked', /\bbanned sending IP\b/i, '550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/ and follow the directions.'),
  // Proofpoint's reply links its IP lookup; T-Online's ends in (BL); Sophos Email's XGEMAIL_0004 is its RBL test.
  // Haraka's dns-list plugin ("is listed on") and its older dnsbl plugin ("is blacklisted by") at connect: the address in brackets is the client's.
  p('haraka', 'client-blocked', /\bhost \[[^\]\s]+\] is (?:black|block)?listed (?:by|on|in|at)\b/i, '554 host [192.0.2.1] is blacklisted by zen.spamhaus.org'),
  p('any', 'client-blocked', /\bipcheck\.proofpoint\.com\b|\bIP=\S+ - [^()]*\([^)]*\) \(BL\)|\bXGEMAIL_0004\b/i, '554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1'),
  // Yahoo's and AOL's [BL21]/[BL23] ("because the ip is in Spamhaus's list"): connections from the client's address are not accepted.
  p('yahoo', 'client-blocked', /\[BL\d\d\]|\bIP(?: address)? is (?:in|on) [^.;]{1,40}\blist\b/i, "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html"),
  p('any', 'client-blocked', /\bclient host\b[^.;]{0,40}?\bblocked\b|\b(?:IP|client|host)\b[^.;]{0,30}?\b(?:is|was|has been) (?:black|block)[- ]?listed\b|\blisted (?:at|on|in|by) (?:the )?(?:[\w-]+\.)+[a-z]{2,}\b|\byour (?:IP|address|host|network)\b[^.;]{0,60}?\b(?:blocked|listed|banned|block ?list|black ?list)/i, '554 5.7.1 Your IP address is listed on our block list'),
  // The client's address between the noun and the verdict ("Client IP 192.0.2.1 is blocked", "Your IP 192.0.2.1 is in RBL",
  // "Connection refused - 192.0.2.1 is listed in the Spamhaus ZEN blocklist"), which the wordings above do not reach past.
  p('any', 'client-blocked', new RegExp(String.raw`\b(?:IP|client|host)(?: address| IP| host)?(?: \[?(?:\d{1,3}\.){3}\d{1,3}\]?)? (?:is |was |has been )?(?:(?:black|block)[- ]?listed|blocked|banned|(?:in|on) (?:our |the |a )?[\w' -]{0,30}?(?:RBL|DNSBL|block ?list|black ?list))\b|(?:^|[\s(-])\[?(?:\d{1,3}\.){3}\d{1,3}\]? is (?:black|block)?listed\b`, 'i'), '550 5.7.1 Client IP 192.0.2.1 is blocked'),
  // Postfix check_client_access REJECT with no text of its own: the client host, refused with no reason given. With a
  // text of the admin's ("Client host rejected: Service not available - too busy") that text is the meaning.
  p('postfix', 'client-refused', /\bClient host rejected: Access denied\b/i, '554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied'),
  // Exim's words for an ACL deny that gives no message: at connect (acl_smtp_connect) only the client's address and name are known.
  { ...p('exim', 'client-refused', /\bAdministrative prohibition\b/i, '554 Administrative prohibition'), atConnect: true },
  // postscreen's own replies: 450 4.3.2 to a client it has not cleared yet (its deep protocol tests pass only on a
  // later connection) or that failed a test; 550 5.3.2 (enforce) and 521 5.3.2 (drop) to one it has blocked.
  p('postfix', 'client-screened', /\b[45]\.3\.2 Service currently unavailable\b/i, '450 4.3.2 Service currently unavailable'),

  // ---- TLS demanded before mail
  p('postfix', 'tls-required', /\bMust issue a STARTTLS command first\b/i, '530 5.7.0 Must issue a STARTTLS command first'),
  p('any', 'tls-required', /\b(?:STARTTLS|TLS|encryption) (?:is )?required\b/i, '530 5.7.0 Encryption required for requested authentication mechanism'),

  // ---- the EHLO name, or EHLO itself
  p('exim', 'helo-name-rejected', /\bSyntactically invalid (?:EHLO|HELO) argument/i, '501 Syntactically invalid EHLO argument(s)'),
  p('postfix', 'helo-name-rejected', /\bHelo command rejected\b/i, '504 5.5.2 <maildiag.invalid>: Helo command rejected: need fully-qualified hostname'),
  p('exchange', 'helo-name-rejected', /\b5\.5\.4 Invalid domain name\b/i, '501 5.5.4 Invalid domain name'),
  p('any', 'helo-name-rejected', /\b(?:HELO|EHLO)\b[^.;]{0,30}?\b(?:name|host ?name|argument|domain)\b|\b(?:fully[- ]qualified|invalid) (?:host ?name|domain name)\b/i, '550 5.7.1 EHLO hostname is not valid'),
  // ---- no mail without SMTP AUTH: an Exchange receive connector without the Anonymous Users permission, and its kin
  p('exchange', 'auth-required', /\bClient was not authenticated\b/i, '530 5.7.1 Client was not authenticated', [5]),
  p('any', 'auth-required', /\bauthentication (?:is )?required\b|\b5\.7\.57\b/i, '530 5.7.0 Authentication required', [5]),
  // ---- relaying refused: Postfix reject_unauth_destination (554) and its stock defer_unauth_destination (454), Sendmail, Exim, Exchange
  p('any', 'relay-denied', /\bRelay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)\b|\bunable to relay\b|\bnot permitted to relay\b/i, '454 4.7.1 <relay-test@example.net>: Relay access denied'),
  // ---- one mailbox receiving too fast: Gmail's ReceivingRate (450 4.2.1; 550 5.2.1 ReceivingRatePerm), Exchange Online's
  // per-recipient hourly receive limits (4.2.121 from one sender, 4.2.122 in all), Yandex's per-recipient rate limit.
  p('google', 'mailbox-rate', /\breceiving mail at a rate that prevents additional messages\b|\bp=ReceivingRate/i, '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\n450-4.2.1 prevents additional messages from being delivered. Please resend your\n450-4.2.1 message at a later point. If the user is able to receive mail at that\n450-4.2.1 time, your message will be delivered. For more information, go to\n450 4.2.1  https://support.google.com/mail/?p=ReceivingRate a1si123456qkb.42 - gsmtp'),
  p('exchange', 'mailbox-rate', /\b4\.2\.12[12]\b|\bper hour message receive limit\b/i, "450 4.2.122 Recipient's per hour message receive limit exceeded. [Hostname=SN6PR04MB4318.namprd04.prod.outlook.com]", [4]),
  p('any', 'mailbox-rate', /\brecipient\b[^;]{0,80}?\bhas exceeded (?:their|its|the) message rate limit\b/i, '451 4.5.1 The recipient <alice@example.com> has exceeded their message rate limit. Try again later.', [4]),
  // ---- a limit on recipients: Exchange's and Postfix's "Too many recipients", temporary (a retry in a new transaction is taken)
  p('any', 'recipient-limit', /^4\d\d 4\.5\.3\b|\btoo many recipients\b/i, '452 4.5.3 Too many recipients', [4]),
  // Firewalls that mangle EHLO (Cisco's SMTP fixup turns it into "XXXX") and servers older than RFC 1869.
  p('any', 'no-esmtp', /\b50[02][ -](?:5\.5\.\d+ )?[^.;]{0,20}?(?:command (?:unrecognized|not recognized|not implemented|unknown)|unrecognized command|not implemented)/i, '500 5.5.1 Command unrecognized: "XXXX"', [5]),
];

/**
 * A reply as one line for the table: "550 5.7.1 text of line one text of line two". The enhanced code a
 * multi-line reply repeats on every line (Gmail's "550-5.7.1") is dropped after the first, so a phrase wrapped
 * across lines still reads as one.
 */
const asText = (reply: SmtpReply): string => `${reply.code} ${reply.lines.map((line, i) => (i ? line.replace(/^[245]\.\d{1,3}\.\d{1,3}\s+/, '') : line)).join(' ')}`;

const replyClass = (code: number): 4 | 5 | undefined => (code >= 500 ? 5 : code >= 400 ? 4 : undefined);

/** The first table entry among `meanings` (every meaning when none are given) that matches this reply; `atConnect`: a reply to the connection itself. */
export function readReply(reply: SmtpReply, meanings?: readonly ReplyMeaning[], atConnect = false): ReplyPattern | undefined {
  const text = asText(reply);
  const cls = replyClass(reply.code);
  return REPLY_PATTERNS.find(pattern => (!meanings || meanings.includes(pattern.meaning)) && (!pattern.atConnect || atConnect) && (!pattern.classes || (cls !== undefined && pattern.classes.includes(cls))) && pattern.re.test(text));
}

/**
 * "User unknown" and its relatives: enhanced codes 5.1.1 (bad mailbox),
 * 5.1.0, 5.1.6 (moved) and Exchange's 5.1.10 (RFC 3463 §3.2), or an MTA's
 * wording from the table. Policy refusals (5.7.x) never count.
 */
export function recipientUnknown(reply: SmtpReply): boolean {
  if (reply.code < 500) return false;
  // A refusal of the sender is not about the recipient, whatever it quotes (Exim's "Unrouteable address" of the sender).
  if (readReply(reply, SENDER_MEANINGS)) return false;
  if (reply.enhanced) {
    if (/^5\.1\.(0|1|6|10)$/.test(reply.enhanced)) return true;
    if (reply.enhanced.startsWith('5.7')) return false;
  }
  return readReply(reply, ['recipient-unknown']) !== undefined;
}

/** What a server that refuses the client objects to: something about the tester's own address, host or name, not about the domain. */
export type ClientObjection = 'blocklisted' | 'no-ptr' | 'dynamic-ip' | 'reputation' | 'rate' | 'helo-name' | 'refused' | 'screened' | 'sender-unknown' | 'sender-spf' | 'sender-refused';

const OBJECTION_OF_MEANING: Partial<Record<ReplyMeaning, ClientObjection>> = {
  'client-dynamic': 'dynamic-ip',
  'client-no-ptr': 'no-ptr',
  'client-reputation': 'reputation',
  'client-limit': 'rate',
  'client-blocked': 'blocklisted',
  'client-refused': 'refused',
  'client-screened': 'screened',
  'helo-name-rejected': 'helo-name',
  'sender-unknown': 'sender-unknown',
  'sender-spf': 'sender-spf',
  'sender-refused': 'sender-refused',
};

/** A provider's own wording (src/explain/providers.ts) that blames the sending side names one of these, read the same in a probe. */
const OBJECTION_OF_PROVIDER_CAUSE: Partial<Record<CauseId, ClientObjection>> = {
  'rbl.listed': 'blocklisted',
  'reputation.poor': 'reputation',
  'ptr.missing': 'no-ptr',
  'ptr.not-fcrdns': 'no-ptr',
  'ptr.generic': 'dynamic-ip',
  'smtp.banner-mismatch': 'helo-name',
};

const PROVIDER_OBJECTIONS = PROVIDERS.flatMap(provider =>
  (provider.rules ?? []).flatMap(rule => {
    const objection = rule.side === 'sender' ? OBJECTION_OF_PROVIDER_CAUSE[rule.cause] : undefined;
    return objection ? [{ provider: provider.id, objection, re: rule.re, classes: rule.classes }] : [];
  }),
);

const CLIENT_MEANINGS = Object.keys(OBJECTION_OF_MEANING) as ReplyMeaning[];
const SENDER_MEANINGS: readonly ReplyMeaning[] = ['sender-unknown', 'sender-spf', 'sender-refused'];

/**
 * What this refusal objects to in the client, if it is about the client at all: the MTAs' table, then the
 * provider's own wordings (`server`, the MX host name, names the provider when the reply does not). Past
 * EHLO, a refusal is about the EHLO name only when it says HELO or EHLO: Exchange's "501 5.5.4 Invalid domain
 * name" at RCPT is about the recipient's domain. A refusal of the envelope sender is about the client only when
 * `sender` is an address the client chose: the null sender <> is one every server must take (RFC 5321 §4.5.5),
 * so refusing it stays the server's doing.
 */
export function clientObjection(reply: SmtpReply, server = '', { atConnect = false, atHello = false, sender = '' } = {}): ClientObjection | undefined {
  const text = asText(reply);
  const meanings = CLIENT_MEANINGS.filter(m => (m !== 'helo-name-rejected' || atHello || /\b(?:HELO|EHLO)\b/i.test(text)) && (sender !== '' || !SENDER_MEANINGS.includes(m)));
  const reading = readReply(reply, meanings, atConnect);
  if (reading) return OBJECTION_OF_MEANING[reading.meaning];
  const cls = replyClass(reply.code);
  const provider = detectProvider(`${server} ${text}`);
  return PROVIDER_OBJECTIONS.find(o => o.provider === provider && (!o.classes || (cls !== undefined && o.classes.some(c => c === cls))) && o.re.test(text))?.objection;
}

/** A refusal of the connection is about the client (it names its address, "your IP", "this host", a blocklist it is on): about the tester, not the domain. */
export const aboutClient = (reply: SmtpReply, server?: string): boolean => clientObjection(reply, server, { atConnect: true }) !== undefined;

/** A reply longer than this is not searched for an address: refusals name the client in their first lines. */
const MAX_ADDRESS_SCAN = 2048;

/**
 * Where refusals name the client's address, most certain first: an address literal ("Client host
 * [192.0.2.1]", Postfix's "unknown[192.0.2.1]", Gmail's "[192.0.2.1] The IP you're using", Outlook's
 * "messages from [192.0.2.1]"); words that name the client ("IP=192.0.2.1" of T-Online, Exim's "rejected
 * because 192.0.2.1 is in a black list", Yahoo's "Messages from 192.0.2.1", "your IP 192.0.2.1"); a lookup
 * link's address parameter (Proofpoint's "?ip=192.0.2.1", GMX's "i=ip&v=192.0.2.1"). An address in a
 * link's path (spamhaus.org/query/ip/…) is not tied to the client and is never taken.
 */
const ADDRESS = String.raw`((?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)|[\da-f]*:[\da-f:.]*[\da-f])`;
const CLIENT_ADDRESS_WORDINGS: readonly RegExp[] = [
  new RegExp(String.raw`\[(?:IPv6:)?${ADDRESS}\]`, 'gi'),
  new RegExp(String.raw`\b(?:IP|address|from|client|host|because)(?: *[=:] *| +)\(?${ADDRESS}`, 'gi'),
  new RegExp(String.raw`[?&](?:ip|i=ip&v)=${ADDRESS}`, 'gi'),
];

/**
 * The client's address as this refusal names it, if it names one: the first well-formed address of the
 * most certain wording that has one, never `server` (the server's own address, which greetings quote).
 */
export function clientAddressIn(reply: SmtpReply, server: string): string | undefined {
  const text = asText(reply).slice(0, MAX_ADDRESS_SCAN);
  for (const wording of CLIENT_ADDRESS_WORDINGS) {
    const named = [...text.matchAll(wording)].map(m => wellFormedAddress(m[1]!));
    const client = named.find((ip): ip is string => ip !== undefined && !sameAddress(ip, server));
    if (client) return client;
  }
  return undefined;
}
