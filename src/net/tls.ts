// TLS on top of an open connection (STARTTLS, RFC 3207): the handshake as a
// value. Verification is not enforced here: the caller wants to see the
// certificate whatever it is, and judges trust, dates and name itself.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type net from 'node:net';

export type TlsHandshake =
  | {
      kind: 'ok';
      socket: tls.TLSSocket;
      protocol: string;
      cipher: string;
      /** Leaf first, DER: what the server sent, completed by Node with the trusted root it found, if any. */
      chain: Buffer[];
      /** OpenSSL's verdict against the trusted CAs, e.g. DEPTH_ZERO_SELF_SIGNED_CERT; undefined when trusted. */
      authorizationError?: string;
    }
  | { kind: 'failed'; reason: TlsFailure }
  | { kind: 'timeout' };

export interface TlsOptions {
  servername?: string;
  /** Trusted CAs in addition to Node's (PEM). */
  caCerts: string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL security level 0 lets TLS 1.0/1.1 and old ciphers through, to tell "old" from "broken". */
  allowLegacy?: boolean;
}

/** The handshake within `timeoutMs` (the caller's share of the run's time, src/net/time.ts); given up as a timeout when `signal` fires. */
export function upgradeToTls(socket: net.Socket, options: TlsOptions, timeoutMs: number, signal?: AbortSignal): Promise<TlsHandshake> {
  return new Promise(resolve => {
    const started = performance.now();
    const secure = tls.connect({
      socket,
      servername: options.servername && !/^[\d.:]+$/.test(options.servername) ? options.servername : undefined,
      rejectUnauthorized: false,
      secureContext: secureContextFor(options),
    });
    const ticket = sessionTicket(secure);
    const finish = (result: TlsHandshake) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.removeAllListeners('secureConnect');
      if (result.kind !== 'ok') secure.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'timeout' });
    const timer = setTimeout(onAbort, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    secure.once('error', err => finish({ kind: 'failed', reason: opensslReason(err) }));
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      secure.on('error', () => undefined); // later errors surface through the SMTP reader
      const cipher = secure.getCipher();
      const established: TlsHandshake = {
        kind: 'ok',
        socket: secure,
        protocol: secure.getProtocol() ?? 'unknown',
        cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
        chain: peerChain(secure),
        ...(secure.authorizationError ? { authorizationError: String(secure.authorizationError) } : {}),
      };
      if (established.protocol !== 'TLSv1.3') return finish(established);
      const bound = Math.min(performance.now() - started, MAX_TICKET_WAIT_MS);
      void Promise.race([ticket, sleep(bound)]).then(() => finish(established));
    });
  });
}

/**
 * A TLS 1.3 server sends its session ticket just after the handshake. A
 * command written before the ticket arrives makes the server's reply wait for
 * our delayed ACK of the ticket (Nagle on the server side, about 40 ms on
 * Linux), so the first command waits for the ticket, at most as long as the
 * handshake took (it is at least one round trip) and never longer than that
 * ACK delay.
 */
const MAX_TICKET_WAIT_MS = 40;

function sessionTicket(secure: tls.TLSSocket): Promise<void> {
  // Resolved on the next turn: a write from inside the 'session' event is lost by Node 20.
  return new Promise(resolve => secure.once('session', () => setImmediate(resolve)));
}

// A secure context holds the trust store. Passing `ca` makes OpenSSL re-parse
// every Node root (146 certificates) on top of the extra anchors, so a context
// starts from Node's default store, which the process parses once and shares,
// and only the extra anchors are added to it. Contexts are kept per CA list and
// TLS settings: the run owns its caCerts array, so the cache goes with it.
const contexts = new WeakMap<string[], Map<string, tls.SecureContext>>();

