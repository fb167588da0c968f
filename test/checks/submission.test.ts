// The submission check on simulated worlds: where it looks (--relay, SRV,
// smtp./mail. names), what it reports about each port, and when it says the
// submission service is unreachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCa, createCertificate } from '../../src/sim/tls-certs.js';
import { causesOf, checkOf } from '../helpers/diagnosis.js';
import { healthyServer, mxZone, startSmtpWorld } from '../helpers/smtp-world.js';

const ONLY = ['submission'];
const ca = createCa();
const cert = createCertificate({ commonName: 'smtp.example.com', altNames: ['smtp.example.com'], issuer: ca });
const submissionServer = healthyServer('smtp.example.com', { tls: { key: cert.keyPem, cert: cert.certPem }, replies: {} });

interface PortData {
  port: number;
  outcome: string;
  starttls?: boolean;
  authAfterTls?: string[];
}
const hostsOf = (report: Awaited<ReturnType<Awaited<ReturnType<typeof startSmtpWorld>>['diagnose']>>) =>
  checkOf(report, 'submission').data['hosts'] as { host: string; source: string; ports: PortData[] }[];

test('smtp.<domain> answering on 587 and 2525: reported as working, no finding', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'smtp.example.com': { A: ['192.0.2.20'] } }), {
    '192.0.2.20:587': { ...submissionServer, extensions: ['PIPELINING', 'AUTH PLAIN LOGIN'] },
    '192.0.2.20:2525': submissionServer,
  });
  const report = await world.diagnose('example.com', ONLY, { caCerts: [ca.certPem] });
  assert.deepEqual(causesOf(report, 'submission'), []);
  const [host] = hostsOf(report);
  assert.deepEqual([host!.host, host!.source], ['smtp.example.com', 'guess']);
  assert.deepEqual(host!.ports.map(p => [p.port, p.outcome]), [[587, 'greeted'], [2525, 'greeted'], [465, 'connection refused']]);
  assert.equal(host!.ports[0]!.starttls, true);
  assert.deepEqual(host!.ports[0]!.authAfterTls, ['PLAIN', 'LOGIN']);
});

test('a guessed host that refuses the submission ports is simply not a submission host', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'mail.example.com': { A: ['192.0.2.21'] } }), {});
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'submission'), []);
  assert.equal(hostsOf(report)[0]!.host, 'mail.example.com');
});

test('a guessed host whose submission ports all time out: only a note', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'smtp.example.com': { A: ['192.0.2.20'] } }), {
    '192.0.2.20:587': 'timeout',
    '192.0.2.20:2525': 'timeout',
    '192.0.2.20:465': 'timeout',
  }, 300);
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'submission'), ['submission.unreachable:info']);
  const { messageId, data } = checkOf(report, 'submission').findings[0]!;
  assert.equal(messageId, 'guessSilent');
  assert.deepEqual(data!['ports'], [587, 2525, 465].map(port => ({ port, failure: { kind: 'timeout', timeoutMs: 300 } })));
});

test('the relay named with --relay answers on none of its ports: submission.unreachable', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'relay.example.net': { A: ['192.0.2.30'] } }), {});
  const report = await world.diagnose('example.com', ONLY, { relay: { host: 'relay.example.net' } });
  assert.deepEqual(causesOf(report, 'submission'), ['submission.unreachable:warning']);
  assert.deepEqual(hostsOf(report)[0]!.ports.map(p => p.port), [587, 2525, 465]);
  const { messageId, data } = checkOf(report, 'submission').findings[0]!;
  assert.deepEqual([messageId, data!['host'], data!['ip'], data!['source']], ['relaySilent', 'relay.example.net', '192.0.2.30', 'relay']);
  assert.deepEqual((data!['ports'] as { failure: unknown }[]).map(p => p.failure), [{ kind: 'refused' }, { kind: 'refused' }, { kind: 'refused' }]);
});

test('--relay with a port probes that port only', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'relay.example.net': { A: ['192.0.2.30'] } }), { '192.0.2.30:2525': submissionServer });
  const report = await world.diagnose('example.com', ONLY, { relay: { host: 'relay.example.net', port: 2525 }, caCerts: [ca.certPem] });
  assert.deepEqual(causesOf(report, 'submission'), []);
  assert.deepEqual(hostsOf(report)[0]!.ports.map(p => [p.port, p.outcome]), [[2525, 'greeted']]);
});

test('a relay name that does not resolve: submission.unreachable', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}), {});
  const report = await world.diagnose('example.com', ONLY, { relay: { host: 'nowhere.example.net' } });
  assert.deepEqual(causesOf(report, 'submission'), ['submission.unreachable:warning']);
  assert.deepEqual(checkOf(report, 'submission').findings[0]!.messageId, 'relayUnresolved');
});

test('SRV records (RFC 6186) name the host and port', async () => {
  const world = await startSmtpWorld(
    mxZone('example.com', {}, {
      '_submission._tcp.example.com': { SRV: [{ priority: 0, weight: 1, port: 587, target: 'submit.example.net' }] },
      'submit.example.net': { A: ['192.0.2.40'] },
      'smtp.example.com': { A: ['192.0.2.20'] },
    }),
    { '192.0.2.40:587': submissionServer },
  );
  const report = await world.diagnose('example.com', ONLY, { caCerts: [ca.certPem] });
  assert.deepEqual(causesOf(report, 'submission'), []);
  assert.deepEqual(hostsOf(report).map(h => [h.host, h.source, h.ports.map(p => p.port)]), [['submit.example.net', 'srv', [587]]]);
});

test('no submission host anywhere: nothing probed, and the data says why', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}), {});
  const report = await world.diagnose('example.com', ONLY);
  assert.deepEqual(causesOf(report, 'submission'), []);
  assert.match(String(checkOf(report, 'submission').data['reason']), /no submission host/);
  assert.equal(checkOf(report, 'submission').status, 'info', 'nothing was tested: not a pass');
  // A guessed name whose A lookup is NXDOMAIN has no AAAA either (RFC 8020): one question per name.
  assert.deepEqual(world.dns.log.filter(q => /^(smtp|mail)\.example\.com /.test(q)).sort(), ['mail.example.com A', 'smtp.example.com A']);
});

test('--no-smtp: no session on the submission ports either', async () => {
  const world = await startSmtpWorld(mxZone('example.com', {}, { 'smtp.example.com': { A: ['192.0.2.20'] } }), { '192.0.2.20:587': submissionServer });
  const report = await world.diagnose('example.com', ONLY, { smtp: false });
  assert.equal(world.servers.get('192.0.2.20:587')!.connections, 0);
  assert.equal(checkOf(report, 'submission').data['sessions'], 'off');
});
