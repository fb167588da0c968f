// Nets for tests: every wait follows from one --timeout (src/net/time.ts), as in a run.
import { createNet, type Net, type NetOptions } from '../../src/net/context.js';
import type { DnsClient, DnsServer } from '../../src/net/dns/types.js';
import type { Dialer } from '../../src/net/dialer.js';
import type { Family } from '../../src/net/families.js';

/** A loopback-only net asking `resolvers`, with `timeoutMs` as its --timeout. */
export function testNet(timeoutMs: number, resolvers: DnsServer[] = [], options: Omit<NetOptions, 'resolvers' | 'timeoutMs'> = {}): Net {
  return createNet({ resolvers, timeoutMs, loopbackOnly: true, ...options });
}

/** The same net, with every check's budget `ms`: scheduler tests run out of time on purpose. */
export function withBudget(net: Net, ms: number): Net {
  return Object.assign(Object.create(net) as Net, { time: { ...net.time, budgetMs: () => ms } });
}

/**
 * The same net, on a machine with a global IPv6 address whose IPv6 does not
 * work: its DNS questions to IPv6 servers and its connections to IPv6
 * addresses fail with `code` (ENETUNREACH...), as the OS fails them when
 * IPv6 has no route out, or with 'timeout' get no answer at all (a router
 * advertising a prefix with no upstream, a firewall dropping IPv6).
 */
export function withIpv6FailingHere(net: Net, code: string): Net {
  const query: DnsClient['query'] = (name, type, options) => {
    const v6 = options?.servers?.find(server => server.host.includes(':'));
    if (!v6) return net.dns.query(name, type, options);
    const servers = options!.servers!.map(s => `[${s.host}]:${s.port}`);
    if (code === 'timeout') return Promise.resolve({ kind: 'timeout', servers });
    return Promise.resolve({ kind: 'error', message: `send ${code} ${v6.host}:${v6.port}`, code, servers });
  };
  const connect: Dialer['connect'] = (ip, port, options) => {
    if (!ip.includes(':')) return net.dialer.connect(ip, port, options);
    if (code !== 'timeout') return Promise.resolve({ kind: 'unreachable', code });
    return new Promise(resolve => setTimeout(() => resolve({ kind: 'timeout', waitedMs: options.timeoutMs }), options.timeoutMs));
  };
  return Object.assign(Object.create(net) as Net, { dns: { ...net.dns, query }, dialer: { ...net.dialer, connect } });
}

/** The same net, where something beyond this machine's network answered over `families` earlier in the run (an MX on port 25, a resolver): Net.heard. */
export function withHeard(net: Net, families: Family[]): Net {
  return Object.assign(Object.create(net) as Net, { heard: new Set([...net.heard, ...families]) });
}
