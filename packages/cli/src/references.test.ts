import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { parseDuration } from './duration';
import { parseBlobRef, parseImageRef, parseRegistryDomain, parseRepositoryRef } from './references';
import { closest } from './suggest';

describe('parseImageRef', () => {
  it('normalises as docker pull does: Hub names get library/, a bare name means latest', () => {
    expect(parseImageRef('golang')).toMatchObject({
      domain: 'docker.io',
      repository: 'library/golang',
      reference: 'latest',
      canonical: 'docker.io/library/golang:latest',
    });
    expect(parseImageRef('127.0.0.1:5000/team/app:v1')).toMatchObject({
      domain: '127.0.0.1:5000',
      repository: 'team/app',
      reference: 'v1',
    });
  });

  it('prefers the digest when a tag and a digest are both given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`ghcr.io/o/a:1@${digest}`)).toMatchObject({ reference: digest, canonical: `ghcr.io/o/a@${digest}` });
  });

  it('turns a malformed reference into a usage error (exit 2) with a hint', () => {
    const error = (() => {
      try {
        parseImageRef('Bad//Ref');
      } catch (e) {
        return e;
      }
    })() as CliError;
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain('[registry/]repository');
  });
});

describe('repository, blob and registry arguments', () => {
  it('refuses a tag where a repository is wanted, and a tag where a digest is', () => {
    expect(() => parseRepositoryRef('golang:1')).toThrow(/names an image, not a repository/);
    expect(parseRepositoryRef('ghcr.io/o/a')).toEqual({ domain: 'ghcr.io', repository: 'o/a', canonical: 'ghcr.io/o/a' });
    expect(() => parseBlobRef('golang:1')).toThrow(/not a blob reference/);
    expect(parseBlobRef(`golang@sha256:${'b'.repeat(64)}`).repository).toBe('library/golang');
  });

  it('takes host[:port] registries only', () => {
    expect(parseRegistryDomain('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(parseRegistryDomain('[::1]:5000')).toBe('[::1]:5000');
    expect(() => parseRegistryDomain('https://ghcr.io')).toThrow(/not a registry host/);
    expect(() => parseRegistryDomain('ghcr.io/org')).toThrow(/not a registry host/);
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m and bare seconds', () => {
    expect(parseDuration('--timeout', '500ms')).toBe(500);
    expect(parseDuration('--timeout', '30s')).toBe(30_000);
    expect(parseDuration('--timeout', '2m')).toBe(120_000);
    expect(parseDuration('--timeout', '1.5')).toBe(1500);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'soon', '-1s', '0', '10h', '0.1ms'])
      expect(() => parseDuration('--timeout', bad), bad).toThrow(/--timeout must be a duration/);
  });
});

describe('closest', () => {
  it('suggests within two edits only', () => {
    expect(closest('dgest', ['digest', 'inspect'])).toBe('digest');
    expect(closest('--jsn', ['--json', '--quiet'])).toBe('--json');
    expect(closest('frobnicate', ['digest', 'inspect'])).toBeUndefined();
  });
});
