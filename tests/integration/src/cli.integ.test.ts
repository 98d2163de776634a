import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_USERS, describeWithRegistries, type HarnessRegistryInfo } from './harness';

// The built `regkit` binary as users run it, against the real distribution registries (open,
// htpasswd, token). Build first: `pnpm -F @regkit/cli build`.
const BIN = fileURLToPath(new URL('../../../packages/cli/dist/regkit.cjs', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly bytes: Buffer;
}

function regkit(args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      // No credentials from the environment or the user's own Docker and podman files.
      env: {
        ...process.env,
        REGKIT_USERNAME: '',
        REGKIT_PASSWORD: '',
        DOCKER_CONFIG: '/nonexistent/regkit-test-docker-config',
        REGISTRY_AUTH_FILE: '/nonexistent/regkit-test-auth.json',
        // Loopback registries: a proxy set on the machine must not carry the traffic.
        HTTP_PROXY: '',
        http_proxy: '',
        HTTPS_PROXY: '',
        https_proxy: '',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes });
    });
    child.stdin.end(options.input ?? '');
  });
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function login(registry: HarnessRegistryInfo, user: { username: string; password: string } = DEFAULT_USERS.admin) {
  return registry.mode === 'open' ? {} : { env: { REGKIT_USERNAME: user.username, REGKIT_PASSWORD: user.password } };
}

