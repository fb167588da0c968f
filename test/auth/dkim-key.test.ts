// DKIM key records (RFC 6376 §3.6.1) and the size of the key they hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { DkimKeyError, keyStrength, parseDkimKeyRecord, type DkimKeyProblem } from '../../src/auth/dkim-key.js';
import { ed25519DkimKey, rsaDkimKey } from '../helpers/dkim.js';

test('RSA keys report their modulus length', () => {
  for (const bits of [512, 1024, 2048]) {
    assert.deepEqual(keyStrength(parseDkimKeyRecord(rsaDkimKey(bits).record)), { algorithm: 'rsa', bits });
  }
});

test('an RSAPublicKey (PKCS#1) instead of SubjectPublicKeyInfo is read too', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
  assert.deepEqual(keyStrength(parseDkimKeyRecord(`p=${pkcs1}`)), { algorithm: 'rsa', bits: 1024 });
});

test('Ed25519 keys are 32 raw bytes (RFC 8463)', () => {
  assert.deepEqual(keyStrength(parseDkimKeyRecord(ed25519DkimKey().record)), { algorithm: 'ed25519', bits: 256 });
  const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  assert.throws(() => keyStrength(parseDkimKeyRecord(`v=DKIM1; k=ed25519; p=${spki}`)), (err: unknown) => err instanceof DkimKeyError && err.problem.code === 'ed25519Length');
});

test('tags: defaults, whitespace inside p=, flags, revoked key', () => {
  const key = parseDkimKeyRecord('v=DKIM1; t=y:s; p=MIGf MA0G\r\n\tCSqG');
  assert.equal(key.keyType, 'rsa');
  assert.equal(key.publicKey, 'MIGfMA0GCSqG');
  assert.deepEqual(key.flags, ['y', 's']);
  assert.equal(parseDkimKeyRecord('v=DKIM1; p=').publicKey, '');
});

test('unusable records throw DkimKeyError with the problem, as data', () => {
  const cases: [string, DkimKeyProblem][] = [
    ['v=DKIM1; k=rsa', { code: 'noKey' }],
    ['k=rsa; v=DKIM1; p=AAAA', { code: 'badVersion', value: 'DKIM1' }],
    ['v=DKIM2; p=AAAA', { code: 'badVersion', value: 'DKIM2' }],
    ['v=DKIM1; p=not base64!', { code: 'notBase64' }],
    ['v=DKIM1; k=dsa; p=AAAA', { code: 'unknownKeyType', value: 'dsa' }],
    ['v=DKIM1; h=sha1; p=AAAA', { code: 'noSha256', value: 'sha1' }],
    ['v=DKIM1; s=tlsrpt; p=AAAA', { code: 'notForEmail', value: 'tlsrpt' }],
    ['v=DKIM1; p=AAAA; p=BBBB', { code: 'tagList', tagList: { code: 'repeated', name: 'p' } }],
    ['v=DKIM1; p', { code: 'tagList', tagList: { code: 'noEquals', segment: 'p' } }],
    ['v=DKIM1; =x; p=AAAA', { code: 'tagList', tagList: { code: 'noName', segment: '=x' } }],
    ['v=DKIM1; 1x=y; p=AAAA', { code: 'tagList', tagList: { code: 'badName', name: '1x' } }],
    ['v=DKIM1; p=AA\u0001A', { code: 'tagList', tagList: { code: 'badValue', name: 'p' } }],
  ];
  for (const [text, problem] of cases) {
    assert.throws(() => parseDkimKeyRecord(text), (err: unknown) => err instanceof DkimKeyError && assert.deepEqual(err.problem, problem, text) === undefined, text);
  }
  assert.throws(() => keyStrength(parseDkimKeyRecord('v=DKIM1; p=AAAAAAAA')), (err: unknown) => err instanceof DkimKeyError && err.problem.code === 'notRsa');
  assert.throws(() => keyStrength(parseDkimKeyRecord('v=DKIM1; k=ed25519; p=AAAA')), (err: unknown) => err instanceof DkimKeyError && assert.deepEqual(err.problem, { code: 'ed25519Length', bytes: 3 }) === undefined);
});

test('property: any record either yields a key size or throws DkimKeyError, never anything else', () => {
  const base64 = fc.uint8Array({ maxLength: 300 }).map(bytes => Buffer.from(bytes).toString('base64'));
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.tuple(fc.constantFrom('rsa', 'ed25519', 'RSA', 'x'), base64).map(([k, p]) => `v=DKIM1; k=${k}; p=${p}`),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }).map(s => `v=DKIM1; ${s}`),
  );
  fc.assert(
    fc.property(anyText, text => {
      try {
        const key = parseDkimKeyRecord(text);
        if (key.publicKey) keyStrength(key);
      } catch (err) {
        if (!(err instanceof DkimKeyError)) throw err;
      }
    }),
    { numRuns: 10_000 },
  );
});

test('property: the PKCS#1 fast path inside an RSA SubjectPublicKeyInfo agrees with OpenSSL\'s SPKI import, byte flips and truncations included', () => {
  // The reference: what the general SPKI import makes of the same bytes (undefined: not an RSA key).
  const reference = (der: Buffer): number | undefined => {
    try {
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      return key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails!.modulusLength : undefined;
    } catch {
      return undefined;
    }
  };
  const strength = (der: Buffer): number | undefined => {
    try {
      return keyStrength(parseDkimKeyRecord(`p=${der.toString('base64')}`)).bits;
    } catch (err) {
      if (err instanceof DkimKeyError) return undefined;
      throw err;
    }
  };
  const keys = [512, 1024, 2048].map(bits => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }));
  const mutated = fc.tuple(fc.constantFrom(...keys), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([der, at, byte, truncate]) => {
    const copy = Buffer.from(der);
    if (truncate) return copy.subarray(0, at % copy.length);
    copy[at % copy.length] = byte;
    return copy;
  });
  fc.assert(
    fc.property(mutated, der => assert.equal(strength(der), reference(der), der.toString('hex'))),
    { numRuns: 2_000 },
  );
});
