import { contentLength, releaseBody } from './body';
import { parseDigest } from './digest';
import { InvalidOptionError } from './errors';
import { checkManifestReference, fetchManifest, type GetManifestOptions } from './manifests';
import { essenceOf, isImageManifestType, isIndexType, MANIFEST_ACCEPT, type ManifestMediaType } from './media-types';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';

/** What a tag or digest points at, without the manifest body. */
export interface ResolvedManifest {
  /** The tag or digest that was resolved. */
  readonly reference: string;
  /** Digest of the manifest or index. */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: ManifestMediaType;
  /** Its size in bytes, when known. */
  readonly size: number | undefined;
  /**
   * `HEAD` when the registry's headers sufficed (Docker Hub does not count
   * HEAD against the pull limit), `GET` when core had to fetch and hash the
   * manifest because a header was missing or ambiguous.
   */
  readonly method: 'HEAD' | 'GET';
}

/** One result of a bulk resolution: a value or the error for that reference. */
export type ResolveOutcome = ResolveSuccess | ResolveFailure;

/** A reference that resolved. */
export interface ResolveSuccess {
  /** The tag or digest asked for. */
  readonly reference: string;
  /** Discriminates {@link ResolveOutcome}. */
  readonly ok: true;
  /** What it resolved to. */
  readonly value: ResolvedManifest;
}

/** A reference that failed to resolve. */
export interface ResolveFailure {
  /** The tag or digest asked for. */
  readonly reference: string;
  /** Discriminates {@link ResolveOutcome}. */
  readonly ok: false;
  /** Why: usually a `RegkitError` such as `ResourceNotFoundError`. */
  readonly error: unknown;
}

/** Options for bulk resolution. */
export interface ResolveAllOptions {
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Cancels every pending resolution. */
  readonly signal?: AbortSignal;
}

function knownManifestType(mediaType: string): mediaType is ManifestMediaType {
  return isImageManifestType(mediaType) || isIndexType(mediaType);
}

/**
 * Resolves a tag or digest to a manifest digest with one HEAD when the
 * registry's `Docker-Content-Digest` and `Content-Type` settle it, falling
 * back to a verified GET otherwise.
 */
export async function resolveManifest(
  context: RepositoryContext,
  reference: string,
  options: GetManifestOptions = {},
): Promise<ResolvedManifest> {
  const kind = checkManifestReference(reference);
  const response = await context.requester.send({
    method: 'HEAD',
    url: repositoryPath(context, `manifests/${reference}`),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(context.name, 'HEAD')],
    signal: options.signal,
  });
  releaseBody(response.body);
  const mediaType = essenceOf(response.headers['content-type']);
  const digest = response.headers['docker-content-digest']?.trim();
  const digestUsable = digest !== undefined && isWellFormedDigest(digest) && (kind === 'tag' || digest === reference);
  if (digestUsable && knownManifestType(mediaType)) {
    return { reference, digest, mediaType, size: contentLength(response.headers), method: 'HEAD' };
  }
  const manifest = await fetchManifest(context, reference, options);
  return { reference, digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size, method: 'GET' };
}

function isWellFormedDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves many references with at most `concurrency` requests in flight.
 * Every reference gets an outcome, in input order; one failure does not
 * stop the others (an abort does).
 */
export async function resolveManyManifests(
  context: RepositoryContext,
  references: readonly string[],
  options: ResolveAllOptions = {},
): Promise<ResolveOutcome[]> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(
      'concurrency',
      `@regkit/core: concurrency must be a positive integer, got ${String(concurrency)}`,
    );
  }
  const outcomes: ResolveOutcome[] = new Array(references.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < references.length) {
      options.signal?.throwIfAborted();
      const index = next++;
      const reference = references[index] as string;
      try {
        const value = await resolveManifest(context, reference, options.signal ? { signal: options.signal } : {});
        outcomes[index] = { reference, ok: true, value };
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        outcomes[index] = { reference, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, references.length) }, worker));
  return outcomes;
}