function secureContextFor(options: TlsOptions): tls.SecureContext {
  const key = `${options.minVersion ?? 'TLSv1.2'}|${options.maxVersion ?? ''}|${options.allowLegacy ? 'legacy' : ''}`;
  let byKey = contexts.get(options.caCerts);
  if (!byKey) contexts.set(options.caCerts, (byKey = new Map()));
  let context = byKey.get(key);
  if (!context) {
    context = tls.createSecureContext({
      minVersion: options.minVersion ?? 'TLSv1.2',
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(options.allowLegacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
    });
    // The native context's addCACert is what the `ca` option itself calls, once per PEM (a bundle is read whole).
    for (const pem of options.caCerts.filter(pem => !inNodeDefaultStore(pem))) (context.context as { addCACert(pem: string): void }).addCACert(pem);
    byKey.set(key, context);
  }
  return context;
}

/**
 * Node's default store already holds the NODE_EXTRA_CA_CERTS file, which
 * callers pass as an extra anchor too (the chain judgement needs it): adding
 * it again would re-parse it, about 20 ms for a system bundle of 144 roots.
 */
let nodeExtraCaPem: string | null | undefined;
function inNodeDefaultStore(pem: string): boolean {
  if (nodeExtraCaPem === undefined) nodeExtraCaPem = readNodeExtraCa();
  return pem === nodeExtraCaPem;
}

function readNodeExtraCa(): string | null {
  const path = process.env['NODE_EXTRA_CA_CERTS'];
  try {
    return path ? readFileSync(path, 'utf8') : null;
  } catch {
    return null; // Node warned already; the caller reports its own reading of the file
  }
}

/** The chain the peer presented, leaf first (DER). */
export function peerChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (cert?.raw && !chain.some(c => c.equals(cert!.raw))) {
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Why a handshake failed, in the class the OS or OpenSSL reports (OONI
 * netxlite's classification): a fatal alert from the peer with its
 * description, a reset connection, or OpenSSL's own words ("wrong version
 * number", "unsupported protocol"), never Node's wrapper.
 */
export type TlsFailure = { code: 'alert'; alert: string } | { code: 'reset' } | { code: 'openssl'; error: string };

function opensslReason(err: Error & { code?: string; reason?: string }): TlsFailure {
  const alert = /\balert (.+)$/.exec(err.reason ?? '');
  if (alert) return { code: 'alert', alert: alert[1]! };
  if (err.code === 'ECONNRESET') return { code: 'reset' };
  return { code: 'openssl', error: err.reason ?? err.code ?? err.message };
}

/**
 * A failed handshake in words, or an implicit-TLS handshake that timed out.
 * The one sayer for both the SMTP transcripts here and the findings
 * (src/causes.ts's FORMATS), which the net layer must not import.
 */
export function sayTlsFailure(failure: TlsFailure | { code: 'timeout' }): string {
  switch (failure.code) {
    case 'alert': return `the server sent a fatal TLS alert: ${failure.alert}`;
    case 'reset': return 'the server reset the connection during the handshake (ECONNRESET)';
    case 'openssl': return failure.error;
    case 'timeout': return 'handshake timed out';
  }
}

/** A handshake as recorded in a probe result: the outcome without the live socket. */
export type TlsResult = Exclude<TlsHandshake, { kind: 'ok' }> | Omit<Extract<TlsHandshake, { kind: 'ok' }>, 'socket'>;

export function recordHandshake(handshake: TlsHandshake): TlsResult {
  if (handshake.kind !== 'ok') return handshake;
  const { socket: _socket, ...rest } = handshake;
  return rest;
}

/** What a certificate says about itself, for reports and for the checks' own judgement. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** subjectAltName entries as OpenSSL prints them ("DNS:mx.example.com", "IP Address:192.0.2.1"). */
  altNames: string[];
  validFrom: string;
  validTo: string;
  key: { type: string; bits?: number; curve?: string };
  sha256: string;
  selfSigned: boolean;
  isCa: boolean;
}

/** Whether the chain leads to a trusted CA, judged apart from dates and names (RFC 5280 §6, without the validity test). */
export type ChainTrust =
  /** `publicCa`: the anchor is one of the roots Node ships (Mozilla's list), not one from --ca-file. */
  | { kind: 'trusted'; anchor: string; publicCa?: true }
  /** The server certificate signed itself. */
  | { kind: 'self-signed' }
  /** The chain ends at a self-signed CA that is not trusted. */
  | { kind: 'untrusted-root'; root: string }
  /** No trusted or presented certificate issued the last one: unknown CA or missing intermediate. */
  | { kind: 'incomplete'; missingIssuer: string };

export interface ChainFacts {
  leaf: CertificateFacts;
  /** The certificates from the leaf towards the trust anchor, as far as signatures link them (leaf first). */
  path: CertificateFacts[];
  trust: ChainTrust;
}

const MAX_CHAIN_DEPTH = 10;

// Domains that share an MX host share its probe, and so the very same chain
// array: judge each chain once per CA list.
const inspected = new WeakMap<Buffer[], WeakMap<string[], ChainFacts>>();

/** Trust, computed independently of OpenSSL's single authorizationError, so "expired" never hides "self-signed". */
export function inspectChain(chain: Buffer[], caCerts: string[]): ChainFacts {
  let byCa = inspected.get(chain);
  if (!byCa) inspected.set(chain, (byCa = new WeakMap()));
  let facts = byCa.get(caCerts);
  if (!facts) byCa.set(caCerts, (facts = judgeChain(chain, caCerts)));
  return facts;
}

function judgeChain(chain: Buffer[], caCerts: string[]): ChainFacts {
  const presented = chain.map(der => new X509Certificate(der));
  const leaf = presented[0];
  if (!leaf) throw new Error('inspectChain: empty chain');
  const anchorFor = (cert: X509Certificate) => {
    const names = certificateNames(cert.raw);
    if (!names) return undefined;
    // A certificate that is itself trusted (a pinned self-signed one from --ca-file) needs no issuer.
    const vouches = (anchor: X509Certificate) => anchor.raw.equals(cert.raw) || isIssuedBy(cert, anchor);
    // By subject too: a certificate pinned with --ca-file is its own anchor whoever issued it. Node's
    // roots come second, indexed only when no --ca-file anchor vouches (~10 ms of a start).
    const pinned = caCerts.flatMap(pem => anchorsNamed(caFileIndex(pem), [names.issuer, names.subject])).find(vouches);
    if (pinned) return { anchor: pinned };
    const root = anchorsNamed(nodeRootIndex(), [names.issuer]).find(vouches);
    return root && { anchor: root, publicCa: true as const };
  };
  const { path, trust } = followIssuers(leaf, presented, anchorFor);
  return { leaf: certificateFacts(leaf), path: path.map(certificateFacts), trust };
}

type Anchor = { anchor: X509Certificate; publicCa?: true };

function followIssuers(leaf: X509Certificate, presented: X509Certificate[], anchorFor: (cert: X509Certificate) => Anchor | undefined): { path: X509Certificate[]; trust: ChainTrust } {
  const path = [leaf];
  let current = leaf;
  while (path.length <= MAX_CHAIN_DEPTH) {
    const found = anchorFor(current);
    if (found) return { path, trust: { kind: 'trusted', anchor: oneLine(found.anchor.subject), ...(found.publicCa ? { publicCa: found.publicCa } : {}) } };
    if (isSelfSigned(current)) return { path, trust: current === leaf ? { kind: 'self-signed' } : { kind: 'untrusted-root', root: oneLine(current.subject) } };
    const next = presented.find(c => !path.includes(c) && isIssuedBy(current, c));
    if (!next) break;
    path.push((current = next));
  }
  return { path, trust: { kind: 'incomplete', missingIssuer: oneLine(current.issuer) } };
}

const nameChecks = new WeakMap<Buffer, Map<string, boolean>>();

/** RFC 6125 §6.4 / RFC 9525 §6.3: DNS-ID first, CN only without DNS-IDs, a wildcard only as the whole left-most label. */
export function certificateCoversHost(der: Buffer, host: string): boolean {
  // Memoized like inspectChain: every domain on a shared MX host asks about the same certificate.
  let byHost = nameChecks.get(der);
  if (!byHost) nameChecks.set(der, (byHost = new Map()));
  let covered = byHost.get(host);
  if (covered === undefined) {
    const options = { subject: 'default', wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false } as const;
    byHost.set(host, (covered = new X509Certificate(der).checkHost(host.replace(/\.$/, ''), options) !== undefined));
  }
  return covered;
}

function certificateFacts(cert: X509Certificate): CertificateFacts {
  const details = cert.publicKey.asymmetricKeyDetails;
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    altNames: cert.subjectAltName ? cert.subjectAltName.split(/,\s*/) : [],
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    key: {
      type: cert.publicKey.asymmetricKeyType ?? 'unknown',
      ...(details?.modulusLength ? { bits: details.modulusLength } : {}),
      ...(details?.namedCurve ? { curve: details.namedCurve } : {}),
    },
    sha256: cert.fingerprint256,
    selfSigned: isSelfSigned(cert),
    isCa: cert.ca,
  };
}

function isIssuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && isSignedBy(child, parent);
}

