// The mailbox providers and filtering services whose bounces carry their own
// codes: how to recognise each one (host names, reference ids it stamps on its
// replies), what its documented codes and wordings mean in the registry's terms,
// and where a sender it blocked goes to be delisted. One table, data only: the
// classifier reads it the same way for every provider. Sources: docs/providers.md.
import { fixFor, type CauseId } from '../causes.js';
import type { Rule } from './patterns.js';

/** An enhanced code a provider documents with its own meaning (subject.detail, or subject.first-last for a range). */
export interface ProviderCode {
  detail: string;
  cause: CauseId;
  weight: number;
  meaning: string;
}

export interface Provider {
  id: string;
  name: string;
  /** Marks its replies: its MX and reporting host names, its reference ids and help links. */
  marker: RegExp;
  /** Its codes and wordings, weighed above the RFC 3463 base layer and the general wordings. */
  rules?: readonly Omit<Rule, 'provider'>[];
  codes?: readonly ProviderCode[];
  /** Its own fix text for a cause, naming its portal (a provider's own block list is no DNSBL). */
  fixes?: Partial<Record<CauseId, string>>;
}

type ProviderRule = Omit<Rule, 'provider'>;
const r = (cause: CauseId, weight: number, re: RegExp, more: Omit<ProviderRule, 'cause' | 'weight' | 're'> = {}): ProviderRule => ({ cause, weight, re, ...more });
const code = (detail: string, cause: CauseId, weight: number, meaning: string): ProviderCode => ({ detail, cause, weight, meaning });

// Exchange Online Protection answers for Microsoft 365 tenants and for Outlook.com alike.
const MICROSOFT_CODES: readonly ProviderCode[] = [
  code('1.10', 'recipient.unknown', 2, 'recipient not found by SMTP address lookup'),
  code('4.1', 'recipient.unknown', 1, 'recipient rejected by directory-based edge blocking'),
  code('1.8', 'reputation.poor', 2, 'account blocked as a bad outbound sender'),
  code('2.121', 'rate.limited', 3, "recipient's per-hour limit of messages from one sender exceeded"),
  code('2.122', 'rate.limited', 3, "recipient's per-hour message limit exceeded"),
  code('4.14', 'routing.loop', 2, 'hop count exceeded'),
  code('4.310', 'domain.nxdomain', 1.5, 'DNS domain does not exist'),
  code('4.312', 'dns.servfail', 2, 'DNS query failed'),
  code('4.316', 'smtp.refused', 1.5, 'connection refused'),
  code('4.317', 'tls.starttls-missing', 2, 'STARTTLS required but not offered'),
  code('4.318', 'smtp.session-dropped', 1.5, 'connection closed abruptly by the remote server'),
  code('6.11', 'message.malformed', 2, 'bare line feeds in the message'),
  code('7.57', 'auth.required', 2, 'client not authenticated to send'),
  code('7.54', 'relay.denied', 2, 'unable to relay'),
  code('7.64', 'relay.denied', 2, 'relay access denied (tenant attribution)'),
  code('7.321', 'tls.starttls-missing', 3, 'destination server does not support STARTTLS'),
  code('7.322', 'tls.cert-expired', 3, "destination server's certificate expired"),
  code('7.323', 'dane.tlsa-mismatch', 3, 'DANE TLSA records invalid'),
  code('7.324', 'dns.servfail', 2, 'destination DNSSEC records invalid'),
  code('7.325', 'tls.cert-name-mismatch', 3, 'certificate name does not match the host (DANE)'),
  code('7.500-503', 'reputation.poor', 2, 'access denied: suspicious activity or spam abuse'),
  code('7.506', 'smtp.banner-mismatch', 2, 'bad HELO'),
  code('7.508', 'rate.limited', 2, 'IPv6 range exceeded permitted limits'),
  code('7.509', 'auth.dmarc-reject', 2, 'DMARC reject'),
  code('7.511', 'reputation.poor', 3, 'banned sender'),
  code('7.512', 'message.malformed', 2, 'no valid RFC 5322 From address'),
  code('7.515', 'auth.unauthenticated', 3, 'sending domain does not meet the required authentication level'),
  code('7.606-649', 'reputation.poor', 3, 'sending IP banned by Microsoft'),
  code('7.650-699', 'reputation.poor', 2, 'sending IP restricted for its reputation'),
  code('7.700-749', 'reputation.poor', 2, 'tenant exceeded its spam threshold'),
  code('7.750', 'sender.unverified', 2, 'sending from unregistered domains'),
];

