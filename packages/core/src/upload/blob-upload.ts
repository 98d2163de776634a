import { releaseBody } from '../body';
import { type DigestAlgorithm, parseDigest } from '../digest';
import {
  DigestMismatchError,
  InvalidOptionError,
  RegistryProtocolError,
  RegistryResponseError,
  ResourceNotFoundError,
  TransportError,
  UploadSessionLostError,
} from '../errors';
import { createHasher } from '../hasher';
import { assertKnownOptions } from '../known-options';
import { isValidRepositoryName } from '../reference';
import { type RepositoryContext, repositoryPath } from '../repository-context';
import type { RegistryResponse } from '../requester';
import { repositoryScope } from '../scope';
import type { HeaderMap } from '../transport';
import { assertUploadContent, type Chunk, type ChunkReader, createChunkReader, type UploadContent } from './chunk-reader';
import { StreamedContent } from './streamed-content';

/** Progress of a blob upload. */
export interface UploadProgress {
  /**
   * Bytes sent so far: acknowledged by the registry for a chunked upload,
   * handed to the transport for a streamed one (see `chunkSize`).
   */
  readonly done: number;
  /** Total bytes, when known (bytes content, or `options.size`). */
  readonly total: number | undefined;
}

/** Options for `blobs().upload()`. */
export interface UploadBlobOptions {
  /**
   * The content's digest, when known: the registry is asked first (HEAD) and
   * nothing is sent if it has the blob; otherwise the content is checked
   * against it before the upload is committed.
   */
  readonly digest?: string;
  /** The content's size in bytes, when known; a different length fails the upload. */
  readonly size?: number;
  /**
   * Bytes per request. Content up to this size goes in one PUT; longer
   * content goes as one PATCH per chunk (the last chunk rides on the closing
   * PUT), so at most two chunks are held in memory on every transport.
   * Raised to the registry's `OCI-Chunk-Min-Length` when it asks for more.
   *
   * Default: over a transport that streams request bodies
   * (`Transport.streamsRequestBodies`: undici, axios, `fetch` in Node.js,
   * Deno and Bun), a stream goes as one streamed request (POST, then one PUT
   * when `digest` is given, else one PATCH and the closing PUT) and bytes as
   * one PUT, with memory bounded by the last 8 MiB of the stream sent, kept
   * to resume after a dropped connection; otherwise (a browser's `fetch`,
   * whose memory grows with a streamed body) 8 MiB chunks.
   */
  readonly chunkSize?: number;
  /** Cancels the upload; the registry's session is cancelled too. */
  readonly signal?: AbortSignal;
  /** Called after each acknowledged chunk, or as a streamed upload sends its bytes. */
  readonly onProgress?: (progress: UploadProgress) => void;
}

/** A blob the registry now holds. */
export interface UploadedBlob {
  /** Its digest (computed while streaming). */
  readonly digest: string;
  /** Its size in bytes. */
  readonly size: number;
}

/** Options for a cross-repository mount. */
export interface MountBlobOptions {
  /** The repository of the same registry that holds the blob, e.g. `library/alpine`. */
  readonly from: string;
  /** Docker Hub's hint of where the blob came from (`origin` query parameter), passed through. */
  readonly origin?: string;
  /** Cancels the request. */
  readonly signal?: AbortSignal;
}

/** Outcome of a mount. */
export interface MountResult {
  /** True when the registry linked the blob; false when it refused (the session it opened was cancelled). */
  readonly mounted: boolean;
}

/** The default bytes per upload request. */
export const DEFAULT_UPLOAD_CHUNK_SIZE = 8 * 1024 * 1024;
/** How many times one request is resumed after a dropped connection. */
const MAX_RESUMES = 3;
/** How many times bytes content restarts an upload whose session the registry forgot. */
const MAX_RESTARTS = 2;
const UPLOAD_OPTIONS: ReadonlySet<string> = new Set(['digest', 'size', 'chunkSize', 'signal', 'onProgress']);
const MOUNT_OPTIONS: ReadonlySet<string> = new Set(['from', 'origin', 'signal']);
const OCTET_STREAM = 'application/octet-stream';

