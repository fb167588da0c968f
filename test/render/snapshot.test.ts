// The snapshot helper itself: a snapshot that is not there fails rather than being written and passing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { matchSnapshot } from '../helpers/snapshot.js';
import { ROOT } from '../helpers/cli.js';

test('a missing snapshot fails and is not written', { skip: process.env['UPDATE_SNAPSHOTS'] === '1' }, () => {
  assert.throws(() => matchSnapshot('test/render', 'never-recorded.txt', 'anything'), /snapshot never-recorded\.txt is missing/);
  assert.equal(existsSync(join(ROOT, 'test/render/__snapshots__/never-recorded.txt')), false);
});
