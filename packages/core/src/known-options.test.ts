import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors';
import { assertKnownOptions, closestOption } from './known-options';

describe('assertKnownOptions', () => {
  const known = ['authenticator', 'timeoutMs', 'transport', 'userAgent'];

  it('accepts known names', () => {
    expect(() => assertKnownOptions('@regkit/core', 'new Registry()', { timeoutMs: 1, transport: 2 }, known)).not.toThrow();
  });

  it('names the unknown option and suggests the close one', () => {
    const error = (() => {
      try {
        assertKnownOptions('@regkit/core', 'new Registry()', { authenticater: 1 }, known);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe('authenticater');
    expect((error as Error).message).toContain('did you mean `authenticator`?');
    expect((error as Error).message).toMatch(/^@regkit\/core: new Registry\(\) has no option `authenticater`/);
  });

  it('prefers an explicit hint over a guess', () => {
    expect(() =>
      assertKnownOptions('@regkit/x', 'f()', { proxy: 'h' }, ['httpProxy'], { proxy: 'an HTTP proxy is `httpProxy`' }),
    ).toThrow(/has no option `proxy` \(an HTTP proxy is `httpProxy`\)/);
  });

  it.each([
    [null, 'null'],
    ['timeoutMs', 'string'],
    [['timeoutMs'], 'an array'],
  ])('refuses options that are not an object (%j) with InvalidOptionError', (options, described) => {
    let error: unknown;
    try {
      assertKnownOptions('@regkit/core', 'registry.image()', options as unknown as object, ['platform']);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe('options');
    expect((error as Error).message).toBe(`@regkit/core: registry.image() options must be an object, got ${described}`);
  });

  it('suggests nothing for names far from every known one', () => {
    expect(closestOption('timeout', known)).toBe('timeoutMs');
    expect(closestOption('colour', known)).toBe(undefined);
    expect(closestOption('timeoutms', known)).toBe('timeoutMs');
    expect(closestOption('usreAgent', known)).toBe('userAgent');
  });
});
