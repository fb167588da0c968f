// An in-process recursive resolver for a simulated world: dns2 serves UDP and
// TCP on 127.0.0.1 (ephemeral ports), and answers from a table of names. The
// table can also tell a name to misbehave, for the hostile cases. Used by the
// tests, the benchmark and `maildiag demo`.
import type dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';
import { encodeResponse, fromRecord, typeName, type WireAnswer } from '../net/dns/wire.js';
import type { RecordOf, RrType } from '../net/dns/types.js';

/** How a name misbehaves instead of answering. */
export type SimAction =
  | 'NXDOMAIN'
  | 'SERVFAIL'
  | 'REFUSED'
  /** Never answer (a dead or filtering server). */
  | 'DROP'
  /** Answer with bytes that are not a DNS message. */
  | 'MALFORMED'
  /** Answer with another message id (a stray or spoofed packet), and nothing else. */
  | 'WRONG_ID'
  /** NXDOMAIN that still carries answer records. */
  | 'NXDOMAIN_WITH_ANSWERS'
  /** Truncated over UDP, and TCP is refused (the connection is closed). */
  | 'TCP_REFUSED'
  /** A validating resolver facing DNSSEC that does not validate: SERVFAIL, unless the query sets CD (then the records). */
  | 'DNSSEC_BOGUS';

export type SimRecordSet = {
  [T in RrType]?: T extends 'CNAME' ? string : RecordOf[T][];
} & {
  action?: SimAction;
  /** Misbehave for these types only, answer the others (a zone whose signatures of one RRset expired, a DNS appliance that fails one type). */
  actionByType?: { [T in RrType]?: SimAction };
  /** Signed and validated: answers carry a validating resolver's AD bit (RFC 4035 §3.2.3). */
  signed?: boolean;
};

export type SimZone = Record<string, SimRecordSet | SimAction>;

export interface SimDnsServer {
  port: number;
  server: { host: string; port: number };
  /** Questions received, "name TYPE", for assertions about what maildiag asked. */
  readonly log: string[];
  /** Replace or add names while running. */
  set(name: string, records: SimRecordSet | SimAction): void;
  close(): Promise<void>;
}

const MAX_CNAME_HOPS = 16;
const PLAIN_UDP_LIMIT = 512;
/** RFC 1035 §4.2.2: a TCP message carries a two-byte length. */
const TCP_MESSAGE_LIMIT = 65535;
/** Many diagnoses at once (audits, the hostile suite) send bursts of questions; a default-sized buffer drops them. */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

interface Dns2Request {
  header: { id: number; cd?: number };
  questions: { name: string; type: number }[];
  additionals?: { type: number; class: number }[];
}

export async function startSimDns(zone: SimZone): Promise<SimDnsServer> {
  const table = new Map<string, SimRecordSet | SimAction>();
  const parents = new Set<string>();
  const log: string[] = [];
  const set = (name: string, records: SimRecordSet | SimAction) => {
    const key = normalize(name);
    table.set(key, records);
    for (let i = key.indexOf('.'); i !== -1; i = key.indexOf('.', i + 1)) parents.add(key.slice(i + 1));
  };
  // A recursive resolver always knows the root zone (maildiag asks it to tell a sane resolver from a broken one).
  for (const [name, records] of Object.entries({ '.': { NS: ['a.root-servers.example'] }, ...zone })) set(name, records);

  const handle = (request: Dns2Request, send: (response: Buffer) => void, client: unknown) => {
    const question = request.questions[0];
    if (!question) return;
    const type = typeName(question.type) as RrType;
    const name = normalize(question.name);
    log.push(`${name} ${type}`);
    const overTcp = client instanceof net.Socket;
    const response = respond({ table, parents }, request.header.id, name, type, { overTcp, checkingDisabled: request.header.cd === 1 });
    if (response === 'DROP') return;
    if (response === 'CLOSE') return void (client as net.Socket).destroy();
    send(overTcp ? truncate(response, TCP_MESSAGE_LIMIT) : truncate(response, udpLimit(request)));
  };
  const { server, port } = await listenOnOnePort(handle);
  return {
    port,
    server: { host: '127.0.0.1', port },
    log,
    set,
    close: () => server.close().then(() => undefined),
  };
}

type Dns2Server = ReturnType<typeof dns2.createServer>;
const MAX_BIND_TRIES = 20;

/**
 * A real resolver answers UDP and TCP on one port. dns2 binds each on its own
 * ephemeral port, so take UDP's and listen for TCP on the same number; UDP and
 * TCP ports are separate spaces, so when another process holds that TCP port,
 * start again with a fresh server.
 */
