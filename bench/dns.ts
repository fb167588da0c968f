// The DNS client's own cost: CPU per question, asked as an audit asks them
// (distinct names, hundreds in flight, most of them guessed DKIM selectors
// that do not exist), of a simulated resolver in another process so that its
// work is not counted. Prints microseconds of this process's CPU per question.
// BEFORE=/other/checkout/dist/src/net/dns/index.js interleaves that client too.
//   npm run bench:dns                 QUESTIONS=50000 ROUNDS=5 npm run bench:dns
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDnsClient } from '../src/net/dns/index.js';
import type { RrType } from '../src/net/dns/types.js';
import { median } from './measure.js';

const QUESTIONS = Number(process.env['QUESTIONS'] ?? 20_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const SELECTORS = ['default', 'google', 'selector1', 'selector2', 'k1', 'mail', 'dkim', 's1', 's2', 'smtp'];
/** Questions per domain: MX, TXT, DMARC and the selectors. */
const PER_DOMAIN = 3 + SELECTORS.length;
const DOMAINS = Math.ceil(QUESTIONS / PER_DOMAIN);
const RESPONDER = fileURLToPath(new URL('dns-responder.js', import.meta.url));

/** bench/dns-responder.js in a child process: it prints its port, then serves until its stdin closes. */
async function startResolver(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [RESPONDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>(resolve => child.stdout.once('data', d => resolve(Number(String(d).trim()))));
  return { port, stop: () => child.stdin.end() };
}

/** Per domain its MX, TXT and DMARC, then guessed selectors (one exists); each question once, so none is answered from the cache. */
function questions(): [string, RrType][] {
  const asked: [string, RrType][] = [];
  for (let i = 0; i < DOMAINS; i++) {
    const domain = `d${i}.bench.example`;
    asked.push([domain, 'MX'], [domain, 'TXT'], [`_dmarc.${domain}`, 'TXT']);
    for (const selector of SELECTORS) asked.push([`${selector}._domainkey.${domain}`, 'TXT']);
  }
  return asked.slice(0, QUESTIONS);
}

type CreateClient = typeof createDnsClient;
const clients: { label: string; create: CreateClient }[] = [
  ...(process.env['BEFORE'] ? [{ label: 'before', create: ((await import(pathToFileURL(process.env['BEFORE']).href)) as { createDnsClient: CreateClient }).createDnsClient }] : []),
  { label: 'DNS client', create: createDnsClient },
];

/** One round: a new client (an empty cache) asks every question at once; its CPU per question, its rate, and the questions lost. */
async function round(create: CreateClient, port: number): Promise<{ cpu: number; rate: number; lost: number }> {
  const dns = create({ servers: [{ host: '127.0.0.1', port }], timeoutMs: 5_000, retries: 1 });
  const asked = questions();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const answers = await Promise.all(asked.map(([name, type]) => dns.query(name, type)));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / asked.length, rate: asked.length / seconds, lost: answers.filter(a => a.kind === 'timeout' || a.kind === 'error').length };
}

const resolver = await startResolver();
try {
  const results = new Map(clients.map(c => [c.label, [] as Awaited<ReturnType<typeof round>>[]]));
  for (let i = 0; i <= ROUNDS; i++) {
    for (const client of clients) {
      const result = await round(client.create, resolver.port);
      if (i > 0) results.get(client.label)!.push(result); // round 0 warms up the JIT and the sockets
    }
  }
  for (const [label, rounds] of results) {
    const lost = rounds.reduce((sum, r) => sum + r.lost, 0);
    console.log(`${label}: ${median(rounds.map(r => r.cpu)).toFixed(1)} µs CPU per question (user+system, median of ${ROUNDS} rounds of ${QUESTIONS}), ${median(rounds.map(r => r.rate)).toFixed(0)} questions/s${lost ? `, ${lost} lost (retried, then timed out)` : ''}`);
  }
  console.log(`load average ${loadavg().map(l => l.toFixed(1)).join(' ')}`);
} finally {
  resolver.stop();
}
