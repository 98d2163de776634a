/**
 * `@regkit/docker-config` against the real registry and a real credential
 * helper: Debian's `docker-credential-pass` over a throwaway GPG key and
 * `pass` store, `login`/`logout` round trips in token and basic mode, and
 * a refused password that leaves every store untouched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBasicAuthenticator } from '@regkit/auth-basic';
import { createTokenAuthenticator } from '@regkit/auth-token';
import { TokenRequestError, UnauthorizedError } from '@regkit/core';
import { createDockerConfigCredentials, DOCKER_HUB_KEY, verifyWithRegistry } from '@regkit/docker-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionOf,
  DEFAULT_USERS,
  findTool,
  type PlannedImage,
  PushClient,
  type RunningRegistry,
  seedPlan,
  startRegistry,
} from './harness';

const registryAvailable = findTool('docker-registry') !== undefined || process.env.CI !== undefined;
const passTools = ['docker-credential-pass', 'pass', 'gpg', 'gpgconf'];
const passAvailable = passTools.every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
const plan = seedPlan();
const reader = DEFAULT_USERS.reader;

async function pushImage(client: PushClient, repository: string, image: PlannedImage, reference: string) {
  await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob(repository, blob)));
  await client.putManifest(repository, reference, image.manifest);
}

/** A home with its own GnuPG key (no passphrase) and an initialised `pass` store. */
interface PassHome {
  readonly root: string;
  readonly env: { HOME: string; GNUPGHOME: string; PASSWORD_STORE_DIR: string; DOCKER_CONFIG: string; PATH: string };
  /** Runs a program with the home's environment. */
  run(program: string, args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string };
  remove(): void;
}

