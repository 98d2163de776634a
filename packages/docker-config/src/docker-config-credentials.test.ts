import { inspect } from 'node:util';
import { InvalidOptionError, RegkitError } from '@regkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY } from './auth-key';
import { createDockerConfigCredentials } from './docker-config-credentials';
import { DockerConfigError } from './errors';
import { b64, createSandbox, rejectionOf, type Sandbox } from './test-support';

let box: Sandbox;
beforeEach(() => {
  box = createSandbox();
});
afterEach(() => box.remove());

const dockerConfig = (content: string | object) => box.write('home/.docker/config.json', content);

describe('createDockerConfigCredentials: auths', () => {
  it.each([
    [
      'auth (base64 user:password, split at the first colon)',
      { auth: b64('alice:pa:ss') },
      { username: 'alice', password: 'pa:ss' },
    ],
    ['auth with UTF-8', { auth: b64('bø:pässwörd') }, { username: 'bø', password: 'pässwörd' }],
    ['username and password fields', { username: 'bob', password: 'secret' }, { username: 'bob', password: 'secret' }],
    ['identitytoken', { auth: b64('carol:'), identitytoken: 'refresh-123' }, { identityToken: 'refresh-123' }],
  ])('reads %s', async (_name, entry, expected) => {
    dockerConfig({ auths: { 'registry.example.com': entry } });
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.getCredentials('registry.example.com')).toEqual(expected);
  });

  it('answers undefined for an unknown registry, an empty entry, and a missing file', async () => {
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.getCredentials('registry.example.com')).toBeUndefined();
    dockerConfig({ auths: { 'registry.example.com': {}, 'other.example.com': { auth: b64('a:b') } } });
    expect(await provider.getCredentials('registry.example.com')).toBeUndefined();
    expect(await provider.getCredentials('third.example.com')).toBeUndefined();
  });

  it.each([
    [DOCKER_HUB_KEY, ['docker.io', 'index.docker.io', 'registry-1.docker.io']],
    ['docker.io', ['registry-1.docker.io', 'index.docker.io']],
    ['https://index.docker.io/v1', ['registry-1.docker.io']],
    ['registry-1.docker.io', ['docker.io']],
  ])('treats Docker Hub key %s as every Docker Hub host', async (key, hosts) => {
    dockerConfig({ auths: { [key]: { auth: b64('hubuser:hubpass') } } });
    const provider = createDockerConfigCredentials({ env: box.env() });
    for (const host of hosts) expect(await provider.getCredentials(host)).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await provider.getCredentials('ghcr.io')).toBeUndefined();
  });

  it('drops scheme and path of URL keys, compares hosts case-insensitively, and keeps ports apart', async () => {
    dockerConfig({
      auths: {
        'https://Registry.Example.com/v1/': { auth: b64('a:1') },
        'http://127.0.0.1:5000': { auth: b64('b:2') },
      },
    });
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.getCredentials('registry.example.com')).toEqual({ username: 'a', password: '1' });
    expect(await provider.getCredentials('127.0.0.1:5000')).toEqual({ username: 'b', password: '2' });
    expect(await provider.getCredentials('127.0.0.1:5001')).toBeUndefined();
    expect(await provider.getCredentials('127.0.0.1')).toBeUndefined();
  });

  it("matches podman's namespaced keys most specific first, using the repository", async () => {
    const authFile = box.write('auth.json', {
      auths: {
        'quay.io': { auth: b64('registry:r') },
        'quay.io/org': { auth: b64('org:o') },
        'quay.io/org/app': { auth: b64('app:a') },
      },
    });
    const provider = createDockerConfigCredentials({ env: box.env({ REGISTRY_AUTH_FILE: authFile }) });
    expect(await provider.getCredentials('quay.io', { repository: 'org/app' })).toEqual({ username: 'app', password: 'a' });
    expect(await provider.getCredentials('quay.io', { repository: 'org/tool' })).toEqual({ username: 'org', password: 'o' });
    expect(await provider.getCredentials('quay.io', { repository: 'elsewhere/x' })).toEqual({
      username: 'registry',
      password: 'r',
    });
    expect(await provider.getCredentials('quay.io')).toEqual({ username: 'registry', password: 'r' });
  });

  it('uses a parsed config object instead of any file', async () => {
    dockerConfig({ auths: { 'ghcr.io': { auth: b64('file:f') } } });
    const provider = createDockerConfigCredentials({
      env: box.env(),
      config: { auths: { 'ghcr.io': { username: 'object', password: 'o' } } },
    });
    expect(await provider.getCredentials('ghcr.io')).toEqual({ username: 'object', password: 'o' });
  });
});

