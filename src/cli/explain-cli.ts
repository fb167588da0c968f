// `maildiag explain`: option handling around the explain module's command.
import { networkDisabled, type CliIo } from './io.js';
import { colorEnabled } from './terminal.js';
import { runExplainCommand } from './explain-command.js';
import { parseResolvers, parseTimeout } from './options.js';
import { systemResolvers } from '../net/dns/index.js';
import { formatForFile } from '../render/formats.js';

export async function runExplainCli(file: string | undefined, raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const fromFile = typeof raw['output'] === 'string' ? formatForFile(raw['output']) : undefined;
  const format = raw['json'] ? 'json' : typeof raw['format'] === 'string' ? raw['format'] : fromFile === 'json' || fromFile === 'markdown' ? fromFile : 'human';
  const color = colorEnabled(raw['color'], io.isTTY, io.env) && format === 'human';
  const resolvers = Array.isArray(raw['resolver']) ? parseResolvers(raw['resolver'] as string[]) : systemResolvers();
  const check = raw['check'] ? { resolvers, timeoutMs: typeof raw['timeout'] === 'string' ? parseTimeout(raw['timeout']) : undefined, loopbackOnly: networkDisabled(io.env), allowPrivate: Boolean(raw['allowPrivate']) } : undefined;
  return runExplainCommand(file, { format, color, ...(check ? { check } : {}) }, io);
}
