// Bad input: one line on stderr, exit status 2, nothing checked, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBin, runMain } from '../helpers/cli.js';

const cases: [string, string[]][] = [
  ['no target', []],
  ['empty target', ['']],
  ['space inside', ['exa mple.com']],
  ['label over 63', [`${'x'.repeat(64)}.example`]],
  ['double dot', ['a..example']],
  ['leading hyphen', ['-a.example']],
  ['URL', ['http://example.com']],
  ['email address', ['postmaster@example.com']],
  ['IPv6 zone id', ['fe80::1%lo']],
  ['timeout not a number', ['example.com', '--timeout', 'abc']],
  ['negative timeout', ['example.com', '--timeout', '-5']],
  ['huge timeout', ['example.com', '--timeout', '99999999']],
  ['timeout with an unknown unit', ['example.com', '--timeout', '3h']],
  ['empty --resolver', ['example.com', '--resolver', '']],
  ['empty --output', ['example.com', '--output', '']],
  ['--output in a missing directory', ['example.com', '-o', '/nonexistent/dir/report.json']],
  ['CRLF in --rcpt', ['example.com', '--rcpt', 'a@example.com\r\nDATA']],
  ['NUL in --from', ['example.com', '--from', 'a@example.com\u0000']],
  ['LF in --helo', ['example.com', '--helo', 'host.example\nQUIT']],
  ['--rcpt not an address', ['example.com', '--rcpt', 'nobody']],
  ['unknown format', ['example.com', '--format', 'xml']],
  ['unknown --fail-on', ['example.com', '--fail-on', 'sometimes']],
  ['bad resolver', ['example.com', '--resolver', 'dns.example']],
  ['bad resolver port', ['example.com', '--resolver', '127.0.0.1:99999']],
  ['unreadable --ca-file', ['example.com', '--ca-file', '/nonexistent/ca.pem']],
  ['unknown check id', ['example.com', '--checks', 'nope']],
  ['--ip not an address', ['example.com', '--ip', '300.1.1.1']],
  ['unknown option', ['example.com', '--frobnicate']],
  ['unknown cause', ['causes', 'mx.nope']],
  ['audit of a missing file', ['audit', '/nonexistent/list.txt']],
  ['--concurrency zero', ['example.com', '--concurrency', '0']],
  ['bad --dnsbl zone', ['example.com', '--dnsbl', 'not a zone']],
];

for (const [name, args] of cases) {
  test(`bad input: ${name}`, async () => {
    const run = await runMain(args);
    assert.equal(run.status, 2, run.stderr);
    const lines = run.stderr.trim().split('\n').filter(l => !l.startsWith('(run maildiag --help'));
    assert.equal(lines.length, 1, `stderr should be one line, got:\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  });
}

test('the real binary exits 2 with one line too', async () => {
  const run = await runBin(['exa mple.com']);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^maildiag: invalid target "exa mple\.com": a domain cannot contain spaces\n$/);
});

test('a bare --timeout below 100 is refused with the unit it probably meant', async () => {
  const run = await runMain(['example.com', '--timeout', '3']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /did you mean 3s\?/);
});

test('MAILDIAG_NO_NETWORK=1 covers DNS too: a resolver off this machine is refused before anything is sent', async () => {
  for (const args of [['example.com', '--resolver', '9.9.9.9'], ['audit', '-', '--resolver', '192.0.2.53'], ['explain', '--check', '--resolver', '9.9.9.9']]) {
    const run = await runMain(args, { stdin: 'example.com\n' });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /^maildiag: network access is disabled \(MAILDIAG_NO_NETWORK=1\), and the resolver [\d.]+ is not on this machine/);
  }
});
