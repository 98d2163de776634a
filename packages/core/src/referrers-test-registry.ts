/**
 * Helper for core's own referrer tests: the push test registry plus what it
 * lacks here, as a Transport. `api: true` adds the OCI 1.1 referrers API
 * (paged, optionally filtering, `OCI-Subject` on PUT); `api: false` answers
 * `/referrers/` with distribution 2.8's router miss. DELETE by digest removes
 * the manifest and its tags; DELETE by tag answers 2.8's 400 DIGEST_INVALID
 * unless `tagDelete` is set. Not exported from the package.
 */

import { PUSH_ORIGIN, PushTestRegistry, sha256 } from './push-test-registry';
import type { HeaderMap, Transport, TransportRequest, TransportResponse } from './transport';

export { PUSH_ORIGIN, sha256 };

function response(status: number, headers: HeaderMap, body?: Uint8Array | string): TransportResponse {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return {
    status,
    headers: { ...headers, ...(bytes !== undefined && { 'content-length': String(bytes.byteLength) }) },
    url: '',
    body:
      bytes === undefined
        ? null
        : new ReadableStream({
            start(controller) {
              controller.enqueue(bytes);
              controller.close();
            },
          }),
  };
}

function ociError(status: number, code: string): TransportResponse {
  return response(
    status,
    { 'content-type': 'application/json; charset=utf-8' },
    JSON.stringify({ errors: [{ code, message: code }] }),
  );
}

export interface ReferrersTestOptions {
  /** Serve the referrers API. */
  readonly api: boolean;
  /** Apply `artifactType` filters (and say so in `OCI-Filters-Applied`). Default true. */
  readonly filters?: boolean;
  /** Referrers per page. Default 100. */
  readonly pageSize?: number;
  /** Allow DELETE by tag. Default false (2.8). */
  readonly tagDelete?: boolean;
  /** Refuse DELETE of manifests by digest with 405 (deletes disabled). */
  readonly deleteDisabled?: boolean;
}

export class ReferrersTestRegistry implements Transport {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'referrers-test';
  readonly push = new PushTestRegistry();
  /** `METHOD /path?query` of every request, in order. */
  readonly calls: string[] = [];
  /** Runs before a request is answered; lets a test interleave another writer. */
  beforeAnswer: ((call: string) => Promise<void> | void) | undefined;

  constructor(readonly options: ReferrersTestOptions) {
    this.push.answersSubject = options.api;
  }

  manifests(repo: string) {
    return this.push.manifests.get(repo) ?? new Map<string, { bytes: Uint8Array; mediaType: string }>();
  }

  manifestJson(repo: string, reference: string): Record<string, unknown> | undefined {
    const entry = this.manifests(repo).get(reference);
    return entry === undefined ? undefined : (JSON.parse(new TextDecoder().decode(entry.bytes)) as Record<string, unknown>);
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    const url = new URL(request.url);
    const call = `${request.method} ${url.pathname}${url.search}`;
    this.calls.push(call);
    await this.beforeAnswer?.(call);
    const referrers = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(url.pathname);
    if (referrers !== null) return { ...this.#referrers(url, referrers[1] ?? '', referrers[2] ?? ''), url: request.url };
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest !== null && request.method === 'DELETE') {
      return { ...this.#delete(manifest[1] ?? '', manifest[2] ?? ''), url: request.url };
    }
    return this.push.send(request);
  }

  #delete(repo: string, reference: string): TransportResponse {
    const store = this.manifests(repo);
    if (this.options.deleteDisabled) return ociError(405, 'UNSUPPORTED');
    if (!reference.includes(':')) {
      if (!this.options.tagDelete) return ociError(400, 'DIGEST_INVALID');
      if (!store.delete(reference)) return ociError(404, 'MANIFEST_UNKNOWN');
      return response(202, {});
    }
    if (!store.has(reference)) return ociError(404, 'MANIFEST_UNKNOWN');
    for (const [key, entry] of store) if (key === reference || sha256(entry.bytes) === reference) store.delete(key);
    return response(202, {});
  }

  #referrers(url: URL, repo: string, subject: string): TransportResponse {
    if (!this.options.api) return response(404, { 'content-type': 'text/plain; charset=utf-8' }, '404 page not found\n');
    const wanted = url.searchParams.get('artifactType');
    const filters = this.options.filters ?? true;
    const entries: Record<string, unknown>[] = [];
    for (const [key, entry] of this.manifests(repo)) {
      if (!key.includes(':')) continue;
      const json = JSON.parse(new TextDecoder().decode(entry.bytes)) as Record<string, unknown>;
      const manifestSubject = json.subject as { digest?: string } | undefined;
      if (manifestSubject?.digest !== subject) continue;
      const config = json.config as { mediaType?: string } | undefined;
      const artifactType = (json.artifactType as string | undefined) ?? config?.mediaType;
      if (filters && wanted !== null && artifactType !== wanted) continue;
      entries.push({
        mediaType: entry.mediaType,
        digest: key,
        size: entry.bytes.byteLength,
        ...(artifactType !== undefined && { artifactType }),
        ...(json.annotations !== undefined && { annotations: json.annotations }),
      });
    }
    const pageSize = this.options.pageSize ?? 100;
    const start = Number(url.searchParams.get('page') ?? '0');
    const page = entries.slice(start * pageSize, (start + 1) * pageSize);
    const headers: HeaderMap = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (filters && wanted !== null) headers['oci-filters-applied'] = 'artifactType';
    if ((start + 1) * pageSize < entries.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(start + 1));
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return response(
      200,
      headers,
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: page }),
    );
  }
}