/** The registry no longer knows the session; internal, becomes a restart or {@link UploadSessionLostError}. */
class SessionLost extends Error {
  constructor(
    readonly acknowledged: number,
    options?: ErrorOptions,
  ) {
    super('upload session lost', options);
  }
}

interface Session {
  /** The newest `Location`: distribution changes `_state` after every step and refuses stale ones. */
  location: string;
  readonly minChunk: number;
}

function isSessionGone(error: unknown): boolean {
  return (
    RegistryResponseError.isInstance(error) &&
    error.status === 404 &&
    (error.errors.length === 0 || error.errors.some((e) => e.code === 'BLOB_UPLOAD_UNKNOWN' || e.code === 'BLOB_UPLOAD_INVALID'))
  );
}

function nonNegativeInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(name, `@regkit/core: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** `Location` of a response, absolute; an upload step without one breaks the protocol. */
function locationOf(response: RegistryResponse, what: string): string {
  const location = response.headers.location;
  if (location === undefined || location === '') throw new RegistryProtocolError(`${what}: the registry sent no Location`);
  try {
    return new URL(location, response.url).toString();
  } catch (error) {
    throw new RegistryProtocolError(`${what}: the registry sent an invalid Location`, { cause: error });
  }
}

/**
 * Bytes the registry holds according to `Range: 0-<last>`. distribution
 * reports `0-0` for both zero and one byte, so `0-0` counts as zero: a wrong
 * guess costs a refused digest at the end, never a silently corrupt blob.
 */
function acknowledgedBytes(range: string | undefined): number | undefined {
  if (range === undefined) return undefined;
  const match = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  if (match?.[1] === undefined) return undefined;
  const last = Number(match[1]);
  return last === 0 ? 0 : last + 1;
}

/** Appends `digest=` to an upload location without rebuilding its query (the `_state` must stay as sent). */
function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`;
}

/** Uploads, mounts, cancels and deletes blobs for one repository. */

/** The closing PUT's `Docker-Content-Digest`, when the registry sends one, must name what was uploaded. */
function assertStoredDigest(headers: HeaderMap, digest: string | undefined, what: string): void {
  const stored = headers['docker-content-digest']?.trim();
  if (stored !== undefined && stored !== '' && stored !== digest) {
    throw new DigestMismatchError(stored, digest ?? '', 'header', `${what}: the registry stored`);
  }
}

export class BlobWriter {
  readonly #context: RepositoryContext;

  constructor(context: RepositoryContext) {
    this.#context = context;
  }

