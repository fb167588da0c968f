// Nets for tests: every wait follows from one --timeout (src/net/time.ts), as in a run.
import { createNet, type Net, type NetOptions } from '../../src/net/context.js';
import type { DnsServer } from '../../src/net/dns/types.js';

/** A loopback-only net asking `resolvers`, with `timeoutMs` as its --timeout. */
export function testNet(timeoutMs: number, resolvers: DnsServer[] = [], options: Omit<NetOptions, 'resolvers' | 'timeoutMs'> = {}): Net {
  return createNet({ resolvers, timeoutMs, loopbackOnly: true, ...options });
}

/** The same net, with every check's budget `ms`: scheduler tests run out of time on purpose. */
export function withBudget(net: Net, ms: number): Net {
  return Object.assign(Object.create(net) as Net, { time: { ...net.time, budgetMs: () => ms } });
}
