// An audit of N generated domains over the lab's real Postfix listeners as
// shared MX hosts, one of them greylisting every recipient (postgrey): wall
// time, SMTP sessions per host and DNS questions per domain. The generated
// names are served by a simulated resolver in this process (the lab's BIND
// knows only its scenarios); each MX address is a counting TCP relay on
// 127.0.6.k:25 to a lab listener, so sessions are counted exactly even while
// others use the lab. Postfix accepts recipients in any *.test domain.
//   npm run bench:lab-shared                       N=1000 (root: binds port 25)
//   BEFORE=/other/checkout/bin/maildiag.js ROUNDS=3 npm run bench:lab-shared
// With BEFORE, both builds run alternately ROUNDS times each; medians and the ratio are printed.
// PROFILE=/tmp/prof writes a V8 CPU profile of each audit there (node --cpu-prof).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startSimDns, type SimDnsServer, type SimZone } from '../src/sim/dns-server.js';
import { BIN, findLab, refillFlowTokens, type Lab } from './lab.js';
import { median } from './measure.js';

const N = Number(process.env['BENCH_N'] ?? 1000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 1);
/** Lab scenarios whose MX listener serves as a shared host; grey.test's greylists every recipient. */
const HOST_SCENARIOS = ['good.test', 'grey.test', 'noptr.test', 'mismatch.test', 'genericptr.test', 'notls.test', 'badcert.test', 'expiredcert.test', 'certname.test', 'smallsize.test'];
const relayIp = (k: number) => `127.0.6.${k + 1}`;
const hostName = (k: number) => `mx${k + 1}.shared.test`;
const domainName = (i: number) => `d${i}.shared.test`;

interface Relay {
  name: string;
  sessions: number;
  server: net.Server;
}

/** A TCP relay that counts the connections it forwards. */
async function startRelay(name: string, listenIp: string, target: string): Promise<Relay> {
  const relay: Relay = { name, sessions: 0, server: net.createServer() };
  relay.server.on('connection', client => {
    relay.sessions++;
    const upstream = net.connect({ host: target, port: 25, noDelay: true });
    client.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>(resolve => relay.server.listen(25, listenIp, resolve));
  return relay;
}

function zoneFor(hosts: number): SimZone {
  const zone: SimZone = { '.': { NS: ['a.root-servers.example'] } };
  for (let k = 0; k < hosts; k++) zone[hostName(k)] = { A: [relayIp(k)] };
  for (let i = 0; i < N; i++) {
    const d = domainName(i);
    zone[d] = { MX: [{ priority: 10, exchange: hostName(i % hosts) }], TXT: [['v=spf1 mx -all']] };
    zone[`_dmarc.${d}`] = { TXT: [[`v=DMARC1; p=reject; rua=mailto:dmarc@${d}`]] };
    // Half the domains publish a DKIM key at a common selector, half have no _domainkey subtree at all.
    if (i % 2 === 0) zone[`default._domainkey.${d}`] = { TXT: [['v=DKIM1; k=rsa; p=']] };
  }
  return zone;
}

function audit(bin: string, dns: SimDnsServer, caFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = ['audit', '-', '--resolver', `127.0.0.1:${dns.port}`, '--allow-private', '--ca-file', caFile, '--format', 'jsonl'];
    const profile = process.env['PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['PROFILE']}`] : [];
    const child = spawn(process.execPath, [...profile, bin, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', d => (stderr += d));
    child.on('close', code => (code === 0 || code === 1 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${bin} exited ${code}: ${stderr.slice(0, 300)}`))));
    child.stdin.end(Array.from({ length: N }, (_, i) => domainName(i)).join('\n'));
  });
}

async function measure(lab: Lab, label: string, bin: string, relays: Relay[], dns: SimDnsServer, caFile: string): Promise<{ seconds: number; line: string }> {
  const unfilled = refillFlowTokens(lab);
  if (unfilled) console.warn(`  (Postfix's flow tokens not refilled: ${unfilled})`);
  for (const r of relays) r.sessions = 0;
  const asked = dns.log.length;
  const seconds = await audit(bin, dns, caFile);
  const sessions = relays.map(r => `${r.name} ${r.sessions}`).join(', ');
  const questions = (dns.log.length - asked) / N;
  return { seconds, line: `${label}: ${seconds.toFixed(1)} s, ${(N / seconds).toFixed(0)} domains/s, ${questions.toFixed(1)} DNS questions per domain, sessions per MX host: ${sessions}` };
}

if (process.getuid?.() !== 0) {
  console.error('bench/lab-shared: needs root (the relays listen on port 25 of 127.0.6.x)');
  process.exitCode = 2;
} else {
  const lab = findLab();
  const hosts = HOST_SCENARIOS.map(domain => ({ domain, ip: (lab.scenarios.find(s => s.domain === domain) as { mx?: { ip: string }[] } | undefined)?.mx?.[0]?.ip }));
  const relays = await Promise.all(hosts.map(({ domain, ip }, k) => {
    if (!ip) throw new Error(`scenario ${domain} has no MX address in scenarios.json`);
    return startRelay(domain.replace('.test', ''), relayIp(k), ip);
  }));
  const dns = await startSimDns(zoneFor(hosts.length));
  const caFile = join(lab.dir, lab.lab.ca_file);
  const builds = [...(process.env['BEFORE'] ? [{ label: 'before', bin: process.env['BEFORE'] }] : []), { label: 'after', bin: BIN }];
  const times = new Map<string, number[]>(builds.map(b => [b.label, []]));
  try {
    console.log(`N=${N} generated domains over ${hosts.length} lab MX listeners (${hosts.map(h => h.domain).join(', ')})`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const build of builds) {
        const { seconds, line } = await measure(lab, build.label, build.bin, relays, dns, caFile);
        times.get(build.label)!.push(seconds);
        console.log(`  ${line}`);
      }
    }
    const medians = builds.map(b => `${b.label} ${median(times.get(b.label)!).toFixed(1)} s`).join(', ');
    const ratio = builds.length === 2 ? `, after/before ${(median(times.get('after')!) / median(times.get('before')!)).toFixed(2)}` : '';
    console.log(`medians over ${ROUNDS} round(s): ${medians}${ratio}; load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`);
  } finally {
    await dns.close();
    await Promise.all(relays.map(r => new Promise(resolve => r.server.close(resolve))));
  }
}
