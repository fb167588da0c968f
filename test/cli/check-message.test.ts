// maildiag check-message: a message as a Gmail mailbox received it, built and
// DKIM-signed at test time (keys generated here), judged through the CLI
// against an in-process DNS world. Each case asserts the rows it must change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import type { Report } from '../../src/report/schema.js';
import { dkimSignature, rsaDkimKey } from '../helpers/dkim.js';
import { runMain } from '../helpers/cli.js';

const key = rsaDkimKey(2048);
let dns: SimDnsServer;
let dir = '';

/** example.com sends from 192.0.2.10 (FCrDNS) and .30 (no PTR) and .40 (listed); esp.example is a sending service. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maildiag-check-message-'));
  dns = await startSimDns({
    '.': { NS: ['a.root.example'] },
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }], TXT: [['v=spf1 ip4:192.0.2.0/24 -all']] },
    'mail2026._domainkey.example.com': { TXT: [key.txt] },
    '_dmarc.example.com': { TXT: [['v=DMARC1; p=none; rua=mailto:dmarc@example.com']] },
    'gmail.com': { MX: [{ priority: 5, exchange: 'gmail-smtp-in.l.google.com' }] },
    '_dmarc.gmail.com': { TXT: [['v=DMARC1; p=none; sp=quarantine; rua=mailto:mailauth-reports@google.com']] },
    'mail.example.com': { A: ['192.0.2.10'] },
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
    'out.example.com': { A: ['192.0.2.40'] },
    '40.2.0.192.in-addr.arpa': { PTR: ['out.example.com'] },
    '40.2.0.192.zen.spamhaus.org': { A: ['127.0.0.2'], TXT: [['listed for the test']] },
    'esp.example': { TXT: [['v=spf1 ip4:198.51.100.0/24 -all']] },
    'mail2026._domainkey.esp.example': { TXT: [key.txt] },
    'smtp.esp.example': { A: ['198.51.100.5'] },
    '5.100.51.198.in-addr.arpa': { PTR: ['smtp.esp.example'] },
  });
});
after(async () => {
  await dns.close();
  await rm(dir, { recursive: true, force: true });
});

interface Fixture {
  from?: string[];
  ip?: string;
  helo?: string;
  protocol?: string;
  returnPath?: string;
  /** List-Unsubscribe and List-Unsubscribe-Post; null leaves the field out. */
  unsubscribe?: string | null;
  post?: string | null;
  omit?: string[];
  signer?: { domain: string; headerList?: string } | null;
  authenticationResults?: string;
}

const SIGNED_FIELDS = 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:List-Unsubscribe:List-Unsubscribe-Post';

/** A newsletter as the sender signs it, then as Gmail's MX stores it: its Received (and Authentication-Results) on top. */
async function message(f: Fixture = {}): Promise<Buffer> {
  const fields: [string, string | null | undefined][] = [
    ['Return-Path', `<${f.returnPath ?? 'bounces@example.com'}>`],
    ...(f.from ?? ['News <news@example.com>']).map((from): [string, string] => ['From', from]),
    ['To', '<me@gmail.com>'],
    ['Subject', 'December news'],
    ['Date', 'Fri, 04 Dec 2026 21:00:00 +0000'],
    ['Message-ID', '<news-2026-12@example.com>'],
    ['List-Unsubscribe', f.unsubscribe === undefined ? '<https://example.com/unsubscribe?u=42>, <mailto:unsubscribe@example.com?subject=u42>' : f.unsubscribe],
    ['List-Unsubscribe-Post', f.post === undefined ? 'List-Unsubscribe=One-Click' : f.post],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=us-ascii'],
  ];
  const header = fields.filter(([name, value]) => value !== null && !f.omit?.includes(name)).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const sent = Buffer.from(`${header}\r\nThis month's news. Unsubscribe: https://example.com/unsubscribe?u=42\r\n`);
  const signer = f.signer === undefined ? { domain: 'example.com', headerList: SIGNED_FIELDS } : f.signer;
  const signature = signer ? await dkimSignature(sent, key, { selector: 'mail2026', ...signer }) : '';
  const helo = f.helo ?? 'mail.example.com';
  const received = `Received: from ${helo} (${helo} [${f.ip ?? '192.0.2.10'}])\r\n        by mx.google.com with ${f.protocol ?? 'ESMTPS'} id a1b2c3\r\n        for <me@gmail.com>${f.protocol === 'ESMTP' ? '' : '\r\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)'};\r\n        Fri, 04 Dec 2026 13:00:01 -0800 (PST)\r\n`;
  const results = f.authenticationResults ? `Authentication-Results: mx.google.com;\r\n       ${f.authenticationResults}\r\n` : '';
  return Buffer.concat([Buffer.from(`Delivered-To: me@gmail.com\r\n${received}${results}`), Buffer.from(signature), sent]);
}

