import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors';
import { formatWwwAuthenticate, type ParsedAuthChallenge, parseWwwAuthenticate } from './www-authenticate';

const plain = (challenges: ParsedAuthChallenge[]) =>
  challenges.map((c) => ({
    scheme: c.scheme,
    params: { ...c.params },
    ...(c.token68 !== undefined ? { token68: c.token68 } : {}),
  }));

describe('parseWwwAuthenticate', () => {
  it('parses the upstream distribution test case (escapes, bare tokens)', () => {
    const value = 'Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\\"\\l\\lo"';
    expect(plain(parseWwwAuthenticate(value))).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          other: 'fun',
          slashed: 'he"llo',
        },
      },
    ]);
  });

  describe('the exact distribution 2.8.2 challenges', () => {
    const base = 'Bearer realm="http://127.0.0.1:5056/token",service="test-registry"';
    const cases: Array<[string, string, Record<string, string>]> = [
      ['GET /v2/', base, {}],
      ['tags list', `${base},scope="repository:test/app:pull"`, { scope: 'repository:test/app:pull' }],
      ['catalog', `${base},scope="registry:catalog:*"`, { scope: 'registry:catalog:*' }],
      ['manifest PUT', `${base},scope="repository:test/app:pull,push"`, { scope: 'repository:test/app:pull,push' }],
      ['DELETE', `${base},scope="repository:test/app:delete"`, { scope: 'repository:test/app:delete' }],
      [
        'cross-repo mount',
        `${base},scope="repository:zeta:push,pull repository:test/app:pull"`,
        { scope: 'repository:zeta:push,pull repository:test/app:pull' },
      ],
      [
        'invalid token',
        `${base},scope="repository:test/app:pull",error="invalid_token"`,
        { scope: 'repository:test/app:pull', error: 'invalid_token' },
      ],
      [
        'insufficient scope',
        `${base},scope="repository:test/app:pull",error="insufficient_scope"`,
        { scope: 'repository:test/app:pull', error: 'insufficient_scope' },
      ],
    ];
    for (const [name, value, extra] of cases) {
      it(name, () => {
        expect(plain(parseWwwAuthenticate(value))).toEqual([
          { scheme: 'bearer', params: { realm: 'http://127.0.0.1:5056/token', service: 'test-registry', ...extra } },
        ]);
      });
    }

    it('htpasswd Basic', () => {
      expect(plain(parseWwwAuthenticate('Basic realm="basic-realm"'))).toEqual([
        { scheme: 'basic', params: { realm: 'basic-realm' } },
      ]);
    });
  });

  it('splits several challenges in one value, including repeated headers joined with ", "', () => {
    const value = 'Basic realm="basic-realm", Bearer realm="https://a.example/token",service="svc",scope="repository:x:pull"';
    expect(plain(parseWwwAuthenticate(value))).toEqual([
      { scheme: 'basic', params: { realm: 'basic-realm' } },
      { scheme: 'bearer', params: { realm: 'https://a.example/token', service: 'svc', scope: 'repository:x:pull' } },
    ]);
  });

  it('parses the RFC 7235 §4.1 example', () => {
    const value = 'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"';
    expect(plain(parseWwwAuthenticate(value))).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  it('keeps commas, equals signs and spaces inside quoted values', () => {
    const [challenge] = parseWwwAuthenticate('Bearer realm="https://x/t?a=b,c=d", scope="a:b:pull,push c:d:*"');
    expect(challenge?.params.realm).toBe('https://x/t?a=b,c=d');
    expect(challenge?.params.scope).toBe('a:b:pull,push c:d:*');
  });

  it('lower-cases scheme and parameter names, not values', () => {
    expect(plain(parseWwwAuthenticate('BEARER Realm="HTTPS://A/T",SERVICE=Svc'))).toEqual([
      { scheme: 'bearer', params: { realm: 'HTTPS://A/T', service: 'Svc' } },
    ]);
  });

  it('tolerates bad whitespace around "=" and commas, and empty list elements', () => {
    expect(plain(parseWwwAuthenticate('  Bearer   realm = "r" ,,  service\t=\t"s" , , Basic  '))).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('reads token68 forms', () => {
    expect(plain(parseWwwAuthenticate('Negotiate YIIBzgYGKwYB==, Basic realm="r"'))).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YIIBzgYGKwYB==' },
      { scheme: 'basic', params: { realm: 'r' } },
    ]);
    expect(plain(parseWwwAuthenticate('Foo abc='))).toEqual([{ scheme: 'foo', params: {}, token68: 'abc=' }]);
  });

  it('reads bare schemes', () => {
    expect(plain(parseWwwAuthenticate('Negotiate'))).toEqual([{ scheme: 'negotiate', params: {} }]);
    expect(plain(parseWwwAuthenticate('Negotiate, NTLM'))).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'ntlm', params: {} },
    ]);
  });

  it('accepts unquoted URLs and a missing comma between parameters', () => {
    expect(plain(parseWwwAuthenticate('Bearer realm=https://auth.example/token service="svc"'))).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'svc' } },
    ]);
  });

  it('keeps the first of duplicate parameters', () => {
    expect(parseWwwAuthenticate('Bearer realm="a", realm="b"')[0]?.params.realm).toBe('a');
  });

  it('returns what it could parse before garbage', () => {
    expect(plain(parseWwwAuthenticate('Bearer realm="r", service="unterminated'))).toEqual([
      { scheme: 'bearer', params: { realm: 'r' } },
    ]);
    expect(plain(parseWwwAuthenticate('Bearer realm="r", @@@ "x,y", Basic realm="b"'))).toEqual([
      { scheme: 'bearer', params: { realm: 'r' } },
      { scheme: 'basic', params: { realm: 'b' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(',, ,')).toEqual([]);
    expect(parseWwwAuthenticate('realm="orphan"')).toEqual([]);
  });

  it('is not fooled by parameter names like __proto__', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", constructor="y"');
    expect(Object.getOwnPropertyDescriptor(challenge?.params, '__proto__')?.value).toBe('x');
    expect(Object.keys(challenge?.params ?? {})).toEqual(['__proto__', 'constructor']);
  });

  it('returns frozen challenges', () => {
    const [challenge] = parseWwwAuthenticate('Bearer realm="r"');
    expect(Object.isFrozen(challenge)).toBe(true);
    expect(Object.isFrozen(challenge?.params)).toBe(true);
  });
});

