// A received message held against Gmail's, Yahoo's and Outlook.com's
// published sender rules: one row per requirement (met / not met / cannot tell
// from one message) with its evidence, and a finding for each rule broken that
// no other check reports. PTR and blocklist findings for the sending IP are
// the sender-ip check's; this check reads the same (cached) reverse DNS.
import { readHeader, readMessageFile } from '../auth/message.js';
import { lookupReverse } from '../net/reverse-dns.js';
import type { Observations } from '../senders/observe.js';
import type { CauseId } from '../causes.js';
import { defineCheck, finding, type Finding } from './define.js';

/** The rules this check reports itself; the rest come from the message, dmarc and sender-ip checks. */
const OWN_CAUSES = [
  'message.malformed',
  'message.from-impersonates-provider',
  'message.sent-without-tls',
  'auth.from-not-aligned',
  'message.unsubscribe-missing',
  'message.unsubscribe-not-one-click',
  'message.unsubscribe-not-signed',
] as const satisfies readonly CauseId[];

export default defineCheck({
  id: 'sender-rules',
  title: 'Mailbox providers\' sender rules',
  targets: ['domain'],
  needs: ['messageFile', 'messageAuth'],
  provides: [],
  emits: OWN_CAUSES,
  async run({ messageFile, messageAuth }, { net }) {
    // Loaded here, not at start-up: only a diagnosis with --message needs them.
    const [{ observe }, { providerDomains, providers, requirementRows }] = await Promise.all([import('../senders/observe.js'), import('../senders/requirements.js')]);
    const header = readHeader(await readMessageFile(messageFile));
    const reverse = messageAuth.client ? await lookupReverse(net.dns, messageAuth.client.ip) : undefined;
    const observations = await observe({ header, auth: messageAuth, providerDomains, ...(reverse ? { reverse } : {}) }, net.dns);
    // Nothing broken among what could be seen is not a pass for what could not.
    const untold = Object.entries(observations).filter(([, o]) => o.verdict === 'cannot-tell').map(([id]) => id);
    return {
      findings: ownFindings(observations, messageAuth.fromDomain),
      ...(untold.length ? { status: 'info' as const } : {}),
      data: {
        ...(untold.length ? { reason: `could not tell from this message: ${untold.join(', ')}` } : {}),
        hop: messageAuth.hop ?? null,
        providers: providers.map(({ id, name, source, read, bulk }) => ({ id, name, source, read, bulk })),
        observations,
        requirements: requirementRows(observations),
      },
    };
  },
});

function ownFindings(observations: Observations, fromDomain: string | undefined): Finding[] {
  return Object.values(observations).flatMap(o => {
    const cause = OWN_CAUSES.find(c => c === o.cause);
    // observe.ts worded these by the cause's template (notMetAs), so messageId and data fit it.
    return o.verdict === 'not-met' && cause ? [finding(cause, o.messageId as never, o.data as never, { subjects: fromDomain ? [fromDomain] : [] })] : [];
  }).filter((f, i, all) => all.findIndex(g => g.cause === f.cause) === i);
}