async function listenOnOnePort(handle: (request: Dns2Request, send: (response: Buffer) => void, client: unknown) => void): Promise<{ server: Dns2Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const server = dns2.createServer({ udp: true, tcp: true, handle });
    server.on('requestError', () => undefined);
    // dns2 re-emits its sockets' errors on the server: a port clash is handled below, not thrown.
    server.on('error', () => undefined);
    const { udp, tcp } = (server as unknown as { servers: { udp: dgram.Socket; tcp: net.Server } }).servers;
    await new Promise<void>(resolve => udp.bind(0, '127.0.0.1', () => resolve()));
    udp.setRecvBufferSize(UDP_RECEIVE_BUFFER);
    const port = udp.address().port;
    const listening = await new Promise<boolean>(resolve => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) return { server, port };
    udp.close();
    if (attempt >= MAX_BIND_TRIES) throw new Error(`sim DNS: no port free for both UDP and TCP after ${attempt} tries`);
  }
}

type Response = Buffer | 'DROP' | 'CLOSE';

interface Names {
  table: Map<string, SimRecordSet | SimAction>;
  /** Every proper suffix of a name in the table: empty non-terminals (RFC 8020) are NODATA, not NXDOMAIN. */
  parents: Set<string>;
}

function respond({ table, parents }: Names, id: number, name: string, type: RrType, { overTcp, checkingDisabled }: { overTcp: boolean; checkingDisabled: boolean }): Response {
  const question = { name, type, class: 'IN' as const };
  const entry = table.get(name);
  const action = typeof entry === 'string' ? entry : (entry?.actionByType?.[type] ?? entry?.action);
  const authenticated = typeof entry === 'object' && entry.signed ? 1 << 5 : 0;
  const message = (rcode: string, answers: WireAnswer[] = []) =>
    encodeResponse({ type: 'response', id, flags: (1 << 8) | (1 << 7) | authenticated | rcodeNumber(rcode), questions: [question], answers });
  switch (action) {
    case 'DROP':
      return 'DROP';
    case 'MALFORMED':
      return Buffer.from([id >> 8, id & 0xff, 0x81, 0x80, 0, 1, 0, 9, 0xde, 0xad]);
    case 'WRONG_ID':
      return encodeResponse({ type: 'response', id: (id + 1) & 0xffff, flags: 0x8180, questions: [question], answers: [] });
    case 'NXDOMAIN':
    case 'SERVFAIL':
    case 'REFUSED':
      return message(action);
    case 'NXDOMAIN_WITH_ANSWERS':
      return message('NXDOMAIN', [{ type: 'A', name, ttl: 60, class: 'IN', data: '192.0.2.66' }]);
    case 'TCP_REFUSED':
      if (overTcp) return 'CLOSE';
      break;
    case 'DNSSEC_BOGUS':
      if (!checkingDisabled) return message('SERVFAIL');
      break;
  }
  const { rcode, answers } = resolveName({ table, parents }, name, type);
  return message(rcode, answers);
}

function resolveName({ table, parents }: Names, start: string, type: RrType): { rcode: string; answers: WireAnswer[] } {
  const answers: WireAnswer[] = [];
  let name = start;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const entry = table.get(name);
    if (typeof entry === 'string') return { rcode: entry === 'NXDOMAIN' ? 'NXDOMAIN' : 'SERVFAIL', answers: [] };
    if (!entry) return { rcode: parents.has(name) ? 'NOERROR' : 'NXDOMAIN', answers };
    if (entry.CNAME && type !== 'CNAME') {
      answers.push({ type: 'CNAME', name, ttl: 300, class: 'IN', data: entry.CNAME } as WireAnswer);
      name = normalize(entry.CNAME);
      continue;
    }
    const records = (entry[type] ?? []) as RecordOf[RrType][] | string;
    const list = typeof records === 'string' ? [records] : records;
    for (const record of list) answers.push({ type, name, ttl: 300, class: 'IN', data: fromRecord(type, record) } as WireAnswer);
    return { rcode: 'NOERROR', answers };
  }
  return { rcode: 'SERVFAIL', answers: [] }; // a CNAME chain too long, or a loop, as a real resolver gives up
}

/** The client's UDP buffer: its EDNS payload size (RFC 6891 §6.2.3), at least 512. */
function udpLimit(request: Dns2Request): number {
  const opt = request.additionals?.find(r => r.type === 41);
  return Math.max(opt?.class ?? PLAIN_UDP_LIMIT, PLAIN_UDP_LIMIT);
}

/** An answer larger than the limit is replaced by a truncated one (TC bit, no records). */
function truncate(response: Buffer, limit: number): Buffer {
  if (response.length <= limit) return response;
  const header = Buffer.from(response.subarray(0, 12));
  header[2]! |= 0x02; // TC
  header.writeUInt16BE(0, 6); // no answers
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, questionSection(response)]);
}

function questionSection(response: Buffer): Buffer {
  let offset = 12;
  while (offset < response.length && response[offset] !== 0) offset += response[offset]! + 1;
  return response.subarray(12, offset + 5);
}

const RCODES: Record<string, number> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };
const rcodeNumber = (rcode: string): number => RCODES[rcode] ?? 2;

const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, '');
