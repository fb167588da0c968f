// The wording rules: phrases MTAs and providers use, each pointing at a cause
// with a weight. The classifier adds up every rule that matches (no first-match
// wins), so a reply that names two things is weighed, and a provider's words
// beat the status code it happened to reuse. Weights: 5 = the phrase names the
// cause outright, 3-4 = strong, 1-2 = a hint.
import { fixFor, type CauseId, type Side } from '../causes.js';
import type { Stage } from './types.js';

export interface Rule {
  cause: CauseId;
  re: RegExp;
  weight: number;
  /** Only when this provider wrote the reply. */
  provider?: string;
  /** Only when the reply's class (from its codes) is one of these. */
  classes?: readonly (4 | 5)[];
  /** Only at these SMTP stages. */
  stages?: readonly Stage[];
  /** Causes this wording rules out: their score is scaled down. */
  demotes?: readonly CauseId[];
  /** Whose side the fix is on when this wording decided, if not the registry's. */
  side?: Side;
  /** The fix when this wording decided, if the registry's would mislead. */
  fix?: string;
  /** Not when the reply also says this: it names something more specific that another rule weighs. */
  unless?: RegExp;
}

const r = (cause: CauseId, weight: number, re: RegExp, more: Omit<Rule, 'cause' | 'weight' | 're'> = {}): Rule => ({ cause, weight, re, ...more });