function createPassHome(): PassHome {
  // Short path: gpg-agent's socket lives in GNUPGHOME and socket paths are limited to ~100 bytes.
  const root = mkdtempSync('/tmp/rk-pass-');
  const env = {
    HOME: join(root, 'home'),
    GNUPGHOME: join(root, 'gnupg'),
    PASSWORD_STORE_DIR: join(root, 'store'),
    DOCKER_CONFIG: join(root, 'docker'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
  mkdirSync(env.HOME);
  mkdirSync(env.GNUPGHOME, { mode: 0o700 });
  const run = (program: string, args: readonly string[], input?: string) => {
    const result = spawnSync(program, args, { env, input, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  const must = (program: string, args: readonly string[], input?: string) => {
    const result = run(program, args, input);
    if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  };
  must('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'regkit-test@example.invalid', 'default', 'default', 'never']);
  must('pass', ['init', 'regkit-test@example.invalid']);
  return {
    root,
    env,
    run,
    remove: () => {
      // Stops the gpg-agent of this GNUPGHOME only.
      run('gpgconf', ['--kill', 'gpg-agent']);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!registryAvailable)('@regkit/docker-config on distribution 2.8', () => {
  let token: RunningRegistry;
  let basic: RunningRegistry;
  let scratch: string;

  beforeAll(async () => {
    [token, basic] = await Promise.all([startRegistry({ mode: 'token' }), startRegistry({ mode: 'basic' })]);
    await pushImage(new PushClient(connectionOf(token), DEFAULT_USERS.admin), 'private/app', plan.privateApp, 'v1');
    scratch = mkdtempSync('/tmp/rk-docker-config-');
  });
  afterAll(async () => {
    await Promise.all([token?.stop(), basic?.stop()]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const verifyToken = () => verifyWithRegistry((credentials) => createTokenAuthenticator(credentials));
  const verifyBasic = () => verifyWithRegistry((credentials) => createBasicAuthenticator(credentials));

  it.each([
    ['token', () => token, verifyToken],
    ['basic', () => basic, verifyBasic],
  ] as const)('login then logout round trip in %s mode, through the file', async (mode, registry, verify) => {
    const configPath = join(scratch, `${mode}-round-trip`, 'config.json');
    mkdirSync(join(scratch, `${mode}-round-trip`));
    writeFileSync(configPath, JSON.stringify({ auths: { 'quay.io': { auth: 'cTpx' } }, detachKeys: 'ctrl-e,e' }));
    const docker = createDockerConfigCredentials({ configPath });
    const { host } = registry();

    expect(await docker.login(host, { username: reader.username, password: reader.password }, { verify: verify() })).toEqual({
      file: configPath,
    });
    const written = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(written).toEqual({
      auths: {
        'quay.io': { auth: 'cTpx' },
        [host]: { auth: Buffer.from(`${reader.username}:${reader.password}`).toString('base64') },
      },
      detachKeys: 'ctrl-e,e',
    });
    expect(await docker.getCredentials(host)).toEqual({ username: reader.username, password: reader.password });

    expect(await docker.logout(host)).toBe(true);
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual({
      auths: { 'quay.io': { auth: 'cTpx' } },
      detachKeys: 'ctrl-e,e',
    });
    expect(await docker.getCredentials(host)).toBeUndefined();
  });

  it.each([
    ['token', () => token, verifyToken, TokenRequestError],
    ['basic', () => basic, verifyBasic, UnauthorizedError],
  ] as const)('refuses a wrong password in %s mode before writing anything', async (mode, registry, verify, errorClass) => {
    const directory = join(scratch, `${mode}-refused`);
    const configPath = join(directory, 'config.json');
    const docker = createDockerConfigCredentials({ configPath });
    const error = await docker
      .login(registry().host, { username: reader.username, password: 'not-the-password' }, { verify: verify() })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(errorClass.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('not-the-password');
    expect(existsSync(directory)).toBe(false);
  });

  describe.skipIf(!passAvailable && process.env.CI === undefined)('with docker-credential-pass', () => {
    let home: PassHome;

    beforeAll(() => {
      home = createPassHome();
      mkdirSync(home.env.DOCKER_CONFIG);
      writeFileSync(join(home.env.DOCKER_CONFIG, 'config.json'), JSON.stringify({ credsStore: 'pass' }));
    });
    afterAll(() => home?.remove());

    const list = () => JSON.parse(home.run('docker-credential-pass', ['list']).stdout || '{}');

    it('reads what the helper stored, and answers undefined for what it did not', async () => {
      const stored = home.run(
        'docker-credential-pass',
        ['store'],
        JSON.stringify({ ServerURL: token.host, Username: reader.username, Secret: reader.password }),
      );
      expect(stored.status).toBe(0);
      const docker = createDockerConfigCredentials({ env: home.env });
      expect(await docker.getCredentials(token.host)).toEqual({ username: reader.username, password: reader.password });
      expect(await docker.getCredentials(basic.host)).toBeUndefined();
      expect(home.run('docker-credential-pass', ['erase'], token.host).status).toBe(0);
      expect(await docker.getCredentials(token.host)).toBeUndefined();
    });

    it('login and logout go through the helper, leaving only an empty marker in config.json', async () => {
      const docker = createDockerConfigCredentials({ env: home.env });
      const credentials = { username: reader.username, password: reader.password };
      expect(await docker.login(token.host, credentials, { verify: verifyToken() })).toEqual({ helper: 'pass' });
      expect(list()).toEqual({ [token.host]: reader.username });
      const config = JSON.parse(readFileSync(join(home.env.DOCKER_CONFIG, 'config.json'), 'utf8'));
      expect(config).toEqual({ credsStore: 'pass', auths: { [token.host]: {} } });
      expect(readFileSync(join(home.env.DOCKER_CONFIG, 'config.json'), 'utf8')).not.toContain(reader.password);
      expect(await docker.getCredentials(token.host)).toEqual(credentials);

      expect(await docker.logout(token.host)).toBe(true);
      expect(list()).toEqual({});
      expect(await docker.getCredentials(token.host)).toBeUndefined();
      expect(await docker.logout(token.host)).toBe(false);
    });

    it('a refused login stores nothing in the helper', async () => {
      const docker = createDockerConfigCredentials({ env: home.env });
      await expect(
        docker.login(token.host, { username: reader.username, password: 'wrong' }, { verify: verifyToken() }),
      ).rejects.toSatisfy((error: unknown) => TokenRequestError.isInstance(error));
      expect(list()).toEqual({});
    });

    it('stores Docker Hub under https://index.docker.io/v1/ in the helper', async () => {
      const docker = createDockerConfigCredentials({ env: home.env });
      // No Docker Hub here: the check is replaced, the storing is real.
      await docker.login('docker.io', { username: 'hub-user', password: 'hub-pass' }, { verify: async () => {} });
      expect(list()).toEqual({ [DOCKER_HUB_KEY]: 'hub-user' });
      expect(await docker.getCredentials('registry-1.docker.io')).toEqual({ username: 'hub-user', password: 'hub-pass' });
      expect(await docker.logout('docker.io')).toBe(true);
      expect(list()).toEqual({});
    });
  });
});
