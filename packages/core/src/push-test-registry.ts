/**
 * Helper for core's own unit tests: an in-memory registry that answers
 * pushes the way distribution 2.8.2 does (docs/protocol.md §6.6): a new
 * `_state` in every upload `Location`, stale ones refused, `Range: 0-<last>`,
 * mount 201/202, manifest PUT validation. Used as a Transport directly, so the
 * tests see exactly the requests core sends. Not exported from the package.
 */
import { createHash } from 'node:crypto';
import { TransportError } from './errors';
import type { HeaderMap, Transport, TransportRequest, TransportResponse } from './transport';

export const PUSH_ORIGIN = 'http://127.0.0.1:5999';

export interface RecordedPush {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly bodyBytes: number;
  readonly headers: HeaderMap;
}

interface Upload {
  readonly repo: string;
  chunks: Uint8Array[];
  size: number;
  state: number;
}

/** What a fault does to the next matching request. */
export type PushFault =
  /**
   * The request reaches the registry, `keepBytes` of its body are stored,
   * then the connection drops. With `readBytes` the connection drops once
   * that much of the body was read, the rest never asked for (a cut
   * mid-body); otherwise the whole body is read first.
   */
  | { readonly kind: 'drop'; readonly keepBytes?: number; readonly readBytes?: number }
  /** The registry forgets the upload session before answering. */
  | { readonly kind: 'forget' };

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Reads a request body, all of it or up to `limit` bytes (then the stream is cancelled, as a cut connection would). */
async function readAll(body: TransportRequest['body'], limit = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array(0);
  // A copy, as a real server holds the bytes it received, not the sender's buffer (which may be reused).
  if (body instanceof Uint8Array) return body.slice(0, limit);
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  while (length < limit) {
    const { done, value } = await reader.read();
    if (done) return new Uint8Array(Buffer.concat(chunks));
    chunks.push(value);
    length += value.byteLength;
  }
  await reader.cancel();
  return new Uint8Array(Buffer.concat(chunks)).subarray(0, limit);
}

/** Reads the first `length` bytes of a body and leaves the rest, its end included, unasked for. */
async function readDeclared(body: TransportRequest['body'], length: number): Promise<Uint8Array> {
  if (body === undefined || body instanceof Uint8Array) return readAll(body, length);
  const chunks: Uint8Array[] = [];
  let read = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  while (read < length) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    read += value.byteLength;
  }
  return new Uint8Array(Buffer.concat(chunks)).subarray(0, length);
}

function errorResponse(status: number, code: string, detail: unknown = {}): TransportResponse & { url: string } {
  const body = new TextEncoder().encode(JSON.stringify({ errors: [{ code, message: code.toLowerCase(), detail }] }));
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.byteLength) },
    url: '',
    body: new ReadableStream({
      start(c) {
        c.enqueue(body);
        c.close();
      },
    }),
  };
}

function bodyResponse(status: number, headers: HeaderMap, bytes?: Uint8Array, pieceBytes?: number): TransportResponse {
  let at = 0;
  const piece = pieceBytes ?? bytes?.byteLength ?? 0;
  return {
    status,
    headers,
    url: '',
    body:
      bytes === undefined
        ? null
        : new ReadableStream({
            pull(c) {
              if (at >= bytes.byteLength) return c.close();
              c.enqueue(bytes.subarray(at, at + Math.max(1, piece)));
              at += Math.max(1, piece);
            },
          }),
  };
}

export class PushTestRegistry implements Transport {
  readonly specificationVersion = 'v1' as const;
  readonly name = 'push-test';
  readonly blobs = new Map<string, Map<string, Uint8Array>>();
  readonly manifests = new Map<string, Map<string, { bytes: Uint8Array; mediaType: string }>>();
  readonly uploads = new Map<string, Upload>();
  readonly calls: RecordedPush[] = [];
  /** `OCI-Chunk-Min-Length` announced on POST, when set. */
  chunkMinLength: number | undefined;
  /** Send `OCI-Subject` when a manifest with a subject is stored. */
  answersSubject = false;
  /** Lie in `Docker-Content-Digest` on manifest PUT. */
  wrongManifestDigest = false;
  /** Send blob bodies in pieces of this many bytes, as a network delivers them; whole by default. */
  blobPieceBytes: number | undefined;
  /** Serve blob GETs in byte ranges (`Accept-Ranges: bytes`, `Range: bytes=<from>-` answered 206), as distribution does. */
  servesRanges = true;
  /** Declares streamed request bodies, so uploads take their one-request path (the fake still reads bodies whole). */
  streamsRequestBodies = false;
  /**
   * Reads a body that declares a `Content-Length` only that far and answers
   * without asking the stream for its end, as an HTTP server does: the
   * sender's transport may answer its caller before it has pulled the end.
   */
  readsDeclaredLength = false;
  #faults: { match: (call: RecordedPush) => boolean; fault: PushFault }[] = [];
  #nextUuid = 1;

