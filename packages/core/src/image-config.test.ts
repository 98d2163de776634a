import { describe, expect, it } from 'vitest';
import { InvalidManifestError } from './errors';
import { parseImageConfig } from './image-config';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('parseImageConfig', () => {
  it('types the OCI fields and keeps the others', () => {
    const config = parseImageConfig(
      encode({
        architecture: 'arm64',
        os: 'linux',
        variant: 'v8',
        created: '2024-01-01T00:00:00Z',
        config: {
          Env: ['PATH=/usr/bin'],
          Entrypoint: ['/entry'],
          Cmd: null,
          User: '1000',
          WorkingDir: '/app',
          Labels: { a: 'b' },
          ExposedPorts: { '80/tcp': {} },
          Volumes: { '/data': {} },
          StopSignal: 'SIGTERM',
          Healthcheck: { Test: ['NONE'] },
        },
        rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] },
        history: [{ created_by: 'RUN x', empty_layer: true }],
        docker_version: '24.0.0',
      }),
      'config',
    );
    expect(config.architecture).toBe('arm64');
    expect(config.config?.Env).toEqual(['PATH=/usr/bin']);
    expect(config.config?.Cmd).toBeUndefined();
    expect(config.config?.Healthcheck).toEqual({ Test: ['NONE'] });
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect(config.history?.[0]?.empty_layer).toBe(true);
    expect(config.docker_version).toBe('24.0.0');
  });

  it('reads a config without rootfs as one without layers', () => {
    expect(parseImageConfig(encode({ architecture: 'amd64', os: 'linux' }), 'c').rootfs).toEqual({
      type: 'layers',
      diff_ids: [],
    });
  });

  it('names the bad field', () => {
    const cases: [unknown, string][] = [
      [{ os: 'linux' }, 'architecture'],
      [{ architecture: 'amd64', os: 'linux', config: { Env: 'PATH=/' } }, 'config.Env'],
      [{ architecture: 'amd64', os: 'linux', config: { Labels: { a: 1 } } }, 'config.Labels'],
      [{ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [1] } }, 'rootfs.diff_ids'],
      [{ architecture: 'amd64', os: 'linux', history: [{ empty_layer: 'yes' }] }, 'history[0].empty_layer'],
      [[], 'the config'],
    ];
    for (const [value, field] of cases) {
      expect(() => parseImageConfig(encode(value), 'config x')).toThrow(InvalidManifestError);
      expect(() => parseImageConfig(encode(value), 'config x')).toThrow(field);
    }
    expect(() => parseImageConfig(new Uint8Array([0xff]), 'config x')).toThrow(InvalidManifestError);
  });
});
