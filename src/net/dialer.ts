// Opens TCP connections for every probe. Three jobs in one place: the address
// map (tests and `maildiag demo` dial 192.0.2.10:25 and reach an in-process
// server on 127.0.0.1), politeness (at most one connection per address and
// port at a time, across a whole audit), and connect outcomes as values.
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Slots } from './slots.js';

export type DialResult =
  | { kind: 'connected'; socket: net.Socket; connectMs: number }
  | { kind: 'refused' }
  /** The peer (or something on the path) aborted the connection as it opened (ECONNRESET). */
  | { kind: 'reset' }
  /** No connection within `waitedMs`: the timeout, the caller's signal, or the OS's ETIMEDOUT. */
  | { kind: 'timeout'; waitedMs: number }
  /** No route, network unreachable, address family unsupported: this machine or its network. */
  | { kind: 'unreachable'; code: string };

export interface DialOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Dialer {
  connect(ip: string, port: number, options: DialOptions): Promise<DialResult>;
  /** Run `session` while holding this address's connection slot. */
  exclusive<T>(ip: string, port: number, session: () => Promise<T>): Promise<T>;
  /** Resolves when another caller starts waiting for this address's slot (a lingering session should then let go). */
  contended(ip: string, port: number): Promise<void>;
  /** Every socket this dialer opened that is not closed yet (tests assert zero). */
  readonly open: ReadonlySet<net.Socket>;
}

/** Where an endpoint ("192.0.2.10:25") is really dialled; a Map will do. */
export type AddressMap = Pick<ReadonlyMap<string, { host: string; port: number }>, 'get'>;

export interface DialerOptions {
  addressMap?: AddressMap;
  /** Refuse destinations outside loopback (tests: MAILDIAG_NO_NETWORK=1). */
  loopbackOnly?: boolean;
  perAddressLimit?: number;
  /** Told the address (as dialled, before the address map) of every connection that opened: the run's record of what answered (Net.heard). */
  connected?: (ip: string) => void;
}

export const endpointKey = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function createDialer(options: DialerOptions = {}): Dialer {
  const limits = new Map<string, Slots>();
  // Only the session holding a slot lingers on it, so one waker per address is enough.
  const contention = new Map<string, () => void>();
  const open = new Set<net.Socket>();
  const limitFor = (key: string) => {
    let limit = limits.get(key);
    if (!limit) limits.set(key, (limit = new Slots(options.perAddressLimit ?? 1)));
    return limit;
  };

  return {
    open,
    exclusive(ip, port, session) {
      const key = endpointKey(ip, port);
      const limit = limitFor(key);
      if (limit.full) {
        contention.get(key)?.();
        contention.delete(key);
      }
      return limit.run(session);
    },
    contended(ip, port) {
      const key = endpointKey(ip, port);
      // Someone may already be queued: then there is nothing to wait for.
      if (limitFor(key).queued > 0) return Promise.resolve();
      return new Promise(resolve => contention.set(key, resolve));
    },
    connect(ip, port, { timeoutMs, signal }) {
      const destination = options.addressMap?.get(endpointKey(ip, port)) ?? { host: ip, port };
      if (options.loopbackOnly && !isLoopback(destination.host)) {
        throw new Error(`refusing to dial ${endpointKey(ip, port)}: network access is disabled (MAILDIAG_NO_NETWORK)`);
      }
      // A check whose time is already up opens nothing ('abort' never fires for a signal aborted before).
      if (signal?.aborted) return Promise.resolve({ kind: 'timeout', waitedMs: 0 });
      return new Promise<DialResult>(resolve => {
        const started = performance.now();
        // Commands and replies are small and strictly alternate: Nagle's algorithm would only add delay.
        const socket = net.connect({ host: destination.host, port: destination.port, noDelay: true });
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        const finish = (result: DialResult) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          socket.removeListener('error', onError);
          if (result.kind !== 'connected') socket.destroy();
          resolve(result);
        };
        const waited = () => Math.round(performance.now() - started);
        const onAbort = () => finish({ kind: 'timeout', waitedMs: waited() });
        const onError = (err: NodeJS.ErrnoException) => finish(dialFailure(err, waited()));
        const timer = setTimeout(() => finish({ kind: 'timeout', waitedMs: timeoutMs }), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        socket.once('error', onError);
        socket.once('connect', () => {
          options.connected?.(ip);
          finish({ kind: 'connected', socket, connectMs: Math.round(performance.now() - started) });
        });
      });
    },
  };
}

/** The OS's words for a failed connect, each its own class (OONI netxlite): refused, reset, timed out, no route. */
export function dialFailure(err: NodeJS.ErrnoException, waitedMs: number): DialResult {
  switch (err.code) {
    case 'ECONNREFUSED': return { kind: 'refused' };
    case 'ECONNRESET': return { kind: 'reset' };
    case 'ETIMEDOUT': return { kind: 'timeout', waitedMs };
    default: return { kind: 'unreachable', code: err.code ?? err.message };
  }
}

/**
 * OS error codes by which a socket could not send at all: no route from here
 * (ENETUNREACH, EHOSTUNREACH: the OS, or the first router, knows no way), no
 * source address or support for that address family (EADDRNOTAVAIL,
 * EAFNOSUPPORT: an IPv6 address without a route out), or a firewall on this
 * machine (EACCES, EPERM). They are about this machine's network, never the
 * word of the server that was asked.
 */
const FAILS_HERE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETDOWN', 'EACCES', 'EPERM']);

export const failsHere = (code: string | undefined): boolean => code !== undefined && FAILS_HERE.has(code);

/**
 * Of those, the ones this machine's own stack gives. EHOSTUNREACH is left out: over
 * IPv4 it mostly comes from a router's ICMP message (the host, or a filter
 * on the way), and over TCP the server's side may have sent it.
 */
export const failsOnThisMachine = (code: string | undefined): boolean => failsHere(code) && code !== 'EHOSTUNREACH';

/** localhost, 127/8 and ::1, and 127/8 mapped into IPv6 (::ffff:127.0.0.2, which DNS writes ::ffff:7f00:2). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
}
