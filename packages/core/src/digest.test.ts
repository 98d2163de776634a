import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertDigest, isDigest, isDigestAlgorithm, parseDigest } from './digest';
import { InvalidReferenceError, type InvalidReferenceReason } from './errors/reference-errors';

const HEX64 = 'e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const hex = (length: number): string => 'f'.repeat(length);

function reasonOf(run: () => unknown): InvalidReferenceReason | 'no error' {
  try {
    run();
  } catch (error) {
    if (InvalidReferenceError.isInstance(error)) return error.reason;
    throw error;
  }
  return 'no error';
}

describe('parseDigest', () => {
  it.each([
    ['sha256', HEX64],
    ['sha384', hex(96)],
    ['sha512', hex(128)],
    ['sha256', '0123456789abcdef'.repeat(4)],
  ] as const)('accepts %s:%s', (algorithm, encoded) => {
    expect(parseDigest(`${algorithm}:${encoded}`)).toEqual({ algorithm, encoded });
  });

  // protocol.md §3.3 step 5 and §1.1, in go-digest's order of checks.
  it.each<[string, InvalidReferenceReason]>([
    ['', 'DIGEST_INVALID_FORMAT'],
    ['sha256', 'DIGEST_INVALID_FORMAT'],
    ['sha256:', 'DIGEST_INVALID_FORMAT'],
    [`:${HEX64}`, 'DIGEST_INVALID_FORMAT'],
    [HEX64, 'DIGEST_INVALID_FORMAT'],
    [`sha256:${HEX64.toUpperCase()}`, 'DIGEST_INVALID_FORMAT'],
    [`sha256:${'g'.repeat(64)}`, 'DIGEST_INVALID_FORMAT'],
    [`sha256:${HEX64.slice(1)}-`, 'DIGEST_INVALID_FORMAT'],
    [`sha256:${hex(63)}`, 'DIGEST_INVALID_LENGTH'],
    [`sha256:${hex(65)}`, 'DIGEST_INVALID_LENGTH'],
    [`sha256:${hex(34)}`, 'DIGEST_INVALID_LENGTH'],
    [`sha384:${hex(64)}`, 'DIGEST_INVALID_LENGTH'],
    [`sha512:${hex(64)}`, 'DIGEST_INVALID_LENGTH'],
    [`sha256:${hex(64)}:x`, 'DIGEST_INVALID_LENGTH'],
    // Length is checked before content, as go-digest does.
    [`sha256:${'Z'.repeat(10)}`, 'DIGEST_INVALID_LENGTH'],
    [`md5:d41d8cd98f00b204e9800998ecf8427e`, 'DIGEST_UNSUPPORTED'],
    [`invaliddigest:${hex(64)}`, 'DIGEST_UNSUPPORTED'],
    ['sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564=', 'DIGEST_UNSUPPORTED'],
    ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', 'DIGEST_UNSUPPORTED'],
    // Unknown and not well formed: a format error, not "unsupported".
    [`SHA256:${HEX64}`, 'DIGEST_INVALID_FORMAT'],
    [`sha-:${HEX64}`, 'DIGEST_INVALID_FORMAT'],
    ['md5:a b', 'DIGEST_INVALID_FORMAT'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(() => parseDigest(input))).toBe(reason);
  });

  it('names the input and uses the go-digest message', () => {
    expect(() => parseDigest('sha256:abc')).toThrow('invalid reference "sha256:abc": invalid checksum digest length');
    expect(() => parseDigest('md5:abc')).toThrow('unsupported digest algorithm');
    expect(() => parseDigest('nope')).toThrow('invalid checksum digest format');
    try {
      parseDigest('nope');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidReferenceError);
      expect((error as InvalidReferenceError).input).toBe('nope');
    }
  });

  it('treats non-strings from plain-JS callers as malformed, not as a crash', () => {
    expect(reasonOf(() => parseDigest(42 as unknown as string))).toBe('DIGEST_INVALID_FORMAT');
  });

  it('accepts exactly the lower-hex strings of the registered lengths', () => {
    const algorithms = fc.constantFrom(['sha256', 64] as const, ['sha384', 96] as const, ['sha512', 128] as const);
    fc.assert(
      fc.property(
        algorithms,
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg'), maxLength: 130 }),
        ([algorithm, length], encoded) => {
          const valid = encoded.length === length && /^[0-9a-f]*$/.test(encoded);
          expect(isDigest(`${algorithm}:${encoded}`)).toBe(valid);
          if (valid) expect(parseDigest(`${algorithm}:${encoded}`)).toEqual({ algorithm, encoded });
        },
      ),
    );
  });
});

describe('isDigest', () => {
  it('agrees with parseDigest', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'sha256:0af+.-_=Z'), maxLength: 80 }), (input) => {
        expect(isDigest(input)).toBe(reasonOf(() => parseDigest(input)) === 'no error');
      }),
    );
    expect(isDigest(`sha256:${HEX64}`)).toBe(true);
    expect(isDigest(`sha256:${HEX64.toUpperCase()}`)).toBe(false);
  });

  it('is false for non-strings', () => {
    expect(isDigest(undefined)).toBe(false);
    expect(isDigest({ toString: () => `sha256:${HEX64}` })).toBe(false);
  });
});

describe('isDigestAlgorithm', () => {
  it('knows the registered algorithms only', () => {
    expect(['sha256', 'sha384', 'sha512', 'md5', 'SHA256', 'toString', '__proto__'].map(isDigestAlgorithm)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('assertDigest', () => {
  it('returns for a valid digest', () => {
    expect(assertDigest(`sha512:${hex(128)}`)).toBeUndefined();
  });

  it('names what was wrong and keeps the reason', () => {
    expect(() => assertDigest('sha256:abc', 'manifest digest')).toThrow(
      'invalid reference "sha256:abc": manifest digest: invalid checksum digest length',
    );
    expect(reasonOf(() => assertDigest('md5:abc', 'blob digest'))).toBe('DIGEST_UNSUPPORTED');
    expect(() => assertDigest('x')).toThrow('digest: invalid checksum digest format');
    expect(reasonOf(() => assertDigest(null as unknown as string))).toBe('DIGEST_INVALID_FORMAT');
  });
});
