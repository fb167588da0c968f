// The dkim check on simulated worlds, with keys generated at test time.
import { test, after } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import type { Report } from '../../src/report/schema.js';
import { COMMON_SELECTORS } from '../../src/checks/dkim.js';
import { causesOf, checkOf, diagnoseWorld, type WorldOptions } from '../helpers/diagnosis.js';
import { ed25519DkimKey, rsaDkimKey, splitTxt } from '../helpers/dkim.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

const strong = rsaDkimKey(2048);

async function dkimWorld(zone: SimZone, options: WorldOptions = {}): Promise<{ report: Report; asked: string[] }> {
  const dns = await startSimDns({ 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] }, ...zone });
  servers.push(dns);
  const report = await diagnoseWorld('example.com', { dns, only: ['dkim'], options });
  return { report, asked: dns.log.filter(q => q.includes('._domainkey.')) };
}

const keyAt = (selector: string, txt: string[]): SimZone => ({ [`${selector}._domainkey.example.com`]: { TXT: [txt] } });
const findingOf = (report: Report, cause: string) => checkOf(report, 'dkim').findings.find(f => f.cause === cause)!;

test('a 2048-bit key at a common selector: nothing to report; every common selector is asked', async () => {
  const { report, asked } = await dkimWorld(keyAt('selector1', strong.txt));
  assert.deepEqual(causesOf(report, 'dkim'), []);
  assert.equal(asked.length, COMMON_SELECTORS.length);
  assert.ok(COMMON_SELECTORS.length >= 15 && COMMON_SELECTORS.length <= 25);
});

test('dkim.not-found is info, never an error', async () => {
  const { report } = await dkimWorld({});
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.not-found:info']);
  // _domainkey.example.com exists (a stray TXT record), so every common selector is asked.
  const asked = await dkimWorld({ '_domainkey.example.com': { TXT: [['stray']] } });
  const { messageId, data } = findingOf(asked.report, 'dkim.not-found');
  assert.deepEqual({ messageId, data }, { messageId: 'commonSelectors', data: { selectorsTried: COMMON_SELECTORS.length, domain: 'example.com', selectors: [...COMMON_SELECTORS] } });
});

