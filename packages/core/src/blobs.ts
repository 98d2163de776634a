import { BlobSource } from './blob-source';
import { contentLength, releaseBody } from './body';
import { parseDigest } from './digest';
import { BodyTooLargeError, InvalidOptionError, RegistryProtocolError } from './errors';
import { whenDropped } from './pipeline/body-end';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';
import {
  BlobWriter,
  type MountBlobOptions,
  type MountResult,
  type UploadBlobOptions,
  type UploadedBlob,
} from './upload/blob-upload';
import type { UploadContent } from './upload/chunk-reader';
import { verifyContentDigest } from './verify';

/** Options for a blob read. */
export interface GetBlobOptions {
  /** Cancels the request and the body stream. */
  readonly signal?: AbortSignal;
}

/** Progress of a streamed blob download. */
export interface BlobProgress {
  /** Bytes delivered so far. */
  readonly done: number;
  /** Total bytes, when the registry announced them. */
  readonly total: number | undefined;
}

/** Options for a streamed blob download. */
export interface StreamBlobOptions extends GetBlobOptions {
  /** Called after each chunk with the bytes delivered so far. */
  readonly onProgress?: (progress: BlobProgress) => void;
  /**
   * The blob's size when it is known, e.g. from the descriptor that names it
   * (`layer.size`). The body must be exactly this long: a longer one fails at
   * the first chunk past it, so an endless body stops there, and a shorter
   * one fails at its end (`RegistryProtocolError`). Without it the
   * registry's `Content-Length`, when sent, is the bound.
   */
  readonly size?: number;
  /**
   * How many times a dropped connection is resumed with a `Range` request
   * from the last byte received (registries that send `Accept-Ranges: bytes`).
   * Default 3; 0 disables resuming.
   */
  readonly maxResumes?: number;
}

/** Options for a buffered blob read. */
export interface GetBlobBytesOptions extends GetBlobOptions {
  /** Cap on the blob size. Default 16 MiB: buffered reads are for configs and small artifacts. */
  readonly maxBytes?: number;
  /**
   * The blob's size when it is known, e.g. from its descriptor. A body of
   * another length is a `RegistryProtocolError`; reading stops at the first
   * byte past it.
   */
  readonly size?: number;
}

/** A blob being downloaded. */
export interface BlobDownload {
  /** The digest requested; the stream is verified against it. */
  readonly digest: string;
  /** The size announced by the registry (`Content-Length`), when it sent one. */
  readonly size: number | undefined;
  /**
   * The content. It errors with `DigestMismatchError` at the end if the bytes
   * do not hash to `digest`, and with `RegistryProtocolError` if fewer or more
   * bytes arrive than announced, so a consumer that reads to the end never
   * accepts unverified data.
   */
  readonly body: ReadableStream<Uint8Array>;
}

/** Metadata of a blob, from HEAD. */
export interface BlobInfo {
  /** The digest. */
  readonly digest: string;
  /** Its size in bytes, when the registry announced it. */
  readonly size: number | undefined;
}

const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_RESUMES = 3;

/** The `size` option: a non-negative integer, or undefined. */
function knownSize(size: unknown): number | undefined {
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new InvalidOptionError('size', `@regkit/core: a blob's size must be a non-negative integer, got ${String(size)}`);
  }
  return size;
}

/** What copyImage reaches behind a `Blobs`: its writer and its way to open a blob source. */
interface BlobsInternals {
  readonly writer: BlobWriter;
  readonly open: (digest: string, options: StreamBlobOptions) => Promise<BlobSource>;
}

const internals = new WeakMap<Blobs, BlobsInternals>();

function internalsOf(blobs: Blobs): BlobsInternals {
  const found = internals.get(blobs);
  if (found === undefined) throw new TypeError('@regkit/core: not a Blobs instance of this copy of @regkit/core');
  return found;
}

/** The writer behind `blobs`, for copyImage's existence checks and unchecked uploads. Internal. */
export function blobWriterFor(blobs: Blobs): BlobWriter {
  return internalsOf(blobs).writer;
}

