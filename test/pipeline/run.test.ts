import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../src/pipeline/run.js';
import { defineCheck, finding } from '../../src/checks/define.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { testNet, withBudget } from '../helpers/net.js';
import { parseTarget } from '../../src/cli/targets.js';

const ctx = { target: parseTarget('example.com'), options: defaultRunOptions(), net: testNet(100) };

const provider = (provide: boolean) =>
  defineCheck({ id: 'provider', title: 'p', targets: ['domain'], needs: [], provides: ['domain'], emits: [], run: async () => ({ findings: [], ...(provide ? { provided: { domain: 'example.com' } } : {}) }) });
const consumer = defineCheck({
  id: 'consumer', title: 'c', targets: ['domain'], needs: ['domain'], provides: ['mxHosts'], emits: ['mx.missing'],
  run: async ({ domain }) => ({ findings: [finding('mx.missing', 'nowhere', { domain })] }),
});
const second = defineCheck({ id: 'second', title: 's', targets: ['domain'], needs: ['mxHosts'], provides: [], emits: [], run: async () => ({ findings: [] }) });

test('a check runs once its inputs exist, in pipeline order in the results', async () => {
  const results = await runChecks([consumer, provider(true)], ctx, {});
  assert.deepEqual(results.map(r => [r.id, r.status]), [['consumer', 'fail'], ['provider', 'pass']]);
  assert.deepEqual(results[0]!.findings[0]!.data, { domain: 'example.com' });
});

test('a missing input skips the check, and the skip cascades instead of hanging', async () => {
  const results = await runChecks([provider(false), consumer, second], ctx, {});
  assert.deepEqual(results.map(r => r.status), ['pass', 'skipped', 'skipped']);
  assert.match(String(results[1]!.data['reason']), /domain/);
});

test('seeded facts need no provider', async () => {
  const results = await runChecks([consumer], ctx, { domain: 'seeded.example' });
  assert.deepEqual(results[0]!.findings[0]!.data, { domain: 'seeded.example' });
});

test('a crash becomes the check\'s error entry and the others go on', async () => {
  const crash = defineCheck({ id: 'crash', title: 'x', targets: ['domain'], needs: [], provides: ['domain'], emits: [], run: async () => { throw new Error('boom'); } });
  const results = await runChecks([crash, consumer], ctx, {});
  assert.deepEqual(results.map(r => r.status), ['error', 'skipped']);
  assert.deepEqual(results[0]!.data, { error: 'boom', reason: 'internal' });
});

test('an exhausted budget is an error with reason budget, and the check is told to stop', async () => {
  let aborted = false;
  const slow = defineCheck({
    id: 'slow', title: 'x', targets: ['domain'], needs: [], provides: [], emits: [],
    run: (_input, { signal }) => new Promise(resolve => signal.addEventListener('abort', () => { aborted = true; resolve({ findings: [] }); })),
  });
  const started = Date.now();
  const [result] = await runChecks([slow], { ...ctx, net: withBudget(ctx.net, 50) }, {});
  assert.equal(result!.status, 'error');
  assert.equal(result!.data['reason'], 'budget');
  assert.ok(aborted);
  assert.ok(Date.now() - started < 500);
});

test('a finding whose cause the check did not declare is a bug', async () => {
  const liar = defineCheck({ id: 'liar', title: 'x', targets: ['domain'], needs: [], provides: [], emits: [], run: async () => ({ findings: [finding('mx.null', 'alone', { domain: 'example.com' })] }) });
  const [result] = await runChecks([liar], ctx, {});
  assert.equal(result!.status, 'error');
  assert.match(String(result!.data['error']), /undeclared/);
});