/** Policy blocklists by zone, name, lookup link or return code. */
const POLICY_LISTS =
  /\bpbl\.spamhaus\.org\b|\bSpamhaus(?:'s)? PBL\b|\bspamhaus\.org\/pbl\b|\bPBL\d{3,}\b|\bPolicy Block ?List\b|\bon the PBL\b|\b(?:RCVD_IN|SPAMHAUS)_PBL\b|\b(?:zen|pbl)\.spamhaus\.org\b[^;\n]{0,40}?\b127\.0\.0\.1[01]\b|\bdul\.dnsbl\.sorbs\.net\b|\bSORBS DUL\b|\bDynamic IP Addresses See:|\bERS-DUL\b/i;

/** A Spamhaus sub-list named outright (case-sensitive: "css" in a MIME type is not Spamhaus CSS). */
const SPAMHAUS_SUBLIST = /\b(?:PBL|SBL|XBL|CSS|CBL|DROP)\d*\b|\b(?:sbl|xbl|pbl|css|sbl-xbl)\.spamhaus\.org\b|\bspamhaus\.org\/(?:sbl|pbl|xbl|css)\b/;

/** A receiver's words for an end-user address: dynamic, residential, dial-up, end-user. */
const DYNAMIC_RANGE = /\bdynamic (?:IP|address|pool|range)|\bdynamically[- ]assigned\b|\bresidential\b|\bdial-?up\b|\bend-user (?:IP|address)\b/i;

const GENERIC = ['delivery.expired', 'delivery.delayed', 'smtp.rejected'] as const;

export const RULES: readonly Rule[] = [
  // ---- recipient address
  r('recipient.unknown', 5, /\buser unknown\b|\bunknown (?:user|recipient|mailbox|local[- ]part)\b|\bno such (?:user|mailbox|recipient|account|address)\b|\b(?:user|mailbox|recipient|account|address|e-?mail account)(?: that you tried to reach)? (?:does not|doesn't|does n't) exist\b/i),
  r('recipient.unknown', 5, /\bRecipientNotFound\b|\bExRecipNotFound\b|not found by SMTP address lookup|no mailbox here by that name|\bmailbox not found\b|\brecipient not found\b|\binvalid (?:recipient|mailbox)\b|\bdoesn't have an? [\w.-]+ account\b|\buser not found\b|\baddress (?:is )?(?:unknown|invalid|not found)\b|\bunknown address\b|\bno such user here\b/i),
  r('recipient.unknown', 3, /\baddress couldn't be found\b|\bmailbox (?:is )?unavailable\b|\brecipient (?:address )?rejected: undeliverable address\b|\bnot (?:a valid|our) (?:recipient|customer)\b|\bhas moved\b|\bno longer (?:valid|available|in use)\b/i),
  // The general shapes: "<who> ... <not found>", "<invalid> <who>", "no such <who> here".
  r('recipient.unknown', 4, /\b(?:user|recipient|mailbox|mail ?box|address|account|addressee|e-?mail (?:address|name)|local[- ]part)s?\b[^.;,]{0,40}?\b(?:unknown|not (?:found|known|present|local)|(?:does|did) ?n[o']t exist|not exist|invalid|no longer (?:valid|exists?|accepts? mail))\b/i),
  r('recipient.unknown', 4, /\b(?:unknown|invalid|non-?existent|bad) (?:virtual )?(?:user|recipient|mailbox|address|account|e-?mail address)\b|\bnot a (?:valid|known|local) (?:user|recipient|mailbox|address)\b|\bno (?:such )?(?:user|mailbox|mail ?box|recipient|account|address|person|one)\b[^.;]{0,30}?\b(?:here|by that name|at this address|for this user|found)\b|\bno valid recipients\b|\bbadrcptto\b|\bvalidrcptto\b|\bbadrecipientto\b/i),

  r('recipient.disabled', 5, /\b(?:account|mailbox|user|recipient)(?: that you tried to reach)? (?:is |has been |was )?(?:currently )?(?:disabled|deactivated|suspended|inactive|frozen|locked|discontinued|closed|blocked by (?:the )?administrator)\b/i, { demotes: ['recipient.unknown'] }),
  r('recipient.disabled', 5, /\b(?:disabled|deactivated|suspended|inactive|frozen|locked|expired) (?:user|account|mailbox|recipient)\b|\bDisabledUser\b|\bmailbox disabled\b/i, { demotes: ['recipient.unknown'] }),
  r('recipient.disabled', 4, /\bcurrently suspended\b|\btemporar(?:y|ily) (?:locked|inactive|disabled)\b|\bsuspend(?:ed|s)? (?:the )?service\b/i, { demotes: ['recipient.unknown'] }),

  r('mailbox.full', 5, /\bmailbox (?:is )?full\b|\b(?:mailbox|storage|disk|user|mail ?folder|inbox) quota (?:exceeded|full)\b|(?<!sending |submission |send |daily |hourly |user sending )\bquota exceeded\b|\bover (?:the allowed |its |their |his |her )?quota\b|\bout of storage space\b|\bmailfolder is over\b|\bQuotaExceededException\b|\binsufficient (?:storage|disk) space\b|\binbox is full\b|\bOverQuota\w*\b|\bmailbox (?:size|storage) limit\b|\bexceeded (?:the )?storage (?:allocation|limit)\b/i),
  r('mailbox.full', 4, /\b(?:mailbox|mail ?box|account|user|recipient|maildir|mail ?folder|inbox)\b[^.;]{0,40}?\b(?:is full|full\b|over (?:the |its |their |disk )?quota|(?:exceed(?:s|ed|ing)?|reached|would exceed)\b[^.;]{0,30}?\b(?<!sending |send |submission |daily |hourly )(?:quota|storage|disk space|space limit|local limit))|\bfull mailbox\b|\bquota (?:violation|usage exceeded)\b|\bover (?:disk )?quota\b|\bnot enough (?:storage )?space\b|\bdoes not have enough space\b|\bspace has been used up\b|\bexceeded storage allocation\b|\bdis[ck] quota\b|\buserdisk quota\b/i),
  r('mailbox.full', 5, /\btoo many messages (?:on|in) (?:the server|(?:the |this |their )?mailbox)\b/i, { demotes: ['rate.limited'] }),
  r('mailbox.full', 5, /\bexhausted (?:the |its |allowed )*storage(?: space)?\b|\bstorage limit (?:reached|exceeded)\b|\baccount storage limit\b/i),

  r('message.too-large', 5, /\bmessage (?:file |size )?(?:is )?too (?:big|large)\b|\bmax(?:imum)? (?:inbound |permitted |allowed )?message size\b|\b(?:message|mail) size (?:\d+ )?exceeds\b|\bexceeds? (?:the )?(?:fixed |maximum |max )?(?:message )?size(?: limit)?\b|(?<!mailbox )\bsize limits?\b|\bdatabytes limit\b|\bRecipSizeLimit\b|\btoo large for this recipient\b|\bmaximum (?:permitted |allowed )?message size\b|\bMaxSizeError\b|\bmessage length exceeds\b/i, { demotes: ['mailbox.full'] }),
  r('message.too-large', 5, /\bmax(?:imum)? (?:e-?mail|message|mail) size exceeded\b/i, { demotes: ['mailbox.full'] }),

  // ---- the same in other languages (German, French, Spanish, Italian, Dutch, Portuguese): common MTA and provider wordings
  r('recipient.unknown', 4, /\b(?:Benutzer|Empf(?:ä|ae)nger|Adresse|Postfach) (?:ist )?(?:unbekannt|nicht gefunden|existiert nicht)\b|\bunbekannte[rn]? (?:Benutzer|Empf(?:ä|ae)nger|Adresse)\b|\b(?:utilisateur|destinataire|adresse) (?:est )?inconnue?\b|\b(?:usuario|destinatario|direcci[oó]n) (?:es )?desconocid[oa]\b|\b(?:utente|destinatario|indirizzo) (?:è )?sconosciut[oa]\b|\bonbekende (?:gebruiker|ontvanger)\b|\b(?:gebruiker|ontvanger) (?:is )?onbekend\b|\b(?:usu[aá]rio|utilizador|destinat[aá]rio) (?:é )?desconhecido\b/i),
  r('mailbox.full', 4, /\b(?:Postfach|Mailbox)(?: des Empf(?:ä|ae)ngers)? (?:ist )?(?:voll|(?:ü|ue)berf(?:ü|ue)llt)\b|\bbo[iî]te (?:aux lettres |mail )?(?:est )?pleine\b|\bquota (?:est )?d[ée]pass[ée]|\bbuz[oó]n (?:de correo )?(?:est[aá] )?lleno\b|\bcasella (?:di posta )?(?:è )?piena\b|\b(?:postvak|brievenbus|mailbox) (?:is )?vol\b|\bcaixa (?:postal|de correio) (?:est[aá] )?cheia\b/i),
  r('message.too-large', 4, /\bNachricht (?:ist )?zu gro(?:ß|ss\b)|\bmessage trop (?:volumineux|gros)\b|\bmensaje (?:es )?demasiado grande\b|\bmessaggio troppo grande\b|\bbericht (?:is )?te groot\b|\bmensagem (?:é )?(?:muito|demasiado) grande\b/i),

  // ---- who may send
  r('auth.required', 5, /\bauthentication (?:is )?required\b|\bnot authenticated to send\b|\bclient (?:was )?not authenticated\b|\bWantAuthError\b|\bmust (?:first )?authenticate\b|\bAuthRequired\b|\bSenderNotAuthenticated/i),
  // Gmail's "Send mail as" through another server that offers no AUTH: the sender's account settings.
  r('auth.required', 5, /\bdoes not advertise AUTH\b|\bSend mail as'? (?:account|feature)\b[^.]{0,60}\bmisconfigured\b|\bCustomFromDenied\b/i),
  r('auth.required', 5, /\bUsername and Password not accepted\b|\bBadCredentials\b|\bSASL authentication failed\b|\bauthentication (?:failed|unsuccessful|failure)\b|\binvalid credentials\b|\bSmtpClientAuthentication is disabled\b/i),

  r('relay.denied', 5, /\brelay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)\b|\bunable to relay\b|\bnot (?:permitted|allowed|authorized) to relay\b|\bwe do not relay\b|\blist of allowed rcpthosts\b|\bopen relay not allowed\b|\bnon-accepted domain\b|\binsecure mail relay\b/i, { demotes: ['auth.required'] }),

  r('sender.unverified', 5, /\bemail address is not verified\b|\bidentities failed the check\b|\bverified Sender Identity\b|\bnot a Sender Signature\b|\bdoes not have permissions? to send as\b|\bsend as this sender\b|\bnot owned by user\b|\bunregistered domains?\b|\bnot (?:allowed|authorized|permitted) to send (?:from|as|on behalf)\b|\bsender (?:address |domain )?(?:is )?not verified\b|\bunverified sender (?:address|domain|identity)\b/i),

  r('sender.domain-invalid', 5, /\bsender address rejected: domain not found\b|\bdomain of sender address\b.{0,80}\b(?:does not exist|does not resolve)\b|\bsender domain must (?:exist|resolve)\b|\benvelope sender domain must exist\b|\bsender address has null MX\b|\bsender verify failed\b|\bverification failed for <|\bsender (?:domain|address) (?:does not exist|not found|unknown|is invalid|has no MX)\b|\bunverifiable sender\b|\bcannot (?:resolve|verify) (?:the )?sender\b|\bbad sender address\b|\bunknown sender domain\b/i, { demotes: ['domain.nxdomain', 'mx.missing', 'mx.null', 'recipient.unknown'], side: 'sender' }),
  r('sender.domain-invalid', 8, /\bunresolvable RFC\.?5321 (?:from )?domain\b/i, { demotes: ['reputation.poor', 'domain.nxdomain'], side: 'sender' }),

  // ---- reputation, volume, blocklists
  r('reputation.poor', 5, /\b(?:low|poor|bad) (?:sender |sending |ip |domain |email )?reputation\b|\bdue to (?:the )?(?:ip|sender|sending|domain)? ?reputation\b|\breputation (?:of the sending|problems|score)\b|\bIP Reputation\b|\buser complaints\b|\bunsolicited mail originating from your IP\b|\bbad outbound sender\b|\btraffic not accepted from this IP\b|\btenant has exceeded threshold\b|\bspam abuse detected\b|\bhigh[- ]risk delivery pool\b|\bpermanently deferred\b/i, { demotes: ['rate.limited', 'content.rejected'] }),
  // "Your account" is the sender's: suspended or blocked for what it sent.
  r('reputation.poor', 6, /\byour (?:account|mailbox|user|domain|IP(?: address)?)\b[^.;]{0,40}?\b(?:disabled|suspended|blocked|locked|banned|blacklisted)\b/i, { demotes: ['recipient.disabled', 'content.rejected'], side: 'sender' }),
  // A HELO/EHLO name that does not resolve or is not a host name is the sending server's.
  r('smtp.banner-mismatch', 5, /\bHelo command rejected\b|\b(?:HELO|EHLO) (?:name|hostname|argument) (?:is )?(?:invalid|not (?:found|valid|fully[- ]qualified))\b|\bneed fully-qualified hostname\b/i, { demotes: ['domain.nxdomain', 'mx.missing'], side: 'sender' }),
  r('smtp.banner-mismatch', 5, /\bsyntactically invalid argument\(s\)|\brejected (?:EHLO or HELO|EHLO|HELO)\b|\bHELO\/EHLO requires domain address\b|\binvalid (?:HELO|EHLO) (?:name|hostname|greeting)\b|\bempty HELO\/EHLO argument\b|\bintroducing itself as\b/i, { demotes: ['domain.nxdomain', 'mx.missing', 'content.rejected'], side: 'sender' }),
  r('reputation.poor', 4, /\[TSS?0\d\]|\[GL0\d\]|\bunexpected volume\b|\btemporarily deferred due to\b|\bunusual (?:rate|traffic|volume)\b/i, { demotes: ['rate.limited'] }),

  r('rate.limited', 4, /\brate[- ]limit(?:ed|ing)?\b|\btoo many (?:messages|mails|emails|connections|recipients|concurrent|(?:smtp )?sessions|rcpts?|simultaneous|errors)\b|\b(?:emails|messages|mails) per (?:hour|minute|day)\b|\breceiving mail (?:too quickly|at a rate)\b|\btry again slower\b|\bsending (?:limit|quota|rate)\b|\b(?:daily|hourly) (?:user )?(?:sending |message |recipient )?(?:limit|quota)\b|\bSubmissionQuotaExceeded\w*\b|\brecipient (?:count |limit )(?:limit )?(?:exceeded|reached)\b|\brecipient limit\b|\bconnection (?:rate )?limit\b|\bsending too fast\b|\bthrottl(?:ed|ing)\b|\bmax(?:imum)? (?:number of )?(?:recipients|connections)\b|\bexceeded (?:your |the )?(?:sending|recipient|message) (?:limit|rate)\b/i, { demotes: ['mailbox.full', 'recipient.unknown', 'recipient.disabled'] }),

  r('policy.multi-domain-deferral', 6, /\bmultiple destination domains\b|\bper transaction\b|\bin a separate transaction\b|\bone (?:destination )?domain per (?:transaction|message|session)\b/i, { demotes: ['rate.limited'] }),
  r('rate.limited', 5, /\bmax(?:imum)? (?:number of )?messages? per (?:connection|session)\b|\bexcessive volume\b|\bmessage threshold exceeded\b/i),

  r('rbl.listed', 5, /\bblocked using\b|\blisted (?:at|on|in|by) (?:the )?[\w-]+(?:\.[\w-]+)+\b|\bis in an? (?:black|block) ?list\b|\b(?:black|block)[- ]?listed\b|\bblack list(?:ed)? at\b|\bon (?:a|the) (?:black|block) ?list\b|\bDNSBL\b|\bRBL\b|\blisting in Spamhaus\b|\bBarracuda Reputation\b|\bipcheck\.proofpoint\.com\b|\bdnsbl-lookup\b|\bis blocked by\b.{0,20}\b(?:Spamhaus|SpamCop|Barracuda|SORBS|UCEPROTECT)\b/i, { demotes: ['content.rejected', 'reputation.poor'], side: 'sender' }),
  // "Our block list" is the receiver's own: a reputation decision with its own way out, not a DNSBL.
  r('reputation.poor', 5, /\b(?:on|in) our (?:black|block) ?list\b|\bour (?:internal|own) (?:black|block) ?list\b/i, { demotes: ['rbl.listed'], side: 'sender' }),
  // Policy lists name end-user and dynamic ranges (Spamhaus PBL, its ZEN codes 127.0.0.10/11, SORBS DUL, Trend Micro
  // ERS-DUL): a listing, but no verdict on what the address sent, so the fix is a relay, not a cleanup.
  r('rbl.listed', 6, POLICY_LISTS, { demotes: ['ptr.generic', 'content.rejected', 'reputation.poor'], side: 'sender', fix: fixFor('rbl.listed', 'policyListed') }),
  // Spamhaus named without its sub-list (ZEN, "blocked using Spamhaus"): its lookup link says which; no guess here.
  r('rbl.listed', 1, /\bzen\.spamhaus\.org\b|\bblocked using Spamhaus\b|\bSpamhaus(?:'s)? (?:ZEN|list)\b|\b(?:listed|blocked) (?:in|on|at|by) Spamhaus\b|\bis in an? (?:black|block) ?list at zen\b/i, {
    side: 'sender',
    fix: fixFor('rbl.listed', 'spamhausZen'),
    unless: SPAMHAUS_SUBLIST,
  }),
  r('rbl.listed', 2, /\bspamhaus\b|\bspamcop\b|\bbarracudacentral\b|\bSORBS\b|\bUCEPROTECT\b|\bpsbl\.surriel\b|\b\(BL\)|\bBL\d{6}\b|\[BL2\d\]/i, { side: 'sender' }),
  r('rbl.domain-listed', 7, /\bdbl\.spamhaus\.org\b|\bSpamhaus DBL\b|\bmulti\.uribl\.com\b|\buribl\b|\bsurbl\b|\bURL (?:in (?:the )?message )?(?:\([^)]*\) )?(?:is )?listed\b|\bdomain (?:is )?(?:listed|block ?listed|black ?listed)\b|\bsender domain \S+ is listed\b|\bdomain block ?list\b/i, { demotes: ['rbl.listed', 'content.rejected', 'sender.domain-invalid'], side: 'sender' }),
  r('rbl.query-refused', 8, /\bopen resolver\b|\breturnc\/(?:pub|vol)\b|\b127\.255\.255\.25[45]\b|\bexcessive number of queries\b|\bURIBL_BLOCKED\b|\bquery (?:was )?refused\b|\bpublic (?:dns )?resolver\b/i, { demotes: ['rbl.listed', 'rbl.domain-listed'], side: 'recipient' }),

  r('ptr.missing', 5, /\bcannot find your (?:reverse )?hostname\b|\bPTR record\b|\bmissing PTR\b|\bno PTR\b|\breverse (?:DNS|dns lookup|hostname|lookup)\b(?! name from your ISP)|\bIP name lookup failed\b|\bno rDNS\b|\bdoes not resolve to your (?:IP )?address\b|\bcannot resolve your address\b|\bforward DNS\b[^.;]{0,40}\bpoint|\bmismatches client ip\b|\bunresolvable (?:relay )?host ?name\b|\binvalid rDNS\b/i, { side: 'sender' }),
  // Postfix reject_unknown_client_hostname: no PTR, or one whose name does not resolve back (not forward-confirmed).
  r('ptr.not-fcrdns', 3, /\bcannot find your hostname\b/i, { side: 'sender' }),
  r('ptr.missing', 3, /\bPTR\b|\brDNS\b/i, { side: 'sender' }),
  r('ptr.generic', 6, /\breverse DNS (?:entry|name|record) contains your IP\b|\bgeneric (?:dns )?(?:PTR|rDNS|reverse DNS|hostname)\b|\bcustom reverse DNS\b/i, { demotes: ['ptr.missing'], side: 'sender' }),
  // The receiver's own verdict that the address is an end-user one: the way out is a relay, a PTR only for a static server.
  r('ptr.generic', 6, DYNAMIC_RANGE, { demotes: ['ptr.missing'], side: 'sender', fix: fixFor('ptr.generic', 'dynamicRange') }),

  // ---- authentication
  r('auth.spf-fail', 5, /\bSender Policy Framework\b|\bSPF\b.{0,40}\b(?:fail(?:ed|s|ure)?|violation|not (?:authori[sz]ed|permitted|pass))\b|\bfails? to pass SPF\b|\bdoes not designate\b.{0,80}\bpermitted sender\b|\bnot (?:authori[sz]ed|permitted) by SPF\b|\bhard ?fail policy\b|\bopen-?spf\.org\/Why\b/i),
  r('auth.spf-fail', 2.5, /\bSPF\b|\bspf\.pobox\.com\b/i),
  r('auth.dkim-fail', 5, /\bDKIM\b.{0,40}\b(?:fail(?:ed|s|ure)?|invalid|did not (?:pass|verify)|verification failed|not (?:valid|verified))\b|\bno (?:passing|acceptable|valid) (?:author-matched )?DKIM signature\b|\bbody hash did not verify\b/i),
  r('auth.dmarc-reject', 5, /\bDMARC\b/i, { demotes: ['auth.unauthenticated', 'auth.spf-fail', 'auth.dkim-fail', 'recipient.disabled', 'content.rejected'] }),
  r('auth.dmarc-reject', 3, /\bDMARC (?:policy|evaluation|verification)\b|\b(?:rejected|refused) (?:by|per|due to) .{0,20}DMARC\b|\bDmarcRejection\b|\bfails? (?:to pass )?DMARC\b/i),
  r('auth.unauthenticated', 6, /\bsender is unauthenticated\b|\bauthenticate with (?:either|at least one of) SPF or DKIM\b|\bdoes not have authentication information\b|\bfails? to pass authentication checks\b|\brequired authentication level\b|\bneither SPF nor DKIM\b|\bmultiple authentication checks failed\b|\bunauthenticated (?:email|mail|message)\b|\bnot authenticated with (?:SPF|DKIM)\b/i, { demotes: ['auth.spf-fail', 'auth.dkim-fail', 'auth.required', 'content.rejected'] }),
  // Gmail and Yahoo rate-limit for the failed check and say which: the check is the cause, the limit its effect.
  r('auth.spf-fail', 7, /\bSPF (?:authentication )?(?:didn't|did not|does not) pass\b|\bsenders to authenticate (?:their email )?with SPF\b/i, { demotes: ['rate.limited'] }),
  r('auth.dkim-fail', 7, /\bDKIM (?:authentication )?(?:didn't|did not|does not) pass\b|\bsenders to authenticate (?:their email )?with DKIM\b/i, { demotes: ['rate.limited'] }),
  r('auth.unauthenticated', 7, /\bfail(?:ing|ed|s)? both SPF and DKIM\b|\bfailed SPF, DomainKeys or DKIM\b|\bsenders to authenticate with either SPF or DKIM\b/i, { demotes: ['auth.spf-fail', 'auth.dkim-fail', 'rate.limited'] }),
  r('auth.dmarc-reject', 7, /\bisn't aligned with either the authenticated SPF or DKIM\b|\bnot aligned with (?:the )?(?:authenticated )?(?:SPF|DKIM)\b/i, { demotes: ['rate.limited', 'auth.spf-fail', 'auth.dkim-fail'] }),

  // ---- content and format
  r('content.rejected', 5, /\b(?:rejected|blocked|detected|identified|classified) as spam\b|\bspam message\b|\bsuspicion of spam\b|\blikely (?:unsolicited|spam)\b|\bunsolicited (?:bulk )?(?:mail|e-?mail|message)\b|\bvirus\b|\bmalware\b|\bINFECTED\b|\bEicar\b|\bcontent (?:filter(?:ing)?|restrictions?|rejected|policy)\b|\bunacceptable content\b|\bcontent presents a potential security issue\b|\bsecurity polic(?:y|ies)\b|\bprohibited (?:content|attachment|file)\b|\bphishing\b|\bspam score\b|\blooks like spam\b|:blocked\)|\bBlockedMessage\b|\bUnsolicitedMessageError\b|\bhigh (?:spam|bulk) (?:score|probability)\b/i),
  r('content.rejected', 1.5, /\bspam\b|\bpolicy violation\b|\bmessage (?:was )?(?:blocked|rejected) (?:by|due to|for)\b|\bsuspicious\b/i),

  r('message.malformed', 5, /\bbare (?:<LF>|<CR>|LF\b|CR\b|linefeeds?\b|newlines?\b)|\bBareLinefeedsAreIllegal\b|\bnot RFC ?5322 compliant\b|\bRfcMessageNonCompliant\b|\bduplicate (?:\w+ )?headers?\b|\bmultiple (?:From|Subject|Date|To|Message-ID|Sender|addresses in From)(?: headers?|:)?\b|\bmissing (?:a )?(?:valid )?(?:address in )?(?:From|Date|Message-ID)\b|\bno From: header\b|\bsyntax error in '?[\w-]+'? header\b|\bmalformed (?:header|local part|message|address)\b|\bheader (?:syntax|format) (?:error|invalid)\b|\bline too long\b|\binvalid (?:message )?header\b|\bNon-ASCII addresses\b|\bSMTP protocol violation\b/i, { demotes: ['content.rejected', 'auth.unauthenticated'] }),
  r('message.malformed', 6, /\bHeaders are not RFC compliant\b|\bnot RFC ?5322 (?:section \S+ )?compliant\b|\bBlank From: addresses\b|\bIP addresses are not allowed as a From\b|\bencoded-word syntax is not permitted\b|\bunicode character in a disallowed header\b/i, { demotes: ['content.rejected'] }),

  r('routing.loop', 6, /\bloops? back to myself\b|\bmail (?:forwarding )?loop\b|\brouting loop\b|\btoo many hops\b|\bhop count exceeded\b|\btoo many "?Received"? headers\b|\bmessage is looping\b|\bloop detected\b|\bpoints? back to (?:me|myself|this host)\b/i),

  // ---- connection and DNS
  r('smtp.timeout', 5, /\bconnection timed out\b|\bconnect(?:ion)? timeout\b|\[[^\]]{0,80}: timed out\]|\btimed out while connecting\b|\bunable to connect\b|\bno route to host\b|\bnetwork is unreachable\b|\bSocket error code 10060\b|\bETIMEDOUT\b/i),
  r('smtp.refused', 6, /\bconnection refused\b|\bSocket error code 10061\b|\bECONNREFUSED\b/i, { demotes: ['smtp.timeout'] }),
  r('smtp.no-banner', 7, /\b(?:while|before) receiving the initial server greeting\b|\btimeout after initial connection\b|\bno (?:SMTP )?greeting\b|\bdid not (?:send|present) (?:a |its )?(?:banner|greeting)\b/i, { demotes: ['smtp.timeout'] }),
  // Postfix "lost connection with HOST while ..." (the greeting case is no-banner), Exim "closed connection in response to", Exchange "Connection dropped due to SocketError".
  r('smtp.session-dropped', 6, /\blost connection with \S+ while (?!receiving the initial server greeting)|\bclosed connection in response to\b|\bconnection dropped due to \w+/i, { demotes: ['smtp.timeout'] }),
  r('network.port25-blocked', 7, /\bport 25 (?:is )?(?:blocked|filtered)\b|\boutbound (?:port )?25\b.{0,30}\bblocked\b|\bblocks? outbound (?:SMTP|port 25)\b/i, { demotes: ['smtp.timeout'], side: 'network' }),

  r('domain.nxdomain', 5, /\bhost not found(?!, try again)\b|\bunknown (?:host|domain)(?: name)?\b|\bname or service not known\b|\bdomain\b[^.;]{0,40}?\b(?:is unknown|may not exist|is not reachable|unreachable)\b|\bNXDOMAIN\b|\bdomain name not found\b|\bDNS domain \S+ does not exist\b|\bcouldn't find any host named\b|\bhost unknown\b(?! \(Name server: [^)]*no data known)|\bunrouteable address\b|\bunroutable address\b|\bno such domain\b|\bdomain \S+ couldn't be found\b|\bInfoDomainNonexistent\b|\bNonExistentDomain\b|\bdomain (?:does not|doesn't) exist\b/i, { demotes: ['recipient.unknown'] }),
  r('recipient.unknown', 6, /\b5\d\d[- ][^;]{0,60}?\bunrouteable address\b/i, { demotes: ['domain.nxdomain'] }),
  r('mx.missing', 6, /\bHost found but no data record\b|\bno data known\b|\bcouldn't find a mail exchanger\b|\bno mail hosts? for (?:the )?domain\b|\bno (?:MX|mail exchanger) (?:or|and|nor) (?:A|IP address)\b/i, { demotes: ['domain.nxdomain'] }),
  r('mx.null', 7, /\bnull ?MX\b/i, { demotes: ['domain.nxdomain', 'mx.missing', 'recipient.unknown'] }),
  r('mx.null', 8, /\bindicated no SMTP service\b|\b(?:host\/domain|host|domain(?: \S+)?) does not accept (?:e-?)?mail\b(?! from)/i, { demotes: ['domain.nxdomain', 'mx.missing', 'recipient.unknown', 'smtp.rejected'] }),
  r('mx.target-nxdomain', 7, /\bMX records? point to non-existent hosts?\b|\bno MX host for \S+ has a valid address record\b/i, { demotes: ['domain.nxdomain'] }),
  r('dns.servfail', 6, /\bhost not found, try again\b|\bhost lookup did not complete\b|\bSERVFAIL\b|\bServerFailure\b|\bDNS query failed\b|\bname server timeout\b|\bhost name lookup failure\b|\blookup failed temporarily\b|\btemporary (?:DNS|name resolution) (?:failure|error)\b|\bMalformed or unexpected name server reply\b|\bHost map: lookup \([^)]*\): deferred\b/i, { demotes: ['domain.nxdomain'] }),
  // Postfix could not read its own resolver's answer: the sending server's DNS path is the first suspect, not the domain.
  r('dns.servfail', 3, /\bMalformed or unexpected name server reply\b/i, {
    side: 'sender',
    fix: 'The sending server\'s resolver returned an answer it could not read. Check the resolver the mail server uses first (its /etc/resolv.conf, a local unbound or BIND, a firewall that truncates or rewrites DNS, EDNS and TCP fallback on port 53); if other domains resolve from that server, query the recipient domain\'s own name servers (dig +trace) for a broken answer.',
  }),

  r('smtp.greylisting', 6, /\bgr[ae]y ?list(?:ed|ing)?\b|\bcome back (?:later|in)\b|\bpostgrey\b/i),
  r('smtp.greylisting', 2, /\b(?:please )?try again later\b|\bplease retry later\b|\btemporarily (?:rejected|deferred)\b/i, { classes: [4], stages: ['rcpt', 'mail', 'data', 'data-end'] }),
  r('smtp.busy', 4, /\bserver (?:is )?(?:too )?busy\b|\btoo busy\b|\bports are busy\b|\bsystem (?:is )?(?:busy|overloaded)\b|\bTemporary System Problem\b|\binsufficient system resources\b|\bshutting down\b|\bresource temporarily unavailable\b|\btry again later, closing connection\b|\bnot accepting (?:network )?messages\b/i),
  r('smtp.busy', 2, /\bservice (?:temporarily )?(?:not available|unavailable)\b|\btemporarily unavailable\b/i, { classes: [4] }),

  // ---- TLS
  // The receiving side lacks STARTTLS, or it demands TLS the sender did not use.
  r('tls.starttls-missing', 7, /\bwas not offered by host\b|\b(?:does ?n[o']t|not) (?:support|offer)(?:ing)? (?:STARTTLS|TLS)\b/i, { side: 'recipient' }),
  r('tls.starttls-missing', 6, /\bSTARTTLS (?:is )?required\b|\bmust issue a STARTTLS\b|\bTLS (?:is )?required\b|\bencryption (?:is )?(?:needed|required)\b|\bREQUIRETLS\b/i, { side: 'sender' }),
  r('tls.starttls-missing', 7, /\bstarttls-not-supported\b/i, { side: 'recipient' }),
  r('tls.starttls-missing', 6, /\brequires? (?:encryption|TLS)\b|\bwasn't sent over a TLS connection\b|\bsenders to use TLS\b/i, { side: 'sender' }),
  r('dane.tlsa-mismatch', 7, /\btlsa-invalid\b|\bfailed DANE validation\b|\bTLSA record\b[^.;]{0,40}\b(?:mismatch|invalid|does not match)\b/i, { demotes: ['tls.handshake-failed'] }),
  r('tls.handshake-failed', 5, /\bhandshake fail(?:ure|ed)\b|\bCannot start TLS\b|\bSSL routines\b|\bSSL_connect\b|\bno shared cipher\b|\bwrong version number\b|\bTLS (?:session|negotiation|connection) (?:failed|error)\b/i),
  r('tls.cert-expired', 7, /\bcertificate (?:has |is )?expired\b|\bcertificate-expired\b/i, { demotes: ['tls.handshake-failed', 'tls.cert-untrusted'] }),
  r('tls.cert-untrusted', 6, /\buntrusted issuer\b|\bself[- ]signed certificate\b|\bcertificate not trusted\b|\bunable to get local issuer\b|\bunknown CA\b/i, { demotes: ['tls.handshake-failed'] }),
  r('tls.cert-name-mismatch', 6, /\b(?:host ?name|subject name|certificate name) (?:mismatch|does not match)\b|\bSubjectMismatch\b|\bcertificate-host-mismatch\b/i, { demotes: ['tls.handshake-failed'] }),

  // ---- the message's fate
  r('delivery.delayed', 3, /\bdelivery (?:is |has been )?delayed\b|\bmessage delayed\b|\bdelayed mail\b|\bnot (?:yet )?been delivered\b|\bhasn't been delivered yet\b|\bdelivery attempts will continue\b|\bwarning (?:message )?only\b|\bdo not need to resend\b|\bwill (?:continue to )?be (?:re)?tried\b|\bwill (?:keep trying|retry)\b|\bstill undelivered after\b|\bDelivery incomplete\b|\bwill be retried until\b/i),
  r('delivery.delayed', 5, /\bTHIS IS A WARNING (?:MESSAGE )?ONLY\b|\bYOU DO NOT NEED TO RESEND\b|\bstill undelivered after\b|\bhas not yet been delivered\b|\bDelivery is delayed to\b|\*\* Message delayed \*\*|\bDelivery will continue to be attempted\b|\bwill retry for \d+ more hours\b/i),
  r('delivery.expired', 4, /\bretry timeout exceeded\b|\bmessage expired\b|\bQUEUE\.Expired\b|\bstatus=expired\b|\bin the queue too long\b|\bcould not be delivered for \d+ days\b|\bwill be deleted from queue\b|\bbefore the time limit expired\b|\bhave been failing for a long time\b|\bmessage is too old\b|\bdelivery time expired\b|\bmessage timed out\b|\bafter a long failure period\b|\ballowed queue period\b|\bnumerous attempts to deliver\b|\b(?:queue|retry) (?:period|lifetime) (?:expired|exceeded)\b/i),
];

/** Whether a rule's cause is only a fallback: any specific cause beside it is the real reason. */
export const isGenericCause = (cause: string) => (GENERIC as readonly string[]).includes(cause);

// Boilerplate that mentions causes without being one ("To protect our users from
// spam, ..." closes Gmail's authentication and reputation replies alike).
export const BOILERPLATE = /\bto (?:best )?protect our users from spam(?: and phishing)?,?|\bto reduce the amount of spam sent to \w+,?|\bprevent mail to \w+ users from being blocked or sent to spam\b|\bBulk (?:Email )?Senders Guidelines\b|\bEventually the mail delivery software will give up\b/gi;

// Words about the failure's permanence, beside the codes and the MTA's own action.
// A retry stated outright, and mere hints ("temporarily blocked" under a 554 is still a bounce).
export const TEMPORARY_WORDS = /\bwarning (?:message )?only\b|\bdo not need to resend\b|\bwill (?:continue to )?be (?:re)?tried\b|\bwill (?:keep trying|retry)\b|\bdelivery attempts will continue\b|\bnot (?:yet )?been delivered\b|\bhasn't been delivered yet\b|\bDelivery incomplete\b|\bstill being retried\b/gi;
export const TEMPORARY_HINTS = /\btemporar(?:y|ily)\b|\btry again later\b|\bplease (?:try again|retry)\b|\bcome back (?:later|in)\b/gi;
export const PERMANENT_WORDS = /\bpermanent(?:ly)? (?:error|failure|deferred|rejected)\b|\bthis is a permanent error\b|\bretrying will not succeed\b|\bI've given up\b|\bgiving up on\b|\bretry timeout exceeded\b|\bmessage expired\b|\bQUEUE\.Expired\b|\bstatus=expired\b|\bwill be deleted from queue\b|\bcould not be delivered for \d+ days\b|\b(?<!non-)fatal errors?\b|\bin the queue too long\b|\bdelivery has failed\b|\bmessage not delivered\b|\b(?:couldn't|wasn't|could not) be delivered(?! for more than)\b|\bundeliverable\b/gi;
