import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { copyImage } from '../copy-image';
import { InvalidOptionError } from '../errors';
import { MediaTypes } from '../media-types';
import { PushTestRegistry, sha256 } from '../push-test-registry';
import { Registry } from '../registry';
import type { Transport } from '../transport';
import { RequestSlots } from './concurrency';
import { recordingTransport } from './test-transport';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function headRegistry(options: { maxConcurrentRequests?: number } = {}) {
  const transport = recordingTransport((request) => {
    if (request.url.includes('/blobs/')) {
      return { status: 200, headers: { 'content-length': '4' }, body: 'blob' };
    }
    return {
      status: 200,
      headers: { 'docker-content-digest': DIGEST, 'content-type': MediaTypes.OciManifest, 'content-length': '10' },
    };
  });
  return { transport, registry: new Registry({ domain: 'registry.test', transport, ...options }) };
}

describe('RequestSlots', () => {
  it('hands slots out first come, first served, and skips waiters that gave up', async () => {
    const slots = new RequestSlots(1);
    expect(slots.tryAcquire()).toBe(true);
    const order: string[] = [];
    const gaveUp = new AbortController();
    const a = slots.acquire(undefined).then(() => order.push('a'));
    const b = slots.acquire(gaveUp.signal).then(
      () => order.push('b'),
      () => order.push('b aborted'),
    );
    const c = slots.acquire(undefined).then(() => order.push('c'));
    gaveUp.abort();
    await b;
    slots.release();
    await a;
    slots.release();
    await c;
    expect(order).toEqual(['b aborted', 'a', 'c']);
    slots.release();
    expect(slots.held).toBe(0);
    expect(slots.tryAcquire()).toBe(true);
  });
});

describe('maxConcurrentRequests', () => {
  it('keeps 2,000 concurrent resolve() calls within the default bound of 16', async () => {
    const { transport, registry } = headRegistry();
    const repository = registry.repository('app');
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => repository.images().resolve(`t${i}`)));
    expect(results).toHaveLength(2000);
    expect(transport.calls).toHaveLength(2000);
    expect(transport.maxInFlight).toBeLessThanOrEqual(16);
    expect(transport.maxInFlight).toBeGreaterThan(1);
  });

  it('applies a chosen bound to every operation of the registry, resolveAll included', async () => {
    const { transport, registry } = headRegistry({ maxConcurrentRequests: 3 });
    const repository = registry.repository('app');
    await Promise.all([
      repository.images().resolveAll(
        Array.from({ length: 50 }, (_, i) => `a${i}`),
        { concurrency: 8 },
      ),
      ...Array.from({ length: 50 }, (_, i) => repository.images().resolve(`b${i}`)),
      registry.ping(),
    ]);
    expect(transport.maxInFlight).toBe(3);
  });

  it('holds a slot for a streamed body until it ends, errors or is cancelled', async () => {
    const { transport, registry } = headRegistry({ maxConcurrentRequests: 1 });
    const requester = registry.requester;
    const first = await requester.send({ method: 'GET', url: '/v2/app/blobs/x' });
    let second = false;
    const waiting = requester.send({ method: 'GET', url: '/v2/app/blobs/y' }).then((response) => {
      second = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second).toBe(false);
    await first.body?.cancel();
    const next = await waiting;
    expect(second).toBe(true);
    // Read to the end: the slot comes back.
    await new Response(next.body).arrayBuffer();
    await registry.ping();
    expect(transport.maxInFlight).toBe(1);
  });

  it('releases the slot of a body that errors', async () => {
    let fail = true;
    const transport = recordingTransport(() =>
      fail
        ? {
            status: 200,
            body: new ReadableStream<Uint8Array>({
              pull(controller) {
                controller.error(new Error('connection reset'));
              },
            }),
          }
        : { status: 200 },
    );
    const registry = new Registry({ domain: 'registry.test', transport, maxConcurrentRequests: 1 });
    const response = await registry.requester.send({ method: 'GET', url: '/v2/app/blobs/x' });
    await expect(new Response(response.body).arrayBuffer()).rejects.toThrow();
    fail = false;
    await registry.ping();
  });

  it.each([
    ['a response body', (registry: Registry) => registry.requester.send({ method: 'GET', url: '/v2/app/blobs/x' })],
    [
      'a blob download',
      (registry: Registry) =>
        registry
          .repository('app')
          .blobs()
          .get(`sha256:${'a'.repeat(64)}`),
    ],
  ])('gives back the slot of %s dropped unread once the collector reclaims it, and cancels its source', async (_, open) => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    let cancelled = false;
    let blobs = 0;
    const transport = recordingTransport((request) => {
      if (!request.url.includes('/blobs/')) return { status: 200 };
      blobs++;
      return {
        status: 200,
        body: new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(new Uint8Array(4)),
          cancel: () => {
            cancelled = true;
          },
        }),
      };
    });
    const registry = new Registry({ domain: 'registry.test', transport, maxConcurrentRequests: 1 });
    // The response is dropped when this call returns: nothing reads or cancels its body.
    await (async () => {
      await open(registry);
    })();
    const ping = registry.ping();
    let answered = false;
    void ping.then(() => {
      answered = true;
    });
    for (let round = 0; round < 50 && !answered; round++) {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(answered).toBe(true);
    expect(cancelled).toBe(true);
    expect(blobs).toBe(1);
  });

  it('lets a caller waiting for a slot abort', async () => {
    const { registry } = headRegistry({ maxConcurrentRequests: 1 });
    const held = await registry.requester.send({ method: 'GET', url: '/v2/app/blobs/x' });
    const controller = new AbortController();
    const waiting = registry.ping({ signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    await held.body?.cancel();
    await registry.ping();
  });

  it('holds a slot for a blob download until its verified body ends, fails or is cancelled', async () => {
    const blob = new TextEncoder().encode('blob');
    const digest = sha256(blob);
    let fail = false;
    const transport = recordingTransport((request) =>
      request.url.includes('/blobs/')
        ? fail
          ? {
              status: 200,
              body: new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error('connection reset')) }),
            }
          : { status: 200, headers: { 'content-length': '4' }, body: blob }
        : { status: 200 },
    );
    const registry = new Registry({ domain: 'registry.test', transport, maxConcurrentRequests: 1 });
    const blobs = registry.repository('app').blobs();
    const first = await blobs.get(digest);
    let second = false;
    const waiting = blobs.get(digest).then((download) => {
      second = true;
      return download;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second).toBe(false);
    await first.body.cancel();
    const next = await waiting;
    // Read to the end (and verified): the slot comes back.
    expect(new Uint8Array(await new Response(next.body).arrayBuffer())).toEqual(blob);
    fail = true;
    const failing = await blobs.get(digest, { maxResumes: 0 });
    await expect(new Response(failing.body).arrayBuffer()).rejects.toThrow();
    fail = false;
    await registry.ping();
    expect(transport.maxInFlight).toBe(1);
  });

  it('is validated: an integer from 1 to 1024', () => {
    for (const value of [0, -1, 1.5, 1025, Number.NaN, '8' as unknown as number]) {
      expect(() => new Registry({ domain: 'registry.test', maxConcurrentRequests: value })).toThrow(InvalidOptionError);
    }
    expect(new Registry({ domain: 'registry.test', maxConcurrentRequests: 1024 }).requester.maxConcurrentRequests).toBe(1024);
  });
});

