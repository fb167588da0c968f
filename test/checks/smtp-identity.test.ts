// smtp.banner-mismatch: the names a server announces against its MX host name
// and reverse DNS. Probes are built by hand for the table of cases; one run
// goes through a real port-25 session with an in-process server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import smtpIdentity from '../../src/checks/smtp-identity.js';
import { parseEhlo, type SmtpProbe } from '../../src/net/smtp/index.js';
import { testNet } from '../helpers/net.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions } from '../../src/pipeline/options.js';
import type { PtrNames } from '../../src/pipeline/facts.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';

const sims: SimDnsServer[] = [];
const smtpServers: net.Server[] = [];
after(async () => {
  smtpServers.forEach(s => s.close());
  await Promise.all(sims.map(s => s.close()));
});

function probe(host: string, ip: string, greetingName: string | undefined, ehloName: string | undefined): SmtpProbe {
  const greeting = { code: 220, lines: [`${greetingName ?? ''} ESMTP`.trim()] };
  const ehloReply = { code: 250, lines: [ehloName ?? 'Hello', 'PIPELINING'] };
  return {
    host, ip, port: 25, family: 4, preference: 10,
    outcome: { kind: 'greeted', connectMs: 1, greetingMs: 1 },
    greeting, ...(greetingName ? { greetingName } : {}),
    ehlo: { command: 'EHLO', reply: ehloReply, extensions: parseEhlo(ehloReply) }, ...(ehloName ? { ehloName } : {}),
    transcript: [],
  };
}

async function judge(probes: SmtpProbe[], ptrNames: PtrNames[]) {
  const output = await smtpIdentity.run({ smtp25: probes, ptrNames }, {
    target: parseTarget('example.com'),
    options: defaultRunOptions(),
    net: testNet(100),
    signal: new AbortController().signal,
  });
  return output.findings;
}

const IP = '192.0.2.10';
const confirmed = (...names: string[]): PtrNames[] => [{ ip: IP, names, forwardConfirmed: true }];
const unconfirmed = (...names: string[]): PtrNames[] => [{ ip: IP, names, forwardConfirmed: false }];

const CASES: [what: string, probe: SmtpProbe, ptr: PtrNames[], mismatch: boolean | string[]][] = [
  ['MX name = PTR name = banner', probe('mx.example.com', IP, 'mx.example.com', 'mx.example.com'), confirmed('mx.example.com'), false],
  ['banner is the confirmed PTR name, not the MX name', probe('mx.example.com', IP, 'mail.example.net', 'mail.example.net'), confirmed('mail.example.net'), false],
  ['case and trailing dot do not matter', probe('mx.example.com', IP, 'MX.Example.COM.', 'mx.example.com'), confirmed('mx.example.com'), false],
  ['banner is the MX name, but the confirmed PTR is another name', probe('mx.example.com', IP, 'mx.example.com', 'mx.example.com'), confirmed('192-0-2-10.pool.isp.example'), true],
  ['no confirmed PTR: the MX name will do', probe('mx.example.com', IP, 'mx.example.com', 'mx.example.com'), unconfirmed('mail.isp.example'), false],
  ['no confirmed PTR: the PTR name will do', probe('mx.example.com', IP, 'mail.isp.example', 'mail.isp.example'), unconfirmed('mail.isp.example'), false],
  ['no PTR: the MX name will do', probe('mx.example.com', IP, 'mx.example.com', 'mx.example.com'), [], false],
  ['neither the MX name nor the PTR name', probe('mx.example.com', IP, 'smtp.example.com', 'smtp.example.com'), unconfirmed('mail.isp.example'), true],
  ['only the EHLO name differs', probe('mx.example.com', IP, 'mx.example.com', 'mail.example.net'), confirmed('mx.example.com'), true],
  // Its own host name unset: when it sends, it says EHLO localhost too, which receivers refuse (a warning); an address literal names no host (a note).
  ['greets as localhost', probe('mx.example.com', IP, 'localhost', 'localhost'), confirmed('mx.example.com'), ['smtp.banner-mismatch:warning:localhostName']],
  ['only the EHLO name is localhost.localdomain', probe('mx.example.com', IP, 'mx.example.com', 'localhost.localdomain'), confirmed('mx.example.com'), ['smtp.banner-mismatch:warning:localhostName']],
  ['greets with its address literal', probe('mx.example.com', IP, `[${IP}]`, `[${IP}]`), confirmed('mx.example.com'), ['smtp.banner-mismatch:info:addressLiteral']],
  ['a masked banner and a bare EHLO name nobody', probe('mx.example.com', IP, '*****', 'Hello'), confirmed('mail.isp.example'), false],
  ['an IP target without PTR has nothing to compare with', probe(IP, IP, 'mail.example.com', 'mail.example.com'), [], false],
];

for (const [what, p, ptr, mismatch] of CASES) {
  test(`${mismatch === false ? 'fine' : 'mismatch'}: ${what}`, async () => {
    const findings = await judge([p], ptr);
    if (Array.isArray(mismatch)) assert.deepEqual(findings.map(f => `${f.cause}:${f.severity}:${f.messageId}`), mismatch);
    else assert.deepEqual(findings.map(f => `${f.cause}:${f.severity}`), mismatch ? ['smtp.banner-mismatch:info'] : []);
  });
}

test('the finding names what was announced where, and the names expected', async () => {
  const [f] = await judge([probe('mx.example.com', IP, 'smtp.example.com', 'mx.example.com')], unconfirmed('mail.isp.example'));
  assert.deepEqual(f!.subjects, ['mx.example.com', IP]);
  assert.equal(f!.messageId, 'mxHostNotExpected');
  assert.deepEqual(f!.data, {
    host: 'mx.example.com',
    ip: IP,
    announced: { greeting: 'smtp.example.com', ehlo: 'mx.example.com' },
    expected: ['mx.example.com', 'mail.isp.example'],
    announcedAs: [{ name: 'smtp.example.com', in: ['greeting'] }],
  });
  assert.ok(f!.evidence.includes('10.2.0.192.in-addr.arpa PTR mail.isp.example'));
});

/** Greets as `name`, answers EHLO with it, 250 to everything else, 221 to QUIT. */
async function startSmtp(name: string): Promise<number> {
  const server = net.createServer(socket => {
    socket.on('error', () => undefined);
    socket.write(`220 ${name} ESMTP\r\n`);
    let buffered = '';
    socket.on('data', chunk => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const command = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (command.startsWith('EHLO')) socket.write(`250-${name}\r\n250 PIPELINING\r\n`);
        else if (command.startsWith('QUIT')) socket.end('221 Bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  smtpServers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('through a real session: a banner that matches neither the MX nor the PTR name', async () => {
  const dns = await startSimDns({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: [IP] },
    '10.2.0.192.in-addr.arpa': { PTR: ['mail.isp.example'] },
    'mail.isp.example': { A: ['198.51.100.3'] },
  });
  sims.push(dns);
  const port = await startSmtp('smtp.example.com');
  const report = await diagnoseWorld('example.com', { dns, ports: { [`${IP}:25`]: port }, only: ['smtp-identity'], options: { relayTest: false } });
  assert.deepEqual(causesOf(report, 'smtp-identity'), ['smtp.banner-mismatch:info']);
  assert.deepEqual(checkOf(report, 'smtp-identity').data['servers'], [
    { host: 'mx.example.com', ip: IP, announced: { greeting: 'smtp.example.com', ehlo: 'smtp.example.com' }, expected: ['mx.example.com', 'mail.isp.example'], mismatched: ['smtp.example.com'] },
  ]);
});
