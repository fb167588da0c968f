// The message check (--message): mailauth's DKIM and SPF verdicts for a
// received message and DMARC alignment by the RFC 9989 tree walk. Messages are
// signed at test time with generated keys.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import type { Report } from '../../src/report/schema.js';
import type { RunOptions } from '../../src/pipeline/options.js';
import { MAX_MESSAGE_BYTES } from '../../src/auth/message.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';
import { dkimSignature, rsaDkimKey } from '../helpers/dkim.js';

const servers: SimDnsServer[] = [];
/** How the message check's finding of a cause is worded: its messageId and data. */
const wordsOf = (report: Report, cause: string) => {
  const found = checkOf(report, 'message').findings.find(f => f.cause === cause);
  return [found?.messageId, found?.data] as const;
};
let dir = '';
before(async () => (dir = await mkdtemp(join(tmpdir(), 'maildiag-message-'))));
after(async () => {
  await Promise.all(servers.map(s => s.close()));
  await rm(dir, { recursive: true, force: true });
});

const key = rsaDkimKey(2048);
/** From alice@example.com, relayed by 192.0.2.10, then through the receiver's own filter on localhost. */
const original = () => readFile(resolve(process.cwd(), 'fixtures/messages/from-outside.eml'));

async function signed(message: Buffer, domain = 'example.com', selector = 'mail2026'): Promise<Buffer> {
  return Buffer.concat([Buffer.from(await dkimSignature(message, key, { domain, selector })), message]);
}

let files = 0;
async function messageFile(content: Buffer): Promise<string> {
  const path = join(dir, `message-${++files}.eml`);
  await writeFile(path, content);
  return path;
}

/** example.com publishing the test key, the SPF given and DMARC p=reject. */
async function messageWorld(messageFile: string, spf = 'v=spf1 ip4:192.0.2.10 -all', extra: SimZone = {}, options: Partial<RunOptions> = {}): Promise<Report> {
  const dns = await startSimDns({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], TXT: [[spf]] },
    'mail2026._domainkey.example.com': { TXT: [key.txt] },
    '_dmarc.example.com': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@example.com']] },
    ...extra,
  });
  servers.push(dns);
  return diagnoseWorld('example.com', { dns, only: ['message'], options: { messageFile, ...options } });
}

test('a signed message from a listed server: DKIM, SPF and DMARC pass, nothing to report', async () => {
  const report = await messageWorld(await messageFile(await signed(await original())));
  assert.deepEqual(causesOf(report, 'message'), []);
  const data = checkOf(report, 'message').data as { dkim: { result: string }[]; spf: { ip: string; result: string }; dmarc: { result: string; alignedSpf: string; alignedDkim: string } };
  assert.deepEqual(data.dkim.map(d => d.result), ['pass']);
  // The topmost Received is the receiver's own filter on localhost; the hop before it is the sender.
  assert.deepEqual([data.spf.ip, data.spf.result], ['192.0.2.10', 'pass']);
  assert.deepEqual([data.dmarc.result, data.dmarc.alignedSpf, data.dmarc.alignedDkim], ['pass', 'example.com', 'example.com']);
});

test('auth.dkim-fail for a message changed after signing; DMARC still passes through SPF', async () => {
  const tampered = Buffer.from((await signed(await original())).toString().replace('before signing', 'after signing'));
  const report = await messageWorld(await messageFile(tampered));
  assert.deepEqual(causesOf(report, 'message'), ['auth.dkim-fail:error']);
  assert.deepEqual(wordsOf(report, 'auth.dkim-fail'), ['failedSelectorWithComment', { domain: 'example.com', selector: 'mail2026', result: 'neutral', comment: 'body hash did not verify' }]);
});

test('an unsigned message: auth.dkim-fail as a warning', async () => {
  const report = await messageWorld(await messageFile(await original()));
  assert.deepEqual(causesOf(report, 'message'), ['auth.dkim-fail:warning']);
  assert.deepEqual(wordsOf(report, 'auth.dkim-fail'), ['unsigned', {}]);
});