describe('formatWwwAuthenticate', () => {
  it('quotes and escapes values', () => {
    expect(
      formatWwwAuthenticate([
        { scheme: 'bearer', params: { realm: 'https://a/t', scope: 'say "hi" \\ bye' } },
        { scheme: 'negotiate', params: {}, token68: 'abc==' },
        { scheme: 'basic', params: {} },
      ]),
    ).toBe('bearer realm="https://a/t", scope="say \\"hi\\" \\\\ bye", negotiate abc==, basic');
  });

  it('rejects names that are not tokens', () => {
    expect(() => formatWwwAuthenticate([{ scheme: 'bad scheme', params: {} }])).toThrow(InvalidOptionError);
    expect(() => formatWwwAuthenticate([{ scheme: 'b', params: { 'a b': 'x' } }])).toThrow(InvalidOptionError);
    expect(() => formatWwwAuthenticate([{ scheme: 'b', params: {}, token68: 'a b' }])).toThrow(InvalidOptionError);
  });
});

describe('parseWwwAuthenticate properties', () => {
  const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
  const token = fc.string({ unit: fc.constantFrom(...tchars), minLength: 1, maxLength: 12 });
  const token68 = fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~+/'.split('')), minLength: 1, maxLength: 16 }),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([body, pad]) => body + '='.repeat(pad));
  const paramChallenge = fc.record({
    scheme: token,
    params: fc.dictionary(
      token.map((name) => name.toLowerCase()),
      fc.string({ maxLength: 30 }),
      { maxKeys: 5 },
    ),
  });
  const token68Challenge = fc.record({ scheme: token, params: fc.constant({}), token68 });
  const challenges = fc.array(fc.oneof(paramChallenge, token68Challenge), { maxLength: 4 });

  it('round-trips formatted challenges', () => {
    fc.assert(
      fc.property(challenges, (input: ParsedAuthChallenge[]) => {
        const parsed = plain(parseWwwAuthenticate(formatWwwAuthenticate(input)));
        const expected = input.map((c) => ({
          scheme: c.scheme.toLowerCase(),
          params: { ...c.params },
          ...(c.token68 !== undefined ? { token68: c.token68 } : {}),
        }));
        expect(parsed).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary strings', () => {
    const noisy = fc.string({ unit: fc.constantFrom(...'Bb ="\\,\t=a:/é\u0000'.split('')), maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), noisy), (value) => {
        const result = parseWwwAuthenticate(value);
        expect(Array.isArray(result)).toBe(true);
        for (const challenge of result) {
          expect(challenge.scheme).toBe(challenge.scheme.toLowerCase());
          expect(challenge.scheme.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
