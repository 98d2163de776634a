/**
 * Helpers for core's own unit tests: a tiny scripted registry behind MSW.
 * Not exported from the package; `@regkit/testing` is the full simulator.
 */
import { createHash } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { MediaTypes } from './media-types';

export const ORIGIN = 'https://registry.test';

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}

export interface Blob {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

export function blob(value: unknown, mediaType: string = MediaTypes.OciConfig): Blob {
  const bytes = bytesOf(value);
  return { digest: sha256(bytes), bytes, mediaType };
}

export function imageManifest(config: Blob, mediaType: string = MediaTypes.OciManifest): Blob {
  return blob(
    {
      schemaVersion: 2,
      mediaType,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.bytes.byteLength },
      layers: [],
    },
    mediaType,
  );
}

/** A fake repository: manifests and blobs by digest, tags to digests. */
export class FakeRepo {
  readonly manifests = new Map<string, Blob>();
  readonly blobs = new Map<string, Blob>();
  readonly tags = new Map<string, string>();

  constructor(readonly name: string) {}

  putBlob(b: Blob): Blob {
    this.blobs.set(b.digest, b);
    return b;
  }

  putManifest(m: Blob, tag?: string): Blob {
    this.manifests.set(m.digest, m);
    if (tag) this.tags.set(tag, m.digest);
    return m;
  }
}

export function notFound(code: string, message: string): Response {
  return HttpResponse.json({ errors: [{ code, message }] }, { status: 404 });
}

/** MSW handlers serving manifests and blobs of the given repositories. */
export function repoHandlers(repos: readonly FakeRepo[], origin = ORIGIN) {
  const byName = new Map(repos.map((r) => [r.name, r]));
  return [
    http.all(`${origin}/v2/*`, ({ request }) => {
      const path = new URL(request.url).pathname;
      const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
      if (!match) return new HttpResponse('404 page not found', { status: 404, headers: { 'content-type': 'text/plain' } });
      const [, name = '', kind, ref = ''] = match;
      const repo = byName.get(name);
      if (!repo) return notFound('NAME_UNKNOWN', 'repository name not known to registry');
      if (kind === 'manifests') {
        const digest = ref.includes(':') ? ref : repo.tags.get(ref);
        const manifest = digest ? repo.manifests.get(digest) : undefined;
        if (!manifest) return notFound('MANIFEST_UNKNOWN', 'manifest unknown');
        if (request.method === 'DELETE') return new HttpResponse(null, { status: 202 });
        return new HttpResponse(request.method === 'HEAD' ? null : manifest.bytes, {
          headers: {
            'content-type': manifest.mediaType,
            'docker-content-digest': manifest.digest,
            'content-length': String(manifest.bytes.byteLength),
          },
        });
      }
      const found = repo.blobs.get(ref);
      if (!found) return notFound('BLOB_UNKNOWN', 'blob unknown to registry');
      return new HttpResponse(request.method === 'HEAD' ? null : found.bytes, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(found.bytes.byteLength) },
      });
    }),
  ];
}

export function mswServer() {
  const server = setupServer();
  return server;
}

/** What `promise` rejects with; fails the test when it resolves instead. */
export async function rejectionOf<E = unknown>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection');
}
