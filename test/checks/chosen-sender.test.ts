// A refusal of the envelope sender the tester chose with --from is about that
// choice, not the domain: real Postfix, Exim, Sendmail and SPF-policy texts
// (at MAIL, and at RCPT where Postfix applies its sender restrictions by
// default) are smtp.untestable on this machine's side, naming the sender and
// telling how to re-run. The null sender <> is one every server must accept
// (RFC 5321 §4.5.5, RFC 1123 §5.2.9): refusing it stays the recipient's fault.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReply, parseReplyLine } from '../../src/net/smtp/reply.js';
import { clientObjection, recipientUnknown } from '../../src/replies/index.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { checkOf } from '../helpers/diagnosis.js';
import { mtaPersona } from '../helpers/mta-personas.js';
import { mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const SMTP_CHECKS = ['smtp-reachability', 'smtp-policy'];
const SENDER = 'tester@nowhere.example';

async function diagnoseWith(from: string, persona: SmtpPersona) {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), { '192.0.2.10:25': persona });
  const report = await world.diagnose('example.com', SMTP_CHECKS, { helo: 'probe.example.net', from });
  return { report, findings: SMTP_CHECKS.flatMap(id => checkOf(report, id).findings) };
}

type Stage = 'mail' | 'rcpt';
const refusingAt = (stage: Stage, lines: string[], family: Parameters<typeof mtaPersona>[0]): SmtpPersona =>
  stage === 'mail' ? mtaPersona(family, { replies: { MAIL: lines } }) : mtaPersona(family, { recipients: { 'postmaster@example.com': lines } });
const commandAt = (stage: Stage, from: string) => (stage === 'mail' ? `MAIL FROM:<${from}>` : 'RCPT TO:<postmaster@example.com>');
/** The reply as findings quote it: its lines joined by " / ". */
const quoted = (lines: string[]) => `${lines[0]!.slice(0, 3)} ${lines.map(l => l.slice(4)).join(' / ')}`;

interface Case {
  source: string;
  family: Parameters<typeof mtaPersona>[0];
  stage: Stage;
  lines: string[];
  messageId: 'chosenSenderUnknown' | 'chosenSenderNotAuthorised' | 'chosenSenderRefused';
}

const CASES: Case[] = [
  // postconf(5): reject_unknown_sender_domain, unknown_address_reject_code 450; applied at RCPT with smtpd_delay_reject = yes (the default).
  { source: 'Postfix reject_unknown_sender_domain', family: 'postfix', stage: 'rcpt', lines: [`450 4.1.8 <${SENDER}>: Sender address rejected: Domain not found`], messageId: 'chosenSenderUnknown' },
  { source: 'Postfix reject_unknown_sender_domain, 550 and smtpd_delay_reject = no', family: 'postfix', stage: 'mail', lines: [`550 5.1.8 <${SENDER}>: Sender address rejected: Domain not found`], messageId: 'chosenSenderUnknown' },
  { source: 'Postfix reject_unknown_sender_domain, a null MX', family: 'postfix', stage: 'rcpt', lines: [`550 5.7.27 <${SENDER}>: Sender address rejected: Domain nowhere.example does not accept mail (nullMX)`], messageId: 'chosenSenderUnknown' },
  { source: 'Postfix reject_unverified_sender', family: 'postfix', stage: 'rcpt', lines: [`450 4.1.7 <${SENDER}>: Sender address rejected: unverified address: host mx.nowhere.example[192.0.2.20] said: 550 5.1.1 <${SENDER}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)`], messageId: 'chosenSenderUnknown' },
  // Exim "require verify = sender" in acl_check_rcpt: the failed routing, or a callout's answer, then "Sender verify failed".
  { source: 'Exim sender verify (unrouteable)', family: 'exim', stage: 'rcpt', lines: [`550-Verification failed for <${SENDER}>`, '550-Unrouteable address', '550 Sender verify failed'], messageId: 'chosenSenderUnknown' },
  { source: 'Exim sender verify callout', family: 'exim', stage: 'rcpt', lines: [`550-Verification failed for <${SENDER}>`, '550-Called:   192.0.2.20', `550-Sent:     RCPT TO:<${SENDER}>`, '550-Response: 550 5.1.1 User unknown', '550 Sender verify failed'], messageId: 'chosenSenderUnknown' },
  { source: 'Sendmail unresolvable sender domain', family: 'sendmail', stage: 'mail', lines: [`553 5.1.8 <${SENDER}>... Domain of sender address ${SENDER} does not exist`], messageId: 'chosenSenderUnknown' },
  // RFC 7505 §4.2: a sender domain with a null MX.
  { source: 'a sender domain with a null MX (RFC 7505)', family: 'postfix', stage: 'mail', lines: ['550 5.7.27 Sender address has null MX'], messageId: 'chosenSenderUnknown' },
  // postfix-policyd-spf-python from smtpd_recipient_restrictions: the refusal of the sender's SPF says "Recipient address rejected".
  { source: 'postfix-policyd-spf-python', family: 'postfix', stage: 'rcpt', lines: [`550 5.7.23 <postmaster@example.com>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=${SENDER};ip=198.51.100.7;r=<UNKNOWN>`], messageId: 'chosenSenderNotAuthorised' },
  { source: 'Postfix sender restriction on SPF', family: 'postfix', stage: 'mail', lines: [`550 5.7.1 <${SENDER}>: Sender address rejected: SPF check failed for nowhere.example`], messageId: 'chosenSenderNotAuthorised' },
  { source: 'Zoho SPF', family: 'any', stage: 'rcpt', lines: ["550 5.7.23 Sender's SPF Policy Failure"], messageId: 'chosenSenderNotAuthorised' },
  // Postfix check_sender_access REJECT, and reject_sender_login_mismatch.
  { source: 'Postfix check_sender_access', family: 'postfix', stage: 'mail', lines: [`550 5.7.1 <${SENDER}>: Sender address rejected: Access denied`], messageId: 'chosenSenderRefused' },
  { source: 'Postfix reject_sender_login_mismatch', family: 'postfix', stage: 'rcpt', lines: [`553 5.7.1 <${SENDER}>: Sender address rejected: not owned by user bob`], messageId: 'chosenSenderRefused' },
  { source: 'Postfix reject_sender_login_mismatch with a 5.1.8 code', family: 'postfix', stage: 'mail', lines: [`553 5.1.8 <${SENDER}>: Sender address rejected: not owned by user bob`], messageId: 'chosenSenderRefused' },
];

