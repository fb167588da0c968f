// A message received from the domain (--message): what a receiver concludes
// about it. mailauth verifies each DKIM signature, maildiag's SPF engine (RFC
// 7208 check_host) evaluates the client of the Received field where the
// message came from outside, and DMARC alignment follows RFC 9989. The
// receiver's own Authentication-Results are set beside them.
import type { DNSResolver, DKIMResult } from 'mailauth';
import { mailauthResolver } from '../net/dns/index.js';
import type { Net } from '../net/context.js';
import type { DmarcVerdict } from '../auth/dmarc-alignment.js';
import { evaluateSpf, type SpfEvaluation, type SpfIdentity } from '../auth/spf-eval.js';
import { headerValues, MessageFileError, readMessageFile } from '../auth/message.js';
import type { ReceivedHop } from '../auth/received.js';
import type { MessageAuth, SignatureVerdict } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';
import { defineCheck, finding, type Finding } from './define.js';

type SendingClient = NonNullable<MessageAuth['client']>;

const NO_SENDING_ADDRESS = 'no sending address: no Received field with a client address from outside, and no --ip';

export default defineCheck({
  id: 'message',
  title: 'Received message authentication',
  targets: ['domain'],
  needs: ['domain', 'messageFile'],
  provides: ['messageAuth'],
  emits: ['auth.dkim-fail', 'auth.spf-fail', 'auth.dmarc-reject', 'auth.unauthenticated'],
  async run({ domain, messageFile }, { net, options }) {
    let message: Buffer;
    try {
      message = await readMessageFile(messageFile);
    } catch (err) {
      if (!(err instanceof MessageFileError) && !(err as NodeJS.ErrnoException).code) throw err;
      return { findings: [], data: { error: (err as Error).message }, status: 'info' };
    }
    const { dkim, client, spf, fromDomain, dmarc, hop } = await authenticate(message, domain, options, net);
    const passingDkim = dkim.results.some(r => r.status.result === 'pass');
    const findings = [...dkimFindings(dkim.results), ...(spf ? spfFindings(spf, client!) : []), ...(dmarc ? dmarcFindings(dmarc) : [])];
    // temperror says nothing either way; anything else short of pass is a failure.
    if (spf && spf.result !== 'pass' && spf.result !== 'temperror' && !passingDkim) findings.push(unauthenticated(spf, dkim.results));
    const messageAuth: MessageAuth = {
      fromAddresses: dkim.headerFrom,
      ...(fromDomain ? { fromDomain } : {}),
      ...(hop ? { hop } : {}),
      ...(client ? { client } : {}),
      dkim: signaturesOf(dkim.results).map(signatureVerdict),
      ...(spf ? { spf: { result: spf.result, domain: spf.domain, reason: spf.reason, ...(spf.sender ? { sender: spf.sender } : {}) } } : {}),
      ...(dmarc ? { dmarc } : {}),
    };
    return {
      findings,
      provided: { messageAuth },
      // DKIM and DMARC without SPF is not the whole verdict: the check could not look at SPF.
      ...(client ? {} : { status: 'info' as const }),
      data: {
        ...(client ? {} : { reason: `SPF not checked: ${NO_SENDING_ADDRESS}` }),
        file: messageFile,
        from: dkim.headerFrom,
        ...(fromDomain && fromDomain !== domain ? { note: `the message is from ${fromDomain}, not ${domain}` } : {}),
        dkim: messageAuth.dkim.map(r => ({ domain: r.domain, selector: r.selector ?? null, result: r.result, comment: r.comment ?? null })),
        spf: spf ? { ip: client!.ip, source: client!.source, sender: spf.sender ?? null, domain: spf.domain, result: spf.result, reason: spf.reason, path: spf.path } : { result: null, reason: NO_SENDING_ADDRESS },
        dmarc: dmarc ?? { result: null, reason: `the message has ${dkim.headerFrom.length} From addresses` },
        ...(await receiverComparison(message, messageAuth)),
      },
    };
  },
});