/** A transport that hides mounts, so a copy within one registry streams every blob. */
function withoutMounts(inner: PushTestRegistry): Transport {
  return {
    specificationVersion: 'v1',
    name: 'no-mount',
    send(request) {
      const url = new URL(request.url);
      url.searchParams.delete('mount');
      url.searchParams.delete('from');
      return inner.send({ ...request, url: url.toString() });
    },
  };
}

function seed(fake: PushTestRegistry, repo: string, layers: number): string {
  const config = encode({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } });
  const blobs = Array.from({ length: layers }, (_, i) => Uint8Array.from({ length: 4000 + i }, (_, j) => (i + j) % 256));
  const manifest = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: fake.putBlob(repo, config), size: config.byteLength },
    layers: blobs.map((bytes) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: fake.putBlob(repo, bytes),
      size: bytes.byteLength,
    })),
  });
  fake.putManifest(repo, 'v1', manifest, MediaTypes.OciManifest);
  return sha256(manifest);
}

describe('copyImage within one registry', () => {
  it('does not deadlock with 2 slots while downloads are held open during uploads', async () => {
    const fake = new PushTestRegistry('http://127.0.0.1:5997');
    seed(fake, 'lib/app', 6);
    const registry = new Registry({ domain: '127.0.0.1:5997', transport: withoutMounts(fake), maxConcurrentRequests: 2 });
    const result = await copyImage(registry.repository('lib/app'), 'v1', registry.repository('mirror/app'), { concurrency: 8 });
    expect(result.blobs.uploaded).toBe(7);
  }, 10_000);

  it('refuses a bound of 1, which would deadlock, with a typed error', async () => {
    const fake = new PushTestRegistry('http://127.0.0.1:5996');
    seed(fake, 'lib/app', 1);
    const registry = new Registry({ domain: '127.0.0.1:5996', transport: withoutMounts(fake), maxConcurrentRequests: 1 });
    await expect(copyImage(registry.repository('lib/app'), 'v1', registry.repository('mirror/app'))).rejects.toThrow(
      InvalidOptionError,
    );
  });
});
