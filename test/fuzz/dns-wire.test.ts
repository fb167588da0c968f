// Property tests of the DNS wire codec: every datagram a server (or anyone
// else) sends is decoded into a packet or rejected, never thrown on; records
// in decoded answers convert to maildiag's types, however the bytes were
// damaged; and what the simulated world encodes reads back the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { decode, EDNS_UDP_SIZE, encodeQuery, encodeResponse, fromRecord, toRecord, type WireAnswer } from '../../src/net/dns/wire.js';
import { describeAnswer, formatRecord, joinTxt, RR_TYPES, type RecordOf, type RrType } from '../../src/net/dns/types.js';

const RUNS = 10_000;

const answer = <T extends RrType>(type: T, record: RecordOf[T], name = 'example.com'): WireAnswer =>
  ({ type, name, ttl: 300, class: 'IN', data: fromRecord(type, record) }) as WireAnswer;

/** A response with one record of every type maildiag reads, to damage byte by byte. */
const SAMPLE = encodeResponse({
  type: 'response',
  id: 4242,
  flags: 0x8180,
  questions: [{ name: 'example.com', type: 'MX', class: 'IN' }],
  answers: [
    answer('MX', { priority: 10, exchange: 'mx.example.com' }),
    answer('TXT', ['v=spf1 ', 'mx -all']),
    answer('A', '192.0.2.10'),
    answer('AAAA', '2001:db8::10'),
    answer('CNAME', 'alias.example.com'),
    answer('PTR', 'mx.example.com'),
    answer('NS', 'ns.example.com'),
    answer('TLSA', { usage: 3, selector: 1, matchingType: 1, data: Buffer.alloc(32, 0xab) }, '_25._tcp.mx.example.com'),
    answer('SOA', { mname: 'ns.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 }),
    answer('SRV', { priority: 0, weight: 1, port: 587, target: 'smtp.example.com' }, '_submission._tcp.example.com'),
  ],
});

test(`decode: random bytes give a packet or undefined, never an exception (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), bytes => {
      const packet = decode(Buffer.from(bytes));
      assert.ok(packet === undefined || typeof packet === 'object');
    }),
    { numRuns: RUNS },
  );
});

test(`decode: a damaged answer still yields typed records or nothing (${RUNS} runs)`, () => {
  const damage = fc.array(fc.tuple(fc.nat(SAMPLE.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
  const cutAt = fc.option(fc.nat(SAMPLE.length), { nil: undefined });
  fc.assert(
    fc.property(damage, cutAt, (changes, end) => {
      const bytes = Buffer.from(SAMPLE.subarray(0, end));
      for (const [offset, value] of changes) if (offset < bytes.length) bytes[offset] = value;
      const packet = decode(bytes);
      for (const a of packet?.answers ?? []) {
        if (!(RR_TYPES as readonly string[]).includes(a.type)) continue;
        const type = a.type as RrType;
        const record = toRecord(type, (a as { data?: unknown }).data);
        assertShape(type, record);
        assert.equal(typeof formatRecord(type, record), 'string');
        assert.equal(typeof describeAnswer(a.name, type, { kind: 'records', records: [record], server: '192.0.2.53:53', aliases: [], ad: false, aa: false }), 'string');
      }
    }),
    { numRuns: RUNS },
  );
});

function assertShape(type: RrType, record: RecordOf[RrType]): void {
  switch (type) {
    case 'MX': {
      const mx = record as RecordOf['MX'];
      assert.ok(Number.isInteger(mx.priority) && typeof mx.exchange === 'string');
      return;
    }
    case 'TXT':
      assert.ok(Array.isArray(record) && record.every(chunk => typeof chunk === 'string'));
      return;
    case 'TLSA':
      assert.ok(Buffer.isBuffer((record as RecordOf['TLSA']).data));
      return;
    case 'SOA':
      assert.equal(typeof (record as RecordOf['SOA']).mname, 'string');
      return;
    case 'SRV':
      assert.equal(typeof (record as RecordOf['SRV']).target, 'string');
      return;
    default:
      assert.equal(typeof record, 'string');
  }
}

test(`TXT: character-strings read back as published, and join into the record (${RUNS} runs)`, () => {
  // One character-string holds at most 255 bytes (RFC 1035 §3.3.14): 60 characters of up to 4 bytes in UTF-8.
  const character = fc.oneof(fc.integer({ min: 0, max: 0x7f }).map(c => String.fromCharCode(c)), fc.constantFrom('é', '\u00ff', '€', '\u2028', '𝄞', '😀'));
  const chunk = fc.string({ unit: character, maxLength: 60 });
  fc.assert(
    fc.property(fc.array(fc.array(chunk, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), records => {
      const wire = encodeResponse({ type: 'response', id: 1, flags: 0x8180, questions: [{ name: 'example.com', type: 'TXT', class: 'IN' }], answers: records.map(r => answer('TXT', r)) });
      const read = decode(wire)!.answers!.map(a => toRecord('TXT', (a as { data?: unknown }).data));
      assert.deepEqual(read, records);
      assert.deepEqual(read.map(joinTxt), records.map(r => r.join('')));
    }),
    { numRuns: RUNS },
  );
});

test(`queries: the question maildiag asks is the one on the wire (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), fc.domain(), fc.constantFrom(...RR_TYPES), fc.boolean(), fc.boolean(), fc.boolean(), (id, name, type, recursive, checkingDisabled, dnssecOk) => {
      const packet = decode(encodeQuery(id, name, type, { recursive, checkingDisabled, dnssecOk }))!;
      assert.equal(packet.id, id);
      assert.deepEqual([packet.flag_rd, packet.flag_cd, (packet.additionals?.[0] as { flag_do?: boolean }).flag_do], [recursive, checkingDisabled, dnssecOk]);
      assert.deepEqual(packet.questions, [{ name, type, class: 'IN' }]);
    }),
    { numRuns: RUNS },
  );
});

test(`queries: encodeQuery writes the bytes dns-packet's encoder gives, for any name (${RUNS} runs)`, () => {
  const anyName = fc.oneof(fc.domain(), fc.domain().map(d => `${d}.`), fc.string({ maxLength: 80 }), fc.constantFrom('.', '', 'a..b', '.lead', 'ünï.example'));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), anyName, fc.constantFrom(...RR_TYPES), fc.boolean(), fc.boolean(), fc.boolean(), (id, name, type, recursive, checkingDisabled, dnssecOk) => {
      const expected = dnsPacket.encode({
        type: 'query',
        id,
        flags: (recursive ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.AUTHENTIC_DATA | (checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0),
        questions: [{ type, name, class: 'IN' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0, flag_do: dnssecOk, options: [] }],
      });
      assert.deepEqual(encodeQuery(id, name, type, { recursive, checkingDisabled, dnssecOk }), expected);
    }),
    { numRuns: RUNS },
  );
});
