// Where the mail lab is: $LAB, else a `shared/lab` beside the project root or
// beside any folder above it (a worktree at /work/x finds /work/shared/lab, a
// clone at ~/src/maildiag finds ~/src/shared/lab or ~/shared/lab).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(PROJECT_ROOT, 'bin/maildiag.js');

export interface LabScenario {
  domain: string;
  probe_rcpt?: string;
}

export interface Lab {
  dir: string;
  lab: { resolver: string; ca_file: string; dkim: { selector: string } };
  scenarios: LabScenario[];
}

export function findLab(): Lab {
  const dir = process.env['LAB'] ?? ancestors(PROJECT_ROOT).map(d => join(d, 'shared/lab')).find(d => existsSync(join(d, 'scenarios.json')));
  if (!dir || !existsSync(join(dir, 'scenarios.json'))) {
    throw new Error(`no mail lab found (looked for shared/lab/scenarios.json beside ${PROJECT_ROOT} and every folder above it): set LAB=/path/to/lab`);
  }
  return { dir, ...(JSON.parse(readFileSync(join(dir, 'scenarios.json'), 'utf8')) as Omit<Lab, 'dir'>) };
}

/** The options `lab/score` runs maildiag with. */
export const labOptions = (lab: Lab): string[] => ['--resolver', lab.lab.resolver, '--ca-file', join(lab.dir, lab.lab.ca_file), '--dkim-selector', lab.lab.dkim.selector, '--allow-private'];

/**
 * Fill the lab Postfix's in_flow_delay token pool before a measured run. Its
 * cleanup takes a token for each transaction with an accepted recipient and,
 * once the pool is empty, holds each new one for up to a second. The queue
 * manager refills the pool whenever it moves mail, which a live MX does all
 * the time; the lab never queues a message, so its qmgr wakes only every
 * 300 s, and back-to-back benchmark runs would measure that wait instead of
 * maildiag. A flush wakes it now. Returns why it could not, if it could not.
 */
export function refillFlowTokens(lab: Lab): string | undefined {
  const configDir = join(lab.dir, 'run/postfix/etc');
  if (!existsSync(configDir)) return `no ${configDir}: is the lab up?`;
  const flush = spawnSync('postqueue', ['-c', configDir, '-f'], { encoding: 'utf8' });
  if (flush.error || flush.status !== 0) return `postqueue -f: ${flush.error?.message ?? flush.stderr.trim()}`;
  // qmgr refills on its next loop, just after the flush request: give it a moment.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  return undefined;
}

function ancestors(dir: string): string[] {
  const parent = dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}
