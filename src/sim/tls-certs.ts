// X.509 certificates for simulated servers (tests, bench, `maildiag demo`):
// a CA and host certificates that are valid, expired, not yet valid,
// self-signed, for the wrong name, wildcard or about to expire. Pure node:crypto
// (a small DER writer, RFC 5280 §4.1), so nothing needs the openssl command.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import net from 'node:net';

export type KeyKind = 'ec' | 'rsa';

export interface CertificateSpec {
  /** Subject common name. */
  commonName: string;
  /** subjectAltName entries: DNS names, or IP addresses. */
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  key?: KeyKind;
  /** RSA modulus size (default 2048). */
  rsaBits?: number;
  /** Signed by this CA; omitted: self-signed. */
  issuer?: SimCertificate;
  isCa?: boolean;
}

export interface SimCertificate {
  commonName: string;
  certPem: string;
  keyPem: string;
  der: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const DAY_MS = 86_400_000;

/** A certificate authority valid from a year ago for ten years. */
export function createCa(commonName = 'maildiag test CA', key: KeyKind = 'ec'): SimCertificate {
  return createCertificate({ commonName, isCa: true, key, notBefore: daysFromNow(-365), notAfter: daysFromNow(3650) });
}

export function createCertificate(spec: CertificateSpec): SimCertificate {
  const keys =
    spec.key === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: spec.rsaBits ?? 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signer = spec.issuer ?? { commonName: spec.commonName, privateKey: keys.privateKey, publicKey: keys.publicKey };
  const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
  const signatureAlgorithm = algorithmFor(signer.privateKey);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    signatureAlgorithm,
    name(signer.commonName),
    seq(time(spec.notBefore ?? daysFromNow(-30)), time(spec.notAfter ?? daysFromNow(90))),
    name(spec.commonName),
    spki,
    explicit(3, seq(...extensions(spec, spki, signer.publicKey.export({ type: 'spki', format: 'der' })))),
  );
  const signature = sign('sha256', tbs, signer.privateKey);
  const der = seq(tbs, signatureAlgorithm, bitString(signature));
  return {
    commonName: spec.commonName,
    certPem: toPem('CERTIFICATE', der),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    der,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
}

export const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY_MS);

/** The PEM a TLS server sends: the certificate, then its issuer (never the self-signed root itself). */
export function chainPem(cert: SimCertificate, ...intermediates: SimCertificate[]): string {
  return [cert, ...intermediates].map(c => c.certPem).join('');
}

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

function extensions(spec: CertificateSpec, spki: Buffer, issuerSpki: Buffer): Buffer[] {
  const list = [
    extension(OID.basicConstraints, true, spec.isCa ? seq(tlv(0x01, Buffer.from([0xff]))) : seq()),
    // digitalSignature + keyCertSign + cRLSign for a CA, digitalSignature + keyEncipherment for a server
    extension(OID.keyUsage, true, spec.isCa ? tlv(0x03, Buffer.from([0x01, 0x86])) : tlv(0x03, Buffer.from([0x05, 0xa0]))),
    extension(OID.subjectKeyIdentifier, false, tlv(0x04, keyIdentifier(spki))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(issuerSpki)))),
  ];
  if (!spec.isCa) list.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))));
  if (spec.altNames?.length) list.push(extension(OID.subjectAltName, false, seq(...spec.altNames.map(generalName))));
  return list;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(spki.subarray(spki.length - publicKeyBitsLength(spki))).digest();
}

/** The subjectPublicKey is the last element of the SPKI SEQUENCE: read its length from its header. */
function publicKeyBitsLength(spki: Buffer): number {
  let offset = 2 + (spki[1]! & 0x80 ? spki[1]! & 0x7f : 0); // into the outer SEQUENCE
  offset += skip(spki, offset); // the AlgorithmIdentifier
  return spki.length - offset;
}

function skip(der: Buffer, offset: number): number {
  const first = der[offset + 1]!;
  if (!(first & 0x80)) return 2 + first;
  const size = first & 0x7f;
  return 2 + size + der.readUIntBE(offset + 2, size);
}

function generalName(value: string): Buffer {
  if (!net.isIP(value)) return tlv(0x82, Buffer.from(value, 'ascii'));
  const bytes = net.isIPv4(value) ? Buffer.from(value.split('.').map(Number)) : ipv6Bytes(value);
  return tlv(0x87, bytes);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  return Buffer.from(all.flatMap(g => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function algorithmFor(key: KeyObject): Buffer {
  return key.asymmetricKeyType === 'rsa' ? seq(oid(OID.sha256WithRsa), tlv(0x05, Buffer.alloc(0))) : seq(oid(OID.ecdsaWithSha256));
}

function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero byte
  return serial;
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));

const name = (commonName: string): Buffer => seq(tlv(0x31, seq(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, 'utf8')))));

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(value: Buffer): Buffer {
  return tlv(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const explicit = (tag: number, inner: Buffer): Buffer => tlv(0xa0 | tag, inner);

function tlv(tag: number, value: Buffer): Buffer {
  const length = value.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), value]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(length);
  const trimmed = size.subarray(size.findIndex(b => b !== 0));
  return Buffer.concat([Buffer.from([tag, 0x80 | trimmed.length]), trimmed, value]);
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
