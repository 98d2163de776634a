import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from './authenticator';
import {
  BodyTooLargeError,
  DigestMismatchError,
  ForbiddenError,
  InvalidManifestError,
  InvalidOptionError,
  InvalidReferenceError,
  PaginationError,
  RedirectError,
  RegistryMismatchError,
  type RegistryResponseError,
  ResourceNotFoundError,
  SchemaUnknownError,
  SchemaV1NotSupportedError,
  ServerError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from './errors';
import { MediaTypes } from './media-types';
import { Registry } from './registry';
import { blob, bytesOf, FakeRepo, imageManifest, mswServer, ORIGIN, rejectionOf, repoHandlers, sha256 } from './test-support';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function registry(overrides: Partial<ConstructorParameters<typeof Registry>[0]> = {}) {
  return new Registry({ domain: 'registry.test', ...overrides });
}

function multiArchRepo() {
  const repo = new FakeRepo('library/golang');
  const amd64 = repo.putManifest(imageManifest(repo.putBlob(blob({ os: 'linux', architecture: 'amd64' }))));
  const arm64 = repo.putManifest(imageManifest(repo.putBlob(blob({ os: 'linux', architecture: 'arm64', variant: 'v8' }))));
  const attestation = repo.putManifest(imageManifest(repo.putBlob(blob({ predicate: 'x' }, 'application/vnd.in-toto+json'))));
  const index = repo.putManifest(
    blob(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.OciIndex,
        manifests: [
          {
            mediaType: MediaTypes.OciManifest,
            digest: amd64.digest,
            size: amd64.bytes.byteLength,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: MediaTypes.OciManifest,
            digest: arm64.digest,
            size: arm64.bytes.byteLength,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MediaTypes.OciManifest,
            digest: attestation.digest,
            size: attestation.bytes.byteLength,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd64.digest },
          },
        ],
      },
      MediaTypes.OciIndex,
    ),
    '1.12.0',
  );
  return { repo, index, amd64, arm64, attestation };
}

