import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors';
import { normalizePlatform, parsePlatformSpec, platformMatches } from './platform';

describe('normalizePlatform', () => {
  it('spells architectures and variants as containerd does', () => {
    expect(normalizePlatform('Linux', 'aarch64', undefined)).toEqual({ os: 'linux', architecture: 'arm64', variant: '' });
    expect(normalizePlatform('linux', 'arm64', 'v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: '' });
    expect(normalizePlatform('linux', 'arm64', '8')).toEqual({ os: 'linux', architecture: 'arm64', variant: '' });
    expect(normalizePlatform('linux', 'x86_64', undefined)).toEqual({ os: 'linux', architecture: 'amd64', variant: '' });
    expect(normalizePlatform('linux', 'armhf', undefined)).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(normalizePlatform('linux', 'armel', undefined)).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(normalizePlatform('linux', 'arm', '6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(normalizePlatform('linux', 'i386', undefined)).toEqual({ os: 'linux', architecture: '386', variant: '' });
  });
});

describe('platformMatches', () => {
  const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
  const arm64Bare = { os: 'linux', architecture: 'arm64' };
  const armV7 = { os: 'linux', architecture: 'arm', variant: 'v7' };
  const armV6 = { os: 'linux', architecture: 'arm', variant: 'v6' };
  const armBare = { os: 'linux', architecture: 'arm' };

  it('matches os/arch against entries with and without the default variant', () => {
    const wanted = parsePlatformSpec('linux/arm64');
    expect(platformMatches(wanted, arm64)).toBe(true);
    expect(platformMatches(wanted, arm64Bare)).toBe(true);
    expect(platformMatches(parsePlatformSpec('linux/arm64/v8'), arm64Bare)).toBe(true);
    expect(platformMatches(parsePlatformSpec('linux/arm64/v9'), arm64)).toBe(false);
  });

  it('takes v7 as arm default and keeps v6 apart', () => {
    expect(platformMatches(parsePlatformSpec('linux/arm'), armV7)).toBe(true);
    expect(platformMatches(parsePlatformSpec('linux/arm'), armBare)).toBe(true);
    expect(platformMatches(parsePlatformSpec('linux/arm'), armV6)).toBe(false);
    expect(platformMatches(parsePlatformSpec('linux/arm/v6'), armV6)).toBe(true);
    expect(platformMatches(parsePlatformSpec('linux/arm/v7'), armBare)).toBe(true);
  });

  it('never crosses os or architecture', () => {
    expect(platformMatches(parsePlatformSpec('windows/amd64'), { os: 'linux', architecture: 'amd64' })).toBe(false);
    expect(platformMatches(parsePlatformSpec('linux/amd64'), arm64)).toBe(false);
    expect(
      platformMatches(parsePlatformSpec({ os: 'linux', architecture: 'amd64' }), { os: 'linux', architecture: 'x86_64' }),
    ).toBe(true);
  });

  it('refuses malformed specs with a typed error', () => {
    for (const bad of ['linux', 'linux/', '/amd64', 'linux/arm64/v8/extra', 'linux amd64', '']) {
      expect(() => parsePlatformSpec(bad)).toThrow(InvalidOptionError);
    }
  });
});