/** The receiver's verdicts: mailauth's DKIM and SPF, then DMARC alignment by the tree walk. */
async function authenticate(message: Buffer, domain: string, options: RunOptions, net: Net) {
  // Loaded here, not at start-up: only a diagnosis with --message needs them.
  const [{ dkimVerify }, { sendingHop, describeHop }, { dmarcVerdict }] = await Promise.all([
    import('mailauth/lib/dkim/verify.js'),
    import('../auth/received.js'),
    import('../auth/dmarc-alignment.js'),
  ]);
  const dkim = await dkimVerify(message, { resolver: mailauthResolver(net.dns) as DNSResolver });
  const hop = sendingHop(headerValues(message, 'Received'), options.allowPrivate);
  const client = sendingClient(hop, options, describeHop);
  const fromDomain = dkim.headerFrom.length === 1 ? dkim.headerFrom[0]!.split('@').pop()!.toLowerCase() : undefined;
  const spf = client ? await spfVerdict(spfIdentity(dkim.envelopeFrom, client, fromDomain ?? domain), net) : undefined;
  const identifiers = {
    ...(spf?.result === 'pass' ? { spfDomain: spf.domain } : {}),
    dkimDomains: dkim.results.filter(r => r.status.result === 'pass').map(r => r.signingDomain.toLowerCase()),
  };
  const dmarc = fromDomain ? await dmarcVerdict(fromDomain, identifiers, net.dns) : undefined;
  return { dkim, hop, client, spf, fromDomain, dmarc };
}

/** --ip if given (and not the same address), else the client of the hop where the message came from outside. */
function sendingClient(hop: ReceivedHop | undefined, options: RunOptions, describeHop: (hop: ReceivedHop) => string): SendingClient | undefined {
  if (options.senderIp && options.senderIp !== hop?.ip) return { ip: options.senderIp, source: '--ip' };
  if (!hop?.ip) return undefined;
  return { ip: hop.ip, ...(hop.helo ? { helo: hop.helo } : {}), source: describeHop(hop) };
}

/**
 * The identities the receiver checked: MAIL FROM as the Return-Path recorded
 * it; without one, the HELO name, as receivers do for bounces (RFC 7208 §2.4);
 * without a HELO name either, the From domain is the best guess.
 */
function spfIdentity(returnPath: string | false, client: SendingClient, fromDomain: string): SpfIdentity {
  const helo = client.helo ?? fromDomain;
  if (returnPath) return { ip: client.ip, mailFrom: returnPath, helo };
  return { ip: client.ip, mailFrom: client.helo ? '' : `postmaster@${fromDomain}`, helo };
}

type SpfVerdict = SpfEvaluation & { sender?: string };

async function spfVerdict(identity: SpfIdentity, net: Net): Promise<SpfVerdict> {
  const evaluation = await evaluateSpf(identity, net.dns);
  return { ...evaluation, ...(identity.mailFrom ? { sender: identity.mailFrom } : {}) };
}

function signatureVerdict(r: DKIMResult): SignatureVerdict {
  // mailauth reports the fields a signature covers, but its type definitions do not describe them.
  const keys = (r as DKIMResult & { signingHeaders?: { keys?: string } }).signingHeaders?.keys ?? '';
  return {
    domain: r.signingDomain.toLowerCase(),
    ...(r.selector ? { selector: r.selector } : {}),
    result: r.status.result,
    ...(r.status.comment ? { comment: r.status.comment } : {}),
    signedFields: [...new Set(keys.split(':').map(k => k.trim().toLowerCase()).filter(Boolean))],
  };
}

/**
 * What the receiver wrote (its topmost Authentication-Results, and ARC's as
 * reported) beside maildiag's own verdicts; where they differ, the difference
 * is named (DNS changed since, a key rotated, or one side is wrong).
 */