for (const c of CASES) {
  test(`--from refused, ${c.source} at ${c.stage}: smtp.untestable on this machine's side, naming the sender`, async () => {
    const { findings, report } = await diagnoseWith(SENDER, refusingAt(c.stage, c.lines, c.family));
    assert.deepEqual(findings.map(f => `${f.cause}:${f.severity}:${f.side}`), ['smtp.untestable:info:local'], findings.map(f => `${f.cause}/${f.messageId}`).join(', '));
    const [untestable] = findings;
    assert.equal(untestable!.messageId, c.messageId);
    assert.deepEqual(untestable!.data, { server: { host: 'mx.example.com', ip: '192.0.2.10' }, command: commandAt(c.stage, SENDER), reply: quoted(c.lines), objection: c.messageId === 'chosenSenderUnknown' ? 'sender-unknown' : c.messageId === 'chosenSenderRefused' ? 'sender-refused' : 'sender-spf', sender: SENDER });
    assert.match(untestable!.message, /Re-run with a --from/);
    assert.notEqual(checkOf(report, 'smtp-policy').status, 'pass');
    // Refused at MAIL, not even the open-relay probe could be asked: the report lists the check as incomplete.
    if (c.stage === 'mail') assert.ok(report.incomplete.some(i => i.id === 'smtp-policy'), 'the report says the policy was not tested');
    assert.notEqual(report.verdict, 'error', 'the domain is not blamed');
  });
}

// ---- the null sender: every server must take it, so the same refusals stay the recipient's
const NULL_SENDER_REFUSALS = [
  { source: 'Postfix check_sender_access on <>', lines: ['550 5.7.1 <>: Sender address rejected: Access denied'] },
  { source: 'an SPF policy refusing <>', lines: ['550 5.7.23 Message rejected due to: SPF fail - not authorized'] },
];

for (const c of NULL_SENDER_REFUSALS) {
  test(`the null sender refused at MAIL (${c.source}): smtp.rejected, the recipient's (nullSenderRefused)`, async () => {
    const { findings } = await diagnoseWith('', refusingAt('mail', c.lines, 'postfix'));
    assert.deepEqual(findings.map(f => `${f.cause}:${f.messageId}:${f.severity}:${f.side}`), ['smtp.rejected:nullSenderRefused:warning:recipient']);
    assert.deepEqual(findings[0]!.data, { server: { host: 'mx.example.com', ip: '192.0.2.10' }, command: 'MAIL FROM:<>', reply: quoted(c.lines) });
  });
}

// ---- with --from, refusals of the recipient or of the client keep their own meaning
const NOT_ABOUT_THE_SENDER: { source: string; stage: Stage; lines: string[]; expected: string }[] = [
  { source: 'Postfix unknown user', stage: 'rcpt', lines: ['550 5.1.1 <postmaster@example.com>: Recipient address rejected: User unknown in virtual mailbox table'], expected: 'smtp.recipient-rejected:unknownRecipient:recipient' },
  { source: 'Exim unrouteable recipient', stage: 'rcpt', lines: ['550 Unrouteable address'], expected: 'smtp.recipient-rejected:unknownRecipient:recipient' },
  { source: 'Postfix relay denied for its own domain', stage: 'rcpt', lines: ['554 5.7.1 <postmaster@example.com>: Relay access denied'], expected: 'smtp.rejected:notResponsible:recipient' },
  { source: 'Postfix reject_rbl_client', stage: 'rcpt', lines: ['554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org'], expected: 'smtp.untestable:clientBlocklisted:local' },
  { source: 'a MAIL refusal that does not say why', stage: 'mail', lines: ['550 5.7.1 Rejected'], expected: 'smtp.rejected:senderRefused:recipient' },
];

for (const c of NOT_ABOUT_THE_SENDER) {
  test(`--from given, ${c.source} at ${c.stage}: ${c.expected}`, async () => {
    const { findings } = await diagnoseWith(SENDER, refusingAt(c.stage, c.lines, 'postfix'));
    assert.deepEqual(findings.map(f => `${f.cause}:${f.messageId}:${f.side}`), [c.expected]);
  });
}

test('a sender refusal is never read as an unknown recipient, whatever it quotes; without a chosen sender it is no objection to the client', () => {
  const exim = buildReply([`550-Verification failed for <${SENDER}>`, '550-Response: 550 5.1.1 User unknown', '550 Sender verify failed'].map(line => parseReplyLine(line)!));
  assert.equal(recipientUnknown(exim), false);
  assert.equal(clientObjection(exim, 'mx.example.com', { sender: SENDER }), 'sender-unknown');
  assert.equal(clientObjection(exim, 'mx.example.com'), undefined);
  assert.equal(clientObjection(exim, 'mx.example.com', { sender: '' }), undefined);
});