describe('images().getByTag', () => {
  it('lists one platform per index entry and keeps attestations apart', async () => {
    const { repo, index, amd64, arm64, attestation } = multiArchRepo();
    server.use(...repoHandlers([repo]));
    const image = await registry().repository('library/golang').images().getByTag('1.12.0');
    expect(image.digest).toBe(index.digest);
    expect(image.tag).toBe('1.12.0');
    expect(image.domain).toBe('registry.test');
    expect(image.repository).toBe('library/golang');
    expect(image.mediaType).toBe(MediaTypes.OciIndex);
    expect(image.platforms.map((p) => [p.os, p.architecture, p.variant, p.digest])).toEqual([
      ['linux', 'amd64', undefined, amd64.digest],
      ['linux', 'arm64', 'v8', arm64.digest],
    ]);
    expect(image.attestations).toHaveLength(1);
    expect(image.attestations[0]?.digest).toBe(attestation.digest);
    expect(image.attestations[0]?.subjectDigest).toBe(amd64.digest);
  });

  it('sends every manifest media type in Accept', async () => {
    const { repo } = multiArchRepo();
    let accept = '';
    server.use(
      http.get(`${ORIGIN}/v2/library/golang/manifests/1.12.0`, ({ request }) => {
        accept = request.headers.get('accept') ?? '';
      }),
      ...repoHandlers([repo]),
    );
    await registry().repository('library/golang').images().getByTag('1.12.0');
    for (const type of [MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.OciIndex]) {
      expect(accept).toContain(type);
    }
  });

  it('reads the platform of a single manifest from its config blob', async () => {
    const repo = new FakeRepo('app');
    const config = repo.putBlob(
      blob(
        { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879', 'os.features': ['win32k'] },
        MediaTypes.DockerConfig,
      ),
    );
    const manifest = repo.putManifest(imageManifest(config, MediaTypes.DockerManifest), 'v1');
    server.use(...repoHandlers([repo]));
    const image = await registry().repository('app').images().getByTag('v1');
    expect(image.platforms).toEqual([
      {
        os: 'windows',
        architecture: 'amd64',
        variant: undefined,
        osVersion: '10.0.17763.1879',
        osFeatures: ['win32k'],
        features: [],
        digest: manifest.digest,
        mediaType: MediaTypes.DockerManifest,
        size: manifest.bytes.byteLength,
      },
    ]);
  });

  it('invents no platform for an artifact whose config is not an image config', async () => {
    const repo = new FakeRepo('chart');
    repo.putManifest(imageManifest(repo.putBlob(blob({}, MediaTypes.OciEmpty))), 'v1');
    server.use(...repoHandlers([repo]));
    const image = await registry().repository('chart').images().getByTag('v1');
    expect(image.platforms).toEqual([]);
  });

  it('fails with ResourceNotFoundError carrying the OCI error body for an unknown tag', async () => {
    const { repo } = multiArchRepo();
    server.use(...repoHandlers([repo]));
    const error = await rejectionOf(registry().repository('library/golang').images().getByTag('nope'));
    expect(ResourceNotFoundError.isInstance(error)).toBe(true);
    expect((error as ResourceNotFoundError).status).toBe(404);
    expect((error as ResourceNotFoundError).errors[0]?.code).toBe('MANIFEST_UNKNOWN');
  });

  it('rejects a malformed tag before sending anything', async () => {
    const images = registry().repository('library/golang').images();
    const error = await rejectionOf(images.getByTag('-bad'));
    expect(InvalidReferenceError.isInstance(error)).toBe(true);
    expect((error as InvalidReferenceError).reason).toBe('TAG_INVALID_FORMAT');
  });

  it('rejects a body that disagrees with Docker-Content-Digest', async () => {
    const { repo, index } = multiArchRepo();
    server.use(
      http.get(
        `${ORIGIN}/v2/library/golang/manifests/1.12.0`,
        () =>
          new HttpResponse(index.bytes, {
            headers: { 'content-type': MediaTypes.OciIndex, 'docker-content-digest': sha256('something else') },
          }),
      ),
      ...repoHandlers([repo]),
    );
    const error = await rejectionOf(registry().repository('library/golang').images().getByTag('1.12.0'));
    expect(DigestMismatchError.isInstance(error)).toBe(true);
    expect((error as DigestMismatchError).source).toBe('header');
    expect((error as DigestMismatchError).actual).toBe(index.digest);
  });

  it('computes the digest when the registry sends no Docker-Content-Digest', async () => {
    const { repo, index } = multiArchRepo();
    server.use(
      http.get(
        `${ORIGIN}/v2/library/golang/manifests/1.12.0`,
        () => new HttpResponse(index.bytes, { headers: { 'content-type': MediaTypes.OciIndex } }),
      ),
      ...repoHandlers([repo]),
    );
    const image = await registry().repository('library/golang').images().getByTag('1.12.0');
    expect(image.digest).toBe(index.digest);
  });

  it('refuses schema 1 and names unknown media types', async () => {
    server.use(
      http.get(
        `${ORIGIN}/v2/old/manifests/v1`,
        () => new HttpResponse('{"schemaVersion":1}', { headers: { 'content-type': MediaTypes.DockerSchema1Signed } }),
      ),
      http.get(`${ORIGIN}/v2/odd/manifests/v1`, () => {
        const body = bytesOf({ schemaVersion: 2, mediaType: 'application/vnd.example+json' });
        return new HttpResponse(body, { headers: { 'content-type': 'application/vnd.example+json' } });
      }),
    );
    const v1 = await rejectionOf(registry().repository('old').images().getByTag('v1'));
    expect(SchemaV1NotSupportedError.isInstance(v1)).toBe(true);
    const unknown = await rejectionOf(registry().repository('odd').images().getByTag('v1'));
    expect(SchemaUnknownError.isInstance(unknown)).toBe(true);
    expect((unknown as SchemaUnknownError).mediaType).toBe('application/vnd.example+json');
  });

  it('rejects a Content-Type that contradicts the manifest mediaType', async () => {
    const { index } = multiArchRepo();
    server.use(
      http.get(
        `${ORIGIN}/v2/x/manifests/v1`,
        () => new HttpResponse(index.bytes, { headers: { 'content-type': MediaTypes.DockerManifestList } }),
      ),
    );
    const error = await rejectionOf(registry().repository('x').images().getByTag('v1'));
    expect(InvalidManifestError.isInstance(error)).toBe(true);
  });

  it('stops reading a manifest above the size cap', async () => {
    server.use(
      http.get(
        `${ORIGIN}/v2/big/manifests/v1`,
        () => new HttpResponse(new Uint8Array(2048), { headers: { 'content-type': MediaTypes.OciManifest } }),
      ),
    );
    const error = await rejectionOf(registry({ maxManifestBytes: 1024 }).repository('big').images().getByTag('v1'));
    expect(BodyTooLargeError.isInstance(error)).toBe(true);
    expect((error as BodyTooLargeError).limit).toBe(1024);
  });
});

describe('images().getByDigest and deleteByDigest', () => {
  it('returns the image with an empty tag and verifies the bytes against the digest', async () => {
    const { repo, arm64 } = multiArchRepo();
    server.use(...repoHandlers([repo]));
    const image = await registry().repository('library/golang').images().getByDigest(arm64.digest);
    expect(image.tag).toBe('');
    expect(image.digest).toBe(arm64.digest);
    expect(image.platforms[0]?.variant).toBe('v8');
  });

  it('rejects content that does not hash to the requested digest', async () => {
    const { repo, amd64, arm64 } = multiArchRepo();
    server.use(
      http.get(
        `${ORIGIN}/v2/library/golang/manifests/${arm64.digest}`,
        () => new HttpResponse(amd64.bytes, { headers: { 'content-type': MediaTypes.OciManifest } }),
      ),
      ...repoHandlers([repo]),
    );
    const error = await rejectionOf(registry().repository('library/golang').images().getByDigest(arm64.digest));
    expect(DigestMismatchError.isInstance(error)).toBe(true);
    expect((error as DigestMismatchError).source).toBe('request');
  });

  it('rejects malformed digests with a typed error', async () => {
    const images = registry().repository('library/golang').images();
    for (const bad of ['sha256:abc', `sha256:${'A'.repeat(64)}`, 'nodigest', `md5:${'a'.repeat(32)}`]) {
      const error = await rejectionOf(images.getByDigest(bad));
      expect(InvalidReferenceError.isInstance(error), bad).toBe(true);
    }
  });

  it('deletes by digest with the delete scope, and maps 404', async () => {
    const { repo, index } = multiArchRepo();
    const seen: string[] = [];
    server.use(
      http.delete(`${ORIGIN}/v2/library/golang/manifests/*`, ({ request }) => {
        seen.push(request.method);
      }),
      ...repoHandlers([repo]),
    );
    const images = registry().repository('library/golang').images();
    await images.deleteByDigest(index.digest);
    expect(seen).toEqual(['DELETE']);
    const error = await rejectionOf(images.deleteByDigest(sha256('missing')));
    expect(ResourceNotFoundError.isInstance(error)).toBe(true);
  });
});

describe('manifests().get', () => {
  it('returns the typed manifest with its verified digest and bytes', async () => {
    const { repo, amd64 } = multiArchRepo();
    server.use(...repoHandlers([repo]));
    const manifest = await registry().repository('library/golang').manifests().get(amd64.digest);
    expect(manifest.kind).toBe('image');
    expect(manifest.digest).toBe(amd64.digest);
    expect(manifest.bytes).toEqual(amd64.bytes);
    if (manifest.kind === 'image') expect(manifest.config.mediaType).toBe(MediaTypes.OciConfig);
  });

  it('names the bad field of a malformed manifest', async () => {
    const bad = blob({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: 'x', digest: 'nope', size: 1 },
      layers: [],
    });
    server.use(
      http.get(
        `${ORIGIN}/v2/x/manifests/v1`,
        () => new HttpResponse(bad.bytes, { headers: { 'content-type': MediaTypes.OciManifest } }),
      ),
    );
    const error = await rejectionOf(registry().repository('x').manifests().get('v1'));
    expect(InvalidManifestError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('config.digest');
  });
});

describe('blobs()', () => {
  it('streams and verifies a blob', async () => {
    const repo = new FakeRepo('app');
    const data = repo.putBlob(blob('x'.repeat(100_000), 'application/octet-stream'));
    server.use(...repoHandlers([repo]));
    const download = await registry().repository('app').blobs().get(data.digest);
    expect(download.size).toBe(100_000);
    const body = new Uint8Array(await new Response(download.body).arrayBuffer());
    expect(body).toEqual(data.bytes);
  });

  it('errors the stream when the content does not match the digest', async () => {
    const wanted = sha256('wanted');
    server.use(http.get(`${ORIGIN}/v2/app/blobs/${wanted}`, () => new HttpResponse('other bytes')));
    const download = await registry().repository('app').blobs().get(wanted);
    const error = await rejectionOf(new Response(download.body).arrayBuffer());
    expect(DigestMismatchError.isInstance(error)).toBe(true);
  });
});

describe('tags and catalog pagination', () => {
  it('follows relative Link headers verbatim until they stop', async () => {
    const requested: string[] = [];
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, ({ request }) => {
        const url = new URL(request.url);
        requested.push(url.search);
        const cursor = url.searchParams.get('cursor');
        if (cursor === null) {
          return HttpResponse.json(
            { name: 'app', tags: ['a', 'b'] },
            { headers: { link: '</v2/app/tags/list?cursor=opaque1>; rel="next"' } },
          );
        }
        if (cursor === 'opaque1') {
          return HttpResponse.json({ name: 'app', tags: ['c', 'b'] }, { headers: { link: '<?cursor=opaque2>; rel="next"' } });
        }
        return HttpResponse.json({ name: 'app', tags: ['d', 'a'] });
      }),
    );
    const tags = await registry({ pageSize: 2 }).repository('app').tags().getAll();
    // Tags an earlier page gave ('b' on page 2, 'a' on page 3) come once.
    expect(tags).toEqual(['a', 'b', 'c', 'd']);
    expect(requested).toEqual(['?n=2', '?cursor=opaque1', '?cursor=opaque2']);
    const listed: string[] = [];
    for await (const tag of registry({ pageSize: 2 }).repository('app').tags().list()) listed.push(tag);
    expect(listed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a next link to another origin', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () =>
        HttpResponse.json({ tags: ['a'] }, { headers: { link: '<https://evil.test/v2/app/tags/list?n=1>; rel="next"' } }),
      ),
    );
    const error = await rejectionOf(registry().repository('app').tags().getAll());
    expect(PaginationError.isInstance(error)).toBe(true);
  });

  it('detects a link loop and honours maxPages', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/loop/tags/list`, () =>
        HttpResponse.json({ tags: ['a'] }, { headers: { link: '</v2/loop/tags/list?n=5>; rel="next"' } }),
      ),
      http.get(`${ORIGIN}/v2/long/tags/list`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page') ?? '0');
        return HttpResponse.json(
          { tags: [`t${page}`] },
          { headers: { link: `</v2/long/tags/list?page=${page + 1}>; rel="next"` } },
        );
      }),
    );
    const loop = await rejectionOf(registry().repository('loop').tags().getAll({ pageSize: 5 }));
    expect(PaginationError.isInstance(loop)).toBe(true);
    const long = await rejectionOf(registry().repository('long').tags().getAll({ maxPages: 3 }));
    expect(PaginationError.isInstance(long)).toBe(true);
    expect((long as Error).message).toContain('3 pages');
  });

  it('reads every catalog page', async () => {
    const all = Array.from({ length: 7 }, (_, i) => `repo-${i}`);
    server.use(
      http.get(`${ORIGIN}/v2/_catalog`, ({ request }) => {
        const url = new URL(request.url);
        const n = Number(url.searchParams.get('n'));
        const last = url.searchParams.get('last');
        const start = last === null ? 0 : all.indexOf(last) + 1;
        const page = all.slice(start, start + n);
        const more = start + n < all.length;
        return HttpResponse.json(
          { repositories: page },
          more ? { headers: { link: `</v2/_catalog?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}>; rel="next"` } } : {},
        );
      }),
    );
    expect(await registry().repositories({ pageSize: 3 })).toEqual(all);
  });

  it('stops an aborted listing', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page') ?? '0');
        return HttpResponse.json(
          { tags: [`t${page}`] },
          { headers: { link: `</v2/app/tags/list?page=${page + 1}>; rel="next"` } },
        );
      }),
    );
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const tag of registry().repository('app').tags().list({ signal: controller.signal })) {
          seen.push(tag);
          if (seen.length === 2) controller.abort(new Error('stop'));
        }
      })(),
    );
    expect((error as Error).message).toBe('stop');
    expect(seen).toEqual(['t0', 't1']);
  });
});

describe('HTTP status mapping', () => {
  it.each([
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [429, TooManyRequestsError],
    [500, ServerError],
    [503, ServerError],
  ])('maps %i to its typed error', async (status, type) => {
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () =>
        HttpResponse.json(
          { errors: [{ code: 'DENIED', message: 'no', detail: { a: 1 } }] },
          { status, headers: { 'retry-after': '3' } },
        ),
      ),
    );
    const error = await rejectionOf(
      registry({ retry: { limit: 0 } })
        .repository('app')
        .tags()
        .getAll(),
    );
    expect(type.isInstance(error)).toBe(true);
    expect((error as RegistryResponseError).errors).toEqual([{ code: 'DENIED', message: 'no', detail: { a: 1 } }]);
    if (status === 429) expect((error as TooManyRequestsError).retryAfterMs).toBe(3000);
  });

  it('keeps a plain-text body of a router miss', async () => {
    server.use(http.get(`${ORIGIN}/v2/app/tags/list`, () => new HttpResponse('404 page not found', { status: 404 })));
    const error = (await rejectionOf(registry().repository('app').tags().getAll())) as ResourceNotFoundError;
    expect(error.errors).toEqual([]);
    expect(error.bodyText).toBe('404 page not found');
  });

  it('times out a request that hangs', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/slow/tags/list`, async () => {
        await delay(5_000);
        return HttpResponse.json({ tags: [] });
      }),
    );
    const error = await rejectionOf(registry({ timeoutMs: 50 }).repository('slow').tags().getAll());
    expect(TimeoutError.isInstance(error)).toBe(true);
  });
});