  constructor(readonly origin: string = PUSH_ORIGIN) {}

  /** Arms a fault for the next request `match` accepts (it sees the request line and headers; `bodyBytes` is 0). */
  fault(match: (call: RecordedPush) => boolean, fault: PushFault): void {
    this.#faults.push({ match, fault });
  }

  putBlob(repo: string, bytes: Uint8Array): string {
    const digest = sha256(bytes);
    this.#repoBlobs(repo).set(digest, bytes);
    return digest;
  }

  blob(repo: string, digest: string): Uint8Array | undefined {
    return this.blobs.get(repo)?.get(digest);
  }

  putManifest(repo: string, reference: string, bytes: Uint8Array, mediaType: string): string {
    const digest = sha256(bytes);
    const store = this.#repoManifests(repo);
    store.set(digest, { bytes, mediaType });
    if (!reference.includes(':')) store.set(reference, { bytes, mediaType });
    return digest;
  }

  #repoBlobs(repo: string): Map<string, Uint8Array> {
    const store = this.blobs.get(repo) ?? new Map<string, Uint8Array>();
    this.blobs.set(repo, store);
    return store;
  }

  #repoManifests(repo: string): Map<string, { bytes: Uint8Array; mediaType: string }> {
    const store = this.manifests.get(repo) ?? new Map<string, { bytes: Uint8Array; mediaType: string }>();
    this.manifests.set(repo, store);
    return store;
  }

  #location(uuid: string, upload: Upload): string {
    return `${this.origin}/v2/${upload.repo}/blobs/uploads/${uuid}?_state=${upload.state}`;
  }

  #sessionHeaders(uuid: string, upload: Upload): HeaderMap {
    return {
      location: this.#location(uuid, upload),
      'docker-upload-uuid': uuid,
      range: `0-${Math.max(0, upload.size - 1)}`,
      'content-length': '0',
    };
  }

  #newSession(repo: string): TransportResponse {
    const uuid = `u${this.#nextUuid++}`;
    const upload: Upload = { repo, chunks: [], size: 0, state: 0 };
    this.uploads.set(uuid, upload);
    const headers = this.#sessionHeaders(uuid, upload);
    if (this.chunkMinLength !== undefined) headers['oci-chunk-min-length'] = String(this.chunkMinLength);
    return bodyResponse(202, headers);
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    const url = new URL(request.url);
    const seen = { method: request.method, path: url.pathname, query: url.search, headers: request.headers };
    // Faults match on the request line and headers: a cut mid-body decides how much of the body is read.
    const index = this.#faults.findIndex((f) => f.match({ ...seen, bodyBytes: 0 }));
    const fault = index >= 0 ? this.#faults.splice(index, 1)[0]?.fault : undefined;
    const declared = this.readsDeclaredLength ? Number(request.headers['content-length'] ?? Number.NaN) : Number.NaN;
    const body = Number.isSafeInteger(declared)
      ? await readDeclared(request.body, declared)
      : await readAll(request.body, fault?.kind === 'drop' ? fault.readBytes : undefined);
    this.calls.push({ ...seen, bodyBytes: body.byteLength });
    const response = this.#answer(request, url, body, fault);
    return { ...response, url: request.url };
  }

  #answer(request: TransportRequest, url: URL, body: Uint8Array, fault: PushFault | undefined): TransportResponse {
    const path = url.pathname;
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path);
    if (upload !== null) return this.#upload(request, url, upload[1] ?? '', upload[2] ?? '', body, fault);
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(path);
    if (blob !== null) return this.#blob(request, blob[1] ?? '', blob[2] ?? '');
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest !== null) return this.#manifest(request, manifest[1] ?? '', manifest[2] ?? '', body);
    return errorResponse(404, 'NOT_ROUTED');
  }

  #blob(request: TransportRequest, repo: string, digest: string): TransportResponse {
    const { method } = request;
    const bytes = this.blob(repo, digest);
    if (bytes === undefined) return errorResponse(404, 'BLOB_UNKNOWN', digest);
    if (method === 'DELETE') {
      this.blobs.get(repo)?.delete(digest);
      return bodyResponse(202, { 'content-length': '0' });
    }
    const headers: HeaderMap = { 'content-length': String(bytes.byteLength), 'docker-content-digest': digest };
    const whole = method === 'HEAD' ? undefined : bytes;
    if (!this.servesRanges) return bodyResponse(200, headers, whole, this.blobPieceBytes);
    headers['accept-ranges'] = 'bytes';
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (range === null || method === 'HEAD') return bodyResponse(200, headers, whole, this.blobPieceBytes);
    const from = Number(range[1]);
    if (from >= bytes.byteLength) return errorResponse(416, 'RANGE_NOT_SATISFIABLE');
    const part = bytes.subarray(from);
    return bodyResponse(
      206,
      {
        ...headers,
        'content-length': String(part.byteLength),
        'content-range': `bytes ${from}-${bytes.byteLength - 1}/${bytes.byteLength}`,
      },
      part,
      this.blobPieceBytes,
    );
  }

  #manifest(request: TransportRequest, repo: string, reference: string, body: Uint8Array): TransportResponse {
    const store = this.#repoManifests(repo);
    if (request.method === 'PUT') {
      const contentType = request.headers['content-type'] ?? '';
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
      } catch {
        return errorResponse(400, 'MANIFEST_INVALID');
      }
      if (typeof json.mediaType === 'string' && json.mediaType !== contentType) return errorResponse(400, 'MANIFEST_INVALID');
      const digest = sha256(body);
      if (reference.includes(':') && reference !== digest) return errorResponse(400, 'DIGEST_INVALID');
      const referenced = [
        ...(json.config ? [json.config] : []),
        ...((json.layers as unknown[]) ?? []),
        ...((json.manifests as unknown[]) ?? []),
      ] as { digest: string }[];
      for (const descriptor of referenced) {
        if (!this.blob(repo, descriptor.digest) && !store.has(descriptor.digest)) {
          return errorResponse(400, 'MANIFEST_BLOB_UNKNOWN', descriptor.digest);
        }
      }
      this.putManifest(repo, reference, body, contentType);
      const headers: HeaderMap = {
        location: `${this.origin}/v2/${repo}/manifests/${digest}`,
        'docker-content-digest': this.wrongManifestDigest ? sha256(new Uint8Array([1])) : digest,
        'content-length': '0',
      };
      const subject = json.subject as { digest?: string } | undefined;
      if (this.answersSubject && subject?.digest !== undefined) headers['oci-subject'] = subject.digest;
      return bodyResponse(201, headers);
    }
    const entry = store.get(reference);
    if (entry === undefined) return errorResponse(404, 'MANIFEST_UNKNOWN');
    const headers = {
      'content-type': entry.mediaType,
      'content-length': String(entry.bytes.byteLength),
      'docker-content-digest': sha256(entry.bytes),
    };
    return bodyResponse(200, headers, request.method === 'HEAD' ? undefined : entry.bytes);
  }

  #upload(
    request: TransportRequest,
    url: URL,
    repo: string,
    uuid: string,
    body: Uint8Array,
    fault: PushFault | undefined,
  ): TransportResponse {
    if (request.method === 'POST') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount !== null && from !== null) {
        const bytes = this.blob(from, mount);
        if (bytes !== undefined) {
          this.#repoBlobs(repo).set(mount, bytes);
          return bodyResponse(201, {
            location: `${this.origin}/v2/${repo}/blobs/${mount}`,
            'docker-content-digest': mount,
            'content-length': '0',
          });
        }
      }
      return this.#newSession(repo);
    }
    const session = this.uploads.get(uuid);
    if (session === undefined || fault?.kind === 'forget') {
      this.uploads.delete(uuid);
      return errorResponse(404, 'BLOB_UPLOAD_UNKNOWN');
    }
    const state = Number(url.searchParams.get('_state'));
    if (request.method === 'GET') return bodyResponse(204, this.#sessionHeaders(uuid, session));
    if (request.method === 'DELETE') {
      this.uploads.delete(uuid);
      return bodyResponse(204, { 'content-length': '0' });
    }
    if (state !== session.state) return errorResponse(404, 'BLOB_UPLOAD_INVALID');
    if (fault?.kind === 'drop') {
      const kept = body.subarray(0, fault.keepBytes ?? 0);
      session.chunks.push(kept);
      session.size += kept.byteLength;
      session.state++;
      throw new TransportError('push-test transport failed: socket hang up');
    }
    session.chunks.push(body);
    session.size += body.byteLength;
    session.state++;
    if (request.method === 'PATCH') return bodyResponse(202, this.#sessionHeaders(uuid, session));
    // PUT closes the session.
    const digest = url.searchParams.get('digest') ?? '';
    const bytes = new Uint8Array(Buffer.concat(session.chunks));
    this.uploads.delete(uuid);
    if (sha256(bytes) !== digest) return errorResponse(400, 'DIGEST_INVALID', { Digest: digest, Reason: {} });
    this.#repoBlobs(repo).set(digest, bytes);
    return bodyResponse(201, {
      location: `${this.origin}/v2/${repo}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    });
  }
}
