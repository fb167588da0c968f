// Property tests of what users (and target lists) type: every target and
// option value gives a validated setting or a UsageError of one line with its
// control characters escaped, never another exception; and the settings can
// be trusted where they end up (SMTP commands, sockets, DNS questions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { UsageError } from '../../src/cli/errors.js';
import { parseTarget } from '../../src/cli/targets.js';
import { parseDnsbl, parseHelo, parseIdList, parseIp, parseMailbox, parsePositiveInt, parseRelay, parseResolvers, parseTimeout } from '../../src/cli/options.js';
import { checkIds } from '../../src/checks/index.js';

const RUNS = 10_000;
/** What a one-line message to a terminal must not contain: controls (C0, DEL, C1), bidirectional controls, line separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The value, or the UsageError's message checked and undefined; any other exception fails the property. */
function parsed<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    assert.doesNotMatch(err.message, UNSAFE, `the message prints raw control characters: ${JSON.stringify(err.message)}`);
    return undefined;
  }
}

/** Pieces of what people paste: schemes, addresses, brackets, ports, IDNs, escapes, invisible characters. */
const FRAGMENTS = [
  'example.com', 'EXAMPLE.com.', 'xn--bcher-kva', 'bücher', 'ｅｘａｍｐｌｅ', '。', '.', '..', '-', '_', '@', 'user@', 'https://', 'mailto:', '/', ':', '::', '%', '%eth0',
  '[', ']', '1', '192.0.2.10', '2001:db8::1', '::ffff:192.0.2.1', ':25', ':0', ':65536', ',', ' ', '\t', '\r\n', '\u0000', '\u001b[2J', '\u009b', '\u202e', '\u2028', '\u00ad', '\u200b',
  'a'.repeat(63), 'a'.repeat(64), '<', '>', '"', 'IPv6:', '1e3', '0x10', '-5', '0500',
];
const typed = fc.oneof(
  fc.array(fc.nat(0xffff), { maxLength: 80 }).map(units => String.fromCharCode(...units)),
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 8 }).map(parts => parts.join('')),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.emailAddress(),
);

test(`parseTarget: a normalised domain or address, or a one-line UsageError (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(typed, input => {
      const target = parsed(() => parseTarget(input));
      if (!target) return;
      if (target.kind === 'ip') {
        assert.ok(net.isIP(target.ascii), target.ascii);
      } else {
        assert.ok(target.ascii.length <= 253 && !target.ascii.endsWith('.'), target.ascii);
        const labels = target.ascii.split('.');
        assert.ok(labels.length >= 2 && labels.every(l => l.length <= 63 && LDH_LABEL.test(l)), target.ascii);
      }
      // Normalising twice changes nothing: audits and --resume compare these names.
      assert.deepEqual({ ...parseTarget(target.ascii), input: target.input }, target);
    }),
    { numRuns: RUNS },
  );
});

test(`--timeout and counts: whole numbers in range, or a UsageError (${RUNS} runs)`, () => {
  const number = fc.oneof(typed, fc.integer({ min: -10, max: 200_000 }).map(String), fc.nat().map(n => ` ${n}\t`));
  fc.assert(
    fc.property(number, fc.integer({ min: 1, max: 1000 }), (value, max) => {
      const timeout = parsed(() => parseTimeout(value));
      if (timeout !== undefined) assert.ok(Number.isInteger(timeout) && timeout >= 100 && timeout <= 120_000, String(timeout));
      const count = parsed(() => parsePositiveInt('--concurrency', value, max));
      if (count !== undefined) assert.ok(Number.isInteger(count) && count >= 1 && count <= max, String(count));
    }),
    { numRuns: RUNS },
  );
});

test(`--resolver and --relay: an address or host name and a port from 1 to 65535, or a UsageError (${RUNS} runs)`, () => {
  const endpoint = fc.oneof(
    typed,
    fc.tuple(fc.oneof(fc.ipV4(), fc.domain()), fc.integer({ min: 0, max: 70_000 })).map(([host, port]) => `${host}:${port}`),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 70_000 })).map(([host, port]) => `[${host}]:${port}`),
  );
  fc.assert(
    fc.property(fc.array(endpoint, { maxLength: 3 }), endpoints => {
      for (const server of parsed(() => parseResolvers(endpoints)) ?? []) {
        assert.ok(net.isIP(server.host), server.host);
        assert.ok(Number.isInteger(server.port) && server.port >= 1 && server.port <= 65535, String(server.port));
      }
      const relay = parsed(() => parseRelay(endpoints.join('')));
      if (!relay) return;
      assert.ok(net.isIP(relay.host) || relay.host.split('.').every(label => label.length <= 63 && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i.test(label)), relay.host);
      assert.ok(relay.port === undefined || (Number.isInteger(relay.port) && relay.port >= 1 && relay.port <= 65535), String(relay.port));
    }),
    { numRuns: RUNS },
  );
});

test(`--from, --rcpt and --helo never carry anything that could break an SMTP command line (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(typed, fc.boolean(), (value, allowEmpty) => {
      const mailbox = parsed(() => parseMailbox('--rcpt', value, allowEmpty));
      if (mailbox !== undefined) {
        if (mailbox === '') assert.ok(allowEmpty);
        else assert.ok(/^[^\s<>@]+@[^\s<>@]+$/.test(mailbox) && !UNSAFE.test(mailbox), JSON.stringify(mailbox));
      }
      const helo = parsed(() => parseHelo(value));
      if (helo !== undefined) assert.ok(/^[A-Za-z0-9.\-:[\]]+$/.test(helo) && helo.length <= 253, JSON.stringify(helo));
    }),
    { numRuns: RUNS },
  );
});