/**
 * Issuer equals subject and the certificate's own key signed it. Not checkIssued():
 * a self-signed server certificate usually lacks keyCertSign, which checkIssued requires.
 */
function isSelfSigned(cert: X509Certificate): boolean {
  return cert.issuer === cert.subject && isSignedBy(cert, cert);
}

function isSignedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false; // a key or signature algorithm OpenSSL cannot use: not a link in the chain
  }
}

/**
 * Trust anchors by the DER bytes of their subject, each parsed only when a
 * certificate names it: materialising Node's roots or a system bundle passed
 * as an extra CA file costs about 20 ms per 150 certificates. Bytes suffice: a
 * CA's subject must be encoded exactly as its certificates' issuer field (RFC
 * 5280 §4.1.2.6).
 */
const caFileIndexes = new Map<string, Map<string, string[]>>();
let nodeRootsBySubject: Map<string, string[]> | undefined;
const parsedAnchors = new Map<string, X509Certificate>();

function caFileIndex(pem: string): Map<string, string[]> {
  let index = caFileIndexes.get(pem);
  if (!index) caFileIndexes.set(pem, (index = indexBySubject(splitPem(pem))));
  return index;
}

const nodeRootIndex = (): Map<string, string[]> => (nodeRootsBySubject ??= indexBySubject(tls.rootCertificates));

