// Where the mail lab is: $LAB, else a `shared/lab` beside the project root or
// beside any folder above it (a worktree at /work/x finds /work/shared/lab, a
// clone at ~/src/maildiag finds ~/src/shared/lab or ~/shared/lab).
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

function ancestors(dir: string): string[] {
  const parent = dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}
