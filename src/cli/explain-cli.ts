// `maildiag explain`: option handling around the explain module's command.
import type { CliIo } from './io.js';
import { runExplainCommand } from './explain-command.js';

export async function runExplainCli(file: string | undefined, raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const format = raw['json'] ? 'json' : typeof raw['format'] === 'string' ? raw['format'] : 'human';
  const color = raw['color'] !== false && io.isTTY && !io.env['NO_COLOR'] && format === 'human';
  return runExplainCommand(file, { format, color }, io);
}
