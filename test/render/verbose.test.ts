// --verbose in the human report: the evidence of a finding in the order it was
// said, and every SMTP session's transcript (the README and the hint promise it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHuman } from '../../src/render/human.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

test('--verbose: greylisting evidence in session order, then the whole SMTP transcript', async () => {
  const world = await startSmtpWorld(mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }), {
    '192.0.2.10:25': healthyServer('mx.example.com', { recipients: { 'postmaster@example.com': '450 4.2.0 <postmaster@example.com>: Recipient address rejected: Greylisted' } }),
  });
  const report = await world.diagnose('example.com', ['smtp-policy'], { verbose: true });
  const text = renderHuman(report, { color: false, verbose: true, width: 200 });
  const evidence = text.split('\n').filter(line => line.includes('Evidence: ')).map(line => line.replace(/.*Evidence: \S+ /, ''));
  assert.deepEqual(evidence.filter(line => /^[CS]: (?:MAIL|RCPT|250 2\.1\.0|450)/.test(line)).map(line => line.slice(0, 7)), ['C: MAIL', 'S: 250 ', 'C: RCPT', 'S: 450 ']);
  const transcript = text.slice(text.indexOf('SMTP transcripts'));
  assert.match(transcript, /^SMTP transcripts\nmx\.example\.com \(192\.0\.2\.10\) port 25\n {4}-- connect /);
  const order = ['S: 220', 'C: EHLO', 'C: MAIL FROM', 'C: RCPT TO:<postmaster@example.com>', 'S: 450'].map(words => transcript.indexOf(words));
  assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)), `transcript order: ${order}`);
  const quiet = renderHuman(report, { color: false, verbose: false, width: 200 });
  assert.doesNotMatch(quiet, /^SMTP transcripts$/m);
  assert.match(quiet, /Run with --verbose for evidence and SMTP transcripts/);
});
