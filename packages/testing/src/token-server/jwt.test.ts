import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, libtrustKeyId, signJwt } from './jwt';

describe('signJwt', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const claims = {
    iss: 'issuer',
    sub: 'alice',
    aud: 'registry',
    exp: 1_700_000_300,
    nbf: 1_700_000_000,
    iat: 1_700_000_000,
    jti: 'abc',
    access: [{ type: 'repository', name: 'library/golang', actions: ['pull'] }],
  };
  const token = signJwt({ typ: 'JWT', alg: 'RS256', x5c: ['AAAA'] }, claims, privateKey);

  it('produces three base64url parts with no padding', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('carries the header and claims verbatim, aud as a string', () => {
    const decoded = decodeJwt(token);
    expect(decoded.header).toEqual({ typ: 'JWT', alg: 'RS256', x5c: ['AAAA'] });
    expect(decoded.claims).toEqual(claims);
    expect(typeof decoded.claims.aud).toBe('string');
  });

  it('has an RS256 signature node:crypto verifies over header.payload', () => {
    const decoded = decodeJwt(token);
    expect(decoded.signature.length).toBe(256);
    expect(verify('sha256', Buffer.from(decoded.signingInput), publicKey, decoded.signature)).toBe(true);
    const tampered = `${decoded.signingInput}x`;
    expect(verify('sha256', Buffer.from(tampered), publicKey, decoded.signature)).toBe(false);
  });

  it('rejects malformed tokens when decoding', () => {
    expect(() => decodeJwt('a.b')).toThrow(TypeError);
    expect(() => decodeJwt(`${Buffer.from('[1]').toString('base64url')}.e30.AA`)).toThrow(TypeError);
  });
});

describe('libtrustKeyId', () => {
  it('is 12 colon-separated groups of 4 base32 characters', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(libtrustKeyId(publicKey)).toMatch(/^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/);
  });

  it('matches an independently computed fingerprint of a fixed key', () => {
    // P-256 public key from RFC 7515 appendix A.3; the expected id is SHA-256 of
    // its SPKI DER, first 30 bytes, base32-encoded with the RFC 4648 alphabet.
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      },
      format: 'jwk',
    });
    expect(libtrustKeyId(key)).toBe(referenceKeyId(key.export({ type: 'spki', format: 'der' })));
  });
});

/** A deliberately different base32 implementation (bit string slicing) to cross-check the encoder. */
function referenceKeyId(spki: Buffer): string {
  const bytes = createHash('sha256').update(spki).digest().subarray(0, 30);
  const bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
  return (out.match(/.{4}/g) ?? []).join(':');
}