let files = 0;
async function fileOf(content: Buffer | string): Promise<string> {
  const path = join(dir, `m${++files}.eml`);
  await writeFile(path, content);
  return path;
}

interface Checked {
  status: number;
  report: Report;
  /** Observation id → verdict. */
  seen: Record<string, string>;
  evidence: Record<string, string>;
  /** Every cause in the diagnosis. */
  causes: string[];
}

async function checkMessage(content: Buffer, ...extra: string[]): Promise<Checked> {
  const run = await runMain(['check-message', await fileOf(content), '--json', '--resolver', `127.0.0.1:${dns.port}`, '--allow-private', '--dnsbl', 'zen.spamhaus.org', '--timeout', '5000', ...extra]);
  assert.equal(run.stderr, '');
  const report = JSON.parse(run.stdout) as Report;
  const rules = report.checks.find(c => c.id === 'sender-rules')!;
  const observations = rules.data['observations'] as Record<string, { verdict: string; evidence: string }>;
  const seen = Object.fromEntries(Object.entries(observations).map(([id, o]) => [id, o.verdict]));
  const evidence = Object.fromEntries(Object.entries(observations).map(([id, o]) => [id, o.evidence]));
  return { status: run.status, report, seen, evidence, causes: report.diagnosis.map(d => d.cause) };
}

/** How the finding of a cause is worded: its messageId and data. */
function wordsOf({ report }: Checked, cause: string): [string | undefined, Record<string, unknown> | undefined] {
  const found = report.checks.flatMap(c => c.findings).find(f => f.cause === cause);
  assert.ok(found, `no ${cause} finding`);
  return [found.messageId, found.data];
}

/** The observations a case must change; everything else stays met. */
function assertOnly({ seen, evidence }: Checked, changed: Record<string, string>): void {
  const expected = Object.fromEntries(Object.keys(seen).map(id => [id, changed[id] ?? 'met']));
  assert.deepEqual(seen, expected, JSON.stringify(evidence));
}

test('a compliant bulk message: every rule that one message shows is met, the rest cannot be told', async () => {
  const checked = await checkMessage(await message());
  const { status, report, causes } = checked;
  assertOnly(checked, {});
  assert.deepEqual(causes.filter(c => c !== 'dmarc.policy-none'), []);
  assert.equal(status, 0);
  const rows = report.checks.find(c => c.id === 'sender-rules')!.data['requirements'] as { provider: string; verdict: string; requirement: string }[];
  assert.deepEqual([...new Set(rows.map(r => r.provider))], ['gmail', 'yahoo', 'outlook']);
  assert.ok(rows.filter(r => r.verdict === 'cannot-tell').some(r => /spam rate/i.test(r.requirement)), 'the spam rate cannot be told from one message');
  assert.ok(rows.every(r => r.verdict !== 'not-met'));
});

test('no List-Unsubscribe-Post: unsubscribe is not one-click', async () => {
  const checked = await checkMessage(await message({ post: null }));
  const { causes } = checked;
  assertOnly(checked, { 'one-click-unsubscribe': 'not-met' });
  assert.ok(causes.includes('message.unsubscribe-not-one-click'));
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-not-one-click'), ['gaps', { gaps: [{ code: 'noPost' }] }]);
});

test('a List-Unsubscribe with only a mailto: URI is not one-click either', async () => {
  const checked = await checkMessage(await message({ unsubscribe: '<mailto:unsubscribe@example.com>' }));
  const { causes } = checked;
  assertOnly(checked, { 'one-click-unsubscribe': 'not-met' });
  assert.ok(causes.includes('message.unsubscribe-not-one-click'));
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-not-one-click'), ['gaps', { gaps: [{ code: 'noHttps', uris: ['mailto:unsubscribe@example.com'] }] }]);
});

test('the unsubscribe fields outside the signature: not signed', async () => {
  const checked = await checkMessage(await message({ signer: { domain: 'example.com', headerList: 'From:To:Subject:Date:Message-ID:List-Unsubscribe' } }));
  const { causes } = checked;
  assertOnly(checked, { 'one-click-unsubscribe': 'not-met' });
  assert.ok(causes.includes('message.unsubscribe-not-signed'));
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-not-signed'), ['notCoveredSigners', { fromDomain: 'example.com', signers: [{ domain: 'example.com', fields: ['list-unsubscribe'] }] }]);
});

test('no List-Unsubscribe at all: a note, not a failure (personal mail needs none)', async () => {
  const checked = await checkMessage(await message({ unsubscribe: null, post: null }));
  const { status, report } = checked;
  assertOnly(checked, { 'one-click-unsubscribe': 'not-met' });
  const entry = report.diagnosis.find(d => d.cause === 'message.unsubscribe-missing');
  assert.equal(entry?.severity, 'info');
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-missing'), ['missing', {}]);
  assert.equal(status, 0);
});

