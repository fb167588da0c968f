// The DNS wire codec, in one place: dns-packet encodes and decodes every
// message maildiag sends or (in the simulated world) serves. dns2 2.x cannot
// encode TLSA, dns-packet can.
import packet from 'dns-packet';
import types from 'dns-packet/types.js';
import type { RecordOf, RrType, Signature } from './types.js';

export type WireAnswer = packet.Answer;
/** A decoded message: dns-packet's type lacks the decoded header flags. */
export type WirePacket = packet.Packet & { flag_tc?: boolean; flag_ad?: boolean; flag_aa?: boolean; flag_rd?: boolean; flag_cd?: boolean; rcode?: string };
export type WireQuestion = packet.Question;

export const EDNS_UDP_SIZE = 1232;

/** RR type numbers (RFC 1035 §3.2.2 and later), for the questions maildiag asks. */
const TYPE_NUMBERS: Record<RrType, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, TLSA: 52 };
const QUESTION_TAIL = 4; // QTYPE, QCLASS
const DOT = 0x2e;
/** An OPT pseudo-record (RFC 6891 §6.1.2): root name, type 41, the UDP payload size as class, no extended flags, no options. */
const OPT_RECORD = Buffer.from([0, 0, 41, EDNS_UDP_SIZE >> 8, EDNS_UDP_SIZE & 0xff, 0, 0, 0, 0, 0, 0]);
/** Where the OPT record's flags (DO the first bit) start: after its name, type, payload size, extended rcode and version. */
const OPT_FLAGS = 7;

/** The header bits a query sets besides AD. */
export interface QueryBits {
  /** RD: ask a resolver to recurse (clear when asking a zone's own name servers). */
  recursive: boolean;
  /** CD (Checking Disabled, RFC 4035 §3.2.2): a validating resolver returns the data even when its DNSSEC does not validate. */
  checkingDisabled: boolean;
  /** DO (DNSSEC OK, RFC 3225), in the OPT record: a signed zone's servers add the RRSIGs over what they answer. */
  dnssecOk: boolean;
}

/**
 * A query with one question and an OPT record, written straight into its
 * buffer: the bytes dns-packet's encode() gives (the tests compare them), for
 * a fraction of its cost, paid once per question an audit asks. An ASCII name
 * (nearly all: IDNs are asked in their A-label form) is copied byte by byte,
 * since a Buffer.write per label, a call into C++ each, cost more than the
 * rest of the query (profile of `npm run bench`).
 */
export function encodeQuery(id: number, name: string, type: RrType, { recursive, checkingDisabled, dnssecOk }: QueryBits): Buffer {
  const labels = name.replace(/^\.|\.$/gm, ''); // as dns-packet trims a name
  const ascii = isAscii(labels);
  const nameBytes = labels ? (ascii ? labels.length : Buffer.byteLength(labels)) + 2 : 1;
  const query = Buffer.allocUnsafe(12 + nameBytes + QUESTION_TAIL + OPT_RECORD.length);
  query.writeUInt16BE(id, 0);
  query.writeUInt16BE((recursive ? packet.RECURSION_DESIRED : 0) | packet.AUTHENTIC_DATA | (checkingDisabled ? packet.CHECKING_DISABLED : 0), 2);
  query.writeUInt32BE(0x0001_0000, 4); // one question, no answers
  query.writeUInt32BE(0x0000_0001, 8); // no authorities, one additional (the OPT record)
  let offset = labels ? (ascii ? writeAsciiLabels(query, labels, 12) : writeLabels(query, labels, 12)) : 12;
  query[offset++] = 0;
  query.writeUInt16BE(TYPE_NUMBERS[type], offset);
  query.writeUInt16BE(1, offset + 2); // IN
  OPT_RECORD.copy(query, offset + QUESTION_TAIL);
  if (dnssecOk) query.writeUInt16BE(packet.DNSSEC_OK, offset + QUESTION_TAIL + OPT_FLAGS);
  return query;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Each label as its length and its bytes, from `offset`; returns where the name ends. */
function writeAsciiLabels(query: Buffer, labels: string, offset: number): number {
  let lengthAt = offset++;
  for (let i = 0; i < labels.length; i++) {
    const code = labels.charCodeAt(i);
    if (code === DOT) {
      query[lengthAt] = offset - lengthAt - 1;
      lengthAt = offset++;
    } else {
      query[offset++] = code;
    }
  }
  query[lengthAt] = offset - lengthAt - 1;
  return offset;
}

function writeLabels(query: Buffer, labels: string, offset: number): number {
  for (const label of labels.split('.')) {
    const length = query.write(label, offset + 1);
    query[offset] = length;
    offset += length + 1;
  }
  return offset;
}

/** Decode a message; undefined when it is not a well-formed DNS message. */
export function decode(buf: Buffer): WirePacket | undefined {
  try {
    return packet.decode(buf) as WirePacket;
  } catch {
    return undefined;
  }
}

export function encodeResponse(response: WirePacket): Buffer {
  return packet.encode(response);
}

export const TRUNCATED = packet.TRUNCATED_RESPONSE;
export const AUTHENTIC_DATA = packet.AUTHENTIC_DATA;

/** Convert one decoded answer's data into maildiag's typed record. */
export function toRecord<T extends RrType>(type: T, data: unknown): RecordOf[T] {
  switch (type) {
    case 'MX': {
      const d = data as { preference: number; exchange: string };
      return { priority: d.preference, exchange: trimDot(d.exchange) } as RecordOf[T];
    }
    case 'TXT': {
      const chunks = Array.isArray(data) ? data : [data];
      return chunks.map(c => (Buffer.isBuffer(c) ? c.toString('utf8') : String(c))) as RecordOf[T];
    }
    case 'TLSA': {
      const d = data as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      return { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: d.certificate } as RecordOf[T];
    }
    case 'SOA': {
      const d = data as RecordOf['SOA'];
      return { ...d, mname: trimDot(d.mname), rname: trimDot(d.rname) } as RecordOf[T];
    }
    case 'SRV': {
      const d = data as RecordOf['SRV'];
      return { ...d, target: trimDot(d.target) } as RecordOf[T];
    }
    case 'A':
    case 'AAAA':
      return String(data) as RecordOf[T];
    default:
      return trimDot(String(data)) as RecordOf[T];
  }
}

/** An RRSIG's data as maildiag reads it. */
export function toSignature(data: packet.RrsigData): Signature {
  return { covers: data.typeCovered, signer: trimDot(data.signersName), keyTag: data.keyTag, inception: fromEpochSeconds(data.inception), expiration: fromEpochSeconds(data.expiration) };
}

const fromEpochSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** The wire form of a typed record, for the simulated world's server. */
export function fromRecord(type: RrType, record: RecordOf[RrType]): unknown {
  switch (type) {
    case 'MX': { const r = record as RecordOf['MX']; return { preference: r.priority, exchange: r.exchange || '.' }; }
    case 'TXT': return (record as string[]).map(s => Buffer.from(s, 'utf8'));
    case 'TLSA': { const r = record as RecordOf['TLSA']; return { usage: r.usage, selector: r.selector, matchingType: r.matchingType, certificate: r.data }; }
    default: return record;
  }
}

const trimDot = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name);

/** The mnemonic of a numeric RR type (52 → TLSA). */
export const typeName = (type: number): string => types.toString(type);
