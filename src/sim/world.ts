// A simulated mail world: the sim DNS resolver, scripted SMTP servers and
// MTA-STS policy servers behind documentation addresses ("192.0.2.10:25",
// "203.0.113.10:443"), and a network that reaches them
// through the dialer's address map. Every endpoint not listed refuses, so a
// world never sends a packet beyond 127.0.0.1. `maildiag demo` and the
// benchmark run in one.
import { createNet, type Net } from '../net/context.js';
import type { DnsServer } from '../net/dns/types.js';
import { startSimDns, type SimDnsServer, type SimZone } from './dns-server.js';
import { startSimHttps, type SimHttpsOptions, type SimHttpsServer } from './https-server.js';
import { closedPort, startSimSmtp, type SimSmtpServer, type SmtpPersona } from './smtp-server.js';

export interface WorldSpec {
  zone: SimZone;
  /** SMTP personas by endpoint, "192.0.2.10:25". */
  smtp: Record<string, SmtpPersona>;
  /** HTTPS servers (MTA-STS policy hosts) by endpoint, "203.0.113.10:443". */
  https?: Record<string, SimHttpsOptions>;
}

export interface World {
  dns: SimDnsServer;
  smtp: Map<string, SimSmtpServer>;
  https: Map<string, SimHttpsServer>;
  /** A network for one run: its own caches, the world's addresses, and its resolver unless `resolvers` replaces it. */
  net(timeoutMs: number, options?: { resolvers?: DnsServer[]; sessionLingerMs?: number }): Net;
  close(): Promise<void>;
}

export async function startWorld(spec: WorldSpec): Promise<World> {
  const dns = await startSimDns(spec.zone);
  const smtp = new Map<string, SimSmtpServer>();
  const addressMap = new Map<string, { host: string; port: number }>();
  for (const [endpoint, persona] of Object.entries(spec.smtp)) {
    const server = await startSimSmtp(persona);
    smtp.set(endpoint, server);
    addressMap.set(endpoint, { host: '127.0.0.1', port: server.port });
  }
  const https = new Map<string, SimHttpsServer>();
  for (const [endpoint, options] of Object.entries(spec.https ?? {})) {
    const server = await startSimHttps(options);
    https.set(endpoint, server);
    addressMap.set(endpoint, { host: '127.0.0.1', port: server.port });
  }
  const refusing = await closedPort();
  // Endpoints the world does not list answer like a host with nothing listening.
  const dial = { get: (endpoint: string) => addressMap.get(endpoint) ?? { host: '127.0.0.1', port: refusing } };
  return {
    dns,
    smtp,
    https,
    net: (timeoutMs, { resolvers = [dns.server], sessionLingerMs } = {}) => createNet({ resolvers, timeoutMs, addressMap: dial, loopbackOnly: true, sessionLingerMs }),
    close: async () => {
      await Promise.all([dns.close(), ...[...smtp.values(), ...https.values()].map(s => s.close())]);
    },
  };
}

/** An ordinary server: greets, offers the usual extensions, accepts its own domains' mail, refuses to relay. */
export function mailServer(name: string, domains: string[], overrides: Partial<SmtpPersona> = {}): SmtpPersona {
  return {
    greeting: [`220 ${name} ESMTP`],
    extensions: ['PIPELINING', 'SIZE 52428800', '8BITMIME', 'ENHANCEDSTATUSCODES'],
    recipients: {
      ...Object.fromEntries(domains.map(d => [`@${d}`, '250 2.1.5 Ok'])),
      '*': '554 5.7.1 Relay access denied',
    },
    ...overrides,
  };
}
