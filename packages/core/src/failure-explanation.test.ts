import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InsufficientScopeError, ResourceNotFoundError, UnauthorizedError } from './errors';
import { Registry } from './registry';
import { mswServer, ORIGIN, rejectionOf, sha256 } from './test-support';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const HUB = 'https://registry-1.docker.io';
const DIGEST = sha256('layer');

const registry = (domain = 'registry.test') => new Registry({ domain, retry: { limit: 0 } });
const unauthorizedBody = { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] };

describe('insufficient scope', () => {
  it('a 401 with error="insufficient_scope" is InsufficientScopeError, still an UnauthorizedError', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/team/app/manifests/v1`, () =>
        HttpResponse.json(unauthorizedBody, {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="https://auth.test/token",service="registry.test",scope="repository:team/app:pull",error="insufficient_scope"',
          },
        }),
      ),
    );
    const error = await rejectionOf(registry().repository('team/app').manifests().get('v1'));
    expect(InsufficientScopeError.isInstance(error)).toBe(true);
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(UnauthorizedError);
    const scoped = error as InsufficientScopeError;
    expect(scoped.status).toBe(401);
    expect(scoped.scope).toBe('repository:team/app:pull');
    expect(scoped.challenge.scheme).toBe('bearer');
    expect(scoped.challenge.params.error).toBe('insufficient_scope');
    expect(scoped.message).toContain('insufficient scope');
    expect(scoped.message).toContain('"repository:team/app:pull"');
    expect(scoped.message).not.toContain('docker login');
  });

  it('a challenge echoing the token sent carries it scrubbed, in the error and its message', async () => {
    const token = 'secret-bearer-token-0123456789';
    server.use(
      http.get(`${ORIGIN}/v2/team/app/manifests/v1`, () =>
        HttpResponse.json(unauthorizedBody, {
          status: 401,
          headers: {
            'www-authenticate': `Bearer realm="https://auth.test/token",scope="repository:team/app:pull ${token}",error="insufficient_scope"`,
          },
        }),
      ),
    );
    const authenticator = {
      specificationVersion: 'v1' as const,
      name: 'static',
      handleRequest: async () => ({ authorization: `Bearer ${token}` }),
      handleResponse: async () => ({ resend: false }),
    };
    const error = await rejectionOf(
      new Registry({ domain: 'registry.test', authenticator, retry: { limit: 0 } }).repository('team/app').manifests().get('v1'),
    );
    expect(InsufficientScopeError.isInstance(error)).toBe(true);
    const scoped = error as InsufficientScopeError;
    expect(JSON.stringify(scoped.challenge)).not.toContain(token);
    expect(scoped.scope).not.toContain(token);
    expect(scoped.message).not.toContain(token);
  });

  it('a plain 401 stays a plain UnauthorizedError', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/team/app/manifests/v1`, () =>
        HttpResponse.json(unauthorizedBody, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token",error="invalid_token"' },
        }),
      ),
    );
    const error = await rejectionOf(registry().repository('team/app').manifests().get('v1'));
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(InsufficientScopeError.isInstance(error)).toBe(false);
  });
});

describe("Docker Hub's ambiguous answers", () => {
  it('a 401 on a Hub repository carries the "does not exist or may require docker login" hint', async () => {
    server.use(
      http.get(`${HUB}/v2/library/nope/manifests/latest`, () =>
        HttpResponse.json(unauthorizedBody, { status: 401, headers: { 'www-authenticate': 'Basic realm="hub"' } }),
      ),
    );
    const error = await rejectionOf(registry('docker.io').repository('nope').manifests().get('latest'));
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("repository does not exist or may require 'docker login'");
  });

  it('Hub insufficient scope gets the hint too', async () => {
    server.use(
      http.get(`${HUB}/v2/someone/private/manifests/latest`, () =>
        HttpResponse.json(unauthorizedBody, {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:someone/private:pull",error="insufficient_scope"',
          },
        }),
      ),
    );
    const error = await rejectionOf(registry('docker.io').repository('someone/private').manifests().get('latest'));
    expect(InsufficientScopeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("may require 'docker login'");
  });

  it('a Hub 404 NAME_UNKNOWN gets the hint, a missing tag (MANIFEST_UNKNOWN) does not', async () => {
    server.use(
      http.get(`${HUB}/v2/library/gone/manifests/latest`, () =>
        HttpResponse.json({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] }, { status: 404 }),
      ),
      http.get(`${HUB}/v2/library/alpine/manifests/nope`, () =>
        HttpResponse.json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, { status: 404 }),
      ),
    );
    const gone = await rejectionOf(registry('docker.io').repository('gone').manifests().get('latest'));
    expect(ResourceNotFoundError.isInstance(gone)).toBe(true);
    expect((gone as Error).message).toContain('docker login');
    const tag = await rejectionOf(registry('docker.io').repository('alpine').manifests().get('nope'));
    expect((tag as Error).message).not.toContain('docker login');
  });

  it('another registry gets no Hub hint', async () => {
    server.use(http.get(`${ORIGIN}/v2/team/app/manifests/v1`, () => HttpResponse.json(unauthorizedBody, { status: 401 })));
    const error = await rejectionOf(registry().repository('team/app').manifests().get('v1'));
    expect((error as Error).message).not.toContain('docker login');
  });
});

describe('a 404 without a body says what was not found', () => {
  it('HEAD of a blob and of a manifest', async () => {
    server.use(
      http.head(`${ORIGIN}/v2/team/app/blobs/${DIGEST}`, () => new HttpResponse(null, { status: 404 })),
      http.head(`${ORIGIN}/v2/team/app/manifests/v9`, () => new HttpResponse(null, { status: 404 })),
    );
    const repo = registry().repository('team/app');
    const blob = await rejectionOf(repo.blobs().head(DIGEST));
    expect(ResourceNotFoundError.isInstance(blob)).toBe(true);
    expect((blob as Error).message).toContain(`(blob team/app@${DIGEST} not found)`);
    const manifest = await rejectionOf(repo.images().resolve('v9'));
    expect(ResourceNotFoundError.isInstance(manifest)).toBe(true);
    expect((manifest as Error).message).toContain('(manifest team/app:v9 not found)');
  });

  it('a 404 that explains itself keeps its own words', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/team/app/manifests/v9`, () =>
        HttpResponse.json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, { status: 404 }),
      ),
    );
    const error = await rejectionOf(registry().repository('team/app').manifests().get('v9'));
    expect((error as Error).message).toContain('MANIFEST_UNKNOWN');
    expect((error as Error).message).not.toContain('not found)');
  });
});
