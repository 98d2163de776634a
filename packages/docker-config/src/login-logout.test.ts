import { readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '@regkit/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOCKER_HUB_KEY } from './auth-key';
import { createDockerConfigCredentials } from './docker-config-credentials';
import { DockerConfigError } from './errors';
import { b64, createSandbox, rejectionOf, type Sandbox } from './test-support';

let box: Sandbox;
beforeEach(() => {
  box = createSandbox();
});
afterEach(() => box.remove());

const accept = async () => {};
const configFile = () => join(box.home, '.docker', 'config.json');
const readConfig = () => JSON.parse(readFileSync(configFile(), 'utf8'));

describe('login', () => {
  it('verifies first, then writes auths with 0600 into a new ~/.docker/config.json', async () => {
    const verify = vi.fn(accept);
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.login('127.0.0.1:5000', { username: 'alice', password: 'pw:1' }, { verify })).toEqual({
      file: configFile(),
    });
    expect(verify).toHaveBeenCalledWith({ host: '127.0.0.1:5000', username: 'alice', password: 'pw:1', signal: undefined });
    expect(readConfig()).toEqual({ auths: { '127.0.0.1:5000': { auth: b64('alice:pw:1') } } });
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(await provider.getCredentials('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'pw:1' });
  });

  it('writes Docker Hub under https://index.docker.io/v1/, replacing other spellings, and keeps every other field', async () => {
    box.write('home/.docker/config.json', {
      auths: { 'docker.io': { auth: b64('old:old') }, 'ghcr.io': { auth: b64('g:g'), email: 'g@example.com' } },
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      currentContext: 'desktop-linux',
      psFormat: 'table {{.ID}}',
    });
    const provider = createDockerConfigCredentials({ env: box.env() });
    await provider.login('registry-1.docker.io', { username: 'hub', password: 'new' }, { verify: accept });
    expect(readConfig()).toEqual({
      auths: { 'ghcr.io': { auth: b64('g:g'), email: 'g@example.com' }, [DOCKER_HUB_KEY]: { auth: b64('hub:new') } },
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      currentContext: 'desktop-linux',
      psFormat: 'table {{.ID}}',
    });
    expect(await provider.getCredentials('docker.io')).toEqual({ username: 'hub', password: 'new' });
  });

  it('writes nothing when verification fails', async () => {
    const before = JSON.stringify({ auths: { 'ghcr.io': { auth: b64('a:b') } } });
    box.write('home/.docker/config.json', before);
    const helper = box.storeHelper('fake');
    const refused = new Error('401 from the registry');
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(
      await rejectionOf(
        provider.login('ghcr.io', { username: 'a', password: 'wrong' }, { verify: async () => Promise.reject(refused) }),
      ),
    ).toBe(refused);
    expect(box.read('home/.docker/config.json')).toBe(before);
    box.write('home/.docker/config.json', { credsStore: 'fake' });
    await rejectionOf(
      provider.login('ghcr.io', { username: 'a', password: 'wrong' }, { verify: async () => Promise.reject(refused) }),
    );
    expect(helper.calls()).toEqual([]);
  });

  it('refuses a malformed config before asking the registry, and leaves it as it was', async () => {
    box.write('home/.docker/config.json', '{"auths": {');
    const verify = vi.fn(accept);
    const error = await rejectionOf(
      createDockerConfigCredentials({ env: box.env() }).login('ghcr.io', { username: 'a', password: 'b' }, { verify }),
    );
    expect(DockerConfigError.isInstance(error)).toBe(true);
    expect(verify).not.toHaveBeenCalled();
    expect(box.read('home/.docker/config.json')).toBe('{"auths": {');
  });

  it('stores through credsStore or credHelpers and leaves only an empty marker in the file', async () => {
    const store = box.storeHelper('store');
    const special = box.storeHelper('special');
    box.write('home/.docker/config.json', {
      credsStore: 'store',
      credHelpers: { 'ghcr.io': 'special' },
      auths: { 'https://quay.io': { auth: b64('plain:text') } },
    });
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.login('quay.io', { username: 'q', password: 'qp' }, { verify: accept })).toEqual({ helper: 'store' });
    expect(await provider.login('ghcr.io', { username: 'g', password: 'gp' }, { verify: accept })).toEqual({ helper: 'special' });
    expect(await provider.login('docker.io', { username: 'h', password: 'hp' }, { verify: accept })).toEqual({ helper: 'store' });
    expect(store.store()).toEqual({
      'quay.io': { Username: 'q', Secret: 'qp' },
      [DOCKER_HUB_KEY]: { Username: 'h', Secret: 'hp' },
    });
    expect(special.store()).toEqual({ 'ghcr.io': { Username: 'g', Secret: 'gp' } });
    expect(readConfig().auths).toEqual({ 'quay.io': {}, 'ghcr.io': {}, [DOCKER_HUB_KEY]: {} });
    expect(box.read('home/.docker/config.json')).not.toContain(b64('plain:text'));
    expect(await provider.getCredentials('quay.io')).toEqual({ username: 'q', password: 'qp' });
    expect(await provider.getCredentials('ghcr.io')).toEqual({ username: 'g', password: 'gp' });
  });

  it('writes through a symlinked config.json to its target', async () => {
    const target = box.write('dotfiles/docker.json', {});
    box.write('home/.docker/placeholder', '');
    symlinkSync(target, configFile());
    await createDockerConfigCredentials({ env: box.env() }).login(
      'ghcr.io',
      { username: 'u', password: 'p' },
      { verify: accept },
    );
    expect(JSON.parse(readFileSync(target, 'utf8')).auths['ghcr.io']).toEqual({ auth: b64('u:p') });
    expect(await createDockerConfigCredentials({ env: box.env() }).getCredentials('ghcr.io')).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  it('keeps concurrent logins to one file from losing each other', async () => {
    const provider = createDockerConfigCredentials({ env: box.env() });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        provider.login(`r${i}.example.com`, { username: `u${i}`, password: 'p' }, { verify: accept }),
      ),
    );
    expect(Object.keys(readConfig().auths).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `r${i}.example.com`));
  });

  it.each([
    [{ username: 'a:b', password: 'p' }, { verify: accept }, 'username'],
    [{ username: 'a', password: '' }, { verify: accept }, 'password'],
    [{ username: 'a', password: 'p\n' }, { verify: accept }, 'password'],
    [{ username: 'a', password: 'p', email: 'x' }, { verify: accept }, 'email'],
    [{ username: 'a', password: 'p' }, {}, 'verify'],
    [{ username: 'a', password: 'p' }, { verify: accept, verfy: accept }, 'verfy'],
  ])('refuses credentials %j / options %j naming %s, writing nothing', async (credentials, options, option) => {
    const error = await rejectionOf(
      createDockerConfigCredentials({ env: box.env() }).login('ghcr.io', credentials as never, options as never),
    );
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect(() => statSync(configFile())).toThrow();
  });

  it('needs a file: refuses when created with a config object', async () => {
    const provider = createDockerConfigCredentials({ config: {} });
    const error = await rejectionOf(provider.login('ghcr.io', { username: 'a', password: 'b' }, { verify: accept }));
    expect((error as InvalidOptionError).option).toBe('config');
  });
});

