// Failures in the words the OS and OpenSSL use, each its own class (OONI
// netxlite's model): refused, reset, timed out, unreachable, a TLS alert.
// A reset is never "timed out" nor "no route".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dialFailure } from '../../src/net/dialer.js';
import { probeMx, type SmtpProbeSettings } from '../../src/net/smtp/index.js';
import { chainPem, createCa, createCertificate } from '../../src/sim/tls-certs.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { mailServer } from '../../src/sim/world.js';
import { allClosed, startSmtpWorld } from '../helpers/smtp-world.js';

const MX = { host: 'mx.example.com', ip: '192.0.2.10', family: 4 as const, preference: 10 };
const ca = createCa();
const certificate = createCertificate({ commonName: 'mx.example.com', altNames: ['mx.example.com'], issuer: ca });
const settings: SmtpProbeSettings = { helo: 'probe.example.net', from: '', caCerts: [ca.certPem], relayTest: true };

async function probeWith(persona: Partial<SmtpPersona>) {
  const world = await startSmtpWorld({}, { '192.0.2.10:25': mailServer('mx.example.com', ['example.com'], persona) });
  const net = world.net();
  const probe = await probeMx(net, MX, settings, 'postmaster@example.com');
  assert.ok(await allClosed(net));
  return probe;
}

test('connect errors keep the class the OS gave them', () => {
  const classes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].map(code => dialFailure(Object.assign(new Error(code), { code }), 75));
  assert.deepEqual(classes, [{ kind: 'refused' }, { kind: 'reset' }, { kind: 'timeout', waitedMs: 75 }, { kind: 'unreachable', code: 'EHOSTUNREACH' }, { kind: 'unreachable', code: 'ENETUNREACH' }]);
});

test('a reset instead of the greeting is a reset, not a close or a timeout', async () => {
  const probe = await probeWith({ hangUp: { on: 'greeting', reset: true } });
  assert.equal(probe.outcome.kind, 'no-greeting');
  assert.equal(probe.outcome.kind === 'no-greeting' && probe.outcome.reason, 'reset');
});

test('a reset instead of the EHLO reply drops the session and says it was a reset', async () => {
  const probe = await probeWith({ hangUp: { on: 'EHLO', reset: true } });
  assert.deepEqual([probe.incomplete?.step, probe.incomplete?.dropped, probe.incomplete?.reset], ['ehlo', true, true]);
});

test('a fatal TLS alert and a reset during the handshake are told apart', async () => {
  const alert = await probeWith({ tls: 'alert' });
  const reset = await probeWith({ tls: 'reset' });
  const reason = (probe: typeof alert) => (probe.starttls?.handshake?.kind === 'failed' ? probe.starttls.handshake.reason : probe.starttls?.handshake?.kind);
  assert.deepEqual(reason(alert), { code: 'alert', alert: 'handshake failure' });
  assert.deepEqual(reason(reset), { code: 'reset' });
});

test('a healthy STARTTLS session still succeeds', async () => {
  const probe = await probeWith({ tls: { key: certificate.keyPem, cert: chainPem(certificate) } });
  assert.equal(probe.starttls?.handshake?.kind, 'ok');
});
