// A server that refuses the TESTER is not a broken domain: real refusal texts
// about the machine maildiag runs on (its IP on a blocklist, no reverse DNS, a
// dynamic range, its reputation, its rate, its EHLO name), served by persona
// servers at every stage of the session. Each is smtp.untestable (this machine,
// info) naming what the server objects to; the same texts in a bounce are about
// the sender. Refusals about the domain keep blaming the recipient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { explain } from '../../src/explain/index.js';
import { reverseName } from '../../src/net/ip.js';
import { buildReply, parseReplyLine, type SmtpReply } from '../../src/net/smtp/reply.js';
import type { SmtpProbe } from '../../src/net/smtp/index.js';
import { seeTester, testerAddress, type TesterAddress } from '../../src/checks/tester-address.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { testNet } from '../helpers/net.js';
import { clientAddressIn, clientObjection, REPLY_PATTERNS } from '../../src/replies/index.js';
import { startSimDns, type SimZone } from '../../src/sim/dns-server.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import type { Finding } from '../../src/checks/define.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { renderers } from '../helpers/renderers.js';
import { mtaPersona } from '../helpers/mta-personas.js';
import { mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const SMTP_CHECKS = ['smtp-reachability', 'smtp-policy', 'starttls'];
const HELO = 'probe.example.net';
const ca = createCa();
const leaf = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const tls = { key: leaf.keyPem, cert: leaf.certPem };

async function diagnoseAt(host: string, persona: SmtpPersona) {
  const world = await startSmtpWorld(mxZone('example.com', { [host]: ['192.0.2.10'] }), { '192.0.2.10:25': persona });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: HELO, caCerts: [ca.certPem] });
  const findings = SMTP_CHECKS.flatMap(id => checkOf(report, id).findings);
  return { report, findings, all: SMTP_CHECKS.flatMap(id => causesOf(report, id)) };
}

type Stage = 'greeting' | 'ehlo' | 'mail' | 'rcpt';

/** A persona that says `lines` at `stage` (a 421 greeting hangs up; EHLO and HELO are both refused). */
function refusingAt(stage: Stage, lines: string[], family: Parameters<typeof mtaPersona>[0] = 'postfix'): SmtpPersona {
  switch (stage) {
    case 'greeting': return { greeting: lines, ...(lines[0]!.startsWith('421') ? { hangUpAfterGreeting: true } : {}) };
    case 'ehlo': return mtaPersona(family, { tls, replies: { EHLO: lines, HELO: lines } });
    case 'mail': return mtaPersona(family, { tls, replies: { MAIL: lines } });
    case 'rcpt': return mtaPersona(family, { tls, recipients: { 'postmaster@example.com': lines } });
  }
}

const COMMAND: Record<Stage, string> = { greeting: 'the connection', ehlo: `HELO ${HELO}`, mail: 'MAIL FROM:<>', rcpt: 'RCPT TO:<postmaster@example.com>' };

interface Case {
  /** Where the text comes from. */
  source: string;
  stage: Stage;
  lines: string[];
  messageId: string;
  objection: string;
  /** The MX host name (a provider's host names it when the reply does not). */
  host?: string;
  /** What explain makes of the same text in a bounce (sender side). */
  bounce?: string;
}