describe('createDockerConfigCredentials: where it looks', () => {
  const entry = (user: string) => ({ auths: { 'ghcr.io': { auth: b64(`${user}:pw`) } } });
  const userFor = async (env: Record<string, string | undefined>, options = {}) => {
    const found = await createDockerConfigCredentials({ env, ...options }).getCredentials('ghcr.io');
    return found && 'username' in found ? found.username : found;
  };

  it('reads $DOCKER_CONFIG/config.json instead of ~/.docker/config.json', async () => {
    dockerConfig(entry('home'));
    box.write('custom/config.json', entry('custom'));
    expect(await userFor(box.env())).toBe('home');
    expect(await userFor(box.env({ DOCKER_CONFIG: `${box.root}/custom` }))).toBe('custom');
    // DOCKER_CONFIG replaces the default: no fallback to ~/.docker.
    expect(await userFor(box.env({ DOCKER_CONFIG: `${box.root}/empty` }))).toBeUndefined();
  });

  it('takes the Docker config first, then REGISTRY_AUTH_FILE, or else XDG_RUNTIME_DIR and ~/.config', async () => {
    const runtime = `${box.root}/run`;
    box.write('home/.config/containers/auth.json', entry('xdg-config'));
    expect(await userFor(box.env({ XDG_RUNTIME_DIR: runtime }))).toBe('xdg-config');
    box.write('run/containers/auth.json', entry('xdg-runtime'));
    expect(await userFor(box.env({ XDG_RUNTIME_DIR: runtime }))).toBe('xdg-runtime');
    // XDG_CONFIG_HOME moves ~/.config.
    box.write('config-home/containers/auth.json', entry('config-home'));
    expect(await userFor(box.env({ XDG_CONFIG_HOME: `${box.root}/config-home` }))).toBe('config-home');
    // REGISTRY_AUTH_FILE replaces both containers defaults.
    const override = box.write('override.json', entry('override'));
    expect(await userFor(box.env({ XDG_RUNTIME_DIR: runtime, REGISTRY_AUTH_FILE: override }))).toBe('override');
    box.write('empty.json', {});
    expect(await userFor(box.env({ XDG_RUNTIME_DIR: runtime, REGISTRY_AUTH_FILE: `${box.root}/empty.json` }))).toBeUndefined();
    // The Docker config comes first.
    dockerConfig(entry('docker'));
    expect(await userFor(box.env({ XDG_RUNTIME_DIR: runtime, REGISTRY_AUTH_FILE: override }))).toBe('docker');
  });

  it('moves on to the next file when one has nothing for the registry', async () => {
    dockerConfig({ auths: { 'quay.io': { auth: b64('quay:q') }, 'ghcr.io': {} } });
    box.write('home/.config/containers/auth.json', entry('containers'));
    expect(await userFor(box.env())).toBe('containers');
  });

  it('reads only configPath (plus any authFiles given) when configPath is set', async () => {
    box.write('home/.config/containers/auth.json', entry('containers'));
    const custom = box.write('elsewhere.json', {});
    expect(await userFor(box.env(), { configPath: custom })).toBeUndefined();
    expect(await userFor(box.env(), { configPath: custom, authFiles: [`${box.home}/.config/containers/auth.json`] })).toBe(
      'containers',
    );
    expect(await userFor(box.env(), { authFiles: [] })).toBeUndefined();
  });
});

