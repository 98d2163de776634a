import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '@regkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, closedPort, runCli, type ServeProcess, startServe } from './test-support';

// The built `regkit` binary, run as a subprocess against `regkit serve` (itself a subprocess).
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const hello = FIXTURES.hello.content;
const layer = hello.layers[0] as { digest: string; bytes: Uint8Array; size: number };

beforeAll(() => assertBuilt());

describe('regkit serve (open)', () => {
  let serve: ServeProcess;
  let dir: string;
  beforeAll(async () => {
    serve = await startServe(['--port', '0']);
    dir = await mkdtemp(join(tmpdir(), 'regkit-cli-'));
  });
  afterAll(async () => {
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const ref = (rest: string) => `${serve.host}/${rest}`;

  it('prints its loopback origin as the first stdout line', () => {
    expect(serve.firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('digest prints the digest alone, and --json the documented fields', async () => {
    const plain = await runCli(['digest', ref('library/golang:1.12.0')]);
    expect(plain).toMatchObject({ code: 0, stdout: `${FIXTURES.golang.digest}\n`, stderr: '' });
    const json = await runCli(['digest', ref('library/golang:1.12.0'), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      reference: ref('library/golang:1.12.0'),
      digest: FIXTURES.golang.digest,
      mediaType: FIXTURES.golang.mediaType,
      size: FIXTURES.golang.content.size,
    });
  });

  it('digest --platform prints the platform manifest digest', async () => {
    const run = await runCli(['digest', ref('library/golang:1.12.0'), '--platform', 'linux/arm64']);
    expect(run).toMatchObject({ code: 0, stdout: `${FIXTURES.golang.platforms['linux/arm64/v8']}\n` });
  });

  it('inspect lists platforms and attestations, in text and JSON', async () => {
    const text = await runCli(['inspect', ref('library/golang:1.12.0')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(FIXTURES.golang.digest);
    expect(text.stdout).toMatch(/linux\/arm64\/v8\s+sha256:/);
    expect(text.stdout).toContain('windows/amd64');
    const json = await runCli(['inspect', ref('library/alpine:latest'), '--json']);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({
      reference: ref('library/alpine:latest'),
      digest: FIXTURES.alpine.digest,
      mediaType: FIXTURES.alpine.mediaType,
    });
    expect(doc.platforms).toEqual([
      { os: 'linux', architecture: 'amd64', variant: null, digest: FIXTURES.alpine.platforms['linux/amd64'] },
      { os: 'linux', architecture: 'arm64', variant: 'v8', digest: FIXTURES.alpine.platforms['linux/arm64/v8'] },
    ]);
    expect(doc.attestations).toHaveLength(1);
    expect(doc.attestations[0].subjectDigest).toBe(FIXTURES.alpine.platforms['linux/amd64']);
  });

  it('inspect --platform adds the manifest, config and layers; an absent platform is exit 3', async () => {
    const json = await runCli(['inspect', ref('library/golang:1.12.0'), '--platform', 'linux/arm64/v8', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.platform).toMatchObject({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      digest: FIXTURES.golang.platforms['linux/arm64/v8'],
    });
    expect(doc.platform.layers.length).toBeGreaterThan(0);
    expect(doc.platform.config.digest).toMatch(/^sha256:/);
    const missing = await runCli(['inspect', ref('library/golang:1.12.0'), '--platform', 'linux/s390x']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /^regkit inspect: .*no linux\/s390x image \(platforms: linux\/amd64, linux\/arm64\/v8, windows\/amd64\)/,
    );
    expect(missing.stdout).toBe('');
  });

  it('manifest prints the exact bytes, which hash to the digest', async () => {
    const run = await runCli(['manifest', ref('library/golang:1.12.0')]);
    expect(run.code).toBe(0);
    expect(sha256(run.stdoutBytes)).toBe(FIXTURES.golang.digest);
    expect(run.stdoutBytes.equals(Buffer.from(FIXTURES.golang.content.bytes))).toBe(true);
    const json = JSON.parse((await runCli(['manifest', ref('library/hello:latest'), '--json'])).stdout);
    expect(json).toMatchObject({
      digest: hello.digest,
      mediaType: hello.mediaType,
      size: hello.size,
      manifest: { schemaVersion: 2 },
    });
  });

  it('config prints the config blob bytes; an index without --platform is a usage error naming the platforms', async () => {
    const run = await runCli(['config', ref('library/hello')]);
    expect(run.code).toBe(0);
    expect(sha256(run.stdoutBytes)).toBe(hello.config.digest);
    const index = await runCli(['config', ref('library/golang:1.12.0')]);
    expect(index.code).toBe(2);
    expect(index.stderr).toContain('linux/amd64, linux/arm64/v8, windows/amd64');
    expect(index.stderr).toContain('--platform');
    const chosen = await runCli(['config', ref('library/golang:1.12.0'), '--platform', 'windows/amd64', '--json']);
    expect(JSON.parse(chosen.stdout).config.os).toBe('windows');
  });

  it('tags and catalog list every entry, in lines and JSON', async () => {
    expect(await runCli(['tags', ref('library/golang')])).toMatchObject({ code: 0, stdout: '1.12.0\n' });
    expect(JSON.parse((await runCli(['tags', ref('library/golang'), '--json'])).stdout)).toEqual({
      repository: ref('library/golang'),
      tags: ['1.12.0'],
    });
    expect(await runCli(['catalog', serve.host])).toMatchObject({
      code: 0,
      stdout: 'library/alpine\nlibrary/golang\nlibrary/hello\n',
    });
    expect(JSON.parse((await runCli(['catalog', serve.host, '--json'])).stdout)).toEqual({
      registry: serve.host,
      repositories: ['library/alpine', 'library/golang', 'library/hello'],
    });
  });

  it('blob streams to stdout, or to a file that appears whole, with --json', async () => {
    const piped = await runCli(['blob', ref(`library/hello@${layer.digest}`), '-q']);
    expect(piped.code).toBe(0);
    expect(piped.stdoutBytes.equals(Buffer.from(layer.bytes))).toBe(true);
    const file = join(dir, 'layer.tgz');
    const json = await runCli(['blob', ref(`library/hello@${layer.digest}`), '-o', file, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      repository: ref('library/hello'),
      digest: layer.digest,
      size: layer.size,
      output: file,
    });
    expect(sha256(await readFile(file))).toBe(layer.digest);
    expect(json.stderr).toBe('');
    const noJsonStdout = await runCli(['blob', ref(`library/hello@${layer.digest}`), '--json']);
    expect(noJsonStdout.code).toBe(2);
  });

  it('blob of an unknown digest is exit 3 and leaves no file behind', async () => {
    const file = join(dir, 'missing.bin');
    const run = await runCli(['blob', ref(`library/hello@sha256:${'0'.repeat(64)}`), '-o', file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^regkit blob: not found: /);
    expect((await readdir(dir)).filter((name) => name.startsWith('missing'))).toEqual([]);
  });

  it('ratelimit reports no budget on a registry that has none', async () => {
    expect(await runCli(['ratelimit', ref('library/hello')])).toMatchObject({
      code: 0,
      stdout: `${serve.host} reports no pull rate limit\n`,
    });
    expect(JSON.parse((await runCli(['ratelimit', ref('library/hello'), '--json'])).stdout)).toEqual({
      reference: ref('library/hello:latest'),
      limit: null,
      remaining: null,
      windowSeconds: null,
      source: null,
    });
  });

  it('unknown repositories and tags are exit 3 with one line naming them and a hint', async () => {
    for (const args of [
      ['digest', ref('library/nope:1')],
      ['inspect', ref('library/golang:9.9')],
      ['tags', ref('library/nope')],
    ]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^regkit ${args[0]}: not found: ${serve.host}/library/.*\\(hint: `));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('bad references and bad flags are usage errors (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['digest', 'UPPER/Case:tag'], /not a valid image reference/],
      [['digest', `${serve.host}/library/golang:bad tag`], /not a valid image reference/],
      [['tags', `${serve.host}/library/golang:1.12.0`], /names an image, not a repository/],
      [['blob', `${serve.host}/library/hello:latest`], /not a blob reference/],
      [['catalog', 'http://x'], /not a registry host/],
      [['digest'], /takes <ref>, got none/],
      [['digest', 'a', 'b'], /takes <ref>/],
      [['digest', 'a', '--jsno'], /unknown flag --jsno .*did you mean --json\?/],
      [['dgest', 'a'], /unknown command "dgest" .*did you mean `regkit digest`\?/],
      [['digest', 'a', '--timeout', 'soon'], /--timeout must be a duration/],
      [['inspect', 'a', '--platform', 'linux'], /--platform must be os\/arch/],
      [['serve', '--auth', 'kerberos'], /--auth must be one of none, basic, token/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });

  it('an unreachable host is exit 1 naming the address; --verbose adds the request log and a stack', async () => {
    const port = await closedPort();
    const run = await runCli(['digest', `127.0.0.1:${port}/library/hello:latest`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^regkit digest: cannot reach the registry for 127\\.0\\.0\\.1:${port}/library/hello:latest: .*ECONNREFUSED.*\\(hint: `,
      ),
    );
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    const verbose = await runCli(['digest', `127.0.0.1:${port}/library/hello:latest`, '-v']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain(`> HEAD http://127.0.0.1:${port}/v2/library/hello/manifests/latest`);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('--help works for every command with examples and exit codes; --version prints the version', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    for (const name of [
      'inspect',
      'digest',
      'manifest',
      'config',
      'tags',
      'catalog',
      'blob',
      'ratelimit',
      'copy',
      'tag',
      'delete',
      'push-blob',
      'login',
      'logout',
      'serve',
    ]) {
      expect(main.stdout).toContain(`  ${name} `);
      const help = await runCli([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toContain(`Usage: regkit ${name}`);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain('4  authentication or authorization failure');
      expect(help.stdout).toContain('--json prints: {');
    }
    const version = await runCli(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('regkit serve --auth token', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(['--port', '0', '--auth', 'token', '--json']);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('prints its origins and documented users as JSON on the first line', () => {
    const doc = JSON.parse(serve.firstLine);
    expect(doc).toMatchObject({
      auth: 'token',
      profile: 'distribution',
      authOrigin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(doc.users).toEqual([
      { username: 'admin', password: 'admin-password' },
      { username: 'reader', password: 'reader-password' },
    ]);
  });

  it('reads anonymously with a token, and the catalog needs credentials (exit 4)', async () => {
    expect(await runCli(['digest', `${serve.host}/library/golang:1.12.0`])).toMatchObject({
      code: 0,
      stdout: `${FIXTURES.golang.digest}\n`,
    });
    const anonymous = await runCli(['catalog', serve.host]);
    expect(anonymous.code).toBe(4);
    expect(anonymous.stderr).toMatch(
      /^regkit catalog: not authorized for the catalog of .*\(hint: log in with `regkit login <registry>`, or pass --username/,
    );
  });

  it('takes credentials from --password-stdin and from REGKIT_USERNAME/REGKIT_PASSWORD', async () => {
    const stdin = await runCli(['catalog', serve.host, '-u', 'admin', '--password-stdin'], { input: 'admin-password\n' });
    expect(stdin).toMatchObject({ code: 0, stdout: 'library/alpine\nlibrary/golang\nlibrary/hello\n' });
    const env = await runCli(['catalog', serve.host, '--json'], {
      env: { REGKIT_USERNAME: 'admin', REGKIT_PASSWORD: 'admin-password' },
    });
    expect(JSON.parse(env.stdout).repositories).toHaveLength(3);
  });

  it('a wrong password is exit 4, and the password never appears in the output, even with --verbose', async () => {
    const run = await runCli(['tags', `${serve.host}/library/golang`, '-u', 'admin', '--password-stdin', '-v'], {
      input: 'wrong-secret-7',
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/regkit tags: could not authenticate for .*incorrect username or password/);
    expect(`${run.stdout}${run.stderr}`).not.toContain('wrong-secret-7');
    expect(run.stderr).not.toMatch(/authorization/i);
  });

  it('a password without a username, or a username without a password, is a usage error', async () => {
    expect((await runCli(['tags', `${serve.host}/library/golang`, '--password-stdin'], { input: 'x' })).code).toBe(2);
    expect((await runCli(['tags', `${serve.host}/library/golang`, '-u', 'admin'])).code).toBe(2);
  });

  it('login checks the password, stores it where docker login does, and logout removes it', async () => {
    const dockerConfig = await mkdtemp(join(tmpdir(), 'regkit-docker-config-'));
    const env = { DOCKER_CONFIG: dockerConfig };
    try {
      const wrong = await runCli(['login', serve.host, '-u', 'admin', '--password-stdin'], { input: 'nope', env });
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/^regkit login: .* refused the credentials of admin \(hint: check the username and password/);
      expect(await readdir(dockerConfig)).toEqual([]);
      const login = await runCli(['login', serve.host, '-u', 'admin', '--password-stdin', '--json'], {
        input: 'admin-password\n',
        env,
      });
      expect(login.code, login.stderr).toBe(0);
      const file = join(dockerConfig, 'config.json');
      expect(JSON.parse(login.stdout)).toEqual({ registry: serve.host, username: 'admin', stored: { file } });
      expect(JSON.parse(await readFile(file, 'utf8')).auths[serve.host]).toEqual({
        auth: Buffer.from('admin:admin-password').toString('base64'),
      });
      // Every command now uses the stored credentials.
      expect(await runCli(['catalog', serve.host], { env })).toMatchObject({
        code: 0,
        stdout: 'library/alpine\nlibrary/golang\nlibrary/hello\n',
      });
      expect(JSON.parse((await runCli(['logout', serve.host, '--json'], { env })).stdout)).toEqual({
        registry: serve.host,
        removed: true,
      });
      expect((await runCli(['logout', serve.host], { env })).stdout).toBe(`no credentials were stored for ${serve.host}\n`);
      expect((await runCli(['catalog', serve.host], { env })).code).toBe(4);
    } finally {
      await rm(dockerConfig, { recursive: true, force: true });
    }
  });

  it('stops on SIGINT as on SIGTERM, exit 0', async () => {
    const other = await startServe(['--port', '0', '--auth', 'basic']);
    expect(await other.stop('SIGINT')).toBe(0);
  });
});

describe('regkit serve --profile docker-hub', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(['--port', '0', '--profile', 'docker-hub']);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('ratelimit reads the budget from a HEAD without spending it', async () => {
    const first = JSON.parse((await runCli(['ratelimit', `${serve.host}/library/golang:1.12.0`, '--json'])).stdout);
    expect(first).toMatchObject({ limit: 100, windowSeconds: 21600, source: '127.0.0.1' });
    const second = JSON.parse((await runCli(['ratelimit', `${serve.host}/library/golang:1.12.0`, '--json'])).stdout);
    expect(second.remaining).toBe(first.remaining);
    await runCli(['manifest', `${serve.host}/library/golang:1.12.0`]);
    const third = JSON.parse((await runCli(['ratelimit', `${serve.host}/library/golang:1.12.0`, '--json'])).stdout);
    expect(third.remaining).toBe(first.remaining - 1);
    const text = await runCli(['ratelimit', `${serve.host}/library/golang:1.12.0`]);
    expect(text.stdout).toMatch(/^\d+ of 100 pulls left per 6 h \(budget of 127\.0\.0\.1\)\n$/);
  });

  it('an unknown repository on the Hub answers 401: exit 4 with the hint that it may not exist', async () => {
    const run = await runCli(['digest', `${serve.host}/library/nope:1`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('repository may not exist');
  });
});
