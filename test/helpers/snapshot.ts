// File snapshots: compare with test/.../__snapshots__/<name>; UPDATE_SNAPSHOTS=1 (re)writes them, and only it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './cli.js';

export function matchSnapshot(relativeDir: string, name: string, actual: string): void {
  const file = join(ROOT, relativeDir, '__snapshots__', name);
  if (process.env['UPDATE_SNAPSHOTS'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  // Written on the fly, a missing snapshot would pass whatever the output is.
  if (!existsSync(file)) assert.fail(`snapshot ${name} is missing: UPDATE_SNAPSHOTS=1 writes it (then review and commit it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `snapshot ${name} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}
