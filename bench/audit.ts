// The audit benchmark: a synthetic world of N domains spread over K MX hosts
// (a dns2 resolver and K scripted SMTP servers with STARTTLS, in this process),
// audited end to end by the real CLI in a child process:
//   maildiag audit - --format jsonl ...
// It prints domains/second, connections per MX host, peak RSS of the maildiag
// process, and the same targets run one process per target for comparison
// (a sample, extrapolated), and the DNS questions per domain. The first MX
// host greylists every recipient, as a postgrey host does. The MX hosts
// listen on 127.0.5.1-K port 25, as a real MTA would, so the child needs no
// test seams: it must run as root.
//   npm run bench                       N = 1,000 and 10,000, K = 20
//   BENCH_N=2000 BENCH_K=10 npm run bench
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import { startSimDns, type SimZone } from '../src/sim/dns-server.js';
import { startSimSmtp, type SimSmtpServer } from '../src/sim/smtp-server.js';
import { createCa, createCertificate, chainPem } from '../src/sim/tls-certs.js';
import { mailServer } from '../src/sim/world.js';

const BIN = fileURLToPath(new URL('../../bin/maildiag.js', import.meta.url));
const SIZES = (process.env['BENCH_N'] ?? '1000,10000').split(',').map(Number);
const HOSTS = Number(process.env['BENCH_K'] ?? 20);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 128);
const PER_PROCESS_SAMPLE = Number(process.env['BENCH_SAMPLE'] ?? 40);
const hostIp = (k: number) => `127.0.5.${k + 1}`;
const hostName = (k: number) => `mx${k + 1}.hosting.example`;
const domainName = (i: number) => `school${i}.bench.example`;

interface World {
  dnsPort: number;
  /** Questions the resolver has received so far. */
  questions(): number;
  servers: SimSmtpServer[];
  caFile: string;
  close(): Promise<void>;
}

async function startBenchWorld(n: number): Promise<World> {
  const dkim = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const zone: SimZone = { '.': { NS: ['a.root-servers.example'] }, '_spf.hosting.example': { TXT: [[`v=spf1 ip4:127.0.5.0/24 -all`]] } };
  for (let i = 0; i < n; i++) {
    const d = domainName(i);
    zone[d] = { MX: [{ priority: 10, exchange: hostName(i % HOSTS) }], TXT: [['v=spf1 include:_spf.hosting.example -all']] };
    zone[`_dmarc.${d}`] = { TXT: [[`v=DMARC1; p=reject; rua=mailto:dmarc@${d}`]] };
    zone[`default._domainkey.${d}`] = { TXT: [['v=DKIM1; k=rsa; p=', ...(dkim.match(/.{1,255}/g) ?? [])]] };
  }
  const ca = createCa('bench CA');
  const servers: SimSmtpServer[] = [];
  for (let k = 0; k < HOSTS; k++) {
    zone[hostName(k)] = { A: [hostIp(k)] };
    zone[`${k + 1}.5.0.127.in-addr.arpa`] = { PTR: [hostName(k)] };
    const cert = createCertificate({ commonName: hostName(k), altNames: [hostName(k)], issuer: ca });
    const domains = Array.from({ length: n }, (_, i) => i).filter(i => i % HOSTS === k).map(domainName);
    const greylisting = k === 0 ? { recipients: { '*': '450 4.2.0 Recipient address rejected: Greylisted, try again later' } } : {};
    const persona = mailServer(hostName(k), domains, { tls: { key: cert.keyPem, cert: chainPem(cert) }, ...greylisting });
    servers.push(await startSimSmtp(persona, { host: hostIp(k), port: 25 }));
  }
  const dns = await startSimDns(zone);
  const caFile = join(mkdtempSync(join(tmpdir(), 'maildiag-bench-')), 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  return { dnsPort: dns.port, questions: () => dns.log.length, servers, caFile, close: async () => void (await Promise.all([dns.close(), ...servers.map(s => s.close())])) };
}

interface Run {
  seconds: number;
  peakRssMb: number;
  /** CPU seconds (user + system) of the maildiag process, as last sampled: within one sampling interval of its total. */
  cpuSeconds: number;
  stdout: string;
}

/** Linux reports a process's CPU time in clock ticks, 100 per second. */
const CLOCK_TICKS = 100;

/** Run the CLI, feeding `stdin`, sampling the child's peak RSS (VmHWM) until it exits. */
function runCli(args: string[], stdin: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const nodeArgs = process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
        // Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command name, which may hold spaces.
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        cpuTicks = Math.max(cpuTicks, Number(fields[11]) + Number(fields[12]));
      } catch {
        // the child has exited between two samples
      }
    };
    const timer = setInterval(sample, 100);
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('exit', () => sample());
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (code !== 0 && code !== 1) return reject(new Error(`maildiag exited ${code ?? signal}: ${stderr.slice(0, 500)}`));
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024, cpuSeconds: cpuTicks / CLOCK_TICKS, stdout });
    });
    child.stdin.on('error', () => undefined); // a child that died early is reported by its exit status
    child.stdin.end(stdin);
  });
}