describe('authenticator loop and redirects', () => {
  function recordingAuthenticator(log: string[], resendOn401 = true): Authenticator {
    return {
      specificationVersion: 'v1',
      name: 'recording',
      async handleRequest(context) {
        log.push(`request ${new URL(context.request.url).host} ${context.scopes.join(' ')}`);
        return { authorization: 'Bearer secret-token' };
      },
      async handleResponse(context) {
        log.push(`response ${context.response.status} challenges=${context.challenges.map((c) => c.scheme).join(',')}`);
        return { resend: resendOn401 && context.response.status === 401 };
      },
    };
  }

  it('resends at most twice for an authenticator, then surfaces the 401', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => {
        calls++;
        return HttpResponse.json(
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token",service="registry.test"' } },
        );
      }),
    );
    const log: string[] = [];
    const error = await rejectionOf(
      registry({ authenticator: recordingAuthenticator(log) })
        .repository('app')
        .tags()
        .getAll(),
    );
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(calls).toBe(3);
    expect(log[0]).toBe('request registry.test repository:app:pull');
    expect(log[1]).toBe('response 401 challenges=bearer');
    expect(JSON.stringify(error)).not.toContain('secret-token');
    expect(String(error)).not.toContain('secret-token');
  });

  it('drops credentials on a redirect to another host and never asks the authenticator about it', async () => {
    const storage = 'https://storage.test';
    const digest = sha256('layer');
    let storageAuthorization: string | null = 'unset';
    let registryAuthorization: string | null = null;
    server.use(
      http.get(`${ORIGIN}/v2/app/blobs/${digest}`, ({ request }) => {
        registryAuthorization = request.headers.get('authorization');
        return new HttpResponse(null, { status: 307, headers: { location: `${storage}/blob?X-Amz-Signature=abc` } });
      }),
      http.get(`${storage}/blob`, ({ request }) => {
        storageAuthorization = request.headers.get('authorization');
        return new HttpResponse('layer');
      }),
    );
    const log: string[] = [];
    const bytes = await registry({ authenticator: recordingAuthenticator(log) })
      .repository('app')
      .blobs()
      .getBytes(digest);
    expect(new TextDecoder().decode(bytes)).toBe('layer');
    expect(registryAuthorization).toBe('Bearer secret-token');
    expect(storageAuthorization).toBeNull();
    expect(log).toEqual(['request registry.test repository:app:pull']);
  });

  it('keeps credentials on a same-origin redirect and refuses https to http', async () => {
    let authorization: string | null = null;
    server.use(
      http.get(
        `${ORIGIN}/v2/app/tags/list`,
        () => new HttpResponse(null, { status: 301, headers: { location: '/v2/moved/tags/list' } }),
      ),
      http.get(`${ORIGIN}/v2/moved/tags/list`, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json({ tags: ['x'] });
      }),
      http.get(
        `${ORIGIN}/v2/down/tags/list`,
        () => new HttpResponse(null, { status: 302, headers: { location: 'http://registry.test/v2/down/tags/list' } }),
      ),
    );
    const reg = registry({ authenticator: recordingAuthenticator([], false) });
    expect(await reg.repository('app').tags().getAll()).toEqual(['x']);
    expect(authorization).toBe('Bearer secret-token');
    const error = await rejectionOf(reg.repository('down').tags().getAll());
    expect(RedirectError.isInstance(error)).toBe(true);
  });

  it('gives up after ten redirects', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/spin/tags/list`, ({ request }) => {
        const hop = Number(new URL(request.url).searchParams.get('hop') ?? '0');
        return new HttpResponse(null, { status: 307, headers: { location: `/v2/spin/tags/list?hop=${hop + 1}` } });
      }),
    );
    const error = await rejectionOf(registry().repository('spin').tags().getAll());
    expect(RedirectError.isInstance(error)).toBe(true);
  });
});

describe('Registry options and naming', () => {
  it('maps Docker Hub to its API host and applies the library/ prefix', () => {
    for (const domain of ['docker.io', 'index.docker.io']) {
      const hub = new Registry({ domain });
      expect(hub.domain).toBe('docker.io');
      expect(hub.target.origin).toBe('https://registry-1.docker.io');
      expect(hub.repositoryFromString('golang').name).toBe('library/golang');
      expect(hub.repositoryFromString('index.docker.io/library/golang').name).toBe('library/golang');
      expect(hub.repository('golang').name).toBe('library/golang');
    }
  });

  it('sends every request to the mirror host when proxy is set', () => {
    const mirrored = new Registry({ domain: 'docker.io', proxy: 'mirror.example.com:5000' });
    expect(mirrored.target.origin).toBe('https://mirror.example.com:5000');
    expect(mirrored.repositoryFromString('alpine').name).toBe('library/alpine');
  });

  it('uses http by default only for loopback hosts', () => {
    expect(new Registry({ domain: '127.0.0.1:5000' }).target).toMatchObject({
      origin: 'http://127.0.0.1:5000',
      plaintextAllowed: true,
    });
    expect(new Registry({ domain: 'localhost:5000' }).target.protocol).toBe('http');
    expect(new Registry({ domain: 'registry.example.com' }).target).toMatchObject({ protocol: 'https', plaintextAllowed: false });
    expect(new Registry({ domain: 'registry.example.com', protocol: 'http' }).target.plaintextAllowed).toBe(true);
  });

  it('rejects a reference for another registry and bad references', () => {
    const reg = new Registry({ domain: 'ghcr.io' });
    expect(reg.repositoryFromString('ghcr.io/org/app').name).toBe('org/app');
    expect(() => reg.repositoryFromString('golang')).toThrow(RegistryMismatchError);
    for (const bad of ['', 'ghcr.io/Org/app', 'ghcr.io/org//app', 'ghcr.io/-app']) {
      expect(() => reg.repositoryFromString(bad)).toThrow(InvalidReferenceError);
    }
    expect(() => reg.repository('UPPER')).toThrow(InvalidReferenceError);
  });

  it('refuses a tag or digest in repositoryFromString instead of dropping it, pointing to registry.image()', () => {
    const reg = new Registry({ domain: 'ghcr.io' });
    for (const reference of [
      'ghcr.io/org/app:1',
      `ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
      `ghcr.io/org/app:1@sha256:${'a'.repeat(64)}`,
    ]) {
      let caught: unknown;
      try {
        reg.repositoryFromString(reference);
      } catch (error) {
        caught = error;
      }
      expect(InvalidReferenceError.isInstance(caught)).toBe(true);
      expect(caught).toMatchObject({ reason: 'REPOSITORY_HAS_TAG_OR_DIGEST', input: reference });
      expect((caught as Error).message).toContain('registry.image(');
    }
  });

  it('validates options eagerly', () => {
    expect(() => new Registry({ domain: 'https://ghcr.io' })).toThrow(InvalidOptionError);
    expect(() => new Registry({ domain: 'ghcr.io', protocol: 'ftp' as 'http' })).toThrow(InvalidOptionError);
    expect(() => new Registry({ domain: 'docker.io', proxy: 'http://mirror' })).toThrow(InvalidOptionError);
    expect(() => new Registry({ domain: 'ghcr.io', timeoutMs: 0 })).toThrow(InvalidOptionError);
    expect(() => new Registry({ domain: 'ghcr.io:99999' })).toThrow(InvalidOptionError);
  });
});

describe('page size negotiation', () => {
  it('retries without n when the registry rejects the page size', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${ORIGIN}/v2/_catalog`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        if (url.searchParams.has('n')) {
          return HttpResponse.json(
            {
              errors: [
                { code: 'PAGINATION_NUMBER_INVALID', message: 'invalid number of results requested', detail: { n: 1000 } },
              ],
            },
            { status: 400 },
          );
        }
        return HttpResponse.json({ repositories: ['a', 'b'] });
      }),
    );
    expect(await registry().repositories()).toEqual(['a', 'b']);
    expect(seen).toEqual(['?n=1000', '']);
  });
});

describe('Registry options', () => {
  it('refuses a misspelt option with a hint instead of running anonymous', () => {
    expect(() => new Registry({ domain: '127.0.0.1:5000', authenticater: {} } as never)).toThrow(
      /new Registry\(\) has no option `authenticater` \(did you mean `authenticator`\?\)/,
    );
    expect(() => new Registry({ domain: '127.0.0.1:5000', timeout: 5 } as never)).toThrow(/did you mean `timeoutMs`/);
  });
});
