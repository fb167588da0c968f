import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitStatus } from '../../src/cli/exit-status.js';
import type { ReportOutcome } from '../../src/pipeline/report.js';

const outcome = (verdict: ReportOutcome['verdict'], internalError = false): ReportOutcome => ({ verdict, standing: verdict, internalError, causes: [] });

test('0 below --fail-on, 1 at or above it, never 1 with --fail-on never', () => {
  assert.equal(exitStatus([outcome('ok'), outcome('warning')], 'error'), 0);
  assert.equal(exitStatus([outcome('ok'), outcome('error')], 'error'), 1);
  assert.equal(exitStatus([outcome('warning')], 'warning'), 1);
  assert.equal(exitStatus([outcome('info')], 'info'), 1);
  assert.equal(exitStatus([outcome('ok')], 'info'), 0);
  assert.equal(exitStatus([outcome('error')], 'never'), 0);
});

test('3 when a check crashed inside maildiag, whatever else was found', () => {
  assert.equal(exitStatus([outcome('error'), outcome('ok', true)], 'never'), 3);
});
