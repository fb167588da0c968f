// A stub resolver client: asks the configured recursive resolvers (or, for
// DNSBL fall-backs, a list's own servers) over UDP, retries over TCP when the
// answer is truncated (RFC 7766), and memoizes every question for the run, so
// checks and audit targets that ask the same thing share one packet.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomFillSync, randomInt } from 'node:crypto';
import { decode, encodeQuery, toRecord, toSignature, type QueryBits, type WirePacket } from './wire.js';
import { isLoopback } from '../dialer.js';
import { Slots } from '../slots.js';
import type { DnsAnswer, DnsClient, DnsServer, QueryOptions, RecordOf, Referral, RrType } from './types.js';

export interface DnsClientOptions {
  servers: DnsServer[];
  /** Wait for one answer from one server. */
  timeoutMs: number;
  /** Rounds over the server list after the first. */
  retries: number;
  /** Ask no server off this machine (MAILDIAG_NO_NETWORK): a name server found in DNS and asked directly is refused here. */
  loopbackOnly?: boolean;
}

const MAX_TCP_MESSAGE = 65535;
/** Questions on the wire at once: an audit asks thousands at a time, and a burst that overflows a socket buffer is lost. */
const MAX_IN_FLIGHT = 200;
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
/**
 * Answers kept per run. An audit asks tens of questions per domain that no
 * other domain asks again (its DKIM selectors, its DMARC record), and only a
 * few that many share (MX hosts, SPF includes, blocklist entries of shared
 * IPs): least recently used answers go first (AnswerCache), so memory stays
 * flat. Questions still on the wire are kept apart and never evicted, so
 * checks of one domain that ask the same thing share one packet however many
 * domains are under way.
 */
const MAX_CACHED = 5_000;

type Attempt =
  | { kind: 'answer'; packet: WirePacket; server: string }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string; code?: string };

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const cache = new AnswerCache(MAX_CACHED);
  const asking = new Map<string, Promise<DnsAnswer>>();
  const stats = { sent: 0, cached: 0 };
  const udp = new UdpTransport();
  const inFlight = new Slots(MAX_IN_FLIGHT);
  const defaultServers = serverListKey(options.servers);

  async function ask(name: string, type: RrType, servers: DnsServer[], bits: QueryBits): Promise<DnsAnswer> {
    const errors: string[] = [];
    const codes = new Set<string | undefined>();
    for (let round = 0; round <= options.retries; round++) {
      for (const server of servers) {
        stats.sent++;
        let attempt = await udp.ask(server, name, type, bits, options.timeoutMs);
        if (attempt.kind === 'answer' && attempt.packet.flag_tc) attempt = await askTcp(server, name, type, bits, options.timeoutMs);
        if (attempt.kind === 'answer') {
          const answer = interpret(type, attempt.packet, attempt.server, bits.dnssecOk);
          // One resolver's SERVFAIL may be its own trouble: let the others try once.
          if (answer.kind === 'servfail' && servers.length > 1 && round === 0 && server !== servers.at(-1)) continue;
          return answer;
        }
        if (attempt.kind === 'error') {
          errors.push(`${label(server)}: ${attempt.message}`);
          codes.add(attempt.code);
        }
      }
    }
    const tried = servers.map(label);
    if (!errors.length) return { kind: 'timeout', servers: tried };
    const [code] = codes;
    return { kind: 'error', message: errors.join('; '), servers: tried, ...(codes.size === 1 && code ? { code } : {}) };
  }

  return {
    servers: options.servers,
    stats,
    query<T extends RrType>(rawName: string, type: T, queryOptions: QueryOptions = {}): Promise<DnsAnswer<T>> {
      const name = normalizeName(rawName);
      const servers = queryOptions.servers ?? options.servers;
      const bits: QueryBits = { recursive: queryOptions.recursive ?? true, checkingDisabled: queryOptions.checkingDisabled ?? false, dnssecOk: queryOptions.dnssecOk ?? false };
      const remote = options.loopbackOnly ? servers.find(server => !isLoopback(server.host)) : undefined;
      if (remote) return Promise.resolve({ kind: 'error', message: `network access is disabled, and ${remote.host} is not on this machine`, servers: servers.map(label) });
      const key = `${name}|${type}|${bits.recursive ? 'rd' : 'nord'}${bits.checkingDisabled ? '+cd' : ''}${bits.dnssecOk ? '+do' : ''}|${servers === options.servers ? defaultServers : serverListKey(servers)}`;
      const hit = cache.get(key);
      if (hit) {
        stats.cached++;
        return Promise.resolve(hit as DnsAnswer<T>);
      }
      let pending = asking.get(key);
      if (pending) {
        stats.cached++;
        return pending as Promise<DnsAnswer<T>>;
      }
      const settled = () => asking.delete(key);
      pending = inFlight.run(() => ask(name, type, servers, bits)).then(
        answer => {
          settled();
          // Silence is not an answer: the next asker tries again rather than inherit a lost packet.
          if (answer.kind === 'timeout' || answer.kind === 'error') return answer;
          cache.set(key, answer);
          return answer;
        },
        (err: unknown) => {
          settled();
          throw err;
        },
      );
      asking.set(key, pending);
      return pending as Promise<DnsAnswer<T>>;
    },
  };
}

