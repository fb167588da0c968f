// Acceptance on the mail lab of real servers (../shared/lab), when it is up:
// the human reports of the reference domain and of a domain with several
// problems. Skipped when the lab is down (as in CI before lab/up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsClient } from '../../src/net/dns/index.js';
import { findLab, labOptions, type Lab } from '../../bench/lab.js';
import { runBin } from '../helpers/cli.js';

// The lab is up when its resolver answers (patiently: a loaded machine is slow, not labless); its files say the rest.
const LAB_RESOLVER = { host: '127.0.1.53', port: 53 };
const labAnswers = (await createDnsClient({ servers: [LAB_RESOLVER], timeoutMs: 2000, retries: 1 }).query('good.test', 'MX')).kind === 'records';
const lab = labAnswers ? labFiles() : undefined;
const skip = !labAnswers ? `the mail lab is not up: its resolver ${LAB_RESOLVER.host} does not answer good.test (../shared/lab/up)` : !lab ? 'the mail lab answers, but its files (the CA) are not found: set LAB=/path/to/lab' : false;
const labArgs = lab ? labOptions(lab) : [];
// The lab's servers are on loopback: the guard against leaving loopback still holds.
const env = { MAILDIAG_NO_NETWORK: '1' };

test('good.test: the human report finds nothing to fix', { skip }, async () => {
  const run = await runBin(['good.test', ...labArgs], { env });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^good\.test: OK: no problems found/);
  assert.doesNotMatch(run.stdout, /Diagnosis/);
});

test('cnamemx.test: the MX record problem comes before the certificate name it causes', { skip }, async () => {
  const run = await runBin(['cnamemx.test', ...labArgs], { env });
  const diagnosis = run.stdout.slice(run.stdout.indexOf('Diagnosis'), run.stdout.indexOf('Checks'));
  assert.match(diagnosis, /^1\. WARNING [^]*?\(mx\.target-invalid\)[^]*?^2\./m);
  assert.ok(diagnosis.indexOf('(mx.target-invalid)') < diagnosis.indexOf('(tls.cert-name-mismatch)'), diagnosis);
});

test('mismatch.test: reverse DNS first, the banner name as a note', { skip }, async () => {
  const run = await runBin(['mismatch.test', ...labArgs, '--verbose'], { env });
  const diagnosis = run.stdout.slice(run.stdout.indexOf('Diagnosis'), run.stdout.indexOf('Checks'));
  assert.match(diagnosis, /^1\. WARNING [^]*?\(ptr\.not-fcrdns\)[^]*?^2\./m);
  assert.ok(diagnosis.indexOf('(ptr.not-fcrdns)') < diagnosis.indexOf('(smtp.banner-mismatch)'));
});

function labFiles(): Lab | undefined {
  try {
    return findLab();
  } catch {
    return undefined;
  }
}
