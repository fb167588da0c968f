import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { causeIds, causes, isCauseId, isFormat, placeholders, PLACEHOLDER, SEVERITIES, SIDES, type CauseId } from '../src/causes.js';
import { finding } from '../src/checks/define.js';
import { checks } from '../src/checks/index.js';
import { renderCausesMarkdown } from '../scripts/gen-docs.js';

const root = process.cwd();
const specPath = resolve(root, '../shared/spec/causes.md');

test('every cause id has the form area.problem', () => {
  for (const id of causeIds) assert.match(id, /^[a-z0-9-]+\.[a-z0-9-]+$/, id);
});

test('every cause has complete text and a known severity and side', () => {
  for (const id of causeIds) {
    const def = causes[id];
    assert.ok(def.title.length > 0 && !def.title.endsWith('.'), `${id}: title`);
    assert.equal(def.title[0], def.title[0]?.toUpperCase(), `${id}: title starts with a capital`);
    assert.ok(def.explanation.length > 0, `${id}: explanation`);
    assert.ok(def.fix.length > 0, `${id}: fix`);
    assert.ok(SEVERITIES.includes(def.severity), `${id}: severity`);
    assert.ok(SIDES.includes(def.side), `${id}: side`);
  }
});

test('every id in the spec vocabulary is in the registry', { skip: !existsSync(specPath) && `no ${specPath}` }, () => {
  // The vocabulary starts at the first section; the intro's `area.problem` is only the pattern.
  const text = readFileSync(specPath, 'utf8');
  const spec = text.slice(Math.max(0, text.indexOf('\n## ')));
  const ids = [...spec.matchAll(/`([a-z0-9-]+\.[a-z0-9-]+)`/g)].map((m) => m[1] as string);
  assert.ok(ids.length > 50, 'spec ids parsed');
  const missing = [...new Set(ids)].filter((id) => !isCauseId(id));
  assert.deepEqual(missing, []);
});

test('masks name known ids, never the cause itself', () => {
  for (const id of causeIds) {
    for (const masked of causes[id].masks ?? []) {
      assert.ok(isCauseId(masked), `${id} masks unknown ${masked}`);
      assert.notEqual(masked, id, `${id} masks itself`);
    }
  }
});

test('masksMessages name known ids and their messages, never the cause itself', () => {
  for (const id of causeIds) {
    for (const [masked, messageIds] of Object.entries(causes[id].masksMessages ?? {})) {
      assert.ok(isCauseId(masked), `${id} masks unknown ${masked}`);
      assert.notEqual(masked, id, `${id} masks itself`);
      for (const messageId of messageIds) assert.ok(causes[masked].messages?.[messageId], `${id} masks unknown message ${masked}/${messageId}`);
    }
  }
});

test('docs/causes.md is generated from the registry', () => {
  const docs = readFileSync(resolve(root, 'docs/causes.md'), 'utf8');
  assert.equal(docs, renderCausesMarkdown(), 'run: npx tsc -p tsconfig.json && node dist/scripts/gen-docs.js');
});

test('no shipped cause id has been removed or renamed', () => {
  const shipped = readFileSync(resolve(root, 'test/shipped-cause-ids.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  assert.ok(shipped.length > 0);
  assert.deepEqual(
    shipped.filter((id) => !isCauseId(id)),
    [],
  );
});

test('the words people search for appear in title or explanation', () => {
  const keywords: Record<string, string[]> = {
    'ptr.missing': ['PTR', 'reverse DNS'],
    'ptr.not-fcrdns': ['PTR', 'reverse DNS', 'forward', 'mismatch'],
    'ptr.generic': ['PTR', 'reverse DNS', 'generic', 'dynamic'],
    'tls.cert-untrusted': ['certificate', 'self-signed'],
    'tls.cert-expired': ['certificate', 'expired'],
    'tls.cert-name-mismatch': ['certificate', 'name', 'mismatch'],
    'dane.tlsa-mismatch': ['TLSA', 'DANE'],
    'tls.protocol-old': ['TLS 1.0'],
    'mta-sts.invalid': ['MTA-STS', 'policy'],
    'rbl.listed': ['listed'],
    'rbl.query-refused': ['refused', 'resolver'],
    'rbl.domain-listed': ['listed'],
    'smtp.greylisting': ['greylist', '450'],
    'smtp.refused': ['refused', 'port 25'],
    'smtp.no-banner': ['banner', 'greeting'],
    'smtp.timeout': ['timed out'],
    'smtp.busy': ['421', 'busy'],
    'smtp.open-relay': ['relay'],
    'smtp.recipient-rejected': ['550', 'unknown'],
    'smtp.size-limit-low': ['SIZE'],
    'mx.primary-unreachable': ['primary', 'backup'],
    'mx.implicit': ['MX', 'A record', 'implicit'],
    'mx.target-nxdomain': ['MX', 'NXDOMAIN', 'does not resolve'],
    'mx.null': ['null MX', '7505'],
    'mx.target-invalid': ['CNAME'],
    'domain.nxdomain': ['NXDOMAIN', 'does not exist'],
    'spf.multiple': ['multiple', 'permerror'],
    'spf.too-many-lookups': ['lookups', '10'],
    'spf.soft-all': ['~all', 'softfail'],
    'spf.plus-all': ['+all'],
    'dmarc.policy-none': ['p=none'],
    'dmarc.rua-unauthorized': ['rua', 'authori'],
    'dkim.key-weak': ['DKIM'],
  };
  for (const [id, words] of Object.entries(keywords)) {
    assert.ok(isCauseId(id), id);
    const def = causes[id];
    const text = `${def.title} ${def.explanation}`.toLowerCase();
    for (const word of words) assert.ok(text.includes(word.toLowerCase()), `${id}: "${word}"`);
  }
});

test('every message template names its data as {field} or {field|format}, with a known format', () => {
  for (const id of causeIds) {
    for (const [messageId, template] of Object.entries(causes[id].messages ?? {})) {
      assert.match(messageId, /^[a-z][a-zA-Z0-9]*$/, `${id}/${messageId}: a messageId is camelCase`);
      for (const p of placeholders(template)) assert.ok(p.format === undefined || isFormat(p.format), `${id}/${messageId}: unknown format ${p.format}`);
      assert.doesNotMatch(template.replace(PLACEHOLDER, ''), /[{}]/, `${id}/${messageId}: a brace that is not a placeholder`);
    }
  }
});

test('a finding with an undeclared messageId or missing data throws, as ESLint does', () => {
  const anyFinding = finding as (cause: CauseId, messageId: string, data: Record<string, unknown>) => unknown;
  assert.throws(() => anyFinding('mx.missing', 'noSuchMessage', { domain: 'example.org' }), /declares no message "noSuchMessage"/);
  assert.throws(() => anyFinding('mx.missing', 'nowhere', {}), /data\.domain is missing/);
  assert.throws(() => anyFinding('mx.missing', 'nowhere', { domain: ['a', 'b'] }), /not a string or number/);
  const found = finding('mx.missing', 'nowhere', { domain: 'example.org' }, { subjects: ['example.org'] });
  assert.deepEqual({ messageId: found.messageId, data: found.data }, { messageId: 'nowhere', data: { domain: 'example.org' } });
});

test('every cause a check may emit has messages, and only those: a finding can only be worded from the registry', () => {
  const emitted = new Set(checks.flatMap(check => check.emits));
  assert.deepEqual(causeIds.filter(id => emitted.has(id) !== Boolean(causes[id].messages)), []);
});
