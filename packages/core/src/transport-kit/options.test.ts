import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/option-errors';
import { createFetchTransport } from '../fetch-transport';
import { assertIntegerOption, assertTimerOption, checkTransportOptions, resolveTlsOptions } from './options';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function thrown(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('assertIntegerOption', () => {
  it('accepts absent and in-range integers, refuses the rest naming the option', () => {
    assertIntegerOption('@regkit/test', {}, 'n', 0);
    assertIntegerOption('@regkit/test', { n: 0 }, 'n', 0);
    for (const n of [-1, 1.5, '3', Number.NaN]) {
      const error = thrown(() => assertIntegerOption('@regkit/test', { n }, 'n', 0));
      expect(error.option).toBe('n');
      expect(error.message).toMatch(/^@regkit\/test: `n` must be an integer >= 0/);
    }
  });
});

describe('assertTimerOption', () => {
  it('refuses a timer above 2³¹−1 ms, which the platform would fire after 1 ms', () => {
    assertTimerOption('@regkit/test', { t: 2 ** 31 - 1 }, 't', 0);
    const error = thrown(() => assertTimerOption('@regkit/test', { t: 2 ** 31 }, 't', 0));
    expect(error.option).toBe('t');
    expect(error.message).toContain('2147483647');
    expect(thrown(() => assertTimerOption('@regkit/test', { t: -1 }, 't', 0)).option).toBe('t');
  });

  it('guards the default fetch transport', () => {
    expect(thrown(() => createFetchTransport({ headersTimeoutMs: 2 ** 31 })).option).toBe('headersTimeoutMs');
    expect(thrown(() => createFetchTransport({ bodyTimeoutMs: 2 ** 32 })).option).toBe('bodyTimeoutMs');
  });
});

describe('resolveTlsOptions', () => {
  it('turns ca into a list and insecure into rejectUnauthorized: false', () => {
    expect(resolveTlsOptions('@regkit/test', undefined)).toBeUndefined();
    expect(resolveTlsOptions('@regkit/test', { ca: PEM })).toEqual({ ca: [PEM] });
    expect(resolveTlsOptions('@regkit/test', { ca: [PEM, PEM] })).toEqual({ ca: [PEM, PEM] });
    expect(resolveTlsOptions('@regkit/test', { insecure: true })).toEqual({ rejectUnauthorized: false });
    expect(resolveTlsOptions('@regkit/test', { insecure: false })).toEqual({});
  });

  it.each([
    ['not an object', 'yes'],
    ['an unknown field', { rejectUnauthorized: false }],
    ['insecure not a boolean', { insecure: 'true' }],
    ['ca not PEM', { ca: 'my-ca.pem' }],
    ['an empty ca list', { ca: [] }],
    ['ca and insecure together', { ca: PEM, insecure: true }],
  ])('refuses %s', (_, tls) => {
    const error = thrown(() => resolveTlsOptions('@regkit/test', tls));
    expect(error.option).toBe('tls');
    expect(error.message).not.toContain('MIIB');
  });
});

describe('checkTransportOptions', () => {
  const policy = {
    source: '@regkit/test',
    factory: 'createTest()',
    known: ['httpProxy', 'keepAlive', 'timeoutMs', 'tls'],
    booleans: ['keepAlive'],
    integers: { timeoutMs: 0 },
  };

  it('refuses a non-object, unknown names (with hints), wrong booleans and integers', () => {
    expect(thrown(() => checkTransportOptions(null, policy)).option).toBe('options');
    expect(thrown(() => checkTransportOptions({ timeOutMs: 1 }, policy)).message).toMatch(/did you mean `timeoutMs`/);
    expect(thrown(() => checkTransportOptions({ proxy: 'http://p:3128' }, policy)).message).toMatch(
      /forward proxy is `httpProxy`/,
    );
    expect(thrown(() => checkTransportOptions({ keepAlive: 'yes' }, policy)).message).toMatch(/`keepAlive` must be a boolean/);
    expect(thrown(() => checkTransportOptions({ timeoutMs: -1 }, policy)).option).toBe('timeoutMs');
    expect(thrown(() => checkTransportOptions({ tls: { ca: 'nope' } }, policy)).option).toBe('tls');
  });

  it('returns the resolved tls option', () => {
    expect(checkTransportOptions({}, policy)).toEqual({ tls: undefined });
    expect(checkTransportOptions({ tls: { ca: PEM } }, policy)).toEqual({ tls: { ca: [PEM] } });
  });
});
