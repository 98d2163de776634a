import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidReferenceError } from './errors';
import { Registry } from './registry';

function optionError(create: () => unknown): InvalidOptionError {
  try {
    create();
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
}

const domain = 'registry.test';

describe('timer options', () => {
  // Above 2³¹−1 ms Node fires a timer after 1 ms: every request would time out at once.
  it.each([2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER])('refuses timeoutMs %d', (timeoutMs) => {
    const error = optionError(() => new Registry({ domain, timeoutMs }));
    expect(error.option).toBe('timeoutMs');
    expect(error.message).toContain('2147483647');
  });

  it.each(['initialDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const)('refuses retry.%s above 2³¹−1', (name) => {
    const error = optionError(() => new Registry({ domain, retry: { [name]: 2 ** 31 } }));
    expect(error.option).toBe(`retry.${name}`);
  });

  it('accepts 2³¹−1 itself and zero retry delays', () => {
    expect(() => new Registry({ domain, timeoutMs: 2 ** 31 - 1, retry: { maxRetryAfterMs: 2 ** 31 - 1 } })).not.toThrow();
    expect(() => new Registry({ domain, retry: { initialDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 } })).not.toThrow();
  });

  it('still refuses a zero, fractional or non-number timeoutMs', () => {
    for (const timeoutMs of [0, 1.5, '1000', Number.NaN]) {
      expect(optionError(() => new Registry({ domain, timeoutMs: timeoutMs as number })).option).toBe('timeoutMs');
    }
  });
});

describe('userAgent', () => {
  it.each([
    ['CR LF', 'regkit\r\nX-Injected: 1'],
    ['LF', 'regkit\nx'],
    ['NUL', 'regkit\u0000'],
    ['a tab', 'regkit\tx'],
    ['DEL', 'regkit\u007f'],
    ['empty', ''],
    ['spaces only', '   '],
    ['a leading space', ' regkit'],
    ['beyond Latin-1', 'regkit/☃'],
    ['too long', 'a'.repeat(1025)],
  ])('refuses %s', (_, userAgent) => {
    expect(optionError(() => new Registry({ domain, userAgent })).option).toBe('userAgent');
  });

  it.each([42, null, {}, ['regkit']])('refuses the non-string %j', (userAgent) => {
    expect(optionError(() => new Registry({ domain, userAgent: userAgent as string })).option).toBe('userAgent');
  });

  it('accepts an ordinary product list', () => {
    expect(() => new Registry({ domain, userAgent: 'my-tool/1.2 (+https://example.com) regkit' })).not.toThrow();
  });

  it('does not echo a long rejected value whole', () => {
    const error = optionError(() => new Registry({ domain, userAgent: `${'x'.repeat(5000)}\n` }));
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('registry.image() options', () => {
  it('refuses an unknown option key, with a did-you-mean hint', async () => {
    const registry = new Registry({ domain });
    const error = await registry.image('app:1', { signl: AbortSignal.timeout(1000) } as never).catch((e: unknown) => e);
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe('signl');
    expect((error as Error).message).toContain('signal');
  });
});

describe('non-string names', () => {
  it.each([undefined, null, 42, {}, ['app']])('registry.repository(%j) is InvalidReferenceError', (name) => {
    const registry = new Registry({ domain: 'docker.io' });
    expect(() => registry.repository(name as string)).toThrow(InvalidReferenceError);
  });

  it.each([undefined, 42, {}])('registry.image(%j) and repositoryFromString reject with InvalidReferenceError', async (ref) => {
    const registry = new Registry({ domain: 'docker.io' });
    await expect(registry.image(ref as string)).rejects.toSatisfy((e) => InvalidReferenceError.isInstance(e));
    expect(() => registry.repositoryFromString(ref as string)).toThrow(InvalidReferenceError);
  });

  it('images().getByTag and manifests().get reject a non-string with InvalidReferenceError', async () => {
    const repo = new Registry({ domain }).repository('app');
    await expect(repo.images().getByTag(7 as unknown as string)).rejects.toSatisfy((e) => InvalidReferenceError.isInstance(e));
    await expect(repo.manifests().get({} as unknown as string)).rejects.toSatisfy((e) => InvalidReferenceError.isInstance(e));
  });
});
