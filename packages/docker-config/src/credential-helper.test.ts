import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY } from './auth-key';
import { helperList, scrubStderr } from './credential-helper';
import { createDockerConfigCredentials } from './docker-config-credentials';
import { CredentialHelperError } from './errors';
import { createSandbox, rejectionOf, type Sandbox } from './test-support';

let box: Sandbox;
beforeEach(() => {
  box = createSandbox();
});
afterEach(() => box.remove());

const SECRET = 'helper-secret-value-42';

function provider(config: object, extra: Record<string, unknown> = {}) {
  const configPath = box.write('config.json', config);
  return createDockerConfigCredentials({ configPath, env: box.env(), ...extra });
}

function leaks(error: unknown, secret: string): boolean {
  const typed = error as CredentialHelperError;
  return [
    typed.message,
    typed.stack ?? '',
    typed.stderr,
    JSON.stringify(typed),
    inspect(typed, { depth: 10, showHidden: true }),
  ].some((text) => text.includes(secret));
}

describe('credential helpers: get', () => {
  it('asks credsStore with the host on stdin, and Docker Hub as https://index.docker.io/v1/', async () => {
    const helper = box.storeHelper('fake');
    const credentials = provider({ credsStore: 'fake' });
    expect(await credentials.getCredentials('127.0.0.1:5000')).toBeUndefined();
    expect(await credentials.getCredentials('registry-1.docker.io')).toBeUndefined();
    expect(helper.calls()).toEqual(['get 127.0.0.1:5000', `get ${DOCKER_HUB_KEY}`]);
  });

  it('reads Username/Secret, and "<token>" as an identity token', async () => {
    box.shellHelper(
      'fake',
      `read server
case "$server" in
  tokens.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-abc"}' "$server" ;;
  *) printf '{"ServerURL":"%s","Username":"robot","Secret":"${SECRET}"}' "$server" ;;
esac`,
    );
    const credentials = provider({ credsStore: 'fake' });
    expect(await credentials.getCredentials('ghcr.io')).toEqual({ username: 'robot', password: SECRET });
    expect(await credentials.getCredentials('tokens.example.com')).toEqual({ identityToken: 'refresh-abc' });
  });

  it('prefers credHelpers over credsStore, and a helper over the auths of the same file (as Docker does)', async () => {
    box.shellHelper('store', `printf '{"Username":"from-store","Secret":"s"}'`);
    box.shellHelper('special', `printf '{"Username":"from-special","Secret":"s"}'`);
    const credentials = provider({
      credsStore: 'store',
      credHelpers: { 'ghcr.io': 'special' },
      auths: {
        'ghcr.io': { auth: Buffer.from('from-file:f').toString('base64') },
        'quay.io': { auth: Buffer.from('q:q').toString('base64') },
      },
    });
    expect(await credentials.getCredentials('ghcr.io')).toEqual({ username: 'from-special', password: 's' });
    expect(await credentials.getCredentials('quay.io')).toEqual({ username: 'from-store', password: 's' });
  });

  it('treats "credentials not found" as anonymous and moves on to the next file', async () => {
    box.storeHelper('fake');
    const authFile = box.write('auth.json', { auths: { 'ghcr.io': { auth: Buffer.from('podman:p').toString('base64') } } });
    const credentials = provider({ credsStore: 'fake' }, { authFiles: [authFile] });
    expect(await credentials.getCredentials('ghcr.io')).toEqual({ username: 'podman', password: 'p' });
    expect(await credentials.getCredentials('quay.io')).toBeUndefined();
  });

  it('fails with a typed error when the helper is missing', async () => {
    const error = await rejectionOf(provider({ credsStore: 'nowhere' }).getCredentials('ghcr.io'));
    expect(CredentialHelperError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ helper: 'nowhere', action: 'get', exitCode: undefined, stderr: '' });
    expect((error as Error).message).toContain('docker-credential-nowhere');
    expect((error as Error).message).toContain('not found');
  });

  it('stops a helper that takes longer than helperTimeoutMs, children included', async () => {
    const pidFile = `${box.root}/sleep.pid`;
    box.shellHelper('slow', `sleep 30 &\necho $! > ${pidFile}\nwait`);
    const started = Date.now();
    const error = await rejectionOf(provider({ credsStore: 'slow' }, { helperTimeoutMs: 300 }).getCredentials('ghcr.io'));
    expect(Date.now() - started).toBeLessThan(5_000);
    const sleeper = Number(box.read('sleep.pid'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The helper's own child is gone too: no such process, or a zombie waiting for its reaper.
    let state = 'gone';
    try {
      state = readFileSync(`/proc/${sleeper}/stat`, 'utf8').split(') ')[1]?.[0] ?? 'gone';
    } catch {}
    expect(['gone', 'Z', 'X']).toContain(state);
    expect(CredentialHelperError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ helper: 'slow', action: 'get', exitCode: undefined });
    expect((error as Error).message).toContain('300 ms');
  });

  it('rejects with the caller abort reason and stops the helper', async () => {
    box.shellHelper('slow', 'sleep 30');
    const controller = new AbortController();
    const pending = provider({ credsStore: 'slow' }).getCredentials('ghcr.io', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    expect(await rejectionOf(pending)).toMatchObject({ message: 'caller gave up' });
  });

  it.each([
    ['output that is not JSON', `printf 'Username=robot Secret=${SECRET}'`],
    ['JSON that is not an object', `printf '"${SECRET}"'`],
    ['a Secret that is not a string', `printf '{"Username":"${SECRET}","Secret":5}'`],
  ])('refuses %s without quoting it', async (_name, body) => {
    box.shellHelper('garbage', body);
    const error = await rejectionOf(provider({ credsStore: 'garbage' }).getCredentials('ghcr.io'));
    expect(CredentialHelperError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ helper: 'garbage', action: 'get' });
    expect(leaks(error, SECRET)).toBe(false);
  });

  it('reports a failing helper with its exit code and scrubbed stderr, never its stdout', async () => {
    box.shellHelper(
      'broken',
      `printf 'stdout mentions ${SECRET}'
echo "gpg: decryption failed: No secret key; password=${SECRET} Authorization: Bearer abc.def" >&2
exit 3`,
    );
    const error = (await rejectionOf(provider({ credsStore: 'broken' }).getCredentials('ghcr.io'))) as CredentialHelperError;
    expect(CredentialHelperError.isInstance(error)).toBe(true);
    expect(error.exitCode).toBe(3);
    expect(error.stderr).toContain('gpg: decryption failed: No secret key');
    expect(error.message).toContain('exited with code 3');
    expect(leaks(error, SECRET)).toBe(false);
    expect(leaks(error, 'abc.def')).toBe(false);
    expect(leaks(error, 'stdout mentions')).toBe(false);
  });
});

describe('scrubStderr', () => {
  it('cuts known secrets, header values, JWTs, key=value secrets and long encoded runs, and stays short', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    const text = scrubStderr(
      `known:${SECRET} basic dXNlcjpwYXNz token=abc123 "secret": "xyz" ${jwt} ${'A'.repeat(40)} /usr/bin/pass`,
      [SECRET],
    );
    for (const secret of [SECRET, 'dXNlcjpwYXNz', 'abc123', 'xyz', jwt.slice(0, 20), 'A'.repeat(40)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('/usr/bin/pass');
    expect(scrubStderr('x'.repeat(10_000)).length).toBeLessThanOrEqual(2049);
  });
});

describe('helperList', () => {
  it('reads the list answer', async () => {
    const helper = box.storeHelper('fake');
    expect(await helperList('fake', { env: box.env(), timeoutMs: 10_000 })).toEqual({});
    await provider({ credsStore: 'fake' }).login('ghcr.io', { username: 'u', password: 'p' }, { verify: async () => {} });
    expect(await helperList('fake', { env: box.env(), timeoutMs: 10_000 })).toEqual({ 'ghcr.io': 'u' });
    expect(helper.calls().at(-1)).toBe('list');
  });
});
