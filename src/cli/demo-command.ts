// `maildiag demo`: start the built-in simulated world (in-process DNS and SMTP
// servers on 127.0.0.1) and diagnose its example domains, so a newcomer sees
// real reports without touching the network.
import type { CliIo } from './io.js';
import { colorEnabled } from './terminal.js';
import { diagnose } from '../diagnose.js';
import { parseTarget } from './targets.js';
import { defaultRunOptions } from '../pipeline/options.js';
import { renderHuman } from '../render/human.js';
import { formatForFile } from '../render/formats.js';
import { demoWorld } from '../sim/demo.js';
import { startWorld } from '../sim/world.js';

const DEMO_TIMEOUT_MS = 3000;

export async function runDemoCommand(raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const color = colorEnabled(raw['color'], io.isTTY, io.env);
  const demo = demoWorld();
  const world = await startWorld(demo.spec);
  try {
    const net = world.net(DEMO_TIMEOUT_MS);
    // The world's addresses are documentation ranges, its CA is its own: a lab, as --allow-private and --ca-file say.
    const options = defaultRunOptions({ timeoutMs: DEMO_TIMEOUT_MS, allowPrivate: true, caCerts: [demo.caPem], helo: 'demo.maildiag.invalid' });
    const reports = await Promise.all(demo.domains.map(d => diagnose(parseTarget(d.domain), options, net)));
    if (raw['format'] === 'html' || (raw['format'] === undefined && typeof raw['output'] === 'string' && formatForFile(raw['output']) === 'html')) {
      io.stdout((await import('../render/html.js')).renderHtmlDocument({ reports }));
      return 0;
    }
    io.stdout(`maildiag demo: ${demo.domains.length} example domains in a simulated world (DNS and SMTP servers on 127.0.0.1; nothing leaves this machine)\n\n`);
    demo.domains.forEach((d, i) => {
      io.stdout(`=== ${d.domain}: ${d.story}\n`);
      io.stdout(`${renderHuman(reports[i]!, { color, verbose: false, width: 80 })}\n`);
    });
    io.stdout('Try it on your own domain: maildiag example.com (add --verbose for evidence, --json for scripts).\n');
    return 0;
  } finally {
    await world.close();
  }
}
