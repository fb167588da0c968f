// DKIM keys made at test time (never lab keys): the private key to sign with
// and the TXT record to publish, split into 255-byte strings as DNS needs, and
// signatures made with them.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dkimSign, type DKIMSignOptions } from 'mailauth';

export interface TestDkimKey {
  privateKey: string;
  /** The key record, e.g. "v=DKIM1; k=rsa; p=MIIB...". */
  record: string;
  /** The record as the character-strings of one TXT record. */
  txt: string[];
}

export function rsaDkimKey(bits: number, extraTags = ''): TestDkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return keyRecord(`v=DKIM1; k=rsa;${extraTags} p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`, privateKey);
}

export function ed25519DkimKey(): TestDkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // RFC 8463 §4.2: the raw 32-byte key, i.e. the SubjectPublicKeyInfo without its 12-byte header.
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
  return keyRecord(`v=DKIM1; k=ed25519; p=${raw.toString('base64')}`, privateKey);
}

function keyRecord(record: string, privateKey: KeyObject): TestDkimKey {
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record, txt: splitTxt(record) };
}

export function splitTxt(text: string): string[] {
  const strings: string[] = [];
  for (let i = 0; i < text.length; i += 255) strings.push(text.slice(i, i + 255));
  return strings;
}

export interface SignOptions {
  domain: string;
  selector: string;
  /** The fields to sign, colon-separated; mailauth's default list without it. */
  headerList?: string;
}

/**
 * The DKIM-Signature field for a message. The signing time is fixed before
 * signing: mailauth otherwise reads the clock twice, and a second that ticks
 * between the two puts a t= in the field that the signature does not cover.
 */
export async function dkimSignature(message: Buffer, key: TestDkimKey, { domain, selector, headerList }: SignOptions): Promise<string> {
  // mailauth 4.13 reads signatureData, signTime and headerList, which its type definitions do not describe.
  const options = { signatureData: [{ signingDomain: domain, selector, privateKey: key.privateKey }], signTime: new Date(), ...(headerList ? { headerList } : {}) } as unknown as DKIMSignOptions;
  return (await dkimSign(message, options)).signatures;
}
