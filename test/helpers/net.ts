// Nets for tests: every wait follows from one --timeout (src/net/time.ts), as in a run.
import { createNet, type Net, type NetOptions } from '../../src/net/context.js';
import type { DnsClient, DnsServer } from '../../src/net/dns/types.js';

/** A loopback-only net asking `resolvers`, with `timeoutMs` as its --timeout. */
export function testNet(timeoutMs: number, resolvers: DnsServer[] = [], options: Omit<NetOptions, 'resolvers' | 'timeoutMs'> = {}): Net {
  return createNet({ resolvers, timeoutMs, loopbackOnly: true, ...options });
}

/** The same net, with every check's budget `ms`: scheduler tests run out of time on purpose. */
export function withBudget(net: Net, ms: number): Net {
  return Object.assign(Object.create(net) as Net, { time: { ...net.time, budgetMs: () => ms } });
}

/**
 * The same net, whose DNS questions to IPv6 servers fail on this machine with
 * `code` (ENETUNREACH...), as the OS fails them where an interface has a
 * global IPv6 address but IPv6 has no route out.
 */
export function withIpv6FailingHere(net: Net, code: string): Net {
  const query: DnsClient['query'] = (name, type, options) => {
    const v6 = options?.servers?.find(server => server.host.includes(':'));
    if (!v6) return net.dns.query(name, type, options);
    return Promise.resolve({ kind: 'error', message: `send ${code} ${v6.host}:${v6.port}`, code, servers: options!.servers!.map(s => `[${s.host}]:${s.port}`) });
  };
  return Object.assign(Object.create(net) as Net, { dns: { ...net.dns, query } });
}
