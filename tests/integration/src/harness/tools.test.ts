import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool, requireTool, ToolMissingError } from './tools';

describe('findTool', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('honours the override variable, and reports a missing override as missing', () => {
    vi.stubEnv('REGKIT_SKOPEO_BIN', '/bin/sh');
    expect(findTool('skopeo')).toBe('/bin/sh');
    vi.stubEnv('REGKIT_SKOPEO_BIN', '/nonexistent/skopeo');
    expect(findTool('skopeo')).toBeUndefined();
  });

  it('searches PATH', () => {
    vi.stubEnv('PATH', '/nonexistent:/usr/bin:/bin');
    vi.stubEnv('REGKIT_HTPASSWD_BIN', '');
    expect(findTool('htpasswd')).toMatch(/\/htpasswd$/);
    vi.stubEnv('PATH', '/nonexistent');
    expect(findTool('htpasswd')).toBeUndefined();
  });

  it('throws a ToolMissingError that says how to install the tool', () => {
    vi.stubEnv('REGKIT_REGISTRY_BIN', '/nonexistent/docker-registry');
    expect(() => requireTool('docker-registry')).toThrow(ToolMissingError);
    expect(() => requireTool('docker-registry')).toThrow(/apt-get install docker-registry.*REGKIT_REGISTRY_BIN/);
  });
});
