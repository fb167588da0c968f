import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../src/cli/targets.js';
import { UsageError } from '../../src/cli/errors.js';

test('domains are normalised: case, trailing dot, IDN to punycode', () => {
  assert.deepEqual(parseTarget('Example.COM.'), { kind: 'domain', input: 'Example.COM.', ascii: 'example.com', unicode: 'example.com' });
  const idn = parseTarget('bücher.example');
  assert.equal(idn.ascii, 'xn--bcher-kva.example');
  assert.equal(idn.unicode, 'bücher.example');
  assert.equal(parseTarget('xn--bcher-kva.example').unicode, 'bücher.example');
  assert.equal(parseTarget('  school.sch.uk  ').ascii, 'school.sch.uk');
});

test('IPv4 and IPv6 addresses are IP targets', () => {
  assert.equal(parseTarget('203.0.113.5').kind, 'ip');
  assert.deepEqual(parseTarget('2001:DB8::5'), { kind: 'ip', input: '2001:DB8::5', ascii: '2001:db8::5', unicode: '2001:db8::5' });
  assert.equal(parseTarget('[2001:db8::5]').ascii, '2001:db8::5');
});

const invalid: [string, RegExp][] = [
  ['', /empty/],
  ['   ', /empty/],
  ['exa mple.com', /spaces/],
  [`${'a'.repeat(64)}.com`, /64 characters/],
  [`${'a.'.repeat(127)}com`, /limit is 253/],
  ['example..com', /empty label/],
  ['.example.com', /empty label/],
  ['-example.com', /hyphen/],
  ['example-.com', /hyphen/],
  ['localhost', /fully-qualified/],
  ['https://example.com/path', /URL.*maildiag example\.com/],
  ['user@example.com', /email address.*maildiag example\.com.*--rcpt user@example\.com/],
  ['fe80::1%eth0', /zone id/],
  ['2001:db8::zz', /IPv6/],
  ['1.2.3', /not a valid IPv4 address/],
  ['192.0.2.300', /not a valid IPv4 address/],
  ['example.123', /last label is numeric/],
  ['0x10', /reads as 0\.0\.0\.16/],
  ['exa_mple.com', /characters/],
  ['xn--zz.example', /not a valid domain|characters/],
  ['example.com\r\nRCPT', /control/],
  ['exa\u0000mple.com', /control/],
  ['ex!ample.com', /not a valid domain|characters/],
];

for (const [input, reason] of invalid) {
  test(`invalid target ${JSON.stringify(input).slice(0, 40)}`, () => {
    assert.throws(() => parseTarget(input), (err: unknown) => err instanceof UsageError && reason.test(err.message) && !err.message.includes('\n'));
  });
}