// A wording a provider uses in one reply and others might not: kept with the provider.
export const PROVIDERS: readonly Provider[] = [
  {
    id: 'outlook.com',
    name: 'Outlook.com (Hotmail, Live, MSN)',
    marker: /olc\.protection\.outlook\.com|\bhotmail\.|\blive\.com\b|postmaster\.live\.com|\(S3\d{3}\)|\[S3\d{3}\]|\b(?:SC|DY|OU|RP)-00\d\b|Windows Live Hotmail/i,
    rules: [
      r('reputation.poor', 8, /\bpart of their network is on our block list\b|\((?:S3150|S3140)\)|\bSC-00\d\b|\bOU-00\d\b/i, { demotes: ['rbl.listed', 'content.rejected'], side: 'sender' }),
      r('ptr.generic', 7, /\bDY-00\d\b/i, { demotes: ['content.rejected', 'reputation.poor'], side: 'sender', fix: fixFor('ptr.generic', 'dynamicRange') }),
      r('rate.limited', 6, /\bRP-00\d\b/i),
    ],
    codes: MICROSOFT_CODES,
    fixes: {
      'reputation.poor':
        'Outlook.com blocked the sending IP on its own list, not a public DNSBL: stop whatever sent unwanted mail, then ask for mitigation with the Outlook.com sender support form (https://olcsupport.office.com) and register the IP in SNDS (https://sendersupport.olc.protection.outlook.com/snds/) to follow its standing.',
    },
  },
  {
    id: 'microsoft',
    name: 'Microsoft 365 / Exchange Online',
    marker: /protection\.outlook\.com|\.outlook\.com\b|outlook\.office365|\bAS\(\d+\)|\(AS\d+\)|\bSTOREDRV\b|\bRESOLVER\.(?:ADR|RST)\b|\bSMTPSEND\b|aka\.ms\/|go\.microsoft\.com|sender\.office\.com|messaging\.microsoft\.com|\bATTR\d+\b|exchangelabs\.com/i,
    rules: [
      r('tls.starttls-missing', 7, /\bstarttls-not-supported\b/i, { side: 'recipient' }),
      r('tls.cert-expired', 7, /\bcertificate-expired\b/i, { demotes: ['tls.handshake-failed'] }),
      r('dane.tlsa-mismatch', 7, /\btlsa-invalid\b|\bfailed DANE validation\b/i),
      r('dns.servfail', 6, /\bdnssec-invalid\b/i),
      r('tls.cert-name-mismatch', 7, /\bcertificate-host-mismatch\b/i),
      r('reputation.poor', 7, /\bbanned sending IP\b|\bbanned sender\b|\bAccess denied, please try again later\b/i, { demotes: ['rbl.listed', 'smtp.greylisting'], side: 'sender' }),
      r('rate.limited', 6, /\bper hour message receive limit\b|\bhas exceeded (?:their limit for|permitted limits within)\b/i),
      r('smtp.banner-mismatch', 6, /\bBad HELO\b/i, { side: 'sender' }),
      r('auth.unauthenticated', 7, /\bmust pass either SPF or DKIM\b/i, { demotes: ['auth.spf-fail', 'auth.dkim-fail'] }),
      r('smtp.busy', 5, /\bagent busy\b/i),
      r('recipient.unknown', 4, /Recipient address rejected: Access denied/i),
      // The recipient (often a group) takes mail only from authenticated senders of its own organisation.
      r('auth.required', 6, /\bRESOLVER\.RST\.AuthRequired\b|\bsender (?:was )?not authenticated (?:by organization|for (?:group|mailbox|public folder))\b|\bsender not in allowed-senders list\b/i, {
        side: 'recipient',
        fix: 'The recipient (often a group or shared mailbox) accepts mail only from authenticated senders in its own organisation: its Microsoft 365 admin must allow external senders for it, or the sender must send from an account of that organisation.',
      }),
    ],
    codes: MICROSOFT_CODES,
    fixes: {
      'reputation.poor':
        'Microsoft blocked the sending IP or account on its own list, not a public DNSBL: stop whatever sent unwanted mail, then request removal in the Office 365 delist portal (https://sender.office.com); for 5.7.511 "banned sender", mail delist@messaging.microsoft.com with the full NDR.',
    },
  },
  {
    id: 'google',
    name: 'Gmail / Google Workspace',
    marker: /\bgsmtp\b|\bgcdp\b|support\.google\.com|\.google\.com\b|googlemail\.com/i,
    rules: [
      r('content.rejected', 6, /\billegal attachment\b/i),
      r('rate.limited', 7, /\bsending messages with the same Message-ID\b/i, { demotes: ['reputation.poor'] }),
      // Workspace relay: the IP may not send straight to Gmail's MX, it must go through a relay.
      r('ptr.generic', 5, /\bis not authorized to send email directly to our servers\b/i, { demotes: ['relay.denied'], side: 'sender', fix: fixFor('ptr.generic', 'dynamicRange') }),
    ],
    codes: [
      code('2.1', 'recipient.disabled', 1, 'disabled account, or a receiving-rate limit (4.2.1)'),
      // Gmail numbers its sender-requirement replies its own way, over RFC 7372's meanings.
      code('7.23', 'ptr.missing', 2, 'no PTR record, or one whose name does not point back'),
      code('7.27', 'auth.spf-fail', 2, 'SPF did not pass'),
      code('7.28', 'reputation.poor', 1, 'unusual rate of unsolicited mail'),
      code('7.29', 'tls.starttls-missing', 2, 'message not sent over TLS'),
      code('7.30', 'auth.dkim-fail', 2, 'DKIM did not pass'),
      code('7.32', 'auth.dmarc-reject', 2, 'From: domain not aligned with SPF or DKIM (DMARC)'),
    ],
    fixes: {
      'reputation.poor':
        'Gmail keeps no delisting list to ask: find and stop the unwanted mail, authenticate with SPF, DKIM and DMARC, follow Google\'s sender guidelines (https://support.google.com/mail/answer/81126) and watch the domain in Google Postmaster Tools (https://postmaster.google.com); reputation recovers as complaints fall.',
    },
  },
  {
    id: 'yahoo',
    name: 'Yahoo / AOL',
    marker: /yahoodns\.net|\.yahoo\.com|yahooinc\.com|postmaster\.(?:yahoo|verizonmedia)|\[(?:TSS?|BL|GL|IPTS|DM|PH)\d\d\]|\baol\.(?:com|jp)\b/i,
    rules: [
      r('content.rejected', 4, /\[PH0\d\]/i),
      r('rate.limited', 5, /\bMax message per connection reached\b/i),
    ],
    fixes: {
      'reputation.poor':
        'Yahoo deferred or blocked the sending IP on its own reputation data (complaints, volume), not a public DNSBL: lower complaints and volume, authenticate with SPF, DKIM and DMARC, then open a request in the Yahoo Sender Hub (https://senders.yahooinc.com) and join its complaint feedback loop.',
    },
  },
  {
    id: 'apple',
    name: 'Apple iCloud Mail',
    marker: /icloud\.com|\bme\.com\b|apple\.com|\[(?:CS|HM|HME)\d\d?\]/i,
    rules: [
      r('content.rejected', 5, /\[CS0\d\]/i),
      r('recipient.unknown', 6, /\binactive email address\b|\bno longer on server\b/i, { demotes: ['recipient.disabled'] }),
    ],
    fixes: {
      'reputation.poor': 'iCloud Mail refused the sender on its own reputation data: follow Apple\'s postmaster guidance and use the sender contact it gives (https://support.apple.com/en-us/102322).',
    },
  },
  {
    id: 'comcast',
    name: 'Comcast (Xfinity)',
    marker: /comcast\.net|\bresimta\b|\b(?:BL|ES)0\d{2,5}\b|\bRL00\d\b/i,
    rules: [
      // BL000000 (BL004 before): Comcast's own block for spam-like patterns; BL000001-BL000111 name public lists.
      r('reputation.poor', 8, /\bComcast block for spam\b|\bBL0{6}\b|\bBL00[1-5]\b/i, { demotes: ['rbl.listed', 'content.rejected'], side: 'sender' }),
      r('rbl.listed', 6, /\bBL000(?!000)[01]{3}\b|\bBL00[6-9]\b/i, { side: 'sender' }),
      // ES000001 and ES000010: mail from Comcast's own or another network's dynamic/residential space.
      r('ptr.generic', 6, /\bES0000(?:01|10)\b/i, { side: 'sender', fix: fixFor('ptr.generic', 'dynamicRange') }),
      r('rate.limited', 5, /\bToo many sessions opened\b/i),
    ],
    fixes: {
      'reputation.poor':
        'Comcast blocked the sending IP on its own list (BL000000: mail in patterns characteristic of spam), not a public DNSBL: find and stop the unwanted mail, then request removal through Comcast\'s postmaster site (https://postmaster.comcast.net).',
    },
  },
  {
    id: 'cox',
    name: 'Cox',
    marker: /\bcox\.net\b|AUP#(?:CX|CD|IPBL|URLBL)/i,
    rules: [
      r('reputation.poor', 8, /AUP#(?:CXBL|CDRBL|CXTHRT|CXMJ)\b/i, { demotes: ['rbl.listed', 'content.rejected'], side: 'sender' }),
      r('ptr.missing', 7, /AUP#CXDNS\b/i, { side: 'sender' }),
      r('auth.unauthenticated', 7, /AUP#CXSNDR\b/i, { demotes: ['auth.spf-fail', 'auth.dkim-fail'] }),
      r('rate.limited', 7, /AUP#(?:CXCNCT|CXMXRT)\b/i),
      r('rbl.listed', 7, /AUP#IPBL\d+/i, { side: 'sender' }),
      r('rbl.domain-listed', 7, /AUP#URLBL\d+/i, { side: 'sender' }),
      r('recipient.unknown', 5, /\brecipient rejected\b/i),
    ],
    fixes: {
      'reputation.poor':
        'Cox blocked the sending IP on its own list (AUP#CXBL), not a public DNSBL: stop the spam-like traffic, then ask Cox to unblock the IP as its error-code page explains (https://www.cox.com/residential/support/email-error-codes.html).',
    },
  },
  {
    id: 'spectrum',
    name: 'Spectrum (Charter)',
    marker: /charter\.net|spectrum\.net|AUP#[IO]-?\d{4}/i,
    rules: [
      r('reputation.poor', 7, /AUP#[IO]-?10[0-8]0\b/i, { side: 'sender' }),
      r('ptr.missing', 7, /AUP#[IO]-?11[0-5]0\b/i, { side: 'sender' }),
      r('rbl.listed', 7, /AUP#[IO]-?12[0-5]0\b/i, { side: 'sender' }),
      r('rate.limited', 7, /AUP#[IO]-?1(?:3[0-4]|3[5-9]|4\d|5[458])0\b/i),
      r('message.too-large', 7, /AUP#[IO]-?1530\b/i),
    ],
    fixes: {
      'reputation.poor':
        'Spectrum blocked the sending IP on its own list: stop the suspicious traffic and follow the unblock steps on Spectrum\'s error-code page (https://www.spectrumbusiness.net/support/internet/understanding-email-error-codes).',
    },
  },
  {
    id: 'godaddy',
    name: 'GoDaddy (secureserver.net)',
    marker: /secureserver\.net|\bIB[0-7]\d{2}\b/,
    rules: [
      r('reputation.poor', 8, /\bIB11[0-3]\b|\bIB103\b/, { demotes: ['rate.limited', 'smtp.refused', 'content.rejected', 'rbl.listed'], side: 'sender' }),
      r('rbl.listed', 7, /\bIB10[4-6]\b/, { demotes: ['smtp.refused'], side: 'sender' }),
      r('ptr.missing', 7, /\bIB108\b/, { side: 'sender' }),
      r('auth.spf-fail', 7, /\bIB508\b/),
      r('sender.domain-invalid', 7, /\bIB506\b/, { side: 'sender' }),
      r('message.malformed', 7, /\bIB50[12]\b/),
      r('rate.limited', 7, /\bIB(?:504|510|605|607|007|101)\b/),
      r('content.rejected', 7, /\bIB(?:212|705)\b/),
      r('auth.required', 7, /\bIB401\b/),
    ],
    fixes: {
      'reputation.poor':
        'GoDaddy blocked the sending IP for an hour or a day (IB110-IB113: spam-like content or too many invalid recipients), or for a poor Cloudmark reputation (IB103): stop the cause, clean the recipient list and wait; see https://www.godaddy.com/help/what-does-my-email-bounceback-mean-3568.',
    },
  },
  {
    id: 'orange',
    name: 'Orange / La Poste (France)',
    marker: /\borange\.fr\b|\bwanadoo\.fr\b|\blaposte\.net\b|\bmwinf\w*\b|\b(?:OFR|LPN|OUK)\d{0,3}[_-]?\d{3}\b/i,
    rules: [
      r('reputation.poor', 8, orangeCode('102|103|510|999'), { demotes: ['content.rejected', 'rbl.listed'], side: 'sender' }),
      r('rate.limited', 7, orangeCode('104')),
      r('recipient.unknown', 7, orangeCode('416|418')),
      r('mailbox.full', 7, orangeCode('417')),
      r('recipient.disabled', 7, orangeCode('420|426')),
      r('auth.spf-fail', 7, orangeCode('401')),
      r('auth.required', 7, orangeCode('305|402')),
      r('sender.domain-invalid', 7, orangeCode('403|405|415'), { side: 'sender' }),
      r('sender.unverified', 7, orangeCode('421')),
      r('content.rejected', 7, orangeCode('506')),
      r('message.too-large', 7, orangeCode('514')),
    ],
    fixes: {
      'reputation.poor':
        'Orange blocked the sending IP for spam (OFR_102) on its own filter fed by Cloudmark, not a public DNSBL: stop the cause, then request a reset at Cloudmark (https://csi.cloudmark.com/reset-request/) as the reply links.',
    },
  },
  {
    id: 'qq',
    name: 'Tencent QQ Mail',
    marker: /\bqq\.com\b|service\.mail\.qq\.com|\bexmail\.qq\b/i,
    rules: [
      r('reputation.poor', 7, /\bsuspected spam ip\b|\bsuspected bounce attacks\b/i, { demotes: ['content.rejected'], side: 'sender' }),
      r('rate.limited', 7, /\b(?:ip|domain|sender|connection) frequency limited\b/i),
      r('content.rejected', 3, /\bmail content denied\b/i),
    ],
    fixes: {
      'reputation.poor': 'QQ Mail blocked the sending IP on its own reputation data: stop the cause and follow Tencent\'s bounce help for senders (https://service.mail.qq.com/detail/122).',
    },
  },
  {
    id: 'netease',
    name: 'NetEase (163.com, 126.com)',
    marker: /\b(?:163|126)\.com\b|\byeah\.net\b|\b(?:HL|MI|RP|DT|WM|RL|SM|IP):[A-Z]{3}\b/,
    rules: [
      r('reputation.poor', 8, /\bHL:(?:REP|MEP)\b|\bWM:BL[IU]\b/, { demotes: ['rate.limited', 'content.rejected'], side: 'sender' }),
      r('rate.limited', 7, /\bHL:(?:ICC|IFC)\b|\b(?:MI|RP):(?:DMC|CCL|DRC|CEL|SFQ|QRC)\b/),
      r('rbl.listed', 7, /\bDT:RBL\b/, { side: 'sender' }),
      r('content.rejected', 7, /\bDT:SPM\b/),
      r('auth.spf-fail', 7, /\bMI:SPF\b/),
      r('smtp.banner-mismatch', 7, /\bMI:NHD\b/, { side: 'sender' }),
      r('message.malformed', 7, /\bMI:IMF\b/),
    ],
  },
  {
    id: 'mimecast',
    name: 'Mimecast',
    marker: /mimecast/i,
    rules: [
      r('reputation.poor', 8, /\bLocal CT IP Reputation\b/i, { side: 'sender' }),
      r('auth.spf-fail', 7, /\bSPF Sender Invalid\b/i),
      r('auth.dkim-fail', 7, /\bDKIM Sender Invalid\b/i),
      r('auth.dmarc-reject', 7, /\bDMARC Sender Invalid\b/i),
      // Mimecast's greylisting wording, per its SMTP error-code page.
      r('smtp.greylisting', 7, /\bInternal resources are temporarily unavailable\b/i),
    ],
    fixes: {
      'reputation.poor':
        'Mimecast refused the sending IP on its own reputation checks: ask the recipient to add a Permitted Senders policy, or request a review of the IP through the sender feedback form linked from Mimecast\'s SMTP error-code page (https://community.mimecast.com/s/article/Mimecast-SMTP-Error-Codes-842605754).',
    },
  },
  {
    id: 'proofpoint',
    name: 'Proofpoint',
    marker: /pphosted\.com|proofpoint/i,
    fixes: {
      'rbl.listed': 'The IP is on Proofpoint\'s own reputation list, which its customers use: after fixing the cause, check it and request removal at https://ipcheck.proofpoint.com.',
      'reputation.poor': 'Proofpoint refused the sender on its own reputation data: after fixing the cause, check the IP and request removal at https://ipcheck.proofpoint.com.',
    },
  },
  {
    id: 'barracuda',
    name: 'Barracuda',
    marker: /barracuda(?:networks|central)?/i,
    fixes: {
      'rbl.listed': 'The IP is on the Barracuda Reputation Block List: after fixing the cause, request removal at https://www.barracudacentral.org/rbl/removal-request.',
    },
  },
  { id: 'mailru', name: 'Mail.ru', marker: /\bmail\.ru\b/i },
  { id: 'yandex', name: 'Yandex', marker: /yandex|ya\.cc\//i },
  { id: 'gmx', name: 'GMX / WEB.DE', marker: /\bgmx\.(?:net|de|com)\b|\bweb\.de\b/i },
];

// Orange and La Poste end replies with an id whose last three digits name the reason: OFR006_102, LPN416, OFR_417.
function orangeCode(codes: string): RegExp {
  return new RegExp(`\\b(?:OFR|LPN|OUK)(?:\\d{3})?[_-]?(?:${codes})\\b`, 'i');
}

const BY_ID = new Map(PROVIDERS.map(p => [p.id, p]));

/** Every provider's wording rules, each limited to replies that provider wrote. */
export const PROVIDER_RULES: readonly Rule[] = PROVIDERS.flatMap(p => (p.rules ?? []).map(rule => ({ ...rule, provider: p.id })));

export function detectProvider(text: string): string | undefined {
  return PROVIDERS.find(p => p.marker.test(text))?.id;
}

/** The provider's documented meaning of an enhanced code's subject.detail, if it has one. */
export function providerCode(provider: string | undefined, detail: string): ProviderCode | undefined {
  const known = provider ? BY_ID.get(provider) : undefined;
  const found = known?.codes?.find(c => c.detail === detail) ?? known?.codes?.find(c => inRange(c.detail, detail));
  return found && { ...found, meaning: `${known!.name}: ${found.meaning}` };
}

function inRange(range: string, detail: string): boolean {
  const m = /^(\d+)\.(\d+)-(\d+)$/.exec(range);
  const [subject, number] = detail.split('.');
  return !!m && m[1] === subject && Number(number) >= Number(m[2]) && Number(number) <= Number(m[3]);
}

/** The provider's own fix for a cause (its delisting portal, its sender support), if it gives one. */
export function providerFix(provider: string | undefined, cause: CauseId): string | undefined {
  return provider ? BY_ID.get(provider)?.fixes?.[cause] : undefined;
}

// Mail hosts of providers whose inbound MX are never all down at once: a
// timeout to them says more about the sender's network than about them.
const ALWAYS_UP_MX = /(?:\.l\.google\.com|aspmx\.\S*google\.com|\.protection\.outlook\.com|olc\.protection\.outlook\.com|\.yahoodns\.net|mx\d*\.mail\.icloud\.com|\.mx\.aol\.com)\b/i;

export function isAlwaysUpMx(host: string): boolean {
  return ALWAYS_UP_MX.test(host);
}
