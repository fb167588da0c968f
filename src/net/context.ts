// The network a run talks through: one DNS client, one dialer, one memo of
// probe results and the run's time (every wait, every check's budget, the
// clock: src/net/time.ts), shared by every check and, in an audit, by every target.
import { setMaxListeners } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDnsClient, type DnsClient, type DnsServer } from './dns/index.js';
import { createDialer, isLoopback, type AddressMap, type Dialer } from './dialer.js';
import { NetworkDisabledError } from './disabled.js';
import { listening, noteHeard, type Family } from './families.js';
import { probeResolver, type ResolverHealth } from './dns/sanity.js';
import { runTime, type RunTime } from './time.js';

/**
 * A session told to stop gives up the reply it waits for, says QUIT and waits
 * for the 221 (one quit wait): a connection still open after twice that is
 * one nothing will end, and is closed.
 */
const QUIT_STEPS = 2;

export interface Net {
  dns: DnsClient;
  dialer: Dialer;
  /** How long every wait of the run may take, each check's budget, and the clock. */
  readonly time: RunTime;
  /** The port name servers found in DNS are asked on directly: 53, except in tests. */
  readonly authorityPort: number;
  /** Whether this machine has an IPv6 route: name servers' IPv6 addresses are asked directly only then. */
  readonly ipv6: boolean;
  /**
   * The address families over which something beyond this machine's own
   * network answered it during the run so far (noteHeard): a DNS server's
   * answer, a TCP connection that opened (a refusal proves less: this
   * machine's own firewall may send it).
   */
  readonly heard: ReadonlySet<Family>;
  /** Whether the resolvers can be believed; asked lazily, once per run (an audit shares it), before an answer blames a domain. */
  resolverHealth(): Promise<ResolverHealth>;
  /** Memoize a probe for the whole run: many domains share a handful of MX hosts. */
  once<T>(key: string, probe: () => Promise<T>): Promise<T>;
  /** How long an SMTP session waits for more work before QUIT (audits; 0 for one target). */
  readonly sessionLingerMs: number;
  /**
   * Aborted by finish(): the run has no more work, done or stopped (Ctrl-C).
   * No SMTP session opens or sends a command after it; every open one says QUIT at once.
   */
  readonly finished: AbortSignal;
  /** End the run's sessions; resolves once every connection of the run is closed, each QUIT having waited at most net.time.quitMs for its 221. */
  finish(): Promise<void>;
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
  /** Whether this machine has an IPv6 route (default: it has a global IPv6 address); tests set it. */
  ipv6?: boolean;
}

const DNS_PORT = 53;

/** `loopbackOnly` is the one switch for every socket of the run: the dialer's TCP and DNS over UDP and TCP. */
export function createNet(options: NetOptions): Net {
  const remote = options.loopbackOnly ? options.resolvers.find(server => !isLoopback(server.host)) : undefined;
  if (remote) throw new NetworkDisabledError(`network access is disabled (MAILDIAG_NO_NETWORK=1), and the resolver ${remote.host} is not on this machine: give --resolver 127.0.0.1[:port]`);
  const memo = new Map<string, Promise<unknown>>();
  const finished = new AbortController();
  // Every open session listens, and an audit has many at once: not a leak.
  setMaxListeners(0, finished.signal);
  let lingerMs = options.sessionLingerMs ?? 0;
  const time = runTime(options.timeoutMs, options.now);
  const heard = new Set<Family>();
  const dns = listening(createDnsClient({ servers: options.resolvers, timeoutMs: time.dnsTryMs, retries: time.dnsRetries, loopbackOnly: options.loopbackOnly }), host => noteHeard(heard, host));
  const net: Net = {
    get sessionLingerMs() {
      return lingerMs;
    },
    finished: finished.signal,
    finish() {
      lingerMs = 0;
      finished.abort();
      return closed(net.dialer.open, QUIT_STEPS * time.quitMs);
    },
    dns,
    time,
    authorityPort: options.authorityPort ?? DNS_PORT,
    ipv6: options.ipv6 ?? hasIpv6Address(),
    heard,
    dialer: createDialer({ addressMap: options.addressMap, loopbackOnly: options.loopbackOnly, connected: ip => noteHeard(heard, ip) }),
    once<T>(key: string, probe: () => Promise<T>): Promise<T> {
      let pending = memo.get(key) as Promise<T> | undefined;
      if (!pending) memo.set(key, (pending = probe()));
      return pending;
    },
    resolverHealth: () => net.once('resolver-health', () => probeResolver(dns)),
  };
  return net;
}

/** A global IPv6 address on some interface: without one there is no IPv6 route (what getaddrinfo's AI_ADDRCONFIG looks at, too). */
function hasIpv6Address(): boolean {
  return Object.values(networkInterfaces()).some(addresses => addresses?.some(a => a.family === 'IPv6' && !a.internal && !/^fe[89ab]/i.test(a.address)));
}

/** Wait until these sockets have closed, at most `withinMs`; then close what is left. */
async function closed(open: ReadonlySet<Socket>, withinMs: number): Promise<void> {
  const closing = [...open].map(socket => new Promise(resolve => socket.once('close', resolve)));
  await Promise.race([Promise.all(closing), sleep(withinMs, undefined, { ref: false })]);
  for (const socket of open) socket.destroy();
}
