// A DKIM public key record (RFC 6376 §3.6.1) and the key it holds: RSA, as
// SubjectPublicKeyInfo (or the bare RSAPublicKey some signers publish), or
// Ed25519 as 32 raw bytes (RFC 8463 §4.2).
import { createPublicKey } from 'node:crypto';
import { say } from '../causes.js';
import { parseTagList, TagListError, type TagListProblem } from './tag-list.js';

export interface DkimKeyRecord {
  /** k=: rsa (the default) or ed25519. */
  keyType: string;
  /** p= without whitespace; empty means revoked. */
  publicKey: string;
  /** t=: y = testing, s = strict identity. */
  flags: string[];
  /** h=: acceptable hash algorithms, all when absent. */
  hashAlgorithms?: string[];
  /** s=: service types, all ("*") when absent. */
  serviceTypes?: string[];
}

export interface DkimKeyStrength {
  algorithm: 'rsa' | 'ed25519';
  bits: number;
}

/** Why a key record is unusable; causes.ts's `dkimKeyProblem` format says it in words. */
export type DkimKeyProblem =
  | { code: 'tagList'; tagList: TagListProblem }
  | { code: 'noKey' | 'notBase64' | 'notEd25519' | 'notRsa' }
  /** The tag's value as published: v=, k=, h= or s=. */
  | { code: 'badVersion' | 'unknownKeyType' | 'noSha256' | 'notForEmail'; value: string }
  | { code: 'ed25519Length'; bytes: number }
  | { code: 'notRsaKey'; keyType: string };

export class DkimKeyError extends Error {
  /** The problem in words (src/causes.ts). */
  readonly reason: string;
  constructor(readonly problem: DkimKeyProblem) {
    const reason = say('dkimKeyProblem', problem);
    super(reason);
    this.reason = reason;
    this.name = 'DkimKeyError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KEY_TYPES: readonly string[] = ['rsa', 'ed25519'];
/** The SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410), to validate the raw 32 bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function parseDkimKeyRecord(text: string): DkimKeyRecord {
  let tags: Map<string, string>;
  try {
    tags = parseTagList(text);
  } catch (err) {
    if (err instanceof TagListError) throw new DkimKeyError({ code: 'tagList', tagList: err.problem });
    throw err;
  }
  const version = tags.get('v');
  if (version !== undefined && (version !== 'DKIM1' || [...tags.keys()][0] !== 'v')) {
    throw new DkimKeyError({ code: 'badVersion', value: version });
  }
  const publicKey = tags.get('p');
  if (publicKey === undefined) throw new DkimKeyError({ code: 'noKey' });
  const key = publicKey.replace(/\s+/g, '');
  if (!BASE64.test(key) || key.length % 4 !== 0) throw new DkimKeyError({ code: 'notBase64' });
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  if (!KEY_TYPES.includes(keyType)) throw new DkimKeyError({ code: 'unknownKeyType', value: keyType });
  const list = (tag: string) => tags.get(tag)?.split(':').map(v => v.trim().toLowerCase()).filter(Boolean);
  const hashAlgorithms = list('h');
  // RFC 8301 §3.1: verifiers must not accept rsa-sha1, so a key limited to sha1 verifies nothing.
  if (hashAlgorithms && !hashAlgorithms.includes('sha256')) throw new DkimKeyError({ code: 'noSha256', value: tags.get('h')! });
  const serviceTypes = list('s');
  if (serviceTypes && !serviceTypes.includes('*') && !serviceTypes.includes('email')) throw new DkimKeyError({ code: 'notForEmail', value: tags.get('s')! });
  return { keyType, publicKey: key, flags: list('t') ?? [], ...(hashAlgorithms ? { hashAlgorithms } : {}), ...(serviceTypes ? { serviceTypes } : {}) };
}

/** The key's algorithm and size; throws DkimKeyError when p= holds no usable key. */
export function keyStrength(record: DkimKeyRecord): DkimKeyStrength {
  const der = Buffer.from(record.publicKey, 'base64');
  if (record.keyType === 'ed25519') {
    if (der.length !== 32) throw new DkimKeyError({ code: 'ed25519Length', bytes: der.length });
    if (!importKey(Buffer.concat([ED25519_SPKI_PREFIX, der]), 'spki')) throw new DkimKeyError({ code: 'notEd25519' });
    return { algorithm: 'ed25519', bits: 256 };
  }
  const rsa = rsaPublicKeyOf(der);
  const key = (rsa && importKey(rsa, 'pkcs1')) ?? importKey(der, 'spki') ?? importKey(der, 'pkcs1');
  if (!key) throw new DkimKeyError({ code: 'notRsa' });
  if (key.asymmetricKeyType !== 'rsa') throw new DkimKeyError({ code: 'notRsaKey', keyType: key.asymmetricKeyType! });
  return { algorithm: 'rsa', bits: key.asymmetricKeyDetails!.modulusLength! };
}

/** SubjectPublicKeyInfo's AlgorithmIdentifier for rsaEncryption (RFC 8017 §A.1, RFC 5280 §4.1.2.7), parameters NULL. */
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/**
 * The RSAPublicKey (PKCS #1) inside an RSA SubjectPublicKeyInfo, or undefined
 * when the DER is not exactly that. OpenSSL 3 imports PKCS #1 about twenty
 * times faster than SPKI, which an audit of thousands of domains feels; any
 * other shape takes the general path and its errors.
 */
function rsaPublicKeyOf(der: Buffer): Buffer | undefined {
  const outer = derHeader(der, 0, 0x30);
  if (!outer || outer.end !== der.length || !der.subarray(outer.start, outer.start + RSA_ALGORITHM.length).equals(RSA_ALGORITHM)) return undefined;
  const bits = derHeader(der, outer.start + RSA_ALGORITHM.length, 0x03);
  if (!bits || bits.end !== der.length || der[bits.start] !== 0) return undefined;
  return der.subarray(bits.start + 1);
}

/** A DER tag and definite length at `at`: where its content starts and ends, or undefined. */
function derHeader(der: Buffer, at: number, tag: number): { start: number; end: number } | undefined {
  if (der[at] !== tag || at + 2 > der.length) return undefined;
  const first = der[at + 1]!;
  if (first < 0x80) return { start: at + 2, end: at + 2 + first };
  const octets = first & 0x7f;
  if (octets < 1 || octets > 3 || at + 2 + octets > der.length) return undefined;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[at + 2 + i]!;
  return { start: at + 2 + octets, end: at + 2 + octets + length };
}

function importKey(der: Buffer, type: 'spki' | 'pkcs1') {
  try {
    return createPublicKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}