async function receiverComparison(message: Buffer, auth: MessageAuth) {
  const { parseAuthenticationResults, resultsFor } = await import('../auth/authentication-results.js');
  const reported = headerValues(message, 'Authentication-Results').map(v => parseAuthenticationResults(v)).find(r => r !== undefined);
  const arc = headerValues(message, 'ARC-Authentication-Results').flatMap(v => parseAuthenticationResults(v, true) ?? []);
  const ours: Record<string, string | undefined> = {
    spf: auth.spf?.result,
    dkim: auth.dkim.find(d => d.result === 'pass')?.result ?? auth.dkim[0]?.result ?? 'none',
    dmarc: auth.dmarc?.result,
  };
  const differences = reported
    ? Object.entries(ours).flatMap(([method, mine]) => {
        const theirs = resultsFor(reported, method);
        const best = theirs.find(t => t.result === 'pass')?.result ?? theirs[0]?.result;
        return best && mine && best !== mine ? [`${method}: ${reported.authservId} reported ${best}, maildiag finds ${mine}`] : [];
      })
    : [];
  return {
    receiver: reported ?? null,
    arc: arc.map(a => ({ instance: a.instance, authservId: a.authservId, results: a.results })),
    differences,
  };
}

/** mailauth reports an unsigned message as one result "none" without a signing domain. */
const signaturesOf = (results: DKIMResult[]): DKIMResult[] => results.filter(r => r.signingDomain);

function dkimFindings(results: DKIMResult[]): Finding[] {
  const signatures = signaturesOf(results);
  if (!signatures.length) return [finding('auth.dkim-fail', 'unsigned', {}, { evidence: results.map(r => r.info), severity: 'warning' })];
  const anyPass = signatures.some(r => r.status.result === 'pass');
  return signatures.filter(r => r.status.result !== 'pass').map(r => signatureFinding(r, anyPass));
}

function signatureFinding(r: DKIMResult, anyPass: boolean): Finding {
  const { signingDomain: domain, selector, status } = r;
  const details = {
    subjects: [selector ? `${selector}._domainkey.${domain}` : domain],
    evidence: [r.info],
    // Another signature that passes carries DMARC; a broken extra one (a list's, a gateway's) is a side note.
    ...(anyPass ? { severity: 'warning' as const } : {}),
  };
  const data = { domain, selector: selector ?? null, result: status.result };
  if (selector) {
    return status.comment
      ? finding('auth.dkim-fail', 'failedSelectorWithComment', { ...data, selector, comment: status.comment }, details)
      : finding('auth.dkim-fail', 'failedSelector', { ...data, selector }, details);
  }
  return status.comment ? finding('auth.dkim-fail', 'failedWithComment', { ...data, comment: status.comment }, details) : finding('auth.dkim-fail', 'failed', data, details);
}

function spfFindings(spf: SpfVerdict, client: SendingClient): Finding[] {
  const { result, domain, why, sender } = spf;
  if (result === 'pass' || result === 'temperror') return [];
  const details = { subjects: [client.ip], evidence: [...spfEvidence(spf), client.source], severity: result === 'fail' || result === 'permerror' ? ('error' as const) : ('warning' as const) };
  const data = { ip: client.ip, domain, result, why };
  return [sender ? finding('auth.spf-fail', 'mailFrom', { ...data, sender }, details) : finding('auth.spf-fail', 'helo', data, details)];
}

/** The evaluation as a receiver's trace shows it: the result for the domain, then the terms that decided it. */
const spfEvidence = (spf: SpfVerdict): string[] => [`spf=${spf.result} for ${spf.domain}: ${spf.reason}`, ...(spf.path.length ? [`decided by ${spf.path.join(' → ')}`] : [])];

function dmarcFindings(verdict: DmarcVerdict): Finding[] {
  if (verdict.result !== 'fail' || verdict.policy === 'none' || verdict.testing) return [];
  const { policyDomain, policy, record } = verdict;
  return [
    finding('auth.dmarc-reject', 'policy', { ...verdict, policyDomain: policyDomain!, policy: policy! }, {
      subjects: [verdict.fromDomain],
      evidence: [`_dmarc.${policyDomain} TXT "${record}"`],
    }),
  ];
}

function unauthenticated(spf: SpfVerdict, dkim: DKIMResult[]): Finding {
  const signatures = signaturesOf(dkim).map(r => ({ domain: r.signingDomain, result: r.status.result }));
  const details = { evidence: [...spfEvidence(spf), ...dkim.map(r => r.info)] };
  return signatures.length
    ? finding('auth.unauthenticated', 'signed', { spf: spf.result, signatures }, details)
    : finding('auth.unauthenticated', 'unsigned', { spf: spf.result }, details);
}