describe('createDockerConfigCredentials: malformed files', () => {
  const SECRET = 'hunter2-very-secret';

  it('reports a syntax error with file, line and column, and never the secret next to it', async () => {
    const path = dockerConfig(`{\n  "auths": {\n    "ghcr.io": { "password": "${SECRET}" "username": "u" }\n  }\n}\n`);
    const error = await rejectionOf(createDockerConfigCredentials({ env: box.env() }).getCredentials('ghcr.io'));
    expect(DockerConfigError.isInstance(error)).toBe(true);
    expect(RegkitError.isInstance(error)).toBe(true);
    const typed = error as DockerConfigError;
    expect(typed).toMatchObject({ path, line: 3, column: 52 });
    expect(typed.name).toBe('DockerConfigError');
    expect(typed.message).toBe(`@regkit/docker-config: ${path}: invalid JSON at line 3, column 52`);
    expect(typed.cause).toBeUndefined();
    for (const text of [
      typed.message,
      typed.stack,
      JSON.stringify(typed),
      inspect(typed, { depth: 10, showHidden: true }),
      String(typed),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('hunter2');
    }
  });

  it.each([
    ['a top level that is not an object', '[]'],
    ['auths that is not an object', { auths: 'x' }],
    ['an entry that is not an object', { auths: { 'ghcr.io': 5 } }],
    ['an auth that is not a string', { auths: { 'ghcr.io': { auth: 5 } } }],
    ['an auth that is not base64', { auths: { 'ghcr.io': { auth: `${SECRET}!` } } }],
    ['an auth without a colon', { auths: { 'ghcr.io': { auth: b64(SECRET) } } }],
    ['a credsStore that is a path', { credsStore: '../../bin/sh' }],
    ['a credHelpers value that is a path', { credHelpers: { 'ghcr.io': '/tmp/x' } }],
  ])('refuses %s with a DockerConfigError that quotes nothing', async (_name, content) => {
    const path = dockerConfig(content);
    const error = await rejectionOf(createDockerConfigCredentials({ env: box.env() }).getCredentials('ghcr.io'));
    expect(DockerConfigError.isInstance(error)).toBe(true);
    expect((error as DockerConfigError).path).toBe(path);
    expect((error as DockerConfigError).line).toBeUndefined();
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(b64(SECRET));
  });

  it('refuses a config option of the wrong shape at construction', () => {
    expect(() => createDockerConfigCredentials({ config: { auths: [] } as never })).toThrow(DockerConfigError);
  });
});

describe('createDockerConfigCredentials: options', () => {
  it.each([
    [{ confgPath: '/x' }, 'confgPath'],
    [{ configPath: '' }, 'configPath'],
    [{ configPath: '/x', config: {} }, 'config'],
    [{ authFiles: 'x' }, 'authFiles'],
    [{ env: 'x' }, 'env'],
    [{ helperTimeoutMs: 0 }, 'helperTimeoutMs'],
    [{ helperTimeoutMs: Number.NaN }, 'helperTimeoutMs'],
    [{ helperTimeoutMs: 2 ** 31 }, 'helperTimeoutMs'],
    ['nope', 'options'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      createDockerConfigCredentials(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message.startsWith('@regkit/docker-config:')).toBe(true);
  });

  it.each(['', 'https://ghcr.io', 'ghcr.io/org', 'ghcr io', 'ghcr.io:port'])('rejects host %j', async (host) => {
    const error = await rejectionOf(createDockerConfigCredentials({ env: box.env() }).getCredentials(host));
    expect(InvalidOptionError.isInstance(error)).toBe(true);
  });

  it('never shows credentials through String(), JSON or inspect()', async () => {
    const provider = createDockerConfigCredentials({ config: { auths: { 'ghcr.io': { auth: b64('someone:s3cret') } } } });
    expect(String(provider)).toBe('DockerConfigCredentials');
    for (const text of [String(provider), JSON.stringify(provider), inspect(provider, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain(b64('someone:s3cret'));
    }
  });
});
