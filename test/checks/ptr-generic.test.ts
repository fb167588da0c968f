// The generic-PTR heuristic (src/net/ptr-heuristics.ts, docs/identity.md) on a
// table of names shaped like real ISP, hosting and mail-provider PTRs, with
// documentation addresses and names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage } from '../../src/causes.js';
import { judgePtrName, type GenericReason } from '../../src/net/ptr-heuristics.js';

const GENERIC: [name: string, ip: string][] = [
  ['203-0-113-5.dyn.isp.example', '203.0.113.5'],
  ['dsl-198-51-100-7.isp.example', '198.51.100.7'],
  ['c-203-0-113-5.hsd1.ca.cable-isp.example', '203.0.113.5'],
  ['pool-198-51-100-23.nycmny.fios.isp.example', '198.51.100.23'],
  ['ip-203-0-113-9.eu-west-1.compute.cloud.example', '203.0.113.9'],
  ['ec2-203-0-113-9.compute-1.cloud.example', '203.0.113.9'],
  ['host203-0-113-5.range203-0.broadband.example', '203.0.113.5'],
  ['5.113.0.203.static.isp.example', '203.0.113.5'],
  ['203-0-113-5.static.isp.example', '203.0.113.5'],
  ['static-203-0-113-5.business.isp.example', '203.0.113.5'],
  ['cpe-198-51-100-44.ma.res.cable.example', '198.51.100.44'],
  ['ppp-203-0-113-77.dialup.isp.example', '203.0.113.77'],
  ['adsl-203-0-113-5.dsl.isp.example', '203.0.113.5'],
  ['203000113005.dhcp.isp.example', '203.0.113.5'],
  ['cb007105.cable.isp.example', '203.0.113.5'],
  ['d203-0-113-5.try.wideopen.example', '203.0.113.5'],
  ['customer-203-0-113-5.isp.example', '203.0.113.5'],
  ['203_0_113_5.fibre.isp.example', '203.0.113.5'],
  ['dynamic-113-5.pool.isp.example', '203.0.113.5'],
  ['5-113.dsl.isp.example', '203.0.113.5'],
  ['adsl123456.isp.example', '203.0.113.5'],
  ['dhcp-0042117.cable.isp.example', '198.51.100.8'],
  ['client-113-5.wifi.isp.example', '203.0.113.5'],
  ['198-51-100-99.dyn.isp.example', '198.51.100.7'],
  ['2001-db8--5.dyn.isp.example', '2001:db8::5'],
  ['2001-db8-0-0-0-0-0-5.pool.isp.example', '2001:db8::5'],
  ['20010db8000000000000000000000005.ipv6.isp.example', '2001:db8::5'],
];

const NOT_GENERIC: [name: string, ip: string][] = [
  ['mail.example.com', '203.0.113.5'],
  ['mx1.isp.example', '203.0.113.5'],
  ['mx10.example.org', '198.51.100.10'],
  ['smtp.cable.example', '203.0.113.5'],
  ['mail.dyn.example', '203.0.113.5'],
  ['mx.dsl-provider.example', '198.51.100.7'],
  ['smtp2.residential-realty.example', '198.51.100.2'],
  ['out-2.mailer.example.com', '198.51.100.2'],
  ['mail-ed1-f53.mail-provider.example', '198.51.100.53'],
  ['a27-12.smtp-out.ses.example', '198.51.27.12'],
  ['o1.email.esp.example', '198.51.100.1'],
  ['mailpool.example.com', '203.0.113.5'],
  ['mail.static-hosting.example', '203.0.113.5'],
  ['mta5.am0.mail-provider.example', '198.51.100.5'],
  ['mail.example.co.uk', '203.0.113.5'],
  ['mx.example.com', '2001:db8::25'],
  ['smtp-client2.example.com', '203.0.113.2'],
];

test('the table covers at least 30 names, generic and not', () => {
  assert.ok(GENERIC.length + NOT_GENERIC.length >= 30);
});

for (const [name, ip] of GENERIC) {
  test(`generic: ${name} (${ip})`, () => {
    const verdict = judgePtrName(name, ip);
    assert.equal(verdict.generic, true);
    assert.ok(verdict.reasons.length > 0);
  });
}

for (const [name, ip] of NOT_GENERIC) {
  test(`not generic: ${name} (${ip})`, () => {
    assert.deepEqual(judgePtrName(name, ip), { generic: false, reasons: [] });
  });
}

test('an embedded address is reported in the reason; a trailing dot and capitals do not matter', () => {
  const verdict = judgePtrName('203-0-113-5.STATIC.isp.example.', '203.0.113.5');
  assert.deepEqual(verdict.reasons, [{ code: 'embedsAddress', ip: '203.0.113.5', form: 'inOrder' }]);
});

test('access-line words are named when the name also carries the address', () => {
  const verdict = judgePtrName('dsl-198-51-100-7.pool.isp.example', '198.51.100.7');
  assert.deepEqual(verdict.reasons, [{ code: 'embedsAddress', ip: '198.51.100.7', form: 'inOrder' }, { code: 'accessWords', words: ['dsl', 'pool'] }]);
});

test('each rule that fires is one reason code, with the part of the name that fired it', () => {
  const cases: [string, string, GenericReason[]][] = [
    ['5.113.0.203.in.isp.example', '203.0.113.5', [{ code: 'embedsAddress', ip: '203.0.113.5', form: 'reversed' }]],
    ['host203000113005.isp.example', '203.0.113.5', [{ code: 'embedsAddress', ip: '203.0.113.5', form: 'zeroPadded' }]],
    ['cb007105.isp.example', '203.0.113.5', [{ code: 'embedsAddress', ip: '203.0.113.5', form: 'hexadecimal' }]],
    ['10-1-2-3.old.isp.example', '203.0.113.5', [{ code: 'embedsSomeAddress', address: '10.1.2.3' }]],
    ['2001-db8--25.dyn.isp.example', '2001:db8::25', [{ code: 'embedsAddress', ip: '2001:db8::25' }, { code: 'accessWords', words: ['dyn'] }]],
    ['dyn-113-5.isp.example', '203.0.113.5', [{ code: 'accessWordsAndAddressPart', words: ['dyn'], part: '113.5' }]],
    ['cable-8812345.isp.example', '203.0.113.5', [{ code: 'accessWordsAndLineNumber', words: ['cable'], number: '8812345' }]],
  ];
  for (const [name, ip, reasons] of cases) assert.deepEqual(judgePtrName(name, ip), { generic: true, reasons }, name);
});

test('the reasons as ptr.generic words them', () => {
  const reasons: GenericReason[] = [
    { code: 'embedsAddress', ip: '203.0.113.5', form: 'zeroPadded' },
    { code: 'accessWordsAndAddressPart', words: ['dsl', 'pool'], part: '113.5' },
    { code: 'accessWordsAndLineNumber', words: ['cable'], number: '8812345' },
  ];
  const message = formatMessage('ptr.generic', 'generic', { address: { ip: '203.0.113.5', role: 'sender' }, name: 'x.isp.example', reasons });
  assert.equal(message, 'the sending IP 203.0.113.5 has the PTR name x.isp.example, which looks like an ISP\'s generic name: it embeds the address 203.0.113.5 (zero-padded digits); '
    + 'it has the access-line words "dsl", "pool" and the name carries part of the address (113.5); it has the access-line word "cable" and the name carries a line number (8812345)');
});
