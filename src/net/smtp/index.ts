// The SMTP client: bounded replies, sessions, port-25 MX probes shared across
// a run, STARTTLS retries for the TLS check, and submission-port probes.
export { announcedName, isPermanent, isPositive, isTransient, replyText, replyWords, type SmtpReply } from './reply.js';
export { MAX_LINE_BYTES, MAX_REPLY_BYTES, ReplyReader, type ReadOutcome } from './reader.js';
export { parseEhlo, type EhloExtensions } from './ehlo.js';
export { GREETING_PATIENCE } from '../time.js';
export { caFingerprint, describeDial, describeReadFailure, endpointLabel, RunFinished, sayStopReason, seconds, SmtpSession, Transcript, type HelloResult, type SmtpEndpoint, type SmtpStep, type StopReason } from './session.js';
export {
  BATCH_WINDOW_MS,
  probeMx,
  RELAY_PROBE_ADDRESS,
  SMTP_PORT,
  type MxAddress,
  type SmtpOutcome,
  type SmtpProbe,
  type SmtpProbeSettings,
  type StartTlsProbe,
} from './mx-probe.js';
export { HOST_WIDE_SAMPLES, MAX_RECIPIENTS_PER_TRANSACTION } from './mx-state.js';
export { openStartTls, type StartTlsOutcome } from './starttls.js';
export { describeSubmissionOutcome, IMPLICIT_TLS_PORTS, probeSubmission, type SubmissionOutcome, type SubmissionProbe, type SubmissionSettings } from './submission.js';