function anchorsNamed(index: Map<string, string[]>, names: Buffer[]): X509Certificate[] {
  const pems = new Set(names.flatMap(name => index.get(name.toString('base64')) ?? []));
  return [...pems].map(pem => {
    let cert = parsedAnchors.get(pem);
    if (!cert) parsedAnchors.set(pem, (cert = new X509Certificate(pem)));
    return cert;
  });
}

function indexBySubject(pems: readonly string[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const pem of pems) {
    const subject = certificateNames(pemToDer(pem))?.subject.toString('base64');
    if (subject !== undefined) index.set(subject, [...(index.get(subject) ?? []), pem]);
  }
  return index;
}

/** The issuer and subject names of a DER certificate (RFC 5280 §4.1), as raw DER, without parsing the rest. */
export function certificateNames(der: Buffer): { issuer: Buffer; subject: Buffer } | undefined {
  const certificate = derElement(der, 0);
  const tbs = certificate && derElement(der, certificate.contentStart);
  if (!tbs) return undefined;
  // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject.
  const fields: { start: number; end: number }[] = [];
  for (let at = tbs.contentStart; at < tbs.end && fields.length < 6; ) {
    const element = derElement(der, at);
    if (!element) return undefined;
    fields.push(element);
    at = element.end;
  }
  const skip = der[tbs.contentStart] === 0xa0 ? 1 : 0;
  const issuer = fields[skip + 2];
  const subject = fields[skip + 4];
  return issuer && subject ? { issuer: der.subarray(issuer.start, issuer.end), subject: der.subarray(subject.start, subject.end) } : undefined;
}

/** One DER tag-length-value at `start`: where its content begins and where it ends; undefined if it does not fit. */
function derElement(der: Buffer, start: number): { start: number; contentStart: number; end: number } | undefined {
  const first = der[start + 1];
  if (first === undefined) return undefined;
  let length = first;
  let contentStart = start + 2;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 4 || contentStart + octets > der.length) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += octets;
  }
  const end = contentStart + length;
  return end <= der.length ? { start, contentStart, end } : undefined;
}

/** One PEM certificate's DER bytes. */
export const pemToDer = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

/** A CA file may hold a whole bundle. */
export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** X509Certificate prints distinguished names one attribute per line. */
const oneLine = (name: string): string => name.split('\n').filter(Boolean).join(', ');
