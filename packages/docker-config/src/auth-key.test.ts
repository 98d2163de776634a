import { describe, expect, it } from 'vitest';
import {
  canonicalHost,
  DOCKER_HUB_KEY,
  dockerKeyFor,
  findAuthEntry,
  findCredHelper,
  parseAuthKey,
  registryKeys,
} from './auth-key';

describe('auth keys', () => {
  it.each([
    ['ghcr.io', { host: 'ghcr.io', namespace: undefined }],
    ['GHCR.io', { host: 'ghcr.io', namespace: undefined }],
    ['https://ghcr.io', { host: 'ghcr.io', namespace: undefined }],
    ['https://ghcr.io/v1/', { host: 'ghcr.io', namespace: undefined }],
    ['http://127.0.0.1:5000/v2/', { host: '127.0.0.1:5000', namespace: undefined }],
    [DOCKER_HUB_KEY, { host: 'docker.io', namespace: undefined }],
    ['index.docker.io', { host: 'docker.io', namespace: undefined }],
    ['registry-1.docker.io', { host: 'docker.io', namespace: undefined }],
    ['docker.io/library', { host: 'docker.io', namespace: 'library' }],
    ['quay.io/org/repo', { host: 'quay.io', namespace: 'org/repo' }],
    ['quay.io/org/', { host: 'quay.io', namespace: 'org' }],
  ])('reads %s', (key, expected) => {
    expect(parseAuthKey(key)).toEqual(expected);
  });

  it('writes Docker Hub under https://index.docker.io/v1/ and other registries under host[:port]', () => {
    for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO']) {
      expect(dockerKeyFor(hub)).toBe(DOCKER_HUB_KEY);
      expect(canonicalHost(hub)).toBe('docker.io');
    }
    expect(dockerKeyFor('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });

  it('prefers the most specific namespace that covers the repository', () => {
    const auths = {
      'quay.io': { auth: 'registry' },
      'quay.io/org': { auth: 'org' },
      'quay.io/org/repo': { auth: 'repo' },
      'quay.io/other': { auth: 'other' },
      'quay.io/org/repository-with-prefix': { auth: 'prefix' },
    };
    const pick = (repository?: string) => findAuthEntry(auths, 'quay.io', repository)?.entry.auth;
    expect(pick('org/repo')).toBe('repo');
    expect(pick('org/repo/sub')).toBe('repo');
    expect(pick('org/repo2')).toBe('org');
    expect(pick('org/repository')).toBe('org');
    expect(pick('another/thing')).toBe('registry');
    // A namespace key never answers for a request that names no repository.
    expect(pick(undefined)).toBe('registry');
    expect(findAuthEntry({ 'quay.io/org': { auth: 'org' } }, 'quay.io', undefined)).toBeUndefined();
  });

  it("prefers the key Docker writes among a host's spellings, then file order", () => {
    const hub = { 'docker.io': { auth: 'a' }, [DOCKER_HUB_KEY]: { auth: 'b' }, 'registry-1.docker.io': { auth: 'c' } };
    expect(findAuthEntry(hub, 'registry-1.docker.io', undefined)?.key).toBe(DOCKER_HUB_KEY);
    const legacy = { 'https://ghcr.io/v1/': { auth: 'a' }, 'http://ghcr.io': { auth: 'b' } };
    expect(findAuthEntry(legacy, 'ghcr.io', undefined)?.key).toBe('https://ghcr.io/v1/');
    expect(findAuthEntry({ ...legacy, 'ghcr.io': { auth: 'c' } }, 'ghcr.io', undefined)?.key).toBe('ghcr.io');
    expect(findAuthEntry(legacy, 'ghcr.io:443', undefined)).toBeUndefined();
  });

  it('lists the whole-registry keys that logout removes and finds credHelpers by host', () => {
    const auths = { 'ghcr.io': {}, 'https://ghcr.io/v1/': {}, 'ghcr.io/org': {}, 'quay.io': {} };
    expect(registryKeys(auths, 'GHCR.IO')).toEqual(['ghcr.io', 'https://ghcr.io/v1/']);
    expect(findCredHelper({ 'index.docker.io': 'a', [DOCKER_HUB_KEY]: 'b' }, 'docker.io')).toBe('b');
    expect(findCredHelper({ 'https://ecr.example.com': 'ecr-login' }, 'ecr.example.com')).toBe('ecr-login');
    expect(findCredHelper({ 'ecr.example.com/ns': 'ecr-login' }, 'ecr.example.com')).toBeUndefined();
  });
});