test('neither SPF nor DKIM passes: auth.unauthenticated ranks first and explains the rest', async () => {
  const unpublished = await signed(await original(), 'example.com', 'retired');
  const report = await messageWorld(await messageFile(unpublished), 'v=spf1 ip4:198.51.100.0/24 -all');
  assert.deepEqual(causesOf(report, 'message').sort(), ['auth.dkim-fail:error', 'auth.dmarc-reject:error', 'auth.spf-fail:error', 'auth.unauthenticated:error']);
  assert.equal(report.diagnosis[0]?.cause, 'auth.unauthenticated');
  assert.deepEqual(report.diagnosis[0]?.explains.sort(), ['auth.dkim-fail', 'auth.dmarc-reject', 'auth.spf-fail']);
  assert.deepEqual(wordsOf(report, 'auth.unauthenticated'), ['signed', { spf: 'fail', signatures: [{ domain: 'example.com', result: 'neutral' }] }]);
  const [spfMessage, spfData] = wordsOf(report, 'auth.spf-fail');
  assert.deepEqual([spfMessage, spfData?.['sender'], spfData?.['ip'], spfData?.['result']], ['mailFrom', 'alice@example.com', '192.0.2.10', 'fail']);
  const [dmarcMessage, dmarcData] = wordsOf(report, 'auth.dmarc-reject');
  assert.deepEqual([dmarcMessage, dmarcData?.['fromDomain'], dmarcData?.['policyDomain'], dmarcData?.['policy']], ['policy', 'example.com', 'example.com', 'reject']);
});

test('without a Return-Path SPF checks the HELO name; an unsigned message failing it is unauthenticated', async () => {
  const withoutReturnPath = Buffer.from((await original()).toString().replace(/^Return-Path:.*\r?\n/im, ''));
  const report = await messageWorld(await messageFile(withoutReturnPath), 'v=spf1 ip4:198.51.100.0/24 -all');
  const [spfMessage, spfData] = wordsOf(report, 'auth.spf-fail');
  assert.deepEqual([spfMessage, spfData?.['domain'], spfData?.['sender']], ['helo', 'mail.example.com', undefined]);
  assert.deepEqual(wordsOf(report, 'auth.unauthenticated'), ['unsigned', { spf: spfData?.['result'] }]);
});

test('a signature by another domain does not align: auth.dmarc-reject', async () => {
  const report = await messageWorld(await messageFile(await signed(await original(), 'esp.example', 'mail2026')), 'v=spf1 ip4:198.51.100.0/24 ~all', {
    'mail2026._domainkey.esp.example': { TXT: [key.txt] },
  });
  assert.deepEqual(causesOf(report, 'message').sort(), ['auth.dmarc-reject:error', 'auth.spf-fail:warning']);
});

test('--ip replaces the address found in Received', async () => {
  const report = await messageWorld(await messageFile(await signed(await original())), undefined, {}, { senderIp: '203.0.113.7' });
  assert.deepEqual(causesOf(report, 'message'), ['auth.spf-fail:error']);
  assert.equal((checkOf(report, 'message').data['spf'] as { source: string }).source, '--ip');
});

test('the dkim check probes the selectors the message names', async () => {
  const path = await messageFile(await signed(await original(), 'example.com', 'rare2026'));
  const dns = await startSimDns({ 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] }, 'rare2026._domainkey.example.com': { TXT: [key.txt] } });
  servers.push(dns);
  const report = await diagnoseWorld('example.com', { dns, only: ['dkim'], options: { messageFile: path } });
  assert.deepEqual(causesOf(report, 'dkim'), []);
  assert.deepEqual((checkOf(report, 'dkim').data['keys'] as { selector: string; source: string }[]).map(k => [k.selector, k.source]), [['rare2026', 'message']]);
});

test('a file over the size limit is not read: the check says why', async () => {
  const report = await messageWorld(await messageFile(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 'a')));
  assert.deepEqual(causesOf(report, 'message'), []);
  assert.equal(checkOf(report, 'message').status, 'info');
  assert.match(String(checkOf(report, 'message').data['error']), /not read/);
});

test('without --message the check has nothing to do', async () => {
  const dns = await startSimDns({ 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] } });
  servers.push(dns);
  const report = await diagnoseWorld('example.com', { dns, only: ['message'] });
  assert.deepEqual(causesOf(report, 'message'), []);
  assert.equal(checkOf(report, 'message').status, 'skipped');
  assert.equal(checkOf(report, 'message').data['reason'], 'runs only with --message');
});
