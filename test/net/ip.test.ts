// Reverse names and address expansion (RFC 1035 §3.5, RFC 3596 §2.5, RFC 4291 §2.5.5.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandIPv6, reverseName } from '../../src/net/ip.js';

test('expandIPv6 writes all eight groups, an embedded IPv4 address in hex', () => {
  assert.equal(expandIPv6('2001:db8::25'), '2001:0db8:0000:0000:0000:0000:0000:0025');
  assert.equal(expandIPv6('::1'), '0000:0000:0000:0000:0000:0000:0000:0001');
  assert.equal(expandIPv6('::ffff:192.0.2.1'), '0000:0000:0000:0000:0000:ffff:c000:0201');
  assert.equal(expandIPv6('2001:DB8:0:0:1::'), '2001:0db8:0000:0000:0001:0000:0000:0000');
});

test('reverseName: in-addr.arpa for IPv4 and IPv4-mapped addresses, nibbles under ip6.arpa for IPv6', () => {
  assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa');
  assert.equal(reverseName('::ffff:192.0.2.1'), '1.2.0.192.in-addr.arpa');
  assert.equal(reverseName('2001:db8::25'), '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
});
