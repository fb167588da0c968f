// An MX host that an MTA-STS policy in enforce mode lists gets mail only over
// TLS that validates (RFC 8461 §4.2, §5.1): a TLS failure there stops mail from
// senders that apply the policy rather than weakening it. Shared by the checks
// that see such failures (starttls, certificate).
import { causes, type CauseId, type MessageId } from '../causes.js';
import type { StsPolicyFact } from '../pipeline/facts.js';
import { finding, type Finding } from './define.js';

/** The causes that say they stop mail under enforce: the registry gives each the message enforcedByMtaSts. */
type StsRefusal = { [C in CauseId]: 'enforcedByMtaSts' extends MessageId<C> ? C : never }[CauseId];
const refusedUnderSts = (cause: CauseId): cause is StsRefusal => 'enforcedByMtaSts' in (causes[cause].messages ?? {});

/**
 * When every host the enforce policy lists has a TLS failure: for each, once
 * per cause and host, an error saying senders that apply the policy do not
 * deliver there; nothing in testing mode (senders deliver anyway and only
 * report, RFC 8461 §5), nor while a listed host still takes mail over TLS.
 */
export function enforcedByMtaSts(failures: readonly { host: string; cause: CauseId }[], sts: StsPolicyFact | undefined): Finding[] {
  if (sts?.mode !== 'enforce') return [];
  // A sender that applies the policy treats a listed MX whose TLS fails as a failed MX and delivers to another
  // listed one (RFC 8461 §5.1): mail stops only when every listed MX fails.
  const failing = new Set(failures.filter(f => refusedUnderSts(f.cause)).map(f => f.host));
  const listed = sts.mxMatches.filter(m => m.pattern !== null);
  if (!listed.length || !listed.every(m => failing.has(m.host))) return [];
  const said = new Set<string>();
  return failures.flatMap(({ host, cause }) => {
    const pattern = sts.mxMatches.find(m => m.host === host)?.pattern;
    if (!pattern || !refusedUnderSts(cause) || said.has(`${cause} ${host}`)) return [];
    said.add(`${cause} ${host}`);
    const data = { domain: sts.domain, host, pattern };
    return [finding(cause, 'enforcedByMtaSts', data, { subjects: [host], evidence: [`MTA-STS policy of ${sts.domain}: mode: enforce, mx: ${pattern}`], severity: 'error' })];
  });
}
