import { contentLength, releaseBody } from './body';
import { parseDigest } from './digest';
import { DigestMismatchError, RegistryProtocolError } from './errors';
import { createHasher } from './hasher';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';
import { verifyContentDigest } from './verify';

/** Options for a blob read. */
export interface GetBlobOptions {
  /** Cancels the request and the body stream. */
  readonly signal?: AbortSignal;
}

/** Options for a buffered blob read. */
export interface GetBlobBytesOptions extends GetBlobOptions {
  /** Cap on the blob size. Default 16 MiB: buffered reads are for configs and small artifacts. */
  readonly maxBytes?: number;
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

function verifyingStream(digest: string, expectedSize: number | undefined, what: string): TransformStream<Uint8Array, Uint8Array> {
  const hasher = createHasher(parseDigest(digest).algorithm);
  let received = 0;
  return new TransformStream({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (expectedSize !== undefined && received > expectedSize) {
        throw new RegistryProtocolError(`${what}: received more than the announced ${expectedSize} bytes`);
      }
      hasher.update(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      if (expectedSize !== undefined && received !== expectedSize) {
        throw new RegistryProtocolError(`${what}: body ended after ${received} of ${expectedSize} bytes`);
      }
      const actual = await hasher.digest();
      if (actual !== digest) throw new DigestMismatchError(digest, actual, 'request', what);
    },
  });
}

/** Blob reads for one repository. */
export class Blobs {
  readonly #context: RepositoryContext;

  /** @internal Created by `Repository.blobs()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
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
  async get(digest: string, options: GetBlobOptions = {}): Promise<BlobDownload> {
    parseDigest(digest);
    const what = `blob ${this.#context.name}@${digest}`;
    const response = await this.#context.requester.send({
      method: 'GET',
      url: repositoryPath(this.#context, `blobs/${digest}`),
      scopes: [repositoryScope(this.#context.name, 'GET')],
      signal: options.signal,
    });
    const size = contentLength(response.headers);
    const source = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    return { digest, size, body: source.pipeThrough(verifyingStream(digest, size, what)) };
  }

  /** Reads a whole blob into memory, verified, refusing blobs above `maxBytes`. */
  async getBytes(digest: string, options: GetBlobBytesOptions = {}): Promise<Uint8Array> {
    parseDigest(digest);
    const what = `blob ${this.#context.name}@${digest}`;
    const { bytes } = await this.#context.requester.sendForBytes(
      {
        method: 'GET',
        url: repositoryPath(this.#context, `blobs/${digest}`),
        scopes: [repositoryScope(this.#context.name, 'GET')],
        signal: options.signal,
      },
      options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES,
      what,
    );
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
