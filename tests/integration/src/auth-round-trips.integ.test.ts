/**
 * What authentication costs on the wire, against the real registry: a cold
 * token client pays one 401, one token request and one retry, then nothing;
 * basic pays nothing; expired, revoked and under-scoped tokens recover or
 * fail with their typed errors.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { AuthTokenInvalidError, AuthTokenNoBearerError, createFetchTransport, Registry, UnauthorizedError } from '@regkit/core';
import { createUndiciTransport } from '@regkit/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor, recordingTransport, registryFor, TRANSPORTS } from './clients';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
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

const available = findTool('docker-registry') !== undefined || process.env.CI !== undefined;
const plan = seedPlan();
const reader = { username: DEFAULT_USERS.reader.username, password: DEFAULT_USERS.reader.password };

async function pushImage(client: PushClient, repository: string, image: PlannedImage, reference: string) {
  await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob(repository, blob)));
  await client.putManifest(repository, reference, image.manifest);
}

async function seedSmall(registry: RunningRegistry): Promise<void> {
  const client = new PushClient(connectionOf(registry), DEFAULT_USERS.admin);
  const golang = plan.summary.golang;
  for (const image of plan.golang.images) await pushImage(client, golang.repository, image, image.manifest.digest);
  await client.putManifest(golang.repository, golang.tag, plan.golang.list);
  await pushImage(client, 'single/app', plan.singleApp, 'v1');
  await pushImage(client, 'private/app', plan.privateApp, 'v1');
}

describe.skipIf(!available)('token auth round trips on distribution 2.8', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    await seedSmall(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  function tokenRequests() {
    return registry.tokenServer?.tokenRequests.length ?? 0;
  }

  it('costs one 401, one token request and one retry cold, then no 401 and no token request', async () => {
    const transport = recordingTransport(createUndiciTransport());
    const client = registryFor(registry, transport, createTokenAuthenticator(reader));
    const images = client.repository('library/golang').images();
    const before = tokenRequests();

    const first = await images.getByTag('1.12.0');
    expect(first.digest).toBe(plan.summary.golang.digest);
    const registryRequests = transport.seen.filter((r) => r.url.startsWith(registry.origin));
    expect(registryRequests.map((r) => r.status)).toEqual([401, 200]);
    expect(tokenRequests() - before).toBe(1);
    expect(transport.seen.filter((r) => r.url.startsWith(registry.tokenServer?.realm ?? 'none'))).toHaveLength(1);
    expect(transport.seen).toHaveLength(3);

    transport.seen.length = 0;
    for (let i = 0; i < 100; i++) {
      const image =
        i % 2 === 0 ? await images.getByTag('1.12.0') : await client.repository('library/golang').manifests().get(first.digest);
      expect(image.digest).toBe(first.digest);
    }
    expect(transport.seen).toHaveLength(100);
    expect(transport.seen.every((r) => r.status === 200 && r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(tokenRequests() - before).toBe(1);
    await transport.close?.();
  });

  describe('keeps one registry connection for requests made one after the other', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(registry.host);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    for (const [transportName, createTransport] of Object.entries(TRANSPORTS)) {
      it(`${transportName}: the challenge, its resend and a push's answers (202, 201) free their connection`, async () => {
        const transport = createTransport();
        try {
          const client = registryFor({ host: proxy.host }, transport, createTokenAuthenticator(reader));
          const connectionsBefore = proxy.connections;
          const requestsBefore = proxy.requests.length;
          const image = await client.repository('library/golang').images().getByTag('1.12.0');
          expect(image.digest).toBe(plan.summary.golang.digest);
          expect(proxy.requests.length - requestsBefore, 'the 401 and the resend').toBe(2);
          expect(proxy.connections - connectionsBefore, 'registry connections for a cold token read').toBe(1);

          const admin = { username: DEFAULT_USERS.admin.username, password: DEFAULT_USERS.admin.password };
          const writer = registryFor({ host: proxy.host }, transport, createTokenAuthenticator(admin));
          const pushBefore = proxy.connections;
          const blob = new TextEncoder().encode(`keep-alive ${transportName} ${Date.now()}`);
          await writer.repository(`keepalive/${transportName}`).blobs().upload(blob);
          const pushRequests = proxy.requests.slice(requestsBefore + 2);
          expect(pushRequests.map((line) => line.split(' ')[0])).toEqual(['POST', 'POST', 'PUT']);
          expect(proxy.connections - pushBefore, 'registry connections for a challenged push').toBe(1);
        } finally {
          await transport.close?.();
        }
      });
    }
  });

  it('reads repository B then A with one client, one token per repository', async () => {
    const transport = recordingTransport(createFetchTransport());
    const client = registryFor(registry, transport, createTokenAuthenticator(reader));
    const before = tokenRequests();
    const b = await client.repository('single/app').images().getByTag('v1');
    const a = await client.repository('library/golang').images().getByTag('1.12.0');
    const bAgain = await client.repository('single/app').images().getByTag('v1');
    expect([b.digest, a.digest, bAgain.digest]).toEqual([
      plan.summary.singleApp.manifestDigest,
      plan.summary.golang.digest,
      b.digest,
    ]);
    const asked = registry.tokenServer?.tokenRequests.slice(before).map((r) => r.scopes) ?? [];
    expect(asked).toEqual([['repository:single/app:pull'], ['repository:library/golang:pull']]);
  });

  it('pulls public repositories anonymously and refuses private ones', async () => {
    const client = registryFor(registry, createFetchTransport(), authenticatorFor('token'));
    const image = await client.repository('library/golang').images().getByTag('1.12.0');
    expect(image.platforms).toHaveLength(3);
    const error = await client
      .repository('private/app')
      .images()
      .getByTag('v1')
      .catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(error)).toBe(true);
  });

  it('refreshes an expired token before using it, without a 401', async () => {
    let now = Date.now();
    const transport = recordingTransport(createFetchTransport());
    const client = registryFor(registry, transport, createTokenAuthenticator({ ...reader, clock: { now: () => now } }));
    const images = client.repository('library/golang').images();
    await images.getByTag('1.12.0');
    const before = tokenRequests();
    transport.seen.length = 0;
    now += 3_600_000; // far past the token server's 300 s expiry
    await images.getByTag('1.12.0');
    expect(tokenRequests() - before).toBe(1);
    expect(transport.seen.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('fails with UnauthorizedError, without looping, when the token lacks the scope', async () => {
    const transport = recordingTransport(createFetchTransport());
    const client = registryFor(registry, transport, createTokenAuthenticator(reader));
    const error = await client
      .repository('library/golang')
      .images()
      .deleteByDigest(plan.summary.golang.digest)
      .catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    // The DELETE goes at most twice (the challenge, then once with the best token the service gives); the manifest
    // GET before it (to keep a referrers fallback index in step) is not part of the loop.
    const deletes = transport.seen.filter((r) => r.url.startsWith(registry.origin) && r.method === 'DELETE');
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    expect(deletes.length).toBeLessThanOrEqual(2);
  });

  // Key rotation changes the registry for every later test: keep these last.
  it('recovers when the registry stops trusting a cached token', async () => {
    const client = registryFor(registry, createFetchTransport(), createTokenAuthenticator(reader));
    const images = client.repository('library/golang').images();
    await images.getByTag('1.12.0');
    await registry.tokenServer?.revoke();
    await registry.restart();
    const before = tokenRequests();
    const image = await images.getByTag('1.12.0');
    expect(image.digest).toBe(plan.summary.golang.digest);
    expect(tokenRequests() - before).toBe(1);
  });

  it('fails with AuthTokenInvalidError when fresh tokens are rejected too', async () => {
    await registry.tokenServer?.revoke(); // the registry still trusts only the previous key
    const transport = recordingTransport(createFetchTransport());
    const client = registryFor(registry, transport, createTokenAuthenticator(reader));
    const error = await client
      .repository('library/golang')
      .images()
      .getByTag('1.12.0')
      .catch((e: unknown) => e);
    expect(AuthTokenInvalidError.isInstance(error)).toBe(true);
    expect(transport.seen.filter((r) => r.url.startsWith(registry.origin)).every((r) => r.status === 401)).toBe(true);
    expect(String(error)).not.toMatch(/eyJ/);
  });
});

describe.skipIf(!available)('basic auth round trips on distribution 2.8', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'basic' });
    await seedSmall(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('sends credentials up front: no 401 at all, one request per read', async () => {
    const transport = recordingTransport(createUndiciTransport());
    const client = new Registry({
      domain: registry.host,
      transport,
      authenticator: authenticatorFor('basic', DEFAULT_USERS.reader),
    });
    const images = client.repository('library/golang').images();
    for (let i = 0; i < 101; i++) await images.getByTag('1.12.0');
    expect(transport.seen).toHaveLength(101);
    expect(transport.seen.every((r) => r.status === 200 && r.authorization?.startsWith('Basic '))).toBe(true);
    await transport.close?.();
  });

  it('tells a token client without credentials that the registry offers no Bearer challenge', async () => {
    const client = registryFor(registry, createFetchTransport(), createTokenAuthenticator());
    const error = await client
      .repository('library/golang')
      .images()
      .getByTag('1.12.0')
      .catch((e: unknown) => e);
    expect(AuthTokenNoBearerError.isInstance(error)).toBe(true);
  });
});