  get #what(): string {
    return `blob upload to ${this.#context.name}`;
  }

  #pushScopes(): string[] {
    return [repositoryScope(this.#context.name, 'PUT')];
  }

  /**
   * @param internal - for copyImage: `checkExisting: false` when the caller
   *   has just checked existence itself (no second HEAD); `preverified: true`
   *   when the content is a stream that errors before its end unless it
   *   hashes to `options.digest` (a verified `blobs().get()` body), so it is
   *   not hashed a second time.
   */
  async upload(content: UploadContent, options: UploadBlobOptions = {}): Promise<UploadedBlob> {
    assertUploadContent(content);
    return this.uploadFrom(createChunkReader(content), options);
  }

  /**
   * {@link upload} from a chunk reader: copyImage's way in, with a reader
   * over the source blob that can read bytes again.
   *
   * @param internal - for copyImage: `checkExisting: false` when the caller
   *   has just checked existence itself (no second HEAD); `preverified: true`
   *   when the content errors before its end unless it hashes to
   *   `options.digest` (a verified blob download), so it is not hashed a
   *   second time.
   */
  async uploadFrom(
    reader: ChunkReader,
    options: UploadBlobOptions = {},
    internal: { readonly checkExisting?: boolean; readonly preverified?: boolean } = {},
  ): Promise<UploadedBlob> {
    try {
      return await this.#uploadFrom(reader, options, internal);
    } catch (error) {
      await reader.cancel(error);
      throw error;
    }
  }

  async #uploadFrom(
    reader: ChunkReader,
    options: UploadBlobOptions,
    internal: { readonly checkExisting?: boolean; readonly preverified?: boolean },
  ): Promise<UploadedBlob> {
    const checkExisting = internal.checkExisting ?? true;
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', '@regkit/core: blobs().upload() options must be an object');
    }
    assertKnownOptions('@regkit/core', 'blobs().upload()', options, UPLOAD_OPTIONS);
    const size = nonNegativeInteger('size', options.size);
    const requestedChunkSize = nonNegativeInteger('chunkSize', options.chunkSize);
    if (requestedChunkSize === 0) {
      throw new InvalidOptionError('chunkSize', '@regkit/core: chunkSize must be a positive integer, got 0');
    }
    const length = reader.byteLength;
    // A transport that streams request bodies sends any length in one request with bounded memory.
    const streams = requestedChunkSize === undefined && this.#context.requester.streamsRequestBodies;
    const chunkSize =
      requestedChunkSize ??
      (streams && length !== undefined ? Math.max(DEFAULT_UPLOAD_CHUNK_SIZE, length) : DEFAULT_UPLOAD_CHUNK_SIZE);
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
      throw new InvalidOptionError('onProgress', '@regkit/core: onProgress must be a function');
    }
    const algorithm: DigestAlgorithm = options.digest === undefined ? 'sha256' : parseDigest(options.digest).algorithm;
    if (length !== undefined && size !== undefined && size !== length) {
      throw new InvalidOptionError('size', `@regkit/core: options.size is ${size} but the content is ${length} bytes`);
    }
    const total = size ?? length;
    options.signal?.throwIfAborted();

    if (options.digest !== undefined && checkExisting) {
      const existing = await this.exists(options.digest, options.signal);
      if (existing !== undefined) {
        await reader.cancel();
        return { digest: options.digest, size: existing ?? total ?? 0 };
      }
    }

    const settings = {
      ...options,
      algorithm,
      chunkSize,
      size,
      total,
      preverified: internal.preverified === true && options.digest !== undefined,
    };
    for (let restart = 0; ; restart++) {
      try {
        // Bytes of known length go as one request or in chunks; only a stream needs the streamed path's window.
        if (streams && length === undefined) return await this.#uploadStreamed(reader, settings);
        return await this.#uploadOnce(reader, settings);
      } catch (error) {
        if (!(error instanceof SessionLost)) throw error;
        // Content that can be read again starts over in a new session; a stream cannot.
        if (reader.rewind === undefined || restart >= MAX_RESTARTS) {
          throw new UploadSessionLostError(this.#what, error.acknowledged, { cause: error.cause });
        }
        reader.rewind(0);
      }
    }
  }

  /**
   * The blob's size when the repository has it (`null` when the registry did
   * not say), `undefined` on 404. Only ever asked before or while pushing,
   * so it asks the push scopes: distribution challenges a HEAD with `pull`
   * alone, and a token authenticator that adds the actions core asked for on
   * the challenged repository (as `@regkit/auth-token` does) then fetches one
   * `pull,push` token serving both the check and the upload, not one of each.
   */
  async exists(digest: string, signal: AbortSignal | undefined): Promise<number | null | undefined> {
    try {
      const response = await this.#context.requester.send({
        method: 'HEAD',
        url: repositoryPath(this.#context, `blobs/${digest}`),
        scopes: this.#pushScopes(),
        signal,
      });
      releaseBody(response.body);
      const length = response.headers['content-length'];
      return length !== undefined && /^\d+$/.test(length.trim()) ? Number(length.trim()) : null;
    } catch (error) {
      if (ResourceNotFoundError.isInstance(error)) return undefined;
      throw error;
    }
  }

  async #uploadOnce(
    reader: ChunkReader,
    options: Omit<UploadBlobOptions, 'size'> & {
      algorithm: DigestAlgorithm;
      preverified: boolean;
      chunkSize: number;
      size: number | undefined;
      total: number | undefined;
    },
  ): Promise<UploadedBlob> {
    const { signal } = options;
    const session = await this.#open(signal);
    const chunkSize = Math.max(options.chunkSize, session.minChunk);
    // A pre-verified stream fails before its last chunk unless it matches the digest: no second hash.
    const hasher = options.preverified ? undefined : createHasher(options.algorithm);
    let acknowledged = 0;
    let next: Promise<Chunk> | undefined;
    try {
      let chunk = await reader.read(chunkSize);
      for (;;) {
        hasher?.update(chunk.bytes);
        const end = acknowledged + chunk.bytes.byteLength;
        if (options.size !== undefined && (end > options.size || (chunk.last && end !== options.size))) {
          throw new InvalidOptionError(
            'size',
            `@regkit/core: options.size is ${options.size} but the content is ${chunk.last ? end : `more than ${end - 1}`} bytes`,
          );
        }
        if (chunk.last) {
          const digest = hasher === undefined ? (options.digest as string) : await hasher.digest();
          if (options.digest !== undefined && digest !== options.digest) {
            throw new DigestMismatchError(options.digest, digest, 'request', this.#what);
          }
          await this.#send(session, 'PUT', chunk.bytes, acknowledged, digest, signal);
          options.onProgress?.({ done: end, total: options.total });
          return { digest, size: end };
        }
        // Read the next chunk while this one travels: the source and the registry work at once.
        next = reader.read(chunkSize);
        next.catch(() => undefined);
        await this.#send(session, 'PATCH', chunk.bytes, acknowledged, undefined, signal);
        // Acknowledged: the registry holds these bytes, so their buffer can take the next chunk.
        reader.release(chunk);
        acknowledged = end;
        options.onProgress?.({ done: acknowledged, total: options.total });
        chunk = await next;
        next = undefined;
      }
    } catch (error) {
      if (!(error instanceof SessionLost)) await this.#cancelQuietly(session.location);
      throw error;
    }
  }

  /**
   * One streamed request for the whole content: with a known digest the
   * closing `PUT ?digest=` carries it (POST + PUT, the protocol minimum);
   * otherwise one PATCH without `Content-Range` (distribution's stream
   * upload) and an empty closing PUT with the digest computed on the way.
   */
  async #uploadStreamed(
    reader: ChunkReader,
    options: Omit<UploadBlobOptions, 'size'> & {
      algorithm: DigestAlgorithm;
      preverified: boolean;
      size: number | undefined;
      total: number | undefined;
    },
  ): Promise<UploadedBlob> {
    const { signal, onProgress, total } = options;
    const session = await this.#open(signal);
    let reported = 0;
    const content = new StreamedContent(
      reader,
      // A pre-verified stream errors before its end unless it matches the digest: no second hash.
      options.preverified ? undefined : createHasher(options.algorithm),
      { size: options.size, digest: options.digest, what: this.#what },
      (sent) => {
        // After a resume the same bytes go again: progress never goes back.
        if (onProgress === undefined || sent <= reported) return;
        reported = sent;
        onProgress({ done: sent, total });
      },
    );
    try {
      if (options.digest !== undefined) {
        await this.#sendStreamed(session, 'PUT', content, options.digest, options.size, signal);
      } else {
        await this.#sendStreamed(session, 'PATCH', content, undefined, options.size, signal);
        await this.#send(session, 'PUT', new Uint8Array(0), content.sent, content.digest, signal);
      }
      if (reported < content.sent || content.sent === 0) onProgress?.({ done: content.sent, total });
      return { digest: content.digest as string, size: content.sent };
    } catch (error) {
      // A restart reads the content again from its start: not while a read of the dropped request still runs.
      await content.settle();
      if (!(error instanceof SessionLost)) await this.#cancelQuietly(session.location);
      throw error;
    }
  }

  /**
   * Sends the content as one streamed request; after a dropped connection,
   * asks the session how many bytes it holds and sends the rest from there,
   * as long as the content can produce them again (read anew, or still in
   * the resume window).
   */
  async #sendStreamed(
    session: Session,
    method: 'PATCH' | 'PUT',
    content: StreamedContent,
    digest: string | undefined,
    size: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let start = 0;
    for (let resumes = 0; ; resumes++) {
      try {
        const response = await this.#context.requester.send({
          method,
          url: method === 'PUT' ? withDigest(session.location, digest ?? '') : session.location,
          headers: {
            'content-type': OCTET_STREAM,
            // A known length goes as Content-Length, not chunked encoding: some registries and proxies refuse a PUT without it.
            ...(size !== undefined && { 'content-length': String(size - start) }),
          },
          body: content.bodyFrom(start),
          scopes: this.#pushScopes(),
          signal,
        });
        releaseBody(response.body);
        const ended = await content.endsHere();
        if (content.failure !== undefined) throw content.failure;
        if (!ended) throw new RegistryProtocolError(`${this.#what}: the registry answered before the whole content was sent`);
        if (method === 'PUT') {
          assertStoredDigest(response.headers, digest, this.#what);
          return;
        }
        session.location = locationOf(response, this.#what);
        const held = acknowledgedBytes(response.headers.range);
        if (held !== undefined && held !== content.sent) {
          throw new RegistryProtocolError(`${this.#what}: the registry holds ${held} bytes after a body of ${content.sent}`);
        }
        return;
      } catch (error) {
        // The content's own failure (source error, wrong size or digest) is the upload's error, whatever the transport made of it.
        if (content.failure !== undefined) throw content.failure;
        if (isSessionGone(error)) {
          if (method === 'PUT' && digest !== undefined && (await this.exists(digest, signal)) !== undefined) return;
          throw new SessionLost(start, { cause: error });
        }
        if (!TransportError.isInstance(error) || signal?.aborted || resumes >= MAX_RESUMES) throw error;
        // The closing PUT may have been committed before the connection dropped.
        if (method === 'PUT' && content.ended && (await this.exists(digest as string, signal)) !== undefined) return;
        const held = await this.#status(session, signal);
        if (held === undefined || !content.canResumeFrom(held)) throw new SessionLost(held ?? start, { cause: error });
        start = held;
      }
    }
  }

  async #open(signal: AbortSignal | undefined): Promise<Session> {
    const response = await this.#context.requester.send({
      method: 'POST',
      url: repositoryPath(this.#context, 'blobs/uploads/'),
      scopes: this.#pushScopes(),
      signal,
    });
    releaseBody(response.body);
    const min = Number(response.headers['oci-chunk-min-length'] ?? '0');
    return { location: locationOf(response, this.#what), minChunk: Number.isSafeInteger(min) && min > 0 ? min : 0 };
  }

  /**
   * Sends one chunk (PATCH) or the closing PUT, resuming after a dropped
   * connection from where the registry says it stands.
   */
  async #send(
    session: Session,
    method: 'PATCH' | 'PUT',
    bytes: Uint8Array,
    offset: number,
    digest: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let body = bytes;
    let start = offset;
    for (let resumes = 0; ; resumes++) {
      if (method === 'PATCH' && body.byteLength === 0) return;
      try {
        const response = await this.#context.requester.send({
          method,
          url: method === 'PUT' ? withDigest(session.location, digest ?? '') : session.location,
          headers: {
            'content-type': OCTET_STREAM,
            ...(method === 'PATCH' && { 'content-range': `${start}-${start + body.byteLength - 1}` }),
          },
          body,
          scopes: this.#pushScopes(),
          signal,
        });
        releaseBody(response.body);
        if (method === 'PUT') {
          assertStoredDigest(response.headers, digest, this.#what);
          return;
        }
        session.location = locationOf(response, this.#what);
        const held = acknowledgedBytes(response.headers.range);
        if (held !== undefined && held !== start + body.byteLength) {
          throw new RegistryProtocolError(
            `${this.#what}: the registry holds ${held} bytes after a chunk ending at byte ${start + body.byteLength}`,
          );
        }
        return;
      } catch (error) {
        if (isSessionGone(error)) {
          if (method === 'PUT' && digest !== undefined && (await this.exists(digest, signal)) !== undefined) return;
          throw new SessionLost(start, { cause: error });
        }
        if (!TransportError.isInstance(error) || signal?.aborted || resumes >= MAX_RESUMES) throw error;
        // The closing PUT may have been committed before the connection dropped.
        if (method === 'PUT' && digest !== undefined && (await this.exists(digest, signal)) !== undefined) return;
        const held = await this.#status(session, signal);
        if (held === undefined || held < start || held > start + body.byteLength) throw new SessionLost(start, { cause: error });
        body = body.subarray(held - start);
        start = held;
      }
    }
  }

  /**
   * Asks the registry how many bytes the session holds (`GET <location>`),
   * taking its new `Location`; `undefined` when it no longer knows the session
   * (distribution 2.8 cancels a session whose stored size no longer matches
   * the `_state` of the last answered step).
   */
  async #status(session: Session, signal: AbortSignal | undefined): Promise<number | undefined> {
    let response: RegistryResponse;
    try {
      response = await this.#context.requester.send({
        method: 'GET',
        url: session.location,
        scopes: this.#pushScopes(),
        signal,
      });
    } catch (error) {
      if (isSessionGone(error)) return undefined;
      throw error;
    }
    releaseBody(response.body);
    if (response.headers.location !== undefined) session.location = locationOf(response, this.#what);
    return acknowledgedBytes(response.headers.range) ?? 0;
  }

  async #cancelQuietly(location: string): Promise<void> {
    await this.cancel(location).catch(() => undefined);
  }

  /**
   * Cancels an upload session by its location (`DELETE <location>`). A
   * session the registry no longer knows counts as cancelled.
   */
  async cancel(location: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    try {
      const response = await this.#context.requester.send({
        method: 'DELETE',
        url: location,
        scopes: this.#pushScopes(),
        signal: options.signal,
      });
      releaseBody(response.body);
    } catch (error) {
      if (!isSessionGone(error)) throw error;
    }
  }

  async mount(digest: string, options: MountBlobOptions): Promise<MountResult> {
    parseDigest(digest);
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('from', '@regkit/core: blobs().mount() needs { from: "<repository>" }');
    }
    assertKnownOptions('@regkit/core', 'blobs().mount()', options, MOUNT_OPTIONS);
    const { from, origin, signal } = options;
    if (typeof from !== 'string' || !isValidRepositoryName(from)) {
      throw new InvalidOptionError('from', `@regkit/core: from must be a repository name, got ${JSON.stringify(from)}`);
    }
    if (origin !== undefined && typeof origin !== 'string') {
      throw new InvalidOptionError('origin', '@regkit/core: origin must be a string');
    }
    const query = new URLSearchParams({ mount: digest, from, ...(origin !== undefined && { origin }) });
    const response = await this.#context.requester.send({
      method: 'POST',
      url: repositoryPath(this.#context, `blobs/uploads/?${query.toString()}`),
      // One token for both repositories: distribution checks pull on the source while serving the push.
      scopes: [repositoryScope(from, 'GET'), ...this.#pushScopes()],
      signal,
    });
    releaseBody(response.body);
    if (response.status === 201) return { mounted: true };
    // 202: the registry opened an ordinary upload session instead; close it.
    if (response.headers.location !== undefined) await this.#cancelQuietly(locationOf(response, this.#what));
    return { mounted: false };
  }

  async delete(digest: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    parseDigest(digest);
    const response = await this.#context.requester.send({
      method: 'DELETE',
      url: repositoryPath(this.#context, `blobs/${digest}`),
      scopes: [repositoryScope(this.#context.name, 'DELETE')],
      signal: options.signal,
    });
    releaseBody(response.body);
  }
}