const commonArgs = (world: World) => ['--resolver', `127.0.0.1:${world.dnsPort}`, '--allow-private', '--ca-file', world.caFile, '--timeout', '5000', '--format', 'jsonl', ...(process.env['BENCH_ARGS']?.split(' ').filter(Boolean) ?? [])];

async function perProcess(world: World, targets: string[]): Promise<number> {
  const started = performance.now();
  const parallel = 2;
  const queue = [...targets];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) await runCli([t, ...commonArgs(world)], '');
  }));
  return (performance.now() - started) / 1000;
}

async function bench(n: number): Promise<void> {
  const world = await startBenchWorld(n);
  try {
    const targets = Array.from({ length: n }, (_, i) => domainName(i));
    const run = await runCli(['audit', '-', ...commonArgs(world), '--concurrency', String(CONCURRENCY)], targets.join('\n'));
    const questions = world.questions();
    if (process.env['BENCH_OUT']) writeFileSync(process.env['BENCH_OUT'], run.stdout);
    const reports = run.stdout.trim().split('\n').map(line => JSON.parse(line) as { verdict: string; diagnosis: { cause: string }[] });
    const verdicts = Object.entries(reports.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {}));
    const causes = [...new Set(reports.flatMap(r => r.diagnosis.map(d => d.cause)))];
    const connections = world.servers.map(s => s.connections);
    if (process.env['BENCH_DEBUG']) console.log(world.servers[0]!.commands.filter(c => !c.startsWith('RCPT')).join('\n'));
    console.log(`N=${n} domains over K=${HOSTS} MX hosts, --concurrency ${CONCURRENCY}`);
    console.log(`  audit: ${run.seconds.toFixed(1)} s wall, ${(n / run.seconds).toFixed(0)} domains/s, peak RSS ${run.peakRssMb.toFixed(0)} MB, ${reports.length} reports (${verdicts.map(([v, c]) => `${c} ${v}`).join(', ')})`);
    console.log(`  audit CPU: ${run.cpuSeconds.toFixed(1)} s (user + system), ${((run.cpuSeconds * 1000) / n).toFixed(2)} ms per domain; load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`);
    if (causes.length) console.log(`  causes seen: ${causes.join(', ')}`);
    console.log(`  SMTP connections per MX host: min ${Math.min(...connections)}, max ${Math.max(...connections)} (${(connections.reduce((a, b) => a + b, 0) / HOSTS).toFixed(1)} mean) for ${n / HOSTS} domains each; the greylisting host: ${connections[0]}`);
    console.log(`  DNS questions: ${(questions / n).toFixed(1)} per domain (${questions} in all)`);
    const verbs = (verb: string) => world.servers.map(s => s.commands.filter(c => c.toUpperCase().startsWith(verb)).length);
    const range = (counts: number[]) => (Math.min(...counts) === Math.max(...counts) ? `${counts[0]}` : `${Math.min(...counts)}-${Math.max(...counts)}`);
    console.log(`  commands per MX host: EHLO ${range(verbs('EHLO'))}, STARTTLS ${range(verbs('STARTTLS'))}, MAIL ${range(verbs('MAIL'))}, RCPT ${range(verbs('RCPT'))}, RSET ${range(verbs('RSET'))}, DATA ${range(verbs('DATA'))}`);
    const sample = targets.slice(0, Math.min(PER_PROCESS_SAMPLE, n));
    const seconds = await perProcess(world, sample);
    const extrapolated = (seconds / sample.length) * n;
    console.log(`  one process per target (2 at a time, ${sample.length} sampled): ${(sample.length / seconds).toFixed(1)} domains/s, ~${extrapolated.toFixed(0)} s for all ${n} (${(extrapolated / run.seconds).toFixed(1)}x the audit)`);
  } finally {
    await world.close();
  }
}

if (process.getuid?.() !== 0) {
  console.error('bench/audit: needs root (the simulated MX hosts listen on port 25 of 127.0.5.x, as real ones do)');
  process.exitCode = 2;
} else {
  for (const n of SIZES) await bench(n);
}