describe('logout', () => {
  it('removes every spelling of the registry from auths and keeps the rest', async () => {
    box.write('home/.docker/config.json', {
      auths: {
        'ghcr.io': { auth: b64('a:b') },
        'https://ghcr.io/v1/': { auth: b64('c:d') },
        'ghcr.io/org': { auth: b64('e:f') },
        'quay.io': { auth: b64('q:q') },
      },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    const provider = createDockerConfigCredentials({ env: box.env() });
    expect(await provider.logout('GHCR.io')).toBe(true);
    expect(readConfig()).toEqual({
      auths: { 'ghcr.io/org': { auth: b64('e:f') }, 'quay.io': { auth: b64('q:q') } },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(await provider.logout('ghcr.io')).toBe(false);
  });

  it('erases from the helper and drops the marker; false when the helper had nothing', async () => {
    const store = box.storeHelper('store');
    box.write('home/.docker/config.json', { credsStore: 'store' });
    const provider = createDockerConfigCredentials({ env: box.env() });
    await provider.login('docker.io', { username: 'h', password: 'hp' }, { verify: accept });
    expect(await provider.logout('index.docker.io')).toBe(true);
    expect(store.store()).toEqual({});
    expect(readConfig()).toEqual({ credsStore: 'store', auths: {} });
    expect(await provider.getCredentials('docker.io')).toBeUndefined();
    expect(await provider.logout('docker.io')).toBe(false);
    // The second logout found nothing with `get` and did not ask the helper to erase.
    expect(store.calls().filter((call) => call.startsWith('erase'))).toEqual([`erase ${DOCKER_HUB_KEY}`]);
  });

  it('does not create a config file when there is nothing to remove', async () => {
    expect(await createDockerConfigCredentials({ env: box.env() }).logout('ghcr.io')).toBe(false);
    expect(() => statSync(configFile())).toThrow();
  });
});