/**
 * Least recently used answers go first, by generations: answers go into the
 * young map; when it holds `limit` it becomes the old one and the previous old
 * one is dropped whole, and a hit in the old map moves the answer back to the
 * young one. So an answer stays for at least `limit` answers stored after it
 * was last stored or used, as in one least-recently-used Map of that size, and
 * at most twice that many are held. Evicting one entry at a time from one Map
 * made every insert walk the holes its deletions left at the Map's front (V8
 * compacts a Map only when it grows): 2-3 % of an audit's CPU in a profile.
 */
class AnswerCache {
  private young = new Map<string, DnsAnswer>();
  private old = new Map<string, DnsAnswer>();

  constructor(private readonly limit: number) {}

  get(key: string): DnsAnswer | undefined {
    const young = this.young.get(key);
    if (young) return young;
    const old = this.old.get(key);
    if (old) this.set(key, old);
    return old;
  }

  set(key: string, answer: DnsAnswer): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, answer);
  }
}

const serverListKey = (servers: readonly DnsServer[]): string => servers.map(label).join(',');

export const label = (server: DnsServer): string =>
  server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;

export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}

function interpret<T extends RrType>(type: T, response: WirePacket, server: string, dnssecOk: boolean): DnsAnswer<T> {
  const answers = response.answers ?? [];
  const aliases = answers
    .filter(a => a.type === 'CNAME')
    .map(a => `${normalizeName(a.name)} → ${normalizeName(String((a as { data?: unknown }).data))}`);
  const base = { server, aliases, ad: Boolean(response.flag_ad), aa: Boolean(response.flag_aa), ...(dnssecOk && { signatures: answers.filter(a => a.type === 'RRSIG').map(a => toSignature(a.data)) }) };
  switch (response.rcode) {
    case 'NOERROR': {
      const records = answers
        .filter(a => a.type === type && (type === 'CNAME' || a.type !== 'CNAME'))
        .map(a => toRecord(type, (a as { data?: unknown }).data) as RecordOf[T]);
      if (records.length) return { kind: 'records', records, ...base };
      const referral = base.aa || answers.length ? undefined : readReferral(response);
      return referral ? { kind: 'nodata', referral, ...base } : { kind: 'nodata', ...base };
    }
    case 'NXDOMAIN':
      return { kind: 'nxdomain', ...base };
    case 'REFUSED':
      return { kind: 'refused', ...base };
    default:
      // SERVFAIL, and anything stranger (FORMERR, NOTIMP) that means "no usable answer".
      return { kind: 'servfail', ...base };
  }
}

/** The NS records of one zone in the authority section, with their glue addresses; undefined when there are none. */
function readReferral(response: WirePacket): Referral | undefined {
  const ns = (response.authorities ?? []).filter(a => a.type === 'NS');
  if (!ns.length) return undefined;
  const zone = normalizeName(ns[0]!.name);
  const glue = (response.additionals ?? []).filter(a => a.type === 'A' || a.type === 'AAAA');
  const names = [...new Set(ns.filter(a => normalizeName(a.name) === zone).map(a => normalizeName(String((a as { data?: unknown }).data))))];
  return {
    zone,
    nameServers: names.map(name => ({ name, addresses: glue.filter(a => normalizeName(a.name) === name).map(a => String((a as { data?: unknown }).data)) })),
  };
}

/** Does this response answer the question we asked? (A spoofed or stray packet does not.) */
function answersQuestion(response: WirePacket, id: number, name: string, type: RrType): boolean {
  if (response.type !== 'response' || response.id !== id) return false;
  const q = response.questions?.[0];
  return !q || (normalizeName(q.name) === name && q.type === type);
}

/**
 * One connected UDP socket per server, multiplexed by message id: an audit
 * does not open a socket per query, a connected socket sends without a route
 * lookup each time, and the kernel drops datagrams from anyone else.
 */
