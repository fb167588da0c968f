import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { runExplainCommand } from '../../src/cli/explain-command.js';
import { UsageError } from '../../src/cli/errors.js';
import type { CliIo } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'maildiag-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io(stdin: string | Buffer = ''): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: t => void (out += t),
    stderr: () => undefined,
    stdin: Readable.from([stdin]),
    isTTY: false,
    isErrTTY: false,
    env: {},
    cwd: dir,
    out: () => out,
  };
}

const run = (file: string | undefined, format: string, cli: ReturnType<typeof io>) => runExplainCommand(file, { format, color: false }, cli);

test('reads a file and prints JSON in the contract shape', async () => {
  writeFileSync(join(dir, 'reply.txt'), '550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in local recipient table');
  const cli = io();
  assert.equal(await run('reply.txt', 'json', cli), 0);
  const report = JSON.parse(cli.out());
  assert.equal(report.causes[0].cause, 'recipient.unknown');
  for (const key of ['cause', 'confidence', 'side', 'temporary', 'evidence']) assert.ok(key in report.causes[0], key);
  assert.equal(report.parsed.kind, 'reply');
});

test('reads standard input when the file is - or absent', async () => {
  const cli = io('452-4.2.2 The recipient\'s inbox is out of storage space. - gsmtp');
  assert.equal(await run(undefined, 'human', cli), 0);
  assert.match(cli.out(), /TEMPORARY .*\(mailbox\.full/);
  const dash = io('554 5.7.1 <v@example.org>: Relay access denied');
  assert.equal(await run('-', 'markdown', dash), 0);
  assert.match(dash.out(), /`relay\.denied`/);
});

test('empty input, binary junk, a missing file and a 20 MB file end with one clear UsageError', async () => {
  await assert.rejects(run(undefined, 'human', io('')), (err: Error) => err instanceof UsageError && /nothing to explain/.test(err.message));
  writeFileSync(join(dir, 'junk.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  await assert.rejects(run('junk.bin', 'human', io()), (err: Error) => err instanceof UsageError && /binary/.test(err.message));
  await assert.rejects(run('nope.eml', 'human', io()), (err: Error) => err instanceof UsageError && /no such file/.test(err.message));
  await assert.rejects(run('.', 'human', io()), (err: Error) => err instanceof UsageError && /not a regular file/.test(err.message));
  writeFileSync(join(dir, 'big.txt'), Buffer.alloc(20 * 1024 * 1024, 'a'));
  await assert.rejects(run('big.txt', 'human', io()), (err: Error) => err instanceof UsageError && /20\.0 MB/.test(err.message));
  await assert.rejects(run(undefined, 'human', io(Buffer.alloc(11 * 1024 * 1024, 'b'))), (err: Error) => err instanceof UsageError && /over the 10 MB/.test(err.message));
});

test('escape sequences and control characters from the bounce never reach human or markdown output', async () => {
  const hostile = '550 5.1.1 <a@example.org>: User unknown \u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u001b[2J\u0007 \u009b31m';
  for (const format of ['human', 'markdown']) {
    const cli = io(hostile);
    assert.equal(await run('-', format, cli), 0);
    assert.doesNotMatch(cli.out(), /[\u001b\u0007\u009b]/, format);
  }
});

test('an unknown format is a usage error', async () => {
  await assert.rejects(run('-', 'csv', io('550 5.1.1 User unknown')), UsageError);
});