test(`--ip, --dnsbl, --checks: an address, zone names, known check ids, or a UsageError (${RUNS} runs)`, () => {
  const ids = fc.oneof(typed, fc.constantFrom(...checkIds), fc.array(fc.constantFrom(...checkIds, ''), { maxLength: 4 }).map(list => list.join(',')));
  fc.assert(
    fc.property(typed, fc.array(ids, { maxLength: 3 }), (value, lists) => {
      const ip = parsed(() => parseIp('--ip', value));
      if (ip !== undefined) assert.ok(net.isIP(ip));
      for (const zone of parsed(() => parseDnsbl([value])) ?? []) assert.ok(/^[a-z0-9_.-]+$/.test(zone) && !zone.endsWith('.'), zone);
      for (const id of parsed(() => parseIdList('--checks', lists, checkIds)) ?? []) assert.ok(checkIds.includes(id), id);
    }),
    { numRuns: RUNS },
  );
});

test('targets and options found by the properties: control characters are refused and escaped, ports and HELO literals follow the RFCs', () => {
  const messageOf = (parse: () => unknown): string => {
    try {
      parse();
    } catch (err) {
      if (err instanceof UsageError) return err.message;
      throw err;
    }
    return assert.fail('expected a UsageError');
  };
  assert.match(messageOf(() => parseTarget('user@example.com\u009b2J')), /control characters/);
  assert.match(messageOf(() => parseTarget('ex\u202eample.com')), /\\u202e/);
  assert.match(messageOf(() => parseIdList('--checks', ['\u001b[2J'], checkIds)), /"\\u001b\[2J"/);
  assert.equal(parseTarget('example.com\u3002').ascii, 'example.com');
  assert.match(messageOf(() => parseResolvers(['192.0.2.53:0'])), /out of range/);
  assert.match(messageOf(() => parseRelay('smtp.example.com:0')), /out of range/);
  assert.match(messageOf(() => parseRelay('...')), /not a host name/);
  assert.deepEqual(parseRelay('[2001:db8::25]'), { host: '2001:db8::25' });
  assert.equal(parseHelo('[IPv6:2001:db8::1]'), '[IPv6:2001:db8::1]');
  assert.match(messageOf(() => parseHelo('[2001:db8::1]')), /IPv6:/);
  assert.match(messageOf(() => parseHelo('[:::]')), /address literal/);
  assert.deepEqual(parseDnsbl(['zen.spamhaus.org,', ',bl.spamcop.net']), ['zen.spamhaus.org', 'bl.spamcop.net']);
});
