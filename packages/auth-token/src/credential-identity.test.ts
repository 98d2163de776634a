import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialIdentity, hmacSha256, keyedHash } from './credential-identity';

describe('hmacSha256', () => {
  it('is HMAC-SHA256', async () => {
    const key = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
    for (const text of ['', 'password', '["password","ci","é"]']) {
      expect(await hmacSha256(key, text)).toBe(createHmac('sha256', key).update(text).digest('hex'));
    }
  });

  it('refuses a key that is not one block long', async () => {
    await expect(hmacSha256(new Uint8Array(32), 'x')).rejects.toThrow(RangeError);
  });
});

describe('credentialIdentity', () => {
  it('tells apart one username with two passwords, and never holds the secret', async () => {
    const one = await credentialIdentity({ kind: 'password', username: 'ci', password: 'first-secret' });
    const two = await credentialIdentity({ kind: 'password', username: 'ci', password: 'second-secret' });
    expect(one).not.toBe(two);
    expect(one).toBe(await credentialIdentity({ kind: 'password', username: 'ci', password: 'first-secret' }));
    expect(`${one}${two}`).not.toMatch(/secret|ci/);
  });

  it('keys refresh tokens by their keyed hash and anonymous as such', async () => {
    const token = await credentialIdentity({ kind: 'refresh-token', refreshToken: 'refresh-secret' });
    expect(token).toBe(`refresh-token:${await keyedHash('["refresh-token","refresh-secret"]')}`);
    expect(await credentialIdentity({ kind: 'anonymous' })).toBe('anonymous');
  });
});
