// A server that refuses the TESTER is not a broken domain: real refusal texts
// about the machine maildiag runs on (its IP on a blocklist, no reverse DNS, a
// dynamic range, its reputation, its rate, its EHLO name), served by persona
// servers at every stage of the session. Each is smtp.untestable (this machine,
// info) naming what the server objects to; the same texts in a bounce are about
// the sender. Refusals about the domain keep blaming the recipient.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../../src/explain/index.js';
import { buildReply, parseReplyLine } from '../../src/net/smtp/reply.js';
import { clientObjection, REPLY_PATTERNS } from '../../src/replies/index.js';
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

// ---- the table's own examples: each wording about the client is read as what it objects to
const OBJECTION_OF = { 'client-dynamic': 'dynamic-ip', 'client-no-ptr': 'no-ptr', 'client-reputation': 'reputation', 'client-limit': 'rate', 'client-blocked': 'blocklisted', 'client-refused': 'refused' } as const;
const SENDER_OBJECTIONS = ['sender-unknown', 'sender-spf', 'sender-refused'] as const;
const isSenderMeaning = (meaning: string): meaning is (typeof SENDER_OBJECTIONS)[number] => (SENDER_OBJECTIONS as readonly string[]).includes(meaning);

test('every client wording of the reply table reads its own example as what it objects to, and no other wording is about the client', () => {
  for (const pattern of REPLY_PATTERNS) {
    const reply = buildReply(pattern.example.split('\n').map(line => parseReplyLine(line)!));
    const expected = pattern.meaning in OBJECTION_OF ? OBJECTION_OF[pattern.meaning as keyof typeof OBJECTION_OF] : pattern.meaning === 'helo-name-rejected' ? 'helo-name' : undefined;
    assert.equal(clientObjection(reply, 'mx.example.com', { atHello: true }), expected, pattern.example);
    // A refusal of the sender the tester chose is about the tester too; of the null sender, it is not.
    assert.equal(clientObjection(reply, 'mx.example.com', { atHello: true, sender: 'tester@example.org' }), isSenderMeaning(pattern.meaning) ? pattern.meaning : expected, pattern.example);
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