test('From aligned with neither SPF nor DKIM: a sending service\'s own domains pass, From does not align', async () => {
  const checked = await checkMessage(await message({ ip: '198.51.100.5', helo: 'smtp.esp.example', returnPath: 'bounces@esp.example', signer: { domain: 'esp.example', headerList: SIGNED_FIELDS } }));
  const { causes } = checked;
  assertOnly(checked, { 'dmarc-aligned': 'not-met', 'one-click-unsubscribe': 'not-met' });
  assert.ok(causes.includes('auth.from-not-aligned'));
  assert.ok(causes.includes('message.unsubscribe-not-signed'));
  assert.deepEqual(wordsOf(checked, 'auth.from-not-aligned'), ['otherDomains', { passed: [{ method: 'spf', domain: 'esp.example' }, { method: 'dkim', domain: 'esp.example' }], fromDomain: 'example.com' }]);
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-not-signed'), ['notCoveredSigners', { fromDomain: 'example.com', signers: [{ domain: 'esp.example', fields: ['list-unsubscribe-post', 'list-unsubscribe'] }] }]);
});

test('DKIM by a third-party domain only: DMARC aligns through SPF, the unsubscribe fields are not the From domain\'s', async () => {
  const checked = await checkMessage(await message({ signer: { domain: 'esp.example', headerList: SIGNED_FIELDS } }));
  const { causes } = checked;
  assertOnly(checked, { 'one-click-unsubscribe': 'not-met' });
  assert.ok(!causes.includes('auth.from-not-aligned'));
  assert.ok(causes.includes('message.unsubscribe-not-signed'));
  assert.deepEqual(wordsOf(checked, 'message.unsubscribe-not-signed'), ['notCoveredSigners', { fromDomain: 'example.com', signers: [{ domain: 'esp.example', fields: ['list-unsubscribe-post', 'list-unsubscribe'] }] }]);
});

test('sent over plain SMTP: the TLS rule is not met', async () => {
  const checked = await checkMessage(await message({ protocol: 'ESMTP' }));
  const { causes } = checked;
  assertOnly(checked, { tls: 'not-met' });
  assert.ok(causes.includes('message.sent-without-tls'));
  assert.deepEqual(wordsOf(checked, 'message.sent-without-tls'), ['plainBy', { position: 1, protocol: 'ESMTP', by: 'mx.google.com' }]);
});

test('two From fields: a format violation, and no From domain to judge DMARC by', async () => {
  const checked = await checkMessage(await message({ from: ['News <news@example.com>', 'Other <other@example.com>'] }));
  const { seen, causes, status } = checked;
  assert.deepEqual(wordsOf(checked, 'message.malformed'), ['problems', { problems: [{ code: 'repeated', field: 'from', count: 2 }] }]);
  assert.equal(seen['rfc5322'], 'not-met');
  for (const id of ['not-impersonating', 'dmarc-policy', 'dmarc-aligned']) assert.equal(seen[id], 'cannot-tell', id);
  assert.ok(causes.includes('message.malformed'));
  assert.equal(status, 1);
});

test('no Message-ID: a format violation', async () => {
  const checked = await checkMessage(await message({ omit: ['Message-ID'] }));
  const { report } = checked;
  assertOnly(checked, { rfc5322: 'not-met' });
  assert.equal(report.diagnosis.find(d => d.cause === 'message.malformed')!.messages.join(' '), 'no Message-ID field');
  assert.deepEqual(wordsOf(checked, 'message.malformed'), ['problems', { problems: [{ code: 'missing', field: 'Message-ID' }] }]);
});

test('a sending IP without PTR: the PTR rule is not met and ptr.missing is the sender\'s', async () => {
  const checked = await checkMessage(await message({ ip: '192.0.2.30' }));
  const { report } = checked;
  assertOnly(checked, { ptr: 'not-met' });
  const entry = report.diagnosis.find(d => d.cause === 'ptr.missing');
  assert.equal(entry?.side, 'sender');
});

test('a sending IP on a DNSBL: rbl.listed ranks first', async () => {
  const checked = await checkMessage(await message({ ip: '192.0.2.40', helo: 'out.example.com' }));
  const { report, status } = checked;
  assertOnly(checked, {});
  assert.equal(report.diagnosis[0]?.cause, 'rbl.listed');
  assert.equal(status, 1);
  const human = await runMain(['check-message', await fileOf(await message({ ip: '192.0.2.40', helo: 'out.example.com' })), '--resolver', `127.0.0.1:${dns.port}`, '--allow-private', '--dnsbl', 'zen.spamhaus.org', '--timeout', '5000']);
  assert.match(human.stdout, /Blocklists: listed on zen\.spamhaus\.org/);
});

