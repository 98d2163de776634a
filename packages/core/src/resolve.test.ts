import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, ResourceNotFoundError } from './errors';
import { MediaTypes } from './media-types';
import { Registry } from './registry';
import { blob, FakeRepo, imageManifest, mswServer, ORIGIN, repoHandlers } from './test-support';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function repoWithTags(count: number) {
  const repo = new FakeRepo('app');
  const config = repo.putBlob(blob({ os: 'linux', architecture: 'amd64' }));
  const manifest = imageManifest(config);
  for (let i = 0; i < count; i++) repo.putManifest(manifest, `t${i}`);
  return { repo, manifest };
}

describe('images().resolve', () => {
  it('uses one HEAD when Docker-Content-Digest and Content-Type settle it', async () => {
    const { repo, manifest } = repoWithTags(1);
    const methods: string[] = [];
    server.use(
      http.all(`${ORIGIN}/v2/*`, ({ request }) => {
        methods.push(request.method);
      }),
      ...repoHandlers([repo]),
    );
    const resolved = await new Registry({ domain: 'registry.test' }).repository('app').images().resolve('t0');
    expect(resolved).toEqual({
      reference: 't0',
      digest: manifest.digest,
      mediaType: MediaTypes.OciManifest,
      size: manifest.bytes.byteLength,
      method: 'HEAD',
    });
    expect(methods).toEqual(['HEAD']);
  });

  it('falls back to a verified GET when the registry omits the digest header', async () => {
    const { manifest } = repoWithTags(0);
    const methods: string[] = [];
    server.use(
      http.all(`${ORIGIN}/v2/app/manifests/t0`, ({ request }) => {
        methods.push(request.method);
        return new HttpResponse(request.method === 'HEAD' ? null : manifest.bytes, {
          headers: { 'content-type': MediaTypes.OciManifest },
        });
      }),
    );
    const resolved = await new Registry({ domain: 'registry.test' }).repository('app').images().resolve('t0');
    expect(resolved.method).toBe('GET');
    expect(resolved.digest).toBe(manifest.digest);
    expect(methods).toEqual(['HEAD', 'GET']);
  });

  it('reports a missing tag as ResourceNotFoundError', async () => {
    const { repo } = repoWithTags(1);
    server.use(...repoHandlers([repo]));
    const error = await new Registry({ domain: 'registry.test' })
      .repository('app')
      .images()
      .resolve('nope')
      .catch((e: unknown) => e);
    expect(ResourceNotFoundError.isInstance(error)).toBe(true);
  });
});

describe('images().resolveAll', () => {
  it('resolves every reference in order with bounded concurrency and per-reference errors', async () => {
    const { repo, manifest } = repoWithTags(40);
    let inFlight = 0;
    let peak = 0;
    server.use(
      http.head(`${ORIGIN}/v2/app/manifests/*`, async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await delay(5);
        inFlight--;
      }),
      ...repoHandlers([repo]),
    );
    const references = [...Array.from({ length: 40 }, (_, i) => `t${i}`), 'missing'];
    const outcomes = await new Registry({ domain: 'registry.test' })
      .repository('app')
      .images()
      .resolveAll(references, { concurrency: 4 });
    expect(outcomes.map((o) => o.reference)).toEqual(references);
    expect(outcomes.slice(0, 40).every((o) => o.ok && o.value.digest === manifest.digest)).toBe(true);
    const last = outcomes[40];
    expect(last?.ok).toBe(false);
    if (last && !last.ok) expect(ResourceNotFoundError.isInstance(last.error)).toBe(true);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('validates concurrency', async () => {
    const images = new Registry({ domain: 'registry.test' }).repository('app').images();
    await expect(images.resolveAll(['a'], { concurrency: 0 })).rejects.toThrow(InvalidOptionError);
  });
});
