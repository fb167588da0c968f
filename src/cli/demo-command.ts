// `maildiag demo`: start the built-in simulated world (in-process DNS and SMTP
// servers on 127.0.0.1) and diagnose its example domains, so a newcomer sees
// real reports without touching the network.
import type { CliIo } from './io.js';
import { colorEnabled } from './terminal.js';
import { UsageError } from './errors.js';
import { diagnose } from '../diagnose.js';
import { parseTarget } from './targets.js';
import { defaultRunOptions } from '../pipeline/options.js';
import { renderHuman } from '../render/human.js';
import { formatForFile } from '../render/formats.js';
import { renderChangesSummary } from '../render/changes.js';
import { demoWorld } from '../sim/demo.js';
import { startWorld } from '../sim/world.js';

const DEMO_TIMEOUT_MS = 3000;
const DEMO_FORMATS = ['human', 'jsonl', 'html'];

export async function runDemoCommand(raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const color = colorEnabled(raw['color'], io.isTTY, io.env);
  const format = raw['format'] ?? (typeof raw['output'] === 'string' ? formatForFile(raw['output']) : undefined);
  if (format !== undefined && !DEMO_FORMATS.includes(format as string)) throw new UsageError(`demo writes ${DEMO_FORMATS.join(', ')}, not ${String(format)}`);
  const comparison = typeof raw['compare'] === 'string' ? await (await import('./compare-run.js')).loadComparison(raw['compare'], io) : undefined;
  const demo = demoWorld();
  const world = await startWorld(demo.spec);
  const net = world.net(DEMO_TIMEOUT_MS);
  try {
    // The world's addresses are documentation ranges, its CA is its own: a lab, as --allow-private and --ca-file say.
    const options = defaultRunOptions({ allowPrivate: true, caCerts: [demo.caPem], helo: 'demo.maildiag.invalid' });
    const diagnosed = await Promise.all(demo.domains.map(d => diagnose(parseTarget(d.domain), options, net)));
    const reports = comparison ? diagnosed.map(r => comparison.attach(r)) : diagnosed;
    const summary = comparison?.summary(new Set(reports.map(r => r.ascii)));
    if (format === 'html') {
      io.stdout((await import('../render/html.js')).renderHtmlDocument({ reports, ...(summary ? { comparison: summary } : {}) }));
      return 0;
    }
    if (format === 'jsonl') {
      io.stdout(reports.map(r => `${JSON.stringify(r)}\n`).join('') + (summary ? `${JSON.stringify({ comparison: summary })}\n` : ''));
      return 0;
    }
    io.stdout(`maildiag demo: ${demo.domains.length} example domains in a simulated world (DNS and SMTP servers on 127.0.0.1; nothing leaves this machine)\n\n`);
    demo.domains.forEach((d, i) => {
      io.stdout(`=== ${d.domain}: ${d.story}\n`);
      io.stdout(`${renderHuman(reports[i]!, { color, verbose: false, width: 80 })}\n`);
    });
    if (summary) io.stdout(renderChangesSummary(summary, comparison!.changed()));
    io.stdout('Try it on your own domain: maildiag example.com (add --verbose for evidence, --json for scripts).\n');
    return 0;
  } finally {
    // Every session says QUIT before the world's servers go away.
    await net.finish();
    await world.close();
  }
}