test('From at gmail.com sent from elsewhere: impersonating a provider', async () => {
  const { seen, causes } = await checkMessage(await message({ from: ['Someone <someone@gmail.com>'] }));
  assert.equal(seen['not-impersonating'], 'not-met');
  assert.ok(causes.includes('message.from-impersonates-provider'));
});

test('where the receiver\'s Authentication-Results differ from maildiag\'s own verdicts, the report says so', async () => {
  const { report } = await checkMessage(await message({ authenticationResults: 'dkim=pass header.i=@example.com; spf=fail smtp.mailfrom=example.com; dmarc=pass header.from=example.com' }));
  const data = report.checks.find(c => c.id === 'message')!.data;
  assert.equal((data['receiver'] as { authservId: string }).authservId, 'mx.google.com');
  assert.deepEqual(data['differences'], ['spf: mx.google.com reported fail, maildiag finds pass']);
});

test('no Received field: the sending IP, its PTR, SPF and TLS cannot be told; nothing is made up', async () => {
  const full = (await message()).toString('latin1');
  const checked = await checkMessage(Buffer.from(full.replace(/^Received:[^]*?\(PST\)\r\n/m, ''), 'latin1'));
  assertOnly(checked, { ptr: 'cannot-tell', tls: 'cannot-tell', spf: 'cannot-tell', 'spf-and-dkim': 'cannot-tell' });
  const status = (id: string) => checked.report.checks.find(c => c.id === id)?.status;
  assert.deepEqual([status('message'), status('sender-rules'), status('sender-ip')], ['info', 'info', undefined]);
  const rules = checked.report.checks.find(c => c.id === 'sender-rules')!;
  assert.match(String(rules.data['reason']), /could not tell from this message: spf, spf-and-dkim, ptr, tls/);
});

test('a header block cut off: judged on the fields present, and the report says the file may be cut off', async () => {
  const full = (await message()).toString('latin1');
  const cut = full.slice(0, full.lastIndexOf('MIME-Version'));
  const { report } = await checkMessage(Buffer.from(cut, 'latin1'));
  const observations = report.checks.find(c => c.id === 'sender-rules')!.data['observations'] as Record<string, { evidence: string }>;
  assert.match(observations['rfc5322']!.evidence, /cut off/);
});

test('the human report shows the message\'s hop and the rules of each provider', async () => {
  const run = await runMain(['check-message', await fileOf(await message({ post: null })), '--resolver', `127.0.0.1:${dns.port}`, '--allow-private', '--no-dnsbl', '--timeout', '5000']);
  assert.match(run.stdout, /Sent from 192\.0\.2\.10 \(HELO mail\.example\.com\): Received field 1 from the top,\s+by\s+mx\.google\.com/);
  for (const name of ['Gmail', 'Yahoo / AOL', 'Outlook.com']) assert.match(run.stdout, new RegExp(`^${name} \\(https://`, 'm'));
  assert.match(run.stdout, /NOT MET +Marketing and subscribed messages/);
  assert.match(run.stdout, /Blocklists: none asked \(--no-dnsbl\)/);
  const markdown = await runMain(['check-message', await fileOf(await message({ post: null })), '--format', 'markdown', '--resolver', `127.0.0.1:${dns.port}`, '--allow-private', '--no-dnsbl', '--timeout', '5000']);
  assert.match(markdown.stdout, /^\| Bulk senders \| NOT MET \| Marketing and subscribed messages support one-click unsubscribe \| no List-Unsubscribe-Post field \|$/m);
});

test('--fail-on warning turns a warning into exit status 1', async () => {
  const { status } = await checkMessage(await message({ protocol: 'ESMTP' }), '--fail-on', 'warning');
  assert.equal(status, 1);
});

test('what is not a message: one line on stderr, exit 2, for check-message and --message alike', async () => {
  const folder = join(dir, 'folder.eml');
  await mkdir(folder);
  const big = join(dir, 'big.eml');
  await writeFile(big, 'Subject: x\r\n\r\n');
  await truncate(big, 50 * 1024 * 1024);
  const cases: [string, RegExp][] = [
    [folder, /a directory/],
    [await fileOf(''), /empty/],
    [await fileOf(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x0a, 0x3a])), /binary/],
    [await fileOf('Hello Bob,\nthis is just text.\n'), /not an email message/],
    [await fileOf(Buffer.from('From: a@example.com\r\nSubject: \0\0\0\r\n\r\n')), /binary/],
    [big, /50\.0 MB.*not read/],
    [join(dir, 'missing.eml'), /no such file/],
  ];
  for (const [path, reason] of cases) {
    for (const args of [['check-message', path], ['example.com', '--message', path]]) {
      const run = await runMain(args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, reason);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  }
});

test('a message without a From address: one line, exit 2', async () => {
  const run = await runMain(['check-message', await fileOf(await message({ omit: ['From'] }))]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /no From address/);
});
