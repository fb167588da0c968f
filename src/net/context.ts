// The network a run talks through: one DNS client, one dialer, one memo of
// probe results and the run's time (every wait, every check's budget, the
// clock: src/net/time.ts), shared by every check and, in an audit, by every target.
import { createDnsClient, type DnsClient, type DnsServer } from './dns/index.js';
import { createDialer, isLoopback, type AddressMap, type Dialer } from './dialer.js';
import { NetworkDisabledError } from './disabled.js';
import { probeResolver, type ResolverHealth } from './dns/sanity.js';
import { runTime, type RunTime } from './time.js';

export interface Net {
  dns: DnsClient;
  dialer: Dialer;
  /** How long every wait of the run may take, each check's budget, and the clock. */
  readonly time: RunTime;
  /** The port name servers found in DNS are asked on directly: 53, except in tests. */
  readonly authorityPort: number;
  /** Whether the resolvers can be believed; asked lazily, once per run (an audit shares it), before an answer blames a domain. */
  resolverHealth(): Promise<ResolverHealth>;
  /** Memoize a probe for the whole run: many domains share a handful of MX hosts. */
  once<T>(key: string, probe: () => Promise<T>): Promise<T>;
  /** How long an SMTP session waits for more work before QUIT (audits; 0 for one target). */
  readonly sessionLingerMs: number;
  /** Resolves when the run declares it has no more work: lingering sessions say QUIT at once. */
  readonly finished: Promise<void>;
  finish(): void;
}

export interface NetOptions {
  resolvers: DnsServer[];
  /** --timeout; src/net/time.ts turns it into every wait. */
  timeoutMs?: number;
  /** The clock certificates and server dates are judged by (tests set it). */
  now?: () => Date;
  addressMap?: AddressMap;
  loopbackOnly?: boolean;
  sessionLingerMs?: number;
  /** The port of name servers asked directly (default 53): tests run theirs on ephemeral ports. */
  authorityPort?: number;
}

const DNS_PORT = 53;

/** `loopbackOnly` is the one switch for every socket of the run: the dialer's TCP and DNS over UDP and TCP. */
export function createNet(options: NetOptions): Net {
  const remote = options.loopbackOnly ? options.resolvers.find(server => !isLoopback(server.host)) : undefined;
  if (remote) throw new NetworkDisabledError(`network access is disabled (MAILDIAG_NO_NETWORK=1), and the resolver ${remote.host} is not on this machine: give --resolver 127.0.0.1[:port]`);
  const memo = new Map<string, Promise<unknown>>();
  let finish!: () => void;
  const finished = new Promise<void>(resolve => (finish = resolve));
  let lingerMs = options.sessionLingerMs ?? 0;
  const time = runTime(options.timeoutMs, options.now);
  const dns = createDnsClient({ servers: options.resolvers, timeoutMs: time.dnsTryMs, retries: time.dnsRetries, loopbackOnly: options.loopbackOnly });
  const net: Net = {
    get sessionLingerMs() {
      return lingerMs;
    },
    finished,
    finish() {
      lingerMs = 0;
      finish();
    },
    dns,
    time,
    authorityPort: options.authorityPort ?? DNS_PORT,
    dialer: createDialer({ addressMap: options.addressMap, loopbackOnly: options.loopbackOnly }),
    once<T>(key: string, probe: () => Promise<T>): Promise<T> {
      let pending = memo.get(key) as Promise<T> | undefined;
      if (!pending) memo.set(key, (pending = probe()));
      return pending;
    },
    resolverHealth: () => net.once('resolver-health', () => probeResolver(dns)),
  };
  return net;
}
