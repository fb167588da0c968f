// Property tests of what check-message reads from a received message: the
// header block, Received fields and Authentication-Results. Whatever a file
// holds, reading it gives fields, a hop or nothing, never an exception, and a
// sending address is always an IP address taken from the field itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { readHeader } from '../../src/auth/message.js';
import { parseReceived, sendingHop } from '../../src/auth/received.js';
import { parseAuthenticationResults } from '../../src/auth/authentication-results.js';
import { formatProblems } from '../../src/senders/observe.js';

const RUNS = 5_000;

const RECEIVED_FRAGMENTS = [
  'from ', 'by ', 'with ', 'ESMTPS', 'ESMTP', 'esmtps', 'SMTPS', 'Microsoft SMTP Server', 'mail.example.com', 'mx.google.com', '.prod.outlook.com',
  '(', ')', '[', ']', '[203.0.113.5]', '(203.0.113.5)', '[IPv6:2001:db8::5]', '(2603:10b6::1)', '[127.0.0.1]', 'helo=', 'version=TLS1_3', 'using TLSv1.3',
  '(TLS1.3)', ';', ' ', '\t', '\r\n ', '\u0000', '\u00ff',
];
const AR_FRAGMENTS = ['mx.google.com', 'i=1', ';', ' ', '=', 'spf=pass', 'dkim=fail', 'dmarc=none', 'smtp.mailfrom=a@b', 'header.d=x', '(', ')', '((', '))', '"', '/1'];
const HEADER_FRAGMENTS = ['From: a@example.com', 'From:', 'Date: x', 'Message-ID: <a@b>', 'Subject: s', 'Received: from a (a [192.0.2.1]) by b', '\r\n', '\n', '\r\n\r\n', ' folded', '\t', ':', 'From ', '\u0000'];

const textOf = (fragments: string[], maxLength: number) =>
  fc.oneof(
    fc.array(fc.nat(0xffff), { maxLength: 200 }).map(units => String.fromCharCode(...units)),
    fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength }).map(parts => parts.join('')),
  );

test(`Received fields: a hop with an IP address from the field, or none, for any text (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.array(textOf(RECEIVED_FRAGMENTS, 16), { maxLength: 5 }), fc.boolean(), (fields, allowPrivate) => {
      for (const [i, field] of fields.entries()) {
        const hop = parseReceived(field, i + 1);
        assert.ok(['tls', 'plain', 'unknown'].includes(hop.tls));
        if (hop.ip) assert.ok(isIP(hop.ip) && field.includes(hop.ip), hop.ip);
      }
      const hop = sendingHop(fields, allowPrivate);
      if (hop) assert.ok(isIP(hop.ip ?? '') && fields[hop.position - 1] === hop.field);
    }),
    { numRuns: RUNS },
  );
});

test(`Authentication-Results: an authserv-id and results, or nothing, for any text (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(textOf(AR_FRAGMENTS, 16), fc.boolean(), (value, arc) => {
      const reported = parseAuthenticationResults(value, arc);
      if (!reported) return;
      assert.ok(reported.authservId.length > 0);
      for (const r of reported.results) assert.match(`${r.method}=${r.result}`, /^[a-z0-9_-]+=[a-z0-9_-]+$/);
    }),
    { numRuns: RUNS },
  );
});

test(`a header block and its format problems for any bytes (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(textOf(HEADER_FRAGMENTS, 20), text => {
      const header = readHeader(Buffer.from(text, 'latin1'));
      for (const field of header.fields) assert.ok(field.name.length > 0 && !field.name.includes(':'));
      const problems = formatProblems(header, { fromAddresses: [], dkim: [] });
      assert.ok(Array.isArray(problems));
    }),
    { numRuns: RUNS },
  );
});
