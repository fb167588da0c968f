// Authoritative name servers, in-process on loopback (UDP): each serves one
// zone as BIND does without recursion — answers with the AA bit for its own
// names, NXDOMAIN with AA for names it does not have, a referral (NS in the
// authority section, glue in the additional) for names under a delegation,
// REFUSED outside its zone — or misbehaves as told. All of a world's servers
// listen on one port, each on its own 127.0.0.x address, because a run asks
// every name server it finds on one port (net.authorityPort). A server may
// listen on ::1 too: its glue is then an AAAA record.
import dgram from 'node:dgram';
import { decode, encodeResponse, fromRecord, type WireAnswer } from '../../src/net/dns/wire.js';
import type { RecordOf, RrType } from '../../src/net/dns/types.js';

export interface ZoneSpec {
  /** The 127.0.0.x (or ::1) address it listens on. */
  host: string;
  zone: string;
  records?: Record<string, { [T in RrType]?: RecordOf[T][] }>;
  /** Child zones, with their name servers and each one's glue address (A, or AAAA for an IPv6 one). */
  delegations?: Record<string, Record<string, string>>;
  /** Sign the zone: to a question with DO, an RRSIG over the records answered, valid between these times (seconds since the epoch). */
  signatures?: { inception: number; expiration: number };
  /** Instead of serving the zone: never answer, REFUSED, or NXDOMAIN without authority (a middlebox answering in its place). */
  misbehave?: 'DROP' | 'REFUSED' | 'INTERCEPT';
}

export interface ZoneServers {
  port: number;
  /** Questions each server received ("name TYPE"), by host. */
  log: Record<string, string[]>;
  close(): Promise<void>;
}

const MAX_BIND_TRIES = 20;
const AA = 1 << 10;
const RCODES = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startZoneServers(specs: ZoneSpec[]): Promise<ZoneServers> {
  for (let attempt = 1; ; attempt++) {
    const sockets: dgram.Socket[] = [];
    const log: Record<string, string[]> = {};
    let port = 0;
    try {
      for (const spec of specs) {
        const socket = serve(spec, (log[spec.host] = []));
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, spec.host, () => resolve());
        });
        port = socket.address().port;
      }
      return { port, log, close: () => Promise.all(sockets.map(s => new Promise<void>(resolve => s.close(() => resolve())))).then(() => undefined) };
    } catch (err) {
      // Another process holds this port on one of the other addresses: start again on a fresh one.
      for (const socket of sockets) socket.close();
      if (attempt >= MAX_BIND_TRIES) throw err;
    }
  }
}

function serve(spec: ZoneSpec, log: string[]): dgram.Socket {
  const socket = dgram.createSocket(spec.host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (message, peer) => {
    const query = decode(message);
    const question = query?.questions?.[0];
    if (!query || !question) return;
    log.push(`${question.name} ${question.type}`);
    if (spec.misbehave === 'DROP') return;
    const { rcode, flags = 0, answers = [], authorities = [], additionals = [] } = respond(spec, question.name.toLowerCase(), question.type as RrType);
    const dnssecOk = query.additionals?.some(a => a.type === 'OPT' && (a as { flag_do?: boolean }).flag_do);
    const signed = dnssecOk && spec.signatures && answers.length ? [...answers, signatureOver(answers[0]!, spec.zone, spec.signatures)] : answers;
    const response = encodeResponse({ type: 'response', id: query.id, flags: flags | RCODES[rcode], questions: [question], answers: signed, authorities, additionals });
    socket.send(response, peer.port, peer.address);
  });
  return socket;
}

interface Response {
  rcode: keyof typeof RCODES;
  flags?: number;
  answers?: WireAnswer[];
  authorities?: WireAnswer[];
  additionals?: WireAnswer[];
}

function respond(spec: ZoneSpec, name: string, type: RrType): Response {
  if (spec.misbehave === 'REFUSED' || !isAtOrUnder(name, spec.zone)) return { rcode: 'REFUSED' };
  if (spec.misbehave === 'INTERCEPT') return { rcode: 'NXDOMAIN' };
  const child = Object.keys(spec.delegations ?? {}).find(zone => isAtOrUnder(name, zone));
  if (child) {
    const servers = Object.entries(spec.delegations![child]!);
    return {
      rcode: 'NOERROR',
      authorities: servers.map(([ns]) => ({ type: 'NS', name: child, ttl: 300, class: 'IN', data: ns })),
      additionals: servers.map(([ns, address]) => ({ type: address.includes(':') ? 'AAAA' : 'A', name: ns, ttl: 300, class: 'IN', data: address })),
    };
  }
  const records = spec.records?.[name];
  const exists = records || Object.keys(spec.records ?? {}).some(known => known.endsWith(`.${name}`)) || name === spec.zone;
  if (!exists) return { rcode: 'NXDOMAIN', flags: AA };
  // An alias is answered as itself, whatever was asked (the target is another zone's to answer).
  const answered: RrType = records?.CNAME ? 'CNAME' : type;
  const answers = ((records?.[answered] ?? []) as RecordOf[RrType][]).map(record => ({ type: answered, name, ttl: 300, class: 'IN', data: fromRecord(answered, record) }) as WireAnswer);
  return { rcode: 'NOERROR', flags: AA, answers };
}

/** An RRSIG over the answered RRset: the dates are what the tests read, the signature is filler no one checks. */
function signatureOver(answer: WireAnswer, zone: string, { inception, expiration }: { inception: number; expiration: number }): WireAnswer {
  const data = { typeCovered: answer.type, algorithm: 13, labels: answer.name.split('.').length, originalTTL: 300, expiration, inception, keyTag: 12345, signersName: zone, signature: Buffer.alloc(64) };
  return { type: 'RRSIG', name: answer.name, ttl: 300, class: 'IN', data };
}

const isAtOrUnder = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`);
