// What a check did not get to look at. A check that judges a stage of the
// port-25 sessions (EHLO, STARTTLS, the RCPT transaction) says so in its spec
// (`judges`); a session that stopped before that stage was not looked at, and
// the scheduler never lets such a check call itself a pass.
import { isPositive, sayStopReason, type SmtpProbe, type SmtpStep } from '../net/smtp/index.js';

/** The session's steps in the order a probe takes them. */
const STEP_ORDER: readonly SmtpStep[] = ['connect', 'greeting', 'ehlo', 'helo', 'starttls', 'tls', 'mail', 'rcpt', 'rset'];

/** The sessions that greeted but stopped before `stage`, each as "host (ip): why". */
export function sessionsShortOf(probes: readonly SmtpProbe[], stage: SmtpStep): string[] {
  return probes.filter(probe => stoppedShortOf(probe, stage)).map(probe => `${probe.host === probe.ip ? probe.ip : `${probe.host} (${probe.ip})`}: the session stopped at ${probe.incomplete!.step.toUpperCase()} (${sayStopReason(probe.incomplete!.reason)})`);
}

function stoppedShortOf(probe: SmtpProbe, stage: SmtpStep): boolean {
  if (probe.outcome.kind !== 'greeted' || !probe.incomplete) return false;
  // EHLO inside TLS comes after STARTTLS: what was recorded, not the step's name, says how far the session got.
  // A 421 to EHLO is recorded too, but names nothing: the session stopped at it.
  if (stage === 'ehlo' || stage === 'helo') return !probe.ehlo || !isPositive(probe.ehlo.reply);
  // A 421 to STARTTLS closed the session before any TLS (RFC 5321 §3.8): as short of it as no reply.
  if (stage === 'starttls') return !probe.starttls || (probe.starttls.offered && (!probe.starttls.reply || probe.starttls.reply.code === 421));
  return STEP_ORDER.indexOf(probe.incomplete.step) <= STEP_ORDER.indexOf(stage);
}
