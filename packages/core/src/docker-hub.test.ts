import { describe, expect, it } from 'vitest';
import { dockerHubRepository, isDockerHubHost } from './docker-hub';

describe('Docker Hub names', () => {
  it('knows every name of Docker Hub, whatever the case', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO']) {
      expect(isDockerHubHost(host)).toBe(true);
    }
    for (const host of ['ghcr.io', 'docker.io:443', 'registry.docker.io', '']) expect(isDockerHubHost(host)).toBe(false);
  });

  it('puts single-level names under library/', () => {
    expect(dockerHubRepository('alpine')).toBe('library/alpine');
    expect(dockerHubRepository('me/app')).toBe('me/app');
  });
});
