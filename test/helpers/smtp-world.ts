// A simulated mail world for SMTP tests: the sim DNS, scripted SMTP personas
// behind documentation addresses ("192.0.2.10:25"), and connect outcomes that
// loopback cannot produce (a dropped SYN, no IPv6 route) faked in the dialer.
// Every endpoint not listed refuses, so nothing ever leaves 127.0.0.1.
import { after } from 'node:test';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import type { Net } from '../../src/net/context.js';
import { endpointKey, type DialResult, type Dialer } from '../../src/net/dialer.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import type { SimDnsServer, SimZone } from '../../src/sim/dns-server.js';
import type { SimHttpsOptions } from '../../src/sim/https-server.js';
import type { SimSmtpServer, SmtpPersona } from '../../src/sim/smtp-server.js';
import { startWorld, type World } from '../../src/sim/world.js';

/** What answers at an endpoint: a persona, or a connect outcome. */
export type Endpoint = SmtpPersona | 'refused' | 'timeout' | { unreachable: string };

export interface SmtpWorld {
  dns: SimDnsServer;
  /** The persona servers by endpoint ("192.0.2.10:25"). */
  servers: Map<string, SimSmtpServer>;
  timeoutMs: number;
  /** A fresh network for one run (its own memo of probes); an audit's lingering sessions with `sessionLingerMs`. */
  net(options?: { sessionLingerMs?: number }): Net;
  diagnose(target: string, only: string[], options?: Partial<RunOptions>, net?: Net): Promise<Report>;
}

const worlds: World[] = [];
after(() => Promise.all(worlds.map(w => w.close())));

type Faked = 'timeout' | { unreachable: string };
const isFaked = (behaviour: Endpoint): behaviour is Faked => behaviour === 'timeout' || (typeof behaviour === 'object' && 'unreachable' in behaviour);

/** The sim world of src/sim (a refused port for every endpoint it does not list), with faked connect outcomes on top; `https`: MTA-STS policy hosts by endpoint. */
export async function startSmtpWorld(zone: SimZone, endpoints: Record<string, Endpoint>, timeoutMs = 1000, https: Record<string, SimHttpsOptions> = {}): Promise<SmtpWorld> {
  const entries = Object.entries(endpoints);
  const personas = Object.fromEntries(entries.filter((e): e is [string, SmtpPersona] => e[1] !== 'refused' && !isFaked(e[1])));
  const faked = new Map(entries.filter((e): e is [string, Faked] => isFaked(e[1])));
  const world = await startWorld({ zone, smtp: personas, https });
  worlds.push(world);

  const net = (options: { sessionLingerMs?: number } = {}): Net => {
    const real = world.net(timeoutMs, options);
    const dialer = real.dialer;
    // The net's own getters (sessionLingerMs) and finish() stay live: only the dialer is replaced.
    real.dialer = {
      open: dialer.open,
      exclusive: dialer.exclusive,
      contended: dialer.contended,
      async connect(ip, port, options): Promise<DialResult> {
        const fake = faked.get(endpointKey(ip, port));
        if (fake === 'timeout') return new Promise(resolve => setTimeout(() => resolve({ kind: 'timeout', waitedMs: options.timeoutMs }), options.timeoutMs));
        if (fake) return { kind: 'unreachable', code: fake.unreachable };
        return dialer.connect(ip, port, options);
      },
    } satisfies Dialer;
    return real;
  };

  return {
    dns: world.dns,
    servers: world.smtp,
    timeoutMs,
    net,
    diagnose: (target, only, options = {}, runNet = net()) =>
      diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true, helo: 'probe.example.net', ...options }), runNet, { only }),
  };
}

/** A domain with these MX hosts (name → addresses), preference 10, 20, ... in order. */
export function mxZone(domain: string, hosts: Record<string, string[]>, extra: SimZone = {}): SimZone {
  const names = Object.keys(hosts);
  const zone: SimZone = { [domain]: { MX: names.map((exchange, i) => ({ priority: 10 * (i + 1), exchange })) } };
  for (const [name, ips] of Object.entries(hosts)) {
    const a = ips.filter(ip => !ip.includes(':'));
    const aaaa = ips.filter(ip => ip.includes(':'));
    zone[name] = { ...(a.length ? { A: a } : {}), ...(aaaa.length ? { AAAA: aaaa } : {}) };
  }
  return { ...zone, ...extra };
}

/** An ordinary, healthy server: greets, offers the usual extensions, accepts the probe recipient, denies relaying (unless `recipients` says otherwise). */
export function healthyServer(name = 'mx.example.com', overrides: Partial<SmtpPersona> = {}): SmtpPersona {
  return {
    greeting: [`220 ${name} ESMTP`],
    ...overrides,
    recipients: { '@maildiag-probe.invalid': '554 5.7.1 Relay access denied', ...overrides.recipients },
  };
}

/** Poll until the dialer has no open sockets (QUIT finishes after the probe results are in). */
export async function allClosed(net: Net, withinMs = 2000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (net.dialer.open.size && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 10));
  return net.dialer.open.size === 0;
}