/**
 * Opens a blob of `blobs` as a {@link BlobSource}, for copyImage: the same
 * verified download as `get()`, without a stream around it, and able to read
 * bytes again for an upload resumed at an earlier byte. Internal.
 */
export function openBlobSource(blobs: Blobs, digest: string, options: StreamBlobOptions): Promise<BlobSource> {
  return internalsOf(blobs).open(digest, options);
}

/** Blob reads and writes for one repository. */
export class Blobs {
  readonly #context: RepositoryContext;
  readonly #writer: BlobWriter;

  /** @internal Created by `Repository.blobs()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
    this.#writer = new BlobWriter(context);
    internals.set(this, { writer: this.#writer, open: (digest, options) => this.#source(digest, options) });
  }

  /**
   * Uploads a blob from bytes, a web `ReadableStream` or a Node.js `Readable`
   * and resolves with its digest and size. The digest is computed while the
   * content streams. With `options.digest` the registry is asked first and
   * nothing is sent when it already has the blob; the content is checked
   * against that digest before the upload is committed (a mismatch cancels
   * the session and throws `DigestMismatchError`).
   *
   * Over a transport that streams request bodies (undici, axios) the
   * content goes in one streamed request: POST + PUT with a known digest,
   * else POST + PATCH + PUT, keeping the last 8 MiB sent of a stream for a
   * resume (bytes content keeps nothing: it is there to send again).
   * Otherwise, or with `chunkSize`, content up to `chunkSize` (8 MiB by
   * default) goes as POST + PUT and longer content as one PATCH per chunk,
   * so memory stays at about two chunks. A dropped connection is resumed
   * from the byte the registry reports; a session the registry forgot is
   * restarted for bytes content and fails with `UploadSessionLostError` for
   * streams.
   *
   * @example
   * ```ts
   * import { createReadStream } from 'node:fs';
   * const { digest, size } = await repo.blobs().upload(createReadStream('layer.tar.gz'));
   * ```
   *
   * @throws DigestMismatchError when the content does not match `options.digest`
   * @throws UploadSessionLostError when the registry lost the session of a streamed upload
   */
  upload(content: UploadContent, options?: UploadBlobOptions): Promise<UploadedBlob> {
    return this.#writer.upload(content, options);
  }

  /**
   * Links a blob from another repository of the same registry without sending
   * it (`POST ?mount=&from=`), with one token for both repositories. A refused
   * mount resolves `{ mounted: false }` after cancelling the upload session
   * the registry opened instead; upload the blob then.
   *
   * @example
   * ```ts
   * const { mounted } = await repo.blobs().mount(layer.digest, { from: 'library/alpine' });
   * ```
   */
  mount(digest: string, options: MountBlobOptions): Promise<MountResult> {
    return this.#writer.mount(digest, options);
  }

  /**
   * Cancels an upload session by its `Location` (`DELETE`). A session the
   * registry no longer knows counts as cancelled. `upload()` cancels its own
   * session on failure or abort; this is for sessions opened elsewhere.
   */
  cancelUpload(location: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    return this.#writer.cancel(this.#context.requester.resolveUrl(location), options);
  }

  /**
   * Deletes a blob from the repository (`DELETE /blobs/<digest>`).
   *
   * @throws ResourceNotFoundError when the repository does not hold it
   * @throws UnsupportedOperationError when the registry has deletes disabled
   */
  delete(digest: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    return this.#writer.delete(digest, options);
  }

  /**
   * Streams a blob, verifying it against its digest as it flows: constant
   * memory whatever the size. Redirects to blob storage are followed without
   * credentials.
   *
   * @example
   * ```ts
   * const download = await repo.blobs().get(layer.digest);
   * for await (const chunk of download.body) write(chunk);
   * ```
   */
  async get(digest: string, options: StreamBlobOptions = {}): Promise<BlobDownload> {
    const source = await this.#source(digest, options);
    // A body dropped unread would keep its request slot: the pipeline's safety net covers this one too.
    const dropped = whenDropped(() => {
      source.cancel(new Error('the blob body was dropped without being read or cancelled')).catch(() => undefined);
    });
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let piece: Uint8Array | undefined;
          try {
            piece = await source.piece();
          } catch (error) {
            dropped.disarm();
            throw error;
          }
          if (piece !== undefined) return controller.enqueue(piece);
          dropped.disarm();
          controller.close();
        },
        cancel: (reason) => {
          dropped.disarm();
          return source.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    dropped.watch(body);
    return { digest, size: source.size, body };
  }

