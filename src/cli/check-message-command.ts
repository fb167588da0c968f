// `maildiag check-message FILE.eml`: a message as the receiving mailbox got it
// ("Show original", downloaded), judged as the big providers judge a sender.
// The target is the message's From domain; the sending IP comes from the
// Received field of the hop from outside (or --ip), so the sender-ip check
// looks at its PTR and blocklists beside the message's own checks.
import { resolve } from 'node:path';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';
import { admitMessageFile, buildSettings } from './settings.js';
import { parseTarget } from './targets.js';
import { runTargets } from './run-targets.js';
import { exitStatus } from './exit-status.js';
import { headerValues } from '../auth/message.js';
import { sendingHop } from '../auth/received.js';
import { outcomeOf } from '../pipeline/report.js';
import { loadRenderer, preamble } from '../render/index.js';
import type { Report } from '../report/schema.js';

/** What a sent message says about its sender; no SMTP session is opened anywhere. */
const MESSAGE_CHECKS = ['domain', 'sender-ip', 'dmarc', 'message', 'sender-rules'];

export async function runCheckMessageCommand(file: string, raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const message = admitMessageFile('check-message', file, resolve(io.cwd, file));
  const target = parseTarget(fromDomainOf(message, file));
  const hop = raw['ip'] ? undefined : sendingHop(headerValues(message, 'Received'), Boolean(raw['allowPrivate']));
  const ip = raw['ip'] ?? hop?.ip;
  // Without a sending address the message section says so; the sender-ip check would only say "runs only with --ip".
  const only = ip ? MESSAGE_CHECKS : MESSAGE_CHECKS.filter(id => id !== 'sender-ip');
  const settings = { ...buildSettings({ ...raw, message: file, smtp: false, ...(ip ? { ip } : {}) }, io), selection: { only } };
  const render = await loadRenderer(settings.format);
  let report: Report | undefined;
  await runTargets([{ target }], settings, io, r => (report = r));
  io.stdout((preamble[settings.format] ?? '') + render(report!, { color: settings.color, verbose: settings.run.verbose, width: 80 }));
  return exitStatus([outcomeOf(report!)], settings.failOn);
}

/** The domain of the first From address: the domain the providers hold responsible. */
function fromDomainOf(message: Buffer, file: string): string {
  const [from] = headerValues(message, 'From');
  const address = from && (/<([^<>]*@[^<>]*)>/.exec(from)?.[1] ?? /[^\s<>",;:]+@[^\s<>",;]+/.exec(from)?.[0]);
  const domain = address?.slice(address.lastIndexOf('@') + 1).trim().toLowerCase();
  if (!domain) throw new UsageError(`check-message ${file}: the message has no From address, and the providers judge a message by its From domain`);
  return domain;
}
