import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import certificate from '../../src/checks/certificate.js';
import { parseTarget } from '../../src/cli/targets.js';
import { DEFAULT_TIMEOUT_MS, runTime } from '../../src/net/time.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { renderTiming } from '../../scripts/timing-doc.js';
import { testNet } from '../helpers/net.js';
import { runMain } from '../helpers/cli.js';

const DAY_MS = 86_400_000;

test('docs/probes.md says how long maildiag waits, as src/net/time.ts has it', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/probes.md', import.meta.url)), 'utf8');
  assert.ok(doc.includes(renderTiming()), 'run: npx tsc -p tsconfig.json && node dist/scripts/gen-docs.js');
});

test('every wait follows from --timeout; the default lives in time.ts; DNS keeps its cap per try', () => {
  assert.equal(runTime().timeoutMs, DEFAULT_TIMEOUT_MS);
  const long = runTime(30_000);
  assert.deepEqual([long.connectMs, long.replyMs, long.greetingMs, long.sessionMs, long.tlsHandshakeMs, long.httpsResponseMs], [30_000, 30_000, 60_000, 120_000, 30_000, 30_000]);
  assert.deepEqual([long.dnsTryMs, long.dnsRetries, long.quitMs, long.pathConnectMs], [2500, 1, 2000, 3000]);
  const short = runTime(500);
  assert.deepEqual([short.dnsTryMs, short.quitMs, short.pathConnectMs], [500, 500, 500], 'a shorter --timeout shortens the capped waits too');
  assert.equal(short.budgetMs('lookups'), 4 * 500 + 2000);
});

test('certificate dates are judged by the net clock, which a test can set', async () => {
  const ca = createCa('Clock Test Root');
  const leaf = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca, notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + 90 * DAY_MS) });
  const session = { host: 'mx.example.com', ip: '192.0.2.10', port: 25, preference: 10, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', chain: [leaf.der], legacy: false };
  const judgeAt = async (now: Date) => {
    const net = testNet(100, [], { now: () => now });
    const output = await certificate.run({ tlsSessions: [session] }, { target: parseTarget('example.com'), options: defaultRunOptions({ caCerts: [ca.certPem] }), net, signal: new AbortController().signal });
    return output.findings.map(f => f.cause);
  };
  assert.deepEqual(await judgeAt(new Date()), []);
  assert.deepEqual(await judgeAt(new Date(Date.now() + 365 * DAY_MS)), ['tls.cert-expired']);
  assert.deepEqual(await judgeAt(new Date(Date.now() + 80 * DAY_MS)), ['tls.cert-expiring']);
});

test('--timeout takes a duration or milliseconds, and a bad one is one line and exit 2', async () => {
  // No resolver answers on port 9: each value gets as far as running the DNS checks.
  for (const value of ['3s', '500ms', '1500', '0.5m']) {
    const run = await runMain(['example.com', '--checks', 'domain', '--resolver', '127.0.0.1:9', '--timeout', value, '--json']);
    assert.notEqual(run.status, 2, `--timeout ${value}: ${run.stderr}`);
    assert.equal(JSON.parse(run.stdout).checks[0].id, 'domain');
  }
  for (const value of ['50ms', 'soon', '3h', '121s']) {
    const run = await runMain(['example.com', '--timeout', value]);
    assert.equal(run.status, 2, value);
    assert.match(run.stderr, /^maildiag: --timeout "[^"]*": .+\n$/, value);
  }
});