test('an NXDOMAIN at _domainkey.<domain> ends the guessing: one question instead of twenty (RFC 8020)', async () => {
  const dns = await startSimDns({ 'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] } });
  servers.push(dns);
  const report = await diagnoseWorld('example.com', { dns, only: ['dkim'] });
  assert.deepEqual(dns.log.filter(q => q.includes('_domainkey')), ['_domainkey.example.com TXT']);
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.not-found:info']);
  const { messageId, data } = findingOf(report, 'dkim.not-found');
  assert.deepEqual({ messageId, data }, { messageId: 'noSubtree', data: { selectorsTried: 0, domain: 'example.com' } });
});

test('a selector given by name is still asked under an NXDOMAIN _domainkey, and said to be missing', async () => {
  const { report, asked } = await dkimWorld({}, { dkimSelectors: ['custom2024'] });
  assert.deepEqual(asked, ['custom2024._domainkey.example.com TXT']);
  assert.deepEqual(findingOf(report, 'dkim.not-found').subjects, ['custom2024._domainkey.example.com']);
});

test('--dkim-selector adds a selector; a given one that is missing is said by name', async () => {
  const found = await dkimWorld(keyAt('custom2024', strong.txt), { dkimSelectors: ['custom2024'] });
  assert.deepEqual(causesOf(found.report, 'dkim'), []);
  assert.ok(found.asked.includes('custom2024._domainkey.example.com TXT'));
  const missing = await dkimWorld(keyAt('google', strong.txt), { dkimSelectors: ['nothere'] });
  assert.deepEqual(causesOf(missing.report, 'dkim'), ['dkim.not-found:info']);
  assert.deepEqual(findingOf(missing.report, 'dkim.not-found').subjects, ['nothere._domainkey.example.com']);
  const { messageId, data } = findingOf(missing.report, 'dkim.not-found');
  assert.deepEqual({ messageId, data }, { messageId: 'givenSelector', data: { selector: 'nothere', source: 'given', name: 'nothere._domainkey.example.com', outcome: 'nxdomain' } });
});

test('a selector a signature of --message names, when missing, is said to come from the message', async () => {
  const message = join(mkdtempSync(join(tmpdir(), 'maildiag-dkim-')), 'signed.eml');
  writeFileSync(message, 'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=fromsig; h=from; bh=AAAA; b=AAAA\r\nFrom: a@example.com\r\n\r\nhi\r\n');
  const { report } = await dkimWorld({}, { messageFile: message });
  const { messageId, data } = findingOf(report, 'dkim.not-found');
  assert.deepEqual({ messageId, data }, { messageId: 'messageSelector', data: { selector: 'fromsig', source: 'message', name: 'fromsig._domainkey.example.com', outcome: 'nxdomain' } });
});

test('dkim.key-weak: error under 1024 bits (the message says the size), warning at 1024', async () => {
  const weak = await dkimWorld(keyAt('default', rsaDkimKey(512).txt));
  assert.deepEqual(causesOf(weak.report, 'dkim'), ['dkim.key-weak:error']);
  const { messageId, data } = findingOf(weak.report, 'dkim.key-weak');
  assert.deepEqual({ messageId, data }, { messageId: 'ignored', data: { selector: 'default', source: 'common', name: 'default._domainkey.example.com', bits: 512, minimumBits: 1024 } });
  const medium = await dkimWorld(keyAt('default', rsaDkimKey(1024).txt));
  assert.deepEqual(causesOf(medium.report, 'dkim'), ['dkim.key-weak:warning']);
  assert.equal(findingOf(medium.report, 'dkim.key-weak').messageId, 'belowRecommended');
});

test('an Ed25519 key (RFC 8463) is strong', async () => {
  const { report } = await dkimWorld(keyAt('s1', ed25519DkimKey().txt));
  assert.deepEqual(causesOf(report, 'dkim'), []);
});

test('dkim.key-revoked for an empty p=', async () => {
  const { report } = await dkimWorld(keyAt('k1', ['v=DKIM1; k=rsa; p=']));
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.key-revoked:warning']);
  assert.deepEqual(findingOf(report, 'dkim.key-revoked').data, { selector: 'k1', source: 'common', name: 'k1._domainkey.example.com' });
});

test('dkim.key-invalid for a key cut short, with the problem', async () => {
  // 102 characters of p=: not a whole number of base64 quanta.
  const truncated = strong.record.slice(0, 120);
  const { report } = await dkimWorld(keyAt('mail', [truncated]));
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.key-invalid:error']);
  const { messageId, data } = findingOf(report, 'dkim.key-invalid');
  assert.deepEqual([messageId, data?.['problem']], ['invalid', { code: 'notBase64' }]);
});

test('dkim.testing for t=y', async () => {
  const { report } = await dkimWorld(keyAt('google', rsaDkimKey(2048, ' t=y;').txt));
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.testing:info']);
  assert.equal(findingOf(report, 'dkim.testing').messageId, 'testing');
});

test('a selector that is a CNAME to a provider is fine', async () => {
  const { report } = await dkimWorld({
    'selector1._domainkey.example.com': { CNAME: 'selector1-example-com._domainkey.provider.example' },
    'selector1-example-com._domainkey.provider.example': { TXT: [splitTxt(strong.record)] },
  });
  assert.deepEqual(causesOf(report, 'dkim'), []);
  const keys = checkOf(report, 'dkim').data['keys'] as { aliases: string[] }[];
  assert.equal(keys[0]!.aliases.length, 1);
});

test('a TXT record that is not a key (as a wildcard SPF record answers) does not count as one', async () => {
  const { report } = await dkimWorld(keyAt('default', ['v=spf1 -all']));
  assert.deepEqual(causesOf(report, 'dkim'), ['dkim.not-found:info']);
});

test('selectors whose lookups time out or fail do not hold up the others', async () => {
  const { report } = await dkimWorld({ 'default._domainkey.example.com': 'DROP', 'dkim._domainkey.example.com': 'SERVFAIL', ...keyAt('google', strong.txt) }, { timeoutMs: 300 });
  assert.deepEqual(causesOf(report, 'dkim'), []);
});

test('a domain whose SPF is "v=spf1 -all" sends no mail: no note about missing keys', async () => {
  const { report } = await dkimWorld({ 'example.com': { MX: [{ priority: 0, exchange: '' }], TXT: [['v=spf1 -all']] } });
  assert.deepEqual(causesOf(report, 'dkim'), []);
  assert.match(String(checkOf(report, 'dkim').data['note']), /sends no mail/);
});
