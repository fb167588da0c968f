// Typed DNS answers. Every outcome is a value: checks decide what a missing
// record means, the DNS layer only says what happened.

export const RR_TYPES = ['A', 'AAAA', 'MX', 'TXT', 'PTR', 'CNAME', 'TLSA', 'SOA', 'NS', 'SRV'] as const;
export type RrType = (typeof RR_TYPES)[number];

export interface MxRecord { exchange: string; priority: number }
export interface SoaRecord { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export interface TlsaRecord { usage: number; selector: number; matchingType: number; data: Buffer }
export interface SrvRecord { priority: number; weight: number; port: number; target: string }

export interface RecordOf {
  A: string;
  AAAA: string;
  MX: MxRecord;
  /** The character-strings of one TXT record, as published (join them to read an SPF/DMARC record). */
  TXT: string[];
  PTR: string;
  CNAME: string;
  TLSA: TlsaRecord;
  SOA: SoaRecord;
  NS: string;
  SRV: SrvRecord;
}

/** Answer facts shared by every outcome that came from a server. */
interface Answered {
  /** The server that gave the answer, "ip:port". */
  server: string;
  /** CNAME records followed in the answer, "alias → target". */
  aliases: string[];
  /** Authenticated Data bit: the resolver says it validated the answer with DNSSEC. */
  ad: boolean;
  /** Authoritative Answer bit: the server serves the name's zone itself (what a name server asked directly must set). */
  aa: boolean;
  /** The RRSIGs in the answer section, when the question set DO (QueryOptions.dnssecOk); absent otherwise. */
  signatures?: Signature[];
}

/** An RRSIG (RFC 4034 §3.1): what it covers, who signed it with which key, and when it is valid (ISO 8601). */
export interface Signature {
  covers: string;
  signer: string;
  keyTag: number;
  inception: string;
  expiration: string;
}

/**
 * A name server's pointer down to the servers of a zone below it: NOERROR, no
 * answer, the zone's NS records in the authority section and their addresses
 * (glue) in the additional section (RFC 1034 §4.3.2, RFC 8499 "referral").
 */
export interface Referral {
  zone: string;
  nameServers: { name: string; addresses: string[] }[];
}

export type DnsAnswer<T extends RrType = RrType> =
  | ({ kind: 'records'; records: RecordOf[T][] } & Answered)
  /** No records of that type; from a name server asked directly, possibly a referral to the servers of a zone below. */
  | ({ kind: 'nodata'; referral?: Referral } & Answered)
  | ({ kind: 'nxdomain' } & Answered)
  | ({ kind: 'servfail' } & Answered)
  | ({ kind: 'refused' } & Answered)
  /** No server answered in time (after retries). */
  | { kind: 'timeout'; servers: string[] }
  /**
   * Answers came back but could not be used (malformed, TCP refused after
   * truncation...), or the OS would not send the question: then `code` is its
   * error code (ENETUNREACH, EACCES...), when every failed try gave the same.
   */
  | { kind: 'error'; message: string; servers: string[]; code?: string };

export type DnsOutcome = DnsAnswer['kind'];

export interface DnsServer { host: string; port: number }

export interface QueryOptions {
  /** Ask these servers instead of the configured resolvers (e.g. a DNSBL's own name servers). */
  servers?: DnsServer[];
  /** Set the RD bit (default true; false when asking authoritative servers directly). */
  recursive?: boolean;
  /** Set the CD bit (default false): a validating resolver answers even when the name's DNSSEC does not validate (RFC 4035 §3.2.2). */
  checkingDisabled?: boolean;
  /** Set the DO bit (default false): a signed zone's servers add their RRSIGs, which the answer's `signatures` holds (RFC 3225). */
  dnssecOk?: boolean;
}

export interface DnsClient {
  query<T extends RrType>(name: string, type: T, options?: QueryOptions): Promise<DnsAnswer<T>>;
  readonly servers: readonly DnsServer[];
  /** Queries sent on the wire (cache misses), for benchmarks and tests. */
  readonly stats: { sent: number; cached: number };
}

export function describeAnswer(name: string, type: RrType, answer: DnsAnswer): string {
  switch (answer.kind) {
    case 'records':
      return answer.records.map(r => `${name} ${type} ${formatRecord(type, r)}`).join('; ');
    case 'timeout':
      return `${name} ${type}: no answer from ${answer.servers.join(', ')}`;
    case 'error':
      return `${name} ${type}: ${answer.message}`;
    case 'nodata':
      if (answer.referral) return `${name} ${type}: referral to ${answer.referral.zone} NS ${answer.referral.nameServers.map(ns => ns.name).join(', ')} from ${answer.server}`;
      return `${name} ${type}: NODATA from ${answer.server}`;
    default:
      return `${name} ${type}: ${answer.kind.toUpperCase()} from ${answer.server}`;
  }
}

export function formatRecord(type: RrType, record: RecordOf[RrType]): string {
  switch (type) {
    case 'MX': { const r = record as MxRecord; return `${r.priority} ${r.exchange || '.'}`; }
    case 'TXT': return (record as string[]).map(s => JSON.stringify(s)).join(' ');
    case 'TLSA': { const r = record as TlsaRecord; return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString('hex')}`; }
    case 'SOA': { const r = record as SoaRecord; return `${r.mname} ${r.rname} ${r.serial}`; }
    case 'SRV': { const r = record as SrvRecord; return `${r.priority} ${r.weight} ${r.port} ${r.target}`; }
    default: return String(record);
  }
}

/** A TXT record's strings joined, as RFC 7208 §3.3 and RFC 9989 read them. */
export const joinTxt = (chunks: string[]): string => chunks.join('');