describeWithRegistries('regkit (the built CLI) against distribution', (harness) => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm -F @regkit/cli build\` first`);
    dir = await mkdtemp(join(tmpdir(), 'regkit-cli-integ-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const registry of Object.values(harness.registries)) {
    const mode = registry.mode;
    const at = (rest: string) => `${registry.host}/${rest}`;
    const auth = login(registry);
    const { golang } = harness.seed;

    it(`${mode}: digest, inspect --json, manifest bytes, tags (every page) and catalog`, async () => {
      const digest = await regkit(['digest', at('library/golang:1.12.0'), '--json'], auth);
      expect(digest.code, digest.stderr).toBe(0);
      expect(JSON.parse(digest.stdout)).toEqual({
        reference: at('library/golang:1.12.0'),
        digest: golang.digest,
        mediaType: golang.mediaType,
        size: golang.size,
      });
      const inspect = JSON.parse((await regkit(['inspect', at('library/golang:1.12.0'), '--json'], auth)).stdout);
      expect(inspect.platforms.map((p: { digest: string }) => p.digest)).toEqual(golang.platforms.map((p) => p.manifestDigest));
      const manifest = await regkit(['manifest', at('library/golang:1.12.0')], auth);
      expect(sha256(manifest.bytes)).toBe(golang.digest);
      const tags = JSON.parse((await regkit(['tags', at('many/tags'), '--json'], auth)).stdout);
      expect(new Set(tags.tags)).toEqual(new Set(harness.seed.manyTags.tags));
      const catalog = await regkit(['catalog', registry.host, '--json'], auth);
      expect(catalog.code, catalog.stderr).toBe(0);
      expect(JSON.parse(catalog.stdout).repositories).toContain('library/golang');
    });

    it(`${mode}: config --platform and blob -o give the seeded bytes`, async () => {
      const platform = golang.platforms[0];
      if (platform === undefined) throw new Error('no platform seeded');
      const name = `${platform.platform.os}/${platform.platform.architecture}`;
      const config = await regkit(['config', at('library/golang:1.12.0'), '--platform', name], auth);
      expect(config.code, config.stderr).toBe(0);
      expect(sha256(config.bytes)).toBe(platform.configDigest);
      const layer = platform.layerDigests[0] as string;
      const file = join(dir, `${mode}-layer`);
      const blob = await regkit(['blob', at(`library/golang@${layer}`), '-o', file, '--json'], auth);
      expect(blob.code, blob.stderr).toBe(0);
      expect(JSON.parse(blob.stdout)).toMatchObject({ digest: layer, output: file });
    });

    it(`${mode}: unknown repositories and tags are exit 3 (or 4 where the token service hides them)`, async () => {
      const tag = await regkit(['digest', at('library/golang:no-such-tag')], auth);
      expect(tag.code).toBe(3);
      expect(tag.stderr).toMatch(/^regkit digest: not found: .*library\/golang:no-such-tag/);
      const repo = await regkit(['tags', at('no/such-repo')], auth);
      expect(repo.code).toBe(3);
      expect(repo.stderr.trimEnd().split('\n')).toHaveLength(1);
    });

    it(`${mode}: push-blob, copy, tag and delete round-trip`, async () => {
      const content = Buffer.from(`regkit cli ${mode} ${Date.now()}\n`);
      const file = join(dir, `${mode}-blob`);
      await writeFile(file, content);
      const push = await regkit(['push-blob', at('cli/pushed'), file, '--json'], auth);
      expect(push.code, push.stderr).toBe(0);
      expect(JSON.parse(push.stdout)).toEqual({
        repository: at('cli/pushed'),
        digest: sha256(content),
        size: content.byteLength,
      });
      const back = await regkit(['blob', at(`cli/pushed@${sha256(content)}`)], auth);
      expect(back.bytes.equals(content)).toBe(true);

      const copy = await regkit(['copy', at('library/golang:1.12.0'), at(`cli/golang-${mode}:copied`), '--json'], auth);
      expect(copy.code, copy.stderr).toBe(0);
      const copied = JSON.parse(copy.stdout);
      expect(copied).toMatchObject({
        digest: golang.digest,
        platformsFiltered: false,
        destination: at(`cli/golang-${mode}:copied`),
      });
      expect(copied.blobs.mounted + copied.blobs.uploaded).toBeGreaterThan(0);
      expect(copy.stderr).toBe('');

      const filtered = await regkit(
        ['copy', at('library/golang:1.12.0'), at(`cli/golang-${mode}:amd64`), '--platform', 'linux/amd64', '--json'],
        auth,
      );
      expect(filtered.code, filtered.stderr).toBe(0);
      expect(JSON.parse(filtered.stdout).platformsFiltered).toBe(true);

      const tag = await regkit(['tag', at(`cli/golang-${mode}:copied`), 'retagged'], auth);
      expect(tag).toMatchObject({ code: 0, stdout: `${at(`cli/golang-${mode}:retagged`)} ${golang.digest}\n` });
      expect((await regkit(['digest', at(`cli/golang-${mode}:retagged`)], auth)).stdout).toBe(`${golang.digest}\n`);

      const del = await regkit(['delete', at(`cli/golang-${mode}@${golang.digest}`), '--json'], auth);
      expect(del.code, del.stderr).toBe(0);
      expect(JSON.parse(del.stdout)).toEqual({
        reference: at(`cli/golang-${mode}@${golang.digest}`),
        digest: golang.digest,
        deleted: true,
      });
      expect((await regkit(['digest', at(`cli/golang-${mode}:retagged`)], auth)).code).toBe(3);
      expect((await regkit(['delete', at(`cli/golang-${mode}@${golang.digest}`)], auth)).code).toBe(3);
    });

    if (mode !== 'open') {
      it(`${mode}: a wrong password is exit 4 and never printed; no credentials is exit 4 with a hint`, async () => {
        const wrong = await regkit(['tags', at('private/app'), '-u', 'admin', '--password-stdin', '-v'], {
          input: 'not-the-password-3b7',
        });
        expect(wrong.code).toBe(4);
        expect(`${wrong.stdout}${wrong.stderr}`).not.toContain('not-the-password-3b7');
        const anonymous = await regkit(['tags', at('private/app')]);
        expect(anonymous.code).toBe(4);
        expect(anonymous.stderr).toMatch(
          /^regkit tags: not authorized for .*\(hint: log in with `regkit login <registry>`, or pass --username/,
        );
      });
    }

    if (mode !== 'open') {
      it(`${mode}: login verifies and stores the credentials, every command uses them, logout removes them`, async () => {
        const dockerConfig = join(dir, `docker-config-${mode}`);
        const env = { DOCKER_CONFIG: dockerConfig };
        const wrong = await regkit(['login', registry.host, '-u', 'admin', '--password-stdin'], { input: 'wrong', env });
        expect(wrong.code).toBe(4);
        expect(existsSync(join(dockerConfig, 'config.json'))).toBe(false);
        const ok = await regkit(['login', registry.host, '-u', 'admin', '--password-stdin'], {
          input: DEFAULT_USERS.admin.password,
          env,
        });
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stdout).toBe(`logged in to ${registry.host} as admin (stored in ${join(dockerConfig, 'config.json')})\n`);
        expect((await regkit(['tags', at('private/app')], { env })).stdout).toBe('v1\n');
        expect((await regkit(['logout', registry.host], { env })).code).toBe(0);
        expect((await regkit(['tags', at('private/app')], { env })).code).toBe(4);
      });
    }

    if (mode === 'token') {
      it('token: a reader may pull but not push (exit 4)', async () => {
        const reader = login(registry, DEFAULT_USERS.reader);
        expect((await regkit(['digest', at('private/app:v1')], reader)).code).toBe(0);
        const push = await regkit(['tag', at('library/golang:1.12.0'), 'by-reader'], reader);
        expect(push.code).toBe(4);
      });
    }
  }

  it('an unreachable registry (a closed loopback port) is exit 1 with a hint', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const run = await regkit(['inspect', `127.0.0.1:${port}/library/golang:1.12.0`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^regkit inspect: cannot reach the registry for .*ECONNREFUSED.*\(hint: check the registry host and port/,
    );
  });
});
