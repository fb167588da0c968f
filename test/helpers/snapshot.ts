// File snapshots: compare with test/.../__snapshots__/<name>; UPDATE_SNAPSHOTS=1 rewrites them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './cli.js';

export function matchSnapshot(relativeDir: string, name: string, actual: string): void {
  const file = join(ROOT, relativeDir, '__snapshots__', name);
  if (process.env['UPDATE_SNAPSHOTS'] === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env['UPDATE_SNAPSHOTS'] !== '1' && process.env['CI']) assert.fail(`snapshot ${name} was missing (written now; commit it)`);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `snapshot ${name} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}