class UdpTransport {
  private servers = new Map<string, ServerSocket>();
  private ids = new MessageIds();

  ask(server: DnsServer, name: string, type: RrType, bits: QueryBits, timeoutMs: number): Promise<Attempt> {
    const where = label(server);
    let target = this.servers.get(where);
    if (!target) this.servers.set(where, (target = new ServerSocket(server, () => this.servers.delete(where))));
    const { waiting } = target;
    let id = this.ids.next();
    while (waiting.has(id)) id = this.ids.next();
    return new Promise<Attempt>(resolve => {
      const finish = (attempt: Attempt) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(attempt);
      };
      const timer = setTimeout(finish, timeoutMs, { kind: 'timeout' });
      waiting.set(id, packet => {
        if (!packet) return; // malformed datagram: keep waiting for a real answer
        if (answersQuestion(packet, id, name, type)) finish({ kind: 'answer', packet, server: where });
      });
      target.send(encodeQuery(id, name, type, bits), (err: NodeJS.ErrnoException) => finish({ kind: 'error', message: err.message, ...(err.code ? { code: err.code } : {}) }));
    });
  }
}

/** Message ids from the CSPRNG (RFC 5452 §4.3), drawn 2,048 at a time rather than with one crypto call per question. */
class MessageIds {
  private pool = new Uint16Array(2048);
  private used = this.pool.length;

  next(): number {
    if (this.used === this.pool.length) {
      randomFillSync(this.pool);
      this.used = 0;
    }
    return this.pool[this.used++]!;
  }
}

/** One server's socket, connected once, and the questions waiting for its answers by message id. */
class ServerSocket {
  readonly waiting = new Map<number, (packet: WirePacket | undefined) => void>();
  private socket: dgram.Socket | undefined;
  private connecting: Promise<dgram.Socket>;

  constructor(server: DnsServer, failed: () => void) {
    this.connecting = new Promise<dgram.Socket>((resolve, reject) => {
      const udp = dgram.createSocket({ type: net.isIPv6(server.host) ? 'udp6' : 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER });
      udp.on('message', msg => {
        if (msg.length >= 2) this.waiting.get(msg.readUInt16BE(0))?.(decode(msg));
      });
      udp.on('error', () => undefined); // per-query errors arrive through send callbacks and timeouts
      udp.unref(); // pending queries hold their own timers; an idle socket must not keep the process alive
      // Without a callback, a failed connect is emitted as 'error'.
      const refused = (err: Error) => {
        failed();
        udp.close();
        reject(err);
      };
      udp.once('error', refused);
      udp.once('connect', () => {
        udp.off('error', refused);
        this.socket = udp;
        resolve(udp);
      });
      udp.connect(server.port, server.host);
    });
    this.connecting.catch(() => undefined); // each question that waited on it hears of the failure itself
  }

  /** Send now when connected, else once the socket is: most questions of a run skip a promise turn. */
  send(query: Buffer, fail: (err: NodeJS.ErrnoException) => void): void {
    const onSent = (err: NodeJS.ErrnoException | null) => err && fail(err);
    if (this.socket) return this.socket.send(query, onSent);
    this.connecting.then(socket => socket.send(query, onSent), fail);
  }
}

function askTcp(server: DnsServer, name: string, type: RrType, bits: QueryBits, timeoutMs: number): Promise<Attempt> {
  const id = randomInt(0, 65536);
  const query = encodeQuery(id, name, type, bits);
  return new Promise<Attempt>(resolve => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    const finish = (attempt: Attempt) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(attempt);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', chunk => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_TCP_MESSAGE + 2) return finish({ kind: 'error', message: 'oversized TCP answer' });
      if (buffered.length < 2) return;
      const size = buffered.readUInt16BE(0);
      if (buffered.length < size + 2) return;
      const packet = decode(buffered.subarray(2, size + 2));
      if (!packet || !answersQuestion(packet, id, name, type)) return finish({ kind: 'error', message: 'malformed answer over TCP' });
      // Truncated even over TCP (RFC 1035 §4.2.2 caps a message at 65,535 bytes): what came is not "no records".
      if (packet.flag_tc) return finish({ kind: 'error', message: 'the answer is too large even for TCP' });
      finish({ kind: 'answer', packet, server: label(server) });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'error', message: `truncated over UDP and TCP failed (${err.code ?? err.message})`, ...(err.code ? { code: err.code } : {}) }));
    socket.on('end', () => finish({ kind: 'error', message: 'TCP connection closed before a full answer' }));
  });
}