  /** Opens a blob for reading piece by piece: the download behind {@link get}, and copyImage's source. */
  async #source(digest: string, options: StreamBlobOptions): Promise<BlobSource> {
    const { algorithm } = parseDigest(digest);
    const what = `blob ${this.#context.name}@${digest}`;
    const expected = knownSize(options.size);
    // The body holds one of the registry's request slots until the source releases it.
    const first = await this.#open(digest, undefined, options.signal);
    const announced = contentLength(first.response.headers);
    if (expected !== undefined && announced !== undefined && announced !== expected) {
      releaseBody(first.response.body);
      first.release();
      throw new RegistryProtocolError(`${what}: the registry announces ${announced} bytes, but the blob has ${expected}`);
    }
    // The known size wins over the header: the bound then holds for chunked bodies too.
    const size = expected ?? announced;
    const { onProgress } = options;
    return new BlobSource(first, (range) => this.#open(digest, range, options.signal), {
      what,
      digest,
      algorithm,
      size,
      ranges: size !== undefined && /\bbytes\b/i.test(first.response.headers['accept-ranges'] ?? ''),
      maxResumes: options.maxResumes ?? DEFAULT_MAX_RESUMES,
      signal: options.signal,
      onProgress: onProgress === undefined ? undefined : (done) => onProgress({ done, total: size }),
    });
  }

  #open(digest: string, range: string | undefined, signal: AbortSignal | undefined) {
    return this.#context.requester.sendHoldingSlot({
      method: 'GET',
      url: repositoryPath(this.#context, `blobs/${digest}`),
      scopes: [repositoryScope(this.#context.name, 'GET')],
      ...(range !== undefined && { headers: { range } }),
      signal,
    });
  }

  /** Reads a whole blob into memory, verified, refusing blobs above `maxBytes`. */
  async getBytes(digest: string, options: GetBlobBytesOptions = {}): Promise<Uint8Array> {
    parseDigest(digest);
    const what = `blob ${this.#context.name}@${digest}`;
    const expected = knownSize(options.size);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    if (expected !== undefined && expected > maxBytes) throw new BodyTooLargeError(what, maxBytes);
    let bytes: Uint8Array;
    try {
      ({ bytes } = await this.#context.requester.sendForBytes(
        {
          method: 'GET',
          url: repositoryPath(this.#context, `blobs/${digest}`),
          scopes: [repositoryScope(this.#context.name, 'GET')],
          signal: options.signal,
        },
        expected ?? maxBytes,
        what,
      ));
    } catch (error) {
      if (expected === undefined || !BodyTooLargeError.isInstance(error)) throw error;
      throw new RegistryProtocolError(`${what}: the registry sends more than the ${expected} bytes the blob has`, {
        cause: error,
      });
    }
    if (expected !== undefined && bytes.byteLength !== expected) {
      throw new RegistryProtocolError(`${what}: body ended after ${bytes.byteLength} of ${expected} bytes`);
    }
    await verifyContentDigest(bytes, { requested: digest }, what);
    return bytes;
  }

  /** Checks that a blob exists and returns its size, without downloading it. */
  async head(digest: string, options: GetBlobOptions = {}): Promise<BlobInfo> {
    parseDigest(digest);
    const response = await this.#context.requester.send({
      method: 'HEAD',
      url: repositoryPath(this.#context, `blobs/${digest}`),
      scopes: [repositoryScope(this.#context.name, 'HEAD')],
      signal: options.signal,
    });
    releaseBody(response.body);
    return { digest, size: contentLength(response.headers) };
  }
}