const CASES: Case[] = [
  // Postfix smtpd_client_restrictions, applied at RCPT (smtpd_delay_reject = yes): postconf(5), reject_unknown_client_hostname, unknown_client_reject_code 450.
  { source: 'Postfix reject_unknown_client_hostname', stage: 'rcpt', lines: ['450 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.7]'], messageId: 'clientNoPtr', objection: 'no-ptr', bounce: 'ptr.missing' },
  { source: 'Postfix reject_unknown_reverse_client_hostname', stage: 'rcpt', lines: ['550 5.7.1 Client host rejected: cannot find your reverse hostname, [198.51.100.7]'], messageId: 'clientNoPtr', objection: 'no-ptr', bounce: 'ptr.missing' },
  { source: 'Postfix check_client_access REJECT', stage: 'rcpt', lines: ['554 5.7.1 <unknown[198.51.100.7]>: Client host rejected: Access denied'], messageId: 'clientRefused', objection: 'refused' },
  { source: 'Postfix reject_rbl_client, at MAIL with smtpd_delay_reject = no', stage: 'mail', lines: ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7'], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
  { source: 'Postfix reject_rbl_client with the Spamhaus PBL', stage: 'rcpt', lines: ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using pbl.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7'], messageId: 'clientDynamicIp', objection: 'dynamic-ip', bounce: 'rbl.listed' },
  { source: 'Postfix reject_unknown_client_hostname as a 421 that ends the session', stage: 'rcpt', lines: ['421 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.7]'], messageId: 'clientNoPtr', objection: 'no-ptr' },
  // Exim's default dnslists message (spec, "ACL conditions: dnslists"): "rejected because $sender_host_address is in a black list at $dnslist_domain".
  { source: 'Exim dnslists default', stage: 'rcpt', lines: ['550 rejected because 198.51.100.7 is in a black list at zen.spamhaus.org'], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
  // Cisco Secure Email (IronPort) HAT policy on SenderBase reputation, at connect.
  { source: 'Cisco IronPort SBRS', stage: 'greeting', lines: ["554 Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means."], messageId: 'clientReputation', objection: 'reputation', bounce: 'reputation.poor' },
  // Gmail: an end-user IP that should send through its provider's relay (known from provider bounces; src/explain/providers.ts).
  {
    source: 'Gmail NotAuthorizedError',
    stage: 'rcpt',
    host: 'gmail-smtp-in.l.google.com',
    lines: [
      "550-5.7.1 [198.51.100.7] The IP you're using to send mail is not authorized to",
      '550-5.7.1 send email directly to our servers. Please use the SMTP relay at your',
      '550-5.7.1 service provider instead. For more information, go to',
      '550 5.7.1  https://support.google.com/mail/?p=NotAuthorizedError a1si123456qkb.42 - gsmtp',
    ],
    messageId: 'clientDynamicIp',
    objection: 'dynamic-ip',
  },
  {
    source: 'Gmail 421-4.7.0 unusual rate',
    stage: 'rcpt',
    host: 'gmail-smtp-in.l.google.com',
    lines: [
      '421-4.7.0 [198.51.100.7] Our system has detected an unusual rate of',
      '421-4.7.0 unsolicited mail originating from your IP address. To protect our',
      '421-4.7.0 users from spam, mail sent from your IP address has been temporarily',
      '421 4.7.0 rate limited. a1si123456qkb.42 - gsmtp',
    ],
    messageId: 'clientRate',
    objection: 'rate',
  },
  { source: 'Microsoft banned sending IP', stage: 'greeting', lines: ['550 5.7.606 Access denied, banned sending IP [198.51.100.7]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  {
    source: 'Outlook.com S3150',
    stage: 'mail',
    host: 'hotmail-com.olc.protection.outlook.com',
    lines: ["550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]"],
    messageId: 'clientReputation',
    objection: 'reputation',
    bounce: 'reputation.poor',
  },
  // Outlook.com's S775: a throttle on the client's address for its reputation, worded as a rate limit.
  { source: 'Outlook.com S775', stage: 'rcpt', host: 'hotmail-com.olc.protection.outlook.com', lines: ['451 4.7.650 The mail server [198.51.100.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BB40FB29B8F0C2] [DB5EUR03FT046.eop-EUR03.prod.protection.outlook.com]'], messageId: 'clientReputation', objection: 'reputation' },
  { source: 'Yahoo BL21', stage: 'greeting', host: 'mta5.am0.yahoodns.net', lines: ["553 5.7.1 [BL21] Connections will not be accepted from 198.51.100.7, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html"], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
  // The client's address between the noun and the verdict, in servers' own words.
  { source: 'a connect ACL naming the address it found listed', stage: 'greeting', lines: ['554 5.7.1 Connection refused - 198.51.100.7 is listed in the Spamhaus ZEN blocklist'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  { source: 'an access rule naming the client IP', stage: 'rcpt', lines: ['550 5.7.1 Client IP 198.51.100.7 is blocked. Please contact support'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  { source: 'Yahoo TSS04', stage: 'greeting', host: 'mta5.am0.yahoodns.net', lines: ['421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes'], messageId: 'clientReputation', objection: 'reputation', bounce: 'reputation.poor' },
  // GMX / WEB.DE (postmaster.gmx.net error pages): one line per reason.
  { source: 'GMX Bad DNS PTR', stage: 'greeting', lines: ['554-gmx.net (mxgmx104) Nemesis ESMTP Service not available', '554-No SMTP service', '554-Bad DNS PTR resource record.', '554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=198.51.100.7&r=1MNcgj-1ue23t3pyV-00S2YR'], messageId: 'clientNoPtr', objection: 'no-ptr', bounce: 'ptr.missing' },
  { source: 'GMX IP block listed', stage: 'greeting', lines: ['554-gmx.net (mxgmx104) Nemesis ESMTP Service not available', '554-No SMTP service', '554-IP address is block listed.', '554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=198.51.100.7&r=1MNcgj-1ue23t3pyV-00S2YR'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  // T-Online (postmaster.t-online.de): (BL) blocked, (NOWL) no or bad reputation, (DIAL) dial-up range.
  { source: 'T-Online (BL)', stage: 'greeting', lines: ['554 IP=198.51.100.7 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  { source: 'T-Online (NOWL)', stage: 'greeting', lines: ['554 IP=198.51.100.7 - None/bad reputation. Ask your postmaster for help or to contact <postmaster@rx.t-online.de> for reset. (NOWL)'], messageId: 'clientReputation', objection: 'reputation', bounce: 'reputation.poor' },
  { source: 'T-Online (DIAL)', stage: 'greeting', lines: ['554 Dialup/transient IP not allowed. Use a mailgateway or contact toda@rx.t-online.de if obsolete. (DIAL)'], messageId: 'clientDynamicIp', objection: 'dynamic-ip', bounce: 'ptr.generic' },
  { source: 'Proofpoint PDR', stage: 'greeting', host: 'mx0a-00000000.pphosted.com', lines: ['554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=198.51.100.7'], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
  { source: 'Mimecast IP reputation', stage: 'mail', host: 'eu-smtp-inbound-1.mimecast.com', lines: ['550 Local CT IP Reputation - (reject) https://community.mimecast.com/docs/DOC-1369#550 [a1b2c3d4e5.eu123]'], messageId: 'clientReputation', objection: 'reputation', bounce: 'reputation.poor' },
  { source: 'Barracuda BRBL', stage: 'greeting', lines: ['554 Service unavailable; Client host [198.51.100.7] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?pr=1&ip=198.51.100.7'], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
  // A policy list named in a bounce is a listing (with its relay fix, test/explain/policy-lists.test.ts); the probe still reads it as a dynamic range.
  { source: 'SORBS DUL via Postfix', stage: 'rcpt', lines: ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using dul.dnsbl.sorbs.net; Dynamic IP Addresses See: http://www.sorbs.net/lookup.shtml?198.51.100.7'], messageId: 'clientDynamicIp', objection: 'dynamic-ip', bounce: 'rbl.listed' },
  { source: 'Comcast BL000000', stage: 'greeting', host: 'mx1a1.comcast.net', lines: ['554 resimta-po-01v.sys.comcast.net resimta-po-01v.sys.comcast.net 198.51.100.7 Comcast block for spam. Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000'], messageId: 'clientReputation', objection: 'reputation', bounce: 'reputation.poor' },
  // Postfix smtpd_helo_restrictions at RCPT: about maildiag's EHLO name; Exim's at EHLO when HELO is refused too.
  { source: 'Postfix reject_unknown_helo_hostname', stage: 'rcpt', lines: [`450 4.7.1 <${HELO}>: Helo command rejected: Host not found`], messageId: 'clientHeloName', objection: 'helo-name' },
  { source: 'Postfix reject_non_fqdn_helo_hostname at EHLO and HELO', stage: 'ehlo', lines: ['504 5.5.2 <probe>: Helo command rejected: need fully-qualified hostname'], messageId: 'clientHeloName', objection: 'helo-name' },
  { source: 'Exim too many connections from this IP', stage: 'greeting', lines: ['421 Too many concurrent SMTP connections from this IP address; please try again later.'], messageId: 'clientRate', objection: 'rate' },
  {
    source: 'Gmail 421-4.7.28 unsolicited rate',
    stage: 'mail',
    host: 'aspmx.l.google.com',
    lines: ['421-4.7.28 [198.51.100.7      15] Our system has detected an unusual rate of', '421-4.7.28 unsolicited mail originating from your IP address. To protect our', '421-4.7.28 users from spam, mail sent from your IP address has been temporarily', '421 4.7.28 rate limited. a1si123456qkb.42 - gsmtp'],
    messageId: 'clientRate',
    objection: 'rate',
  },
  // Postfix postscreen (psc_smtpd.c, psc_early.c): a new client is deferred at RCPT until its deep protocol tests pass on
  // a later connection; a blocklisted one is refused (enforce) or dropped at connect (drop). The real smtpd never saw the RCPT.
  { source: 'Postfix postscreen deferring a new client', stage: 'rcpt', lines: ['450 4.3.2 Service currently unavailable'], messageId: 'clientScreened', objection: 'screened' },
  { source: 'Postfix postscreen enforce', stage: 'rcpt', lines: ['550 5.3.2 Service currently unavailable'], messageId: 'clientScreened', objection: 'screened' },
  { source: 'Postfix postscreen drop', stage: 'greeting', lines: ['521 5.3.2 Service currently unavailable'], messageId: 'clientScreened', objection: 'screened' },
  // Haraka's dns-list plugin and its older dnsbl plugin deny at connect, quoting the client's address in brackets.
  { source: 'Exim acl_smtp_connect deny without a message', stage: 'greeting', lines: ['554 Administrative prohibition'], messageId: 'clientRefused', objection: 'refused' },
  { source: 'Haraka dns-list', stage: 'greeting', lines: ['554 host [198.51.100.7] is listed on zen.spamhaus.org'], messageId: 'clientBlocklisted', objection: 'blocklisted' },
  // Haraka's limit plugin counts per client address (rate_conn at connect, rate_rcpt_host at RCPT) and null-sender mail per recipient.
  { source: 'a per-host connection limit', stage: 'greeting', lines: ['450 4.7.1 Too many connections from your host'], messageId: 'clientRate', objection: 'rate' },
  { source: 'Haraka rate_conn', stage: 'greeting', lines: ['421 connection rate limit exceeded'], messageId: 'clientRate', objection: 'rate' },
  { source: 'Haraka rate_rcpt_host', stage: 'rcpt', lines: ['450 recipient rate limit exceeded'], messageId: 'clientRate', objection: 'rate' },
  { source: 'Haraka rate_rcpt_null', stage: 'rcpt', lines: ['450 null recip rate limit'], messageId: 'clientRate', objection: 'rate' },
  // Its concurrency limit (per client address) answers the connection with these words and nothing else.
  { source: 'Haraka concurrency', stage: 'greeting', lines: ['421 Too many concurrent connections'], messageId: 'clientRate', objection: 'rate' },
  { source: 'Haraka dnsbl', stage: 'greeting', lines: ['554 host [198.51.100.7] is blacklisted by zen.spamhaus.org'], messageId: 'clientBlocklisted', objection: 'blocklisted', bounce: 'rbl.listed' },
];

for (const c of CASES) {
  test(`${c.source} at ${c.stage}: smtp.untestable (${c.objection}), this machine's side, not the domain`, async () => {
    const { findings, report } = await diagnoseAt(c.host ?? 'mx.example.com', refusingAt(c.stage, c.lines));
    assert.deepEqual(findings.map(f => `${f.cause}:${f.severity}:${f.side}`), ['smtp.untestable:info:local'], `${c.source}: ${findings.map(f => `${f.cause}/${f.messageId}`).join(', ')}`);
    const untestable = findings[0] as Finding;
    assert.equal(untestable.messageId, c.messageId);
    assert.equal(untestable.data?.['objection'], c.objection);
    assert.equal(untestable.data?.['command'], COMMAND[c.stage]);
    assert.equal(untestable.data?.['reply'], `${c.lines[0]!.slice(0, 3)} ${c.lines.map(l => l.slice(4)).join(' / ')}`);
    if (c.objection === 'helo-name') assert.equal(untestable.data?.['helo'], HELO);
    assert.notEqual(report.verdict, 'error', 'the domain is not blamed');
  });
  if (c.bounce) {
    test(`${c.source} in a bounce: explain says the sender's ${c.bounce}`, () => {
      const entry = explain(`Diagnostic-Code: smtp; ${c.lines.join('\n')}`).causes[0]!;
      assert.equal(entry.cause, c.bounce);
      assert.equal(entry.side, 'sender');
    });
  }
}

// ---- a refusal of the tester leaves smtp-policy's recipient and relay questions unasked, at MAIL as at RCPT
for (const stage of ['mail', 'rcpt'] as const) {
  test(`a refusal of the tester at ${stage.toUpperCase()}: smtp-policy is untestable with the refusal as its reason, and the headline says INCOMPLETE`, async () => {
    const lines = ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7'];
    const { report } = await diagnoseAt('mx.example.com', refusingAt(stage, lines));
    const policy = report.incomplete.find(i => i.id === 'smtp-policy');
    assert.equal(policy?.status, 'untestable', JSON.stringify(report.incomplete));
    assert.ok(policy.reason.includes(`answered ${COMMAND[stage]} with`) && policy.reason.includes('blocked using zen.spamhaus.org'), policy.reason);
    const headline = renderers.human(report, { color: false, verbose: false, width: 200 }).split('\n')[0]!;
    assert.match(headline, new RegExp(`INCOMPLETE: ${report.incomplete.length} checks? could not finish looking; `), headline);
    assert.doesNotMatch(headline, /\bOK\b|PROBLEM/, headline);
  });
}

test('a refusal of the tester at connect: smtp-reachability is untestable with the refusal as its reason, and the headline says INCOMPLETE, never OK', async () => {
  const { report } = await diagnoseAt('mx.example.com', refusingAt('greeting', ['554 host [198.51.100.7] is listed on zen.spamhaus.org']));
  const reachability = report.incomplete.find(i => i.id === 'smtp-reachability');
  assert.equal(reachability?.status, 'untestable', JSON.stringify(report.incomplete));
  assert.match(reachability.reason, /answered the connection with "554 host \[198\.51\.100\.7\] is listed on zen\.spamhaus\.org"/);
  const headline = renderers.human(report, { color: false, verbose: false, width: 200 }).split('\n')[0]!;
  assert.match(headline, /INCOMPLETE: /, headline);
  assert.doesNotMatch(headline, /\bOK\b|PROBLEM/, headline);
});

test('one MX refuses the tester at connect, the other takes the probe: that MX was not looked at, so the headline says INCOMPLETE, never OK', async () => {
  const zone = mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] });
  const world = await startSmtpWorld(zone, { '192.0.2.10:25': refusingAt('greeting', ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org']), '192.0.2.11:25': mtaPersona('postfix', { tls }) });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: HELO, caCerts: [ca.certPem] });
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.untestable:info']);
  assert.equal(report.incomplete.find(i => i.id === 'smtp-reachability')?.status, 'untestable');
  const headline = renderers.human(report, { color: false, verbose: false, width: 200 }).split('\n')[0]!;
  assert.match(headline, /INCOMPLETE: /, headline);
});

test('one MX refuses the tester at connect, the other times out: not "no MX host accepts connections", since the first may take everyone else\'s mail', async () => {
  const zone = mxZone('example.com', { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] });
  const world = await startSmtpWorld(zone, { '192.0.2.10:25': refusingAt('greeting', ['521 5.3.2 Service currently unavailable']), '192.0.2.11:25': 'timeout' }, 300);
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: HELO, caCerts: [ca.certPem] });
  const causes = causesOf(report, 'smtp-reachability');
  assert.ok(!causes.some(c => c.startsWith('mx.all-unreachable')), causes.join(', '));
  assert.ok(causes.includes('smtp.untestable:info') && causes.some(c => c.startsWith('smtp.timeout')), causes.join(', '));
});

// ---- the table's own examples: each wording about the client is read as what it objects to
const OBJECTION_OF = { 'client-dynamic': 'dynamic-ip', 'client-no-ptr': 'no-ptr', 'client-reputation': 'reputation', 'client-limit': 'rate', 'client-blocked': 'blocklisted', 'client-refused': 'refused', 'client-screened': 'screened' } as const;
const SENDER_OBJECTIONS = ['sender-unknown', 'sender-spf', 'sender-refused'] as const;
const isSenderMeaning = (meaning: string): meaning is (typeof SENDER_OBJECTIONS)[number] => (SENDER_OBJECTIONS as readonly string[]).includes(meaning);

test('every client wording of the reply table reads its own example as what it objects to, and no other wording is about the client', () => {
  for (const pattern of REPLY_PATTERNS) {
    const reply = buildReply(pattern.example.split('\n').map(line => parseReplyLine(line)!));
    const expected = pattern.meaning in OBJECTION_OF ? OBJECTION_OF[pattern.meaning as keyof typeof OBJECTION_OF] : pattern.meaning === 'helo-name-rejected' ? 'helo-name' : undefined;
    const atConnect = pattern.atConnect === true;
    assert.equal(clientObjection(reply, 'mx.example.com', { atConnect, atHello: true }), expected, pattern.example);
    // A refusal of the sender the tester chose is about the tester too; of the null sender, it is not.
    assert.equal(clientObjection(reply, 'mx.example.com', { atConnect, atHello: true, sender: 'tester@example.org' }), isSenderMeaning(pattern.meaning) ? pattern.meaning : expected, pattern.example);
    // Words that are about the client only at connect are not, later in the session.
    if (atConnect) assert.equal(clientObjection(reply, 'mx.example.com', { atHello: true }), undefined, pattern.example);
  }
});

// ---- refusals about the domain keep blaming the recipient
const RECIPIENT_FAULTS: { source: string; stage: Stage; lines: string[]; expected: string }[] = [
  { source: 'Postfix unknown user', stage: 'rcpt', lines: ['550 5.1.1 <postmaster@example.com>: Recipient address rejected: User unknown in virtual mailbox table'], expected: 'smtp.recipient-rejected' },
  { source: 'Postfix relay denied for its own domain', stage: 'rcpt', lines: ['554 5.7.1 <postmaster@example.com>: Relay access denied'], expected: 'smtp.rejected' },
  { source: 'Postfix out of storage', stage: 'mail', lines: ['452 4.3.1 Insufficient system storage'], expected: 'smtp.insufficient-storage' },
  { source: 'Exim server-wide connection limit', stage: 'greeting', lines: ['421 mx.example.com: Too many concurrent SMTP connections; please try again later.'], expected: 'smtp.busy' },
  { source: 'Exchange Online directory-based edge blocking', stage: 'rcpt', lines: ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [BN8NAM12FT011.eop-nam12.prod.protection.outlook.com]'], expected: 'smtp.recipient-rejected' },
  // reject_rhsbl_recipient: the recipient's own domain on a domain blocklist is the domain's problem, not the client's.
  { source: 'Postfix reject_rhsbl_recipient', stage: 'rcpt', lines: ['554 5.7.1 Service unavailable; Recipient address [example.com] blocked using dbl.example.net'], expected: 'smtp.rejected' },
  { source: 'a 554 greeting that names no client', stage: 'greeting', lines: ['554 mx.example.com ESMTP not accepting messages'], expected: 'smtp.service-refused' },
  { source: 'Exchange invalid recipient domain', stage: 'rcpt', lines: ['501 5.5.4 Invalid domain name'], expected: 'smtp.rejected' },
  { source: 'a recipient blacklisted by the recipient\'s filter', stage: 'rcpt', lines: ['550 5.7.1 Recipient address is blacklisted'], expected: 'smtp.rejected' },
  // check_client_access with a text of the admin's: the text is the meaning (the lab's busy.test says it so).
  { source: 'Postfix check_client_access with the server\'s own busy text', stage: 'greeting', lines: ['421 4.3.2 <unknown[198.51.100.7]>: Client host rejected: mx.example.com Service not available - too busy, try again later'], expected: 'smtp.busy' },
  // Exchange on-premises with its transport stopped or under back pressure: every client is told the same.
  // Exim's ACL deny without a message, past the connection: about the sender or the recipient as much as the client.
  { source: 'Exim deny at RCPT without a message', stage: 'rcpt', lines: ['550 Administrative prohibition'], expected: 'smtp.rejected' },
  // The same words with an enhanced code are not Haraka's shape and name no client: a server's own limit reads alike.
  { source: 'a 421 4.7.0 concurrency limit that names no client', stage: 'greeting', lines: ['421 4.7.0 Too many concurrent connections'], expected: 'smtp.busy' },
  { source: 'Exchange transport not available', stage: 'greeting', lines: ['421 4.3.2 Service not available, closing transmission channel'], expected: 'smtp.busy' },
  // Gmail's per-mailbox receiving rate: the mailbox, not the client, is over its limit.
  { source: 'Gmail 450-4.2.1 receiving rate', stage: 'rcpt', lines: ['450-4.2.1 The user you are trying to contact is receiving mail at a rate that', '450-4.2.1 prevents additional messages from being delivered. Please resend your', '450-4.2.1 message at a later point. If the user is able to receive mail at that', '450-4.2.1 time, your message will be delivered. For more information, go to', '450 4.2.1  https://support.google.com/mail/?p=ReceivingRate a1si123456qkb.42 - gsmtp'], expected: 'rate.limited' },
  { source: 'Gmail 550-5.2.1 receiving rate, permanent', stage: 'rcpt', lines: ['550-5.2.1 The user you are trying to contact is receiving mail at a rate that', '550-5.2.1 prevents additional messages from being delivered. For more', '550-5.2.1 information, please visit', '550 5.2.1 https://support.google.com/mail/?p=ReceivingRatePerm a1si123456qkb.42 - gsmtp'], expected: 'rate.limited' },
  // Exchange Online's per-recipient hourly receive limits and Yandex's per-recipient rate: the mailbox, not the client.
  { source: 'Exchange Online 4.2.122 receive limit', stage: 'rcpt', lines: ["450 4.2.122 Recipient's per hour message receive limit exceeded. [Hostname=SN6PR04MB4318.namprd04.prod.outlook.com]"], expected: 'rate.limited' },
  { source: 'Yandex per-recipient rate', stage: 'rcpt', lines: ['451 4.5.1 The recipient <postmaster@example.com> has exceeded their message rate limit. Try again later.'], expected: 'rate.limited' },
  // Exim's defer in an ACL that gives no message (a lookup or database failure): the server's own trouble.
  { source: 'Exim temporary local problem', stage: 'rcpt', lines: ['451 Temporary local problem - please try later'], expected: 'smtp.greylisting' },
  { source: 'postgrey', stage: 'rcpt', lines: ['450 4.2.0 <postmaster@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html'], expected: 'smtp.greylisting' },
];

for (const c of RECIPIENT_FAULTS) {
  test(`${c.source} at ${c.stage} stays the recipient's: ${c.expected}`, async () => {
    const { findings } = await diagnoseAt('mx.example.com', refusingAt(c.stage, c.lines));
    const said = findings.map(f => `${f.cause}:${f.side}`);
    assert.equal(said[0], `${c.expected}:recipient`, said.join(', '));
    assert.ok(!said.some(f => f.startsWith('smtp.untestable')), said.join(', '));
  });
}

// ---- which address the refusing server saw, and what its reverse DNS says
const NO_PTR = ['450 4.7.25 Client host rejected: cannot find your hostname, [198.51.100.7]'];
const GMAIL_DYNAMIC = [
  "550-5.7.1 [198.51.100.7] The IP you're using to send mail is not authorized to",
  '550-5.7.1 send email directly to our servers. Please use the SMTP relay at your',
  '550 5.7.1 service provider instead. https://support.google.com/mail/?p=NotAuthorizedError a1si123456qkb.42 - gsmtp',
];
const REVERSE_7 = '7.100.51.198.in-addr.arpa';

/** The one untestable finding of a world whose MX says `lines` at `stage`, with these reverse (and forward) records; `log`: the questions the resolver got. */
async function seenIn(stage: Stage, lines: string[], reverse: SimZone = {}, host = 'mx.example.com') {
  const world = await startSmtpWorld(mxZone('example.com', { [host]: ['192.0.2.10'] }, reverse), { '192.0.2.10:25': refusingAt(stage, lines) });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: HELO, caCerts: [ca.certPem] });
  const findings = SMTP_CHECKS.flatMap(id => checkOf(report, id).findings);
  assert.deepEqual(findings.map(f => `${f.cause}:${f.side}`), ['smtp.untestable:local'], findings.map(f => f.message).join('\n'));
  const untestable = findings[0] as Finding;
  return { untestable, seen: untestable.data['seen'], log: world.dns.log };
}

test('a refusal naming the client address with no PTR: the finding says the server saw that address, which has no PTR', async () => {
  const { untestable, seen, log } = await seenIn('rcpt', NO_PTR);
  assert.equal(untestable.messageId, 'clientNoPtr');
  assert.deepEqual(seen, { from: 'reply', ip: '198.51.100.7', reverse: { ptr: 'none' } });
  assert.match(untestable.message, /so the rest was not tested; that server saw this machine as 198\.51\.100\.7, which has no PTR record\. Run maildiag/);
  assert.deepEqual(log.filter(q => q.includes('in-addr.arpa')), [`${REVERSE_7} PTR`], 'the address from the reply is asked, not this end of the connection');
});

test('a PTR that does not resolve back: the finding names the PTR and what its forward lookup gave', async () => {
  const { untestable, seen } = await seenIn('rcpt', NO_PTR, { [REVERSE_7]: { PTR: ['host-7.dsl.example.net'] } });
  assert.deepEqual(seen, { from: 'reply', ip: '198.51.100.7', reverse: { ptr: 'unconfirmed', names: [{ name: 'host-7.dsl.example.net', addresses: [], outcome: 'nxdomain' }] } });
  assert.match(untestable.message, /that server saw this machine as 198\.51\.100\.7, whose PTR does not resolve back to it \(host-7\.dsl\.example\.net does not exist \(NXDOMAIN\)\)/);
});

test('a forward-confirmed PTR behind a dynamic-range refusal: the server goes by a list, not the name', async () => {
  const reverse = { [REVERSE_7]: { PTR: ['mail.example.org'] }, 'mail.example.org': { A: ['198.51.100.7'] } };
  const { untestable, seen } = await seenIn('rcpt', GMAIL_DYNAMIC, reverse, 'gmail-smtp-in.l.google.com');
  assert.equal(untestable.messageId, 'clientDynamicIp');
  assert.deepEqual(seen, { from: 'reply', ip: '198.51.100.7', reverse: { ptr: 'confirmed', name: 'mail.example.org', generic: [] } });
  assert.match(untestable.message, /whose PTR mail\.example\.org resolves back to it, so that server goes by a list of dynamic ranges/);
});

test('a forward-confirmed PTR behind a refused EHLO name is the name to give with --helo', async () => {
  const reverse = { [REVERSE_7]: { PTR: ['mail.example.org'] }, 'mail.example.org': { A: ['198.51.100.7'] } };
  const { untestable } = await seenIn('rcpt', [`450 4.7.1 <${HELO}>: Helo command rejected: Host not found; from=<> to=<postmaster@example.com> proto=ESMTP helo=<${HELO}> client=unknown[198.51.100.7]`], reverse);
  assert.equal(untestable.messageId, 'clientHeloName');
  assert.match(untestable.message, /that server saw this machine as 198\.51\.100\.7, whose PTR mail\.example\.org resolves back to it, the name to give with --helo\./);
});

test('an IPv6 client address in the refusal is looked up under ip6.arpa', async () => {
  const ip6 = '2001:db8::5';
  const { seen, untestable } = await seenIn('greeting', [`554 5.7.1 Service unavailable; Client host [IPv6:${ip6}] blocked using zen.spamhaus.org`], { [reverseName(ip6)]: { PTR: ['v6.example.org'] }, 'v6.example.org': { AAAA: ['2001:db8:0:0:0:0:0:5'] } });
  assert.equal(untestable.messageId, 'clientBlocklisted');
  assert.deepEqual(seen, { from: 'reply', ip: ip6, reverse: { ptr: 'confirmed', name: 'v6.example.org', generic: [] } });
});

test('a refusal that names no address: the finding says the address this end of the connection had', async () => {
  const { seen, untestable } = await seenIn('greeting', ["554 Your access to this mail system has been rejected due to the sending MTA's poor reputation."], { '1.0.0.127.in-addr.arpa': { PTR: ['localhost'] }, localhost: { A: ['127.0.0.1'] } });
  assert.equal(untestable.messageId, 'clientReputation');
  assert.deepEqual(seen, { from: 'local', ip: '127.0.0.1', reverse: { ptr: 'confirmed', name: 'localhost', generic: [] } });
  assert.match(untestable.message, /this machine connected from 127\.0\.0\.1, whose PTR localhost resolves back to it\./);
});

test('a refusal quoting a lookup link with another address: the bracketed client address wins; a link\'s path alone names no client', async () => {
  const linked = await seenIn('rcpt', ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.99']);
  assert.equal((linked.seen as { ip: string }).ip, '198.51.100.7');
  assert.ok(!linked.log.some(q => q.startsWith('99.113.0.203')), linked.log.join(', '));
  const pathOnly = await seenIn('rcpt', ['554 5.7.1 Client host blocked; see https://www.spamhaus.org/query/ip/203.0.113.99']);
  assert.deepEqual((pathOnly.seen as { from: string; ip: string }), { from: 'local', ip: '127.0.0.1', reverse: { ptr: 'none' } });
});

test('two MX hosts refusing the same client address: its reverse DNS is asked once in the run', async () => {
  const hosts = { 'mx1.example.com': ['192.0.2.10'], 'mx2.example.com': ['192.0.2.11'] };
  const world = await startSmtpWorld(mxZone('example.com', hosts), { '192.0.2.10:25': refusingAt('greeting', NO_PTR), '192.0.2.11:25': refusingAt('rcpt', NO_PTR) });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: HELO, caCerts: [ca.certPem] });
  const untestable = SMTP_CHECKS.flatMap(id => checkOf(report, id).findings).filter(f => f.cause === 'smtp.untestable');
  assert.equal(untestable.length, 2, untestable.map(f => f.message).join('\n'));
  assert.ok(untestable.every(f => f.side === 'local' && /saw this machine as 198\.51\.100\.7, which has no PTR record/.test(f.message)));
  assert.deepEqual(world.dns.log.filter(q => q === `${REVERSE_7} PTR`), [`${REVERSE_7} PTR`]);
});

// ---- the client address a refusal names, by real wordings
const NAMED: [string, string, string | undefined][] = [
  ['Postfix reject_unknown_client_hostname', '450 4.7.25 Client host rejected: cannot find your hostname, [203.0.113.5]', '203.0.113.5'],
  ['Postfix check_client_access', '554 5.7.1 <unknown[203.0.113.5]>: Client host rejected: Access denied', '203.0.113.5'],
  ['Postfix reject_rbl_client with the lookup link', '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.99', '203.0.113.5'],
  ['Exim dnslists', '550 rejected because 203.0.113.5 is in a black list at zen.spamhaus.org', '203.0.113.5'],
  ['Gmail', "550-5.7.1 [203.0.113.5] The IP you're using to send mail is not authorized to\n550 5.7.1 send email directly to our servers.", '203.0.113.5'],
  ['Outlook.com S3150', "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). [DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]", '203.0.113.5'],
  ['Yahoo TSS04', '421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', '203.0.113.5'],
  ['T-Online (BL)', '554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)', '203.0.113.5'],
  ['Proofpoint', '554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.5', '203.0.113.5'],
  ['GMX', '554-gmx.net (mxgmx104) Nemesis ESMTP Service not available\n554-Bad DNS PTR resource record.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=203.0.113.5&r=1MNcgj', '203.0.113.5'],
  ['Rackspace G1F', '450 4.7.1 Client host 203.0.113.5 has no PTR record (G1F)', '203.0.113.5'],
  ['Outlook.com SC-001', "550 SC-001 (BAY004-MC4F3) Unfortunately, messages from IP 203.0.113.5 weren't sent. Please contact your Internet service provider since part of their network is on our block list.", '203.0.113.5'],
  ['Postfix with the client\'s PTR name', '451 4.3.0 <host.example.net[203.0.113.5]>: Client host rejected: Throttled - Too much spam from your mail server.', '203.0.113.5'],
  ['Postfix too many connections', '421 4.7.0 mx.example.com Error: too many connections from 203.0.113.5', '203.0.113.5'],
  ['Postfix IPv6 client', '554 5.7.1 <unknown[2001:DB8:0::5]>: Client host rejected: Access denied', '2001:db8::5'],
  ['an IPv4-mapped client', '550 5.7.1 Client host [::ffff:203.0.113.5] blocked', '203.0.113.5'],
  ['a greeting quoting the server\'s own address', '554 mx.example.com [192.0.2.10] ESMTP not accepting messages from you', undefined],
  ['a lookup link\'s path only', '554 5.7.1 blocked, see https://www.spamhaus.org/query/ip/198.51.100.99', undefined],
  ['a malformed address', '554 Client host [203.0.113.500] blocked', undefined],
  ['a longer address cut short by no one', '554 your IP 203.0.113.5.7 is listed', undefined],
  ['Comcast, whose address has no word tying it to the client', '554 resimta-po-01v.sys.comcast.net 203.0.113.5 Comcast block for spam.', undefined],
];

for (const [source, text, expected] of NAMED) {
  test(`the client address ${source} names: ${expected ?? 'none'}`, () => {
    const reply = buildReply(text.split('\n').map(line => parseReplyLine(line)!));
    assert.equal(clientAddressIn(reply, '192.0.2.10'), expected);
  });
}

// ---- what a run sends for the address: nothing beyond its resolver, and nothing for an address the internet cannot route
/** A probe of `ip` refused at the greeting with `text`, whose connection's end was `localAddress`. */
const refusedProbe = (ip: string, localAddress: string, text: string): SmtpProbe => ({
  host: 'mx.example.org', ip, port: 25, family: 4, preference: 10, localAddress, transcript: [],
  outcome: { kind: 'rejected', reply: buildReply([parseReplyLine(text)!]) },
});
const BARE_REFUSAL = "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation.";

// The probes are made up: 93.184.216.34 stands for a public server's address, and nothing connects to it.
const UNASKED: { title: string; probe: SmtpProbe; expected: TesterAddress }[] = [
  {
    title: 'behind NAT (a private address talking to a public server): the public address is unknown',
    probe: refusedProbe('93.184.216.34', '192.168.1.5', BARE_REFUSAL),
    expected: { from: 'nat', ip: '192.168.1.5', range: 'private (RFC 1918)' },
  },
  {
    title: 'a private address the refusal names, without --allow-private: said as such',
    probe: refusedProbe('93.184.216.34', '192.168.1.5', '554 5.7.1 Client host [10.0.0.5] blocked using zen.spamhaus.org'),
    expected: { from: 'reply', ip: '10.0.0.5', reverse: { ptr: 'notLookedUp', range: 'private (RFC 1918)' } },
  },
];

for (const { title, probe, expected } of UNASKED) {
  test(`${title}, and nothing is looked up`, async () => {
    const sim = await startSimDns({});
    after(() => sim.close());
    const sightings = await seeTester(testNet(1000, [sim.server]), [probe], defaultRunOptions(), 2000);
    assert.deepEqual(testerAddress(probe, (probe.outcome as { reply: SmtpReply }).reply, sightings), expected);
    assert.deepEqual(sim.log, []);
  });
}

test('a resolver that never answers: the finding waits no longer than it was given, and says the PTR could not be looked up', async () => {
  const sim = await startSimDns({ [REVERSE_7]: 'DROP' });
  after(() => sim.close());
  const probe = refusedProbe('192.0.2.10', '127.0.0.1', NO_PTR[0]!);
  const sightings = await seeTester(testNet(1000, [sim.server]), [probe], defaultRunOptions({ allowPrivate: true }), 50);
  assert.deepEqual(sightings.get('198.51.100.7'), { ptr: 'failed', outcome: 'timeout' });
});
