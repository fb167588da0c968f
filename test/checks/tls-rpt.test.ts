import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseTlsRptRecord } from '../../src/checks/tls-rpt.js';
import { startSimDns, type SimDnsServer, type SimZone } from '../../src/sim/dns-server.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';

let dns: SimDnsServer;

/** name → [uses MTA-STS, TLSA on its MX, _smtp._tls TXT records] */
const DOMAINS: Record<string, [sts: boolean, dane: boolean, rpt: string[][]]> = {
  'ok.example': [true, false, [['v=TLSRPTv1; rua=mailto:tlsrpt@ok.example']]],
  'sts-missing.example': [true, false, []],
  'dane-missing.example': [false, true, []],
  'plain.example': [false, false, []],
  'badrua.example': [false, false, [['v=TLSRPTv1; rua=ftp://reports.example']]],
  'norua.example': [true, false, [['v=TLSRPTv1;']]],
  'two.example': [true, false, [['v=TLSRPTv1; rua=mailto:a@two.example'], ['v=TLSRPTv1; rua=mailto:b@two.example']]],
  'typo.example': [true, false, [['v=TLSRPT1; rua=mailto:a@typo.example']]],
  'unrelated.example': [true, false, [['google-site-verification=abc']]],
};

before(async () => {
  const zone: SimZone = {};
  for (const [name, [sts, dane, rpt]] of Object.entries(DOMAINS)) {
    zone[name] = { MX: [{ priority: 10, exchange: `mx.${name}` }] };
    zone[`mx.${name}`] = { A: ['192.0.2.10'] };
    if (sts) zone[`_mta-sts.${name}`] = { TXT: [['v=STSv1; id=1']] };
    if (dane) zone[`_25._tcp.mx.${name}`] = { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32, 1) }] };
    if (rpt.length) zone[`_smtp._tls.${name}`] = { TXT: rpt };
  }
  dns = await startSimDns(zone);
});
after(() => dns.close());

const diagnoseRpt = (domain: string) => diagnoseWorld(domain, { dns, only: ['tls-rpt'] });

test('a valid record is fine', async () => {
  const report = await diagnoseRpt('ok.example');
  assert.deepEqual(causesOf(report, 'tls-rpt'), []);
  assert.deepEqual(checkOf(report, 'tls-rpt').data.rua, ['mailto:tlsrpt@ok.example']);
});

test('missing is worth an info only when MTA-STS or DANE is in use', async () => {
  const sts = await diagnoseRpt('sts-missing.example');
  assert.deepEqual(causesOf(sts, 'tls-rpt'), ['tls-rpt.missing:info']);
  assert.deepEqual(checkOf(sts, 'tls-rpt').findings[0]!.data, { domain: 'sts-missing.example', policies: ['MTA-STS'] });
  const dane = await diagnoseRpt('dane-missing.example');
  assert.deepEqual(causesOf(dane, 'tls-rpt'), ['tls-rpt.missing:info']);
  assert.deepEqual(checkOf(dane, 'tls-rpt').findings[0]!.data, { domain: 'dane-missing.example', policies: ['DANE'] });
  assert.deepEqual(causesOf(await diagnoseRpt('unrelated.example'), 'tls-rpt'), ['tls-rpt.missing:info']);
  const plain = await diagnoseRpt('plain.example');
  assert.deepEqual(causesOf(plain, 'tls-rpt'), []);
  assert.deepEqual(checkOf(plain, 'tls-rpt').data.uses, { mtaSts: false, dane: false });
});

test('malformed, duplicated or mistyped records are invalid', async () => {
  const expected = { 'badrua.example': 'badRua', 'norua.example': 'noRua', 'two.example': 'severalRecords', 'typo.example': 'recordVersion' };
  for (const [domain, messageId] of Object.entries(expected)) {
    const report = await diagnoseRpt(domain);
    assert.deepEqual(causesOf(report, 'tls-rpt'), ['tls-rpt.invalid:warning'], domain);
    assert.deepEqual(checkOf(report, 'tls-rpt').findings.map(f => f.messageId), [messageId], domain);
  }
});

test('record syntax (RFC 8460 §3)', () => {
  assert.deepEqual(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.com, https://reports.example.com/v1'), { ok: true, rua: ['mailto:a@example.com', 'https://reports.example.com/v1'] });
  assert.deepEqual(parseTlsRptRecord('v=TLSRPTv1;rua=mailto:a@example.com;'), { ok: true, rua: ['mailto:a@example.com'] });
  const problem = (text: string) => {
    const parsed = parseTlsRptRecord(text);
    return parsed.ok ? undefined : parsed.problem;
  };
  assert.deepEqual(problem('v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com'), { messageId: 'severalRua', data: {} });
  assert.deepEqual(problem('v=TLSRPTv1; rua=http://reports.example.com'), { messageId: 'badRua', data: { uri: 'http://reports.example.com' } });
  assert.deepEqual(problem('v=TLSRPTv1; rua=mailto:nobody'), { messageId: 'badRua', data: { uri: 'mailto:nobody' } });
  assert.deepEqual(problem('v=TLSRPTv1; rua=mailto:a@example.com,'), { messageId: 'emptyRua', data: {} });
  assert.deepEqual(problem('v=TLSRPTv1; rua='), { messageId: 'recordField', data: { field: 'rua=' } });
  assert.deepEqual(problem('v=TLSRPTv1'), { messageId: 'noRua', data: {} });
  assert.deepEqual(problem('rua=mailto:a@example.com; v=TLSRPTv1'), { messageId: 'recordVersion', data: { version: 'rua=mailto:a@example.com' } });
});
