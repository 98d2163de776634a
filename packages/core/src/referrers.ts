import { parseDigest } from './digest';
import {
  InvalidManifestError,
  InvalidOptionError,
  ListingTooLargeError,
  PaginationError,
  RegistryResponseError,
  ResourceNotFoundError,
  SchemaUnknownError,
  SchemaV1NotSupportedError,
} from './errors';
import { assertKnownOptions } from './known-options';
import type { Descriptor, ImageIndex } from './manifest';
import { parseManifest } from './manifest';
import { fetchManifest } from './manifests';
import { essenceOf, MediaTypes } from './media-types';
import { DEFAULT_MAX_LISTING_ENTRIES, nextPageUrl } from './pagination';
import { type RepositoryContext, repositoryPath } from './repository-context';
import type { Requester } from './requester';
import { repositoryScope } from './scope';
import { verifyContentDigest } from './verify';

/** Options of `referrers().list()` and `referrers().getAll()`. */
export interface ReferrersOptions {
  /** Only referrers of this artifact type, e.g. `application/spdx+json`. */
  readonly artifactType?: string;
  /** Stop with `PaginationError` after this many pages. Default: the registry's `maxPages`. */
  readonly maxPages?: number;
  /** Stop with `ListingTooLargeError` past this many referrers in all pages. Default 1 000 000. */
  readonly maxEntries?: number;
  /** Cancels the listing. */
  readonly signal?: AbortSignal;
}

/** How a registry answers referrers queries, once known. */
export type ReferrersMethod = 'api' | 'fallback';

/**
 * Which way works, per registry: a `Requester` is one per `Registry`, so this
 * remembers per registry without a field on it, and forgets with it.
 */
const METHODS = new WeakMap<Requester, ReferrersMethod>();

/** @internal The way referrers of this registry were last found, if known. */
export function knownReferrersMethod(context: RepositoryContext): ReferrersMethod | undefined {
  return METHODS.get(context.requester);
}

/** @internal Records that the registry has (or lacks) the referrers API. */
export function rememberReferrersMethod(context: RepositoryContext, method: ReferrersMethod): void {
  METHODS.set(context.requester, method);
}

const REFERRERS_ACCEPT = MediaTypes.OciIndex;
const OPTIONS: ReadonlySet<string> = new Set(['artifactType', 'maxPages', 'maxEntries', 'signal']);

/**
 * The tag of the referrers tag schema for a digest: `<alg>-<hex>`, the
 * algorithm cut to 32 characters and the encoded part to 64, characters a
 * tag may not hold replaced by `-` (OCI distribution-spec).
 *
 * @example
 * ```ts
 * referrersTag('sha256:9f86d0…'); // 'sha256-9f86d0…'
 * ```
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  const clean = (part: string) => part.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `${clean(algorithm.slice(0, 32))}-${clean(encoded.slice(0, 64))}`;
}

function checkOptions(options: ReferrersOptions): void {
  assertKnownOptions('@regkit/core', 'referrers().list()', options, OPTIONS);
  if (options.artifactType !== undefined && (typeof options.artifactType !== 'string' || options.artifactType === '')) {
    throw new InvalidOptionError('artifactType', '@regkit/core: artifactType must be a non-empty media type string');
  }
  const { maxEntries } = options;
  if (maxEntries !== undefined && (!Number.isSafeInteger(maxEntries) || maxEntries < 1)) {
    throw new InvalidOptionError('maxEntries', `@regkit/core: maxEntries must be a positive integer, got ${String(maxEntries)}`);
  }
}

/**
 * A 404 from the referrers endpoint means the registry lacks the API (the
 * specification forbids 404 from one that has it): 2.8 answers its router's
 * `text/plain` "404 page not found". Only `NAME_UNKNOWN` is a registry with
 * the API speaking of a repository it does not know; that is not remembered.
 */
function meansNoApi(error: unknown): { readonly fallback: boolean; readonly remember: boolean } {
  if (indexInNotFound(error) !== undefined) return { fallback: false, remember: false };
  if (!ResourceNotFoundError.isInstance(error)) return { fallback: false, remember: false };
  const nameUnknown = error.errors.some((entry) => entry.code === 'NAME_UNKNOWN');
  return { fallback: true, remember: !nameUnknown };
}

/**
 * The OCI index carried by a 404 from the referrers endpoint, if any. Some
 * registries with the API answer an unknown subject with 404 and an empty
 * index; that is the API speaking (no referrers), not a missing endpoint,
 * so it must not send the client to the tag fallback.
 */
function indexInNotFound(error: unknown): readonly Descriptor[] | undefined {
  if (!ResourceNotFoundError.isInstance(error) || error.bodyText === undefined) return undefined;
  try {
    const index = parseManifest(new TextEncoder().encode(error.bodyText), MediaTypes.OciIndex, 'sha256:unverified');
    return index.kind === 'index' ? index.manifests : undefined;
  } catch {
    return undefined;
  }
}

/** Referrers of manifests in one repository: the OCI 1.1 referrers API, or its tag fallback. */
export class Referrers {
  readonly #context: RepositoryContext;

  /** @internal Created by `Repository.referrers()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
  }

  /**
   * Iterates over the descriptors of the manifests whose `subject` is
   * `digest` (signatures, SBOMs, attestations), each with its
   * `artifactType` and `annotations`.
   *
   * Uses `GET /v2/<name>/referrers/<digest>`, one request per page, following
   * `Link` (same origin only, with a page cap and loop detection). When the
   * registry applied the `artifactType` filter it says so in
   * `OCI-Filters-Applied`; otherwise regkit filters. A registry without the
   * API (a 404, such as distribution 2.8's router miss) is read through the
   * referrers tag `<alg>-<hex>` instead: one manifest GET, verified. Which
   * way works is remembered per `Registry`, so later listings skip the probe.
   *
   * @example
   * ```ts
   * for await (const referrer of repo.referrers().list(image.digest, { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' })) {
   *   console.log(referrer.digest, referrer.annotations);
   * }
   * ```
   *
   * @throws InvalidReferenceError when `digest` is malformed
   * @throws PaginationError when the pages break a safety rail
   */
  async *list(digest: string, options: ReferrersOptions = {}): AsyncGenerator<Descriptor, void, undefined> {
    for await (const page of this.#pages(digest, options)) yield* page;
  }

  /** Every referrer of `digest` (see {@link Referrers.list}), all pages read. */
  async getAll(digest: string, options: ReferrersOptions = {}): Promise<Descriptor[]> {
    const all: Descriptor[] = [];
    for await (const page of this.#pages(digest, options)) for (const entry of page) all.push(entry);
    return all;
  }

  async *#pages(digest: string, options: ReferrersOptions): AsyncGenerator<readonly Descriptor[], void, undefined> {
    parseDigest(digest);
    checkOptions(options);
    if (knownReferrersMethod(this.#context) === 'fallback') {
      yield await this.#fromTag(digest, options);
      return;
    }
    const pages = this.#fromApi(digest, options);
    let first = true;
    try {
      for await (const page of pages) {
        if (first) rememberReferrersMethod(this.#context, 'api');
        first = false;
        yield page;
      }
    } catch (error) {
      const answered = first ? indexInNotFound(error) : undefined;
      if (answered !== undefined) {
        rememberReferrersMethod(this.#context, 'api');
        yield filterByType(answered, options.artifactType);
        return;
      }
      const verdict = first ? meansNoApi(error) : { fallback: false, remember: false };
      if (!verdict.fallback) throw error;
      if (verdict.remember) rememberReferrersMethod(this.#context, 'fallback');
      yield await this.#fromTag(digest, options);
    }
  }

  async *#fromApi(digest: string, options: ReferrersOptions): AsyncGenerator<readonly Descriptor[], void, undefined> {
    const { requester, name } = this.#context;
    const query = options.artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(options.artifactType)}`;
    const maxPages = options.maxPages ?? this.#context.maxPages;
    const what = `referrers of ${name}@${digest}`;
    const seen = new Set<string>();
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_LISTING_ENTRIES;
    let entries = 0;
    let url: string | undefined = requester.resolveUrl(repositoryPath(this.#context, `referrers/${digest}${query}`));
    for (let page = 0; url !== undefined; page++) {
      if (page >= maxPages) throw new PaginationError(`${what}: stopped after ${maxPages} pages (maxPages)`);
      if (seen.has(url)) throw new PaginationError(`${what}: the registry sent a next link that loops back to an earlier page`);
      seen.add(url);
      const { response, bytes } = await requester.sendForBytes(
        {
          method: 'GET',
          url,
          headers: { accept: REFERRERS_ACCEPT },
          scopes: [repositoryScope(name, 'GET')],
          signal: options.signal,
        },
        this.#context.maxManifestBytes,
        `${what} page`,
      );
      // Not content-addressed, but checked like any manifest: a digest header must hold, the body must be an index.
      const pageDigest = await verifyContentDigest(bytes, { header: response.headers['docker-content-digest']?.trim() }, what);
      const contentType = essenceOf(response.headers['content-type']);
      const index = parseManifest(bytes, contentType === '' ? MediaTypes.OciIndex : contentType, pageDigest);
      if (index.kind !== 'index')
        throw new PaginationError(`${what}: the registry answered ${index.mediaType}, not an OCI index`);
      entries += index.manifests.length;
      if (entries > maxEntries) throw new ListingTooLargeError(what, maxEntries, 'entries');
      const filtered = (response.headers['oci-filters-applied'] ?? '')
        .split(',')
        .map((filter) => filter.trim())
        .includes('artifactType');
      yield filtered ? index.manifests : filterByType(index.manifests, options.artifactType);
      url = nextPageUrl(response.headers, url, requester.target.origin, what);
    }
  }

  /** The referrers tag schema: one verified manifest GET; no tag, or no index there, is no referrers. */
  async #fromTag(digest: string, options: ReferrersOptions): Promise<readonly Descriptor[]> {
    const found = await loadReferrersTag(this.#context, digest, options.signal);
    return found.state === 'index' ? filterByType(found.index.manifests, options.artifactType) : [];
  }
}

function filterByType(entries: readonly Descriptor[], artifactType: string | undefined): readonly Descriptor[] {
  return artifactType === undefined ? entries : entries.filter((entry) => entry.artifactType === artifactType);
}

/** What the referrers tag of a subject holds. */
export type ReferrersTagState =
  | { readonly state: 'absent' }
  | { readonly state: 'index'; readonly index: ImageIndex }
  | { readonly state: 'other'; readonly mediaType: string };

/**
 * Reads the referrers tag of `subject`, verified. A missing tag is
 * `absent`; a manifest that is not an index (or of a type regkit does not
 * read) is `other`, which readers take as no referrers (the specification)
 * and writers refuse to overwrite.
 *
 * @internal
 */
export async function loadReferrersTag(
  context: RepositoryContext,
  subject: string,
  signal: AbortSignal | undefined,
): Promise<ReferrersTagState> {
  try {
    const manifest = await fetchManifest(context, referrersTag(subject), signal === undefined ? {} : { signal });
    return manifest.kind === 'index' ? { state: 'index', index: manifest } : { state: 'other', mediaType: manifest.mediaType };
  } catch (error) {
    if (RegistryResponseError.isInstance(error) && error.status === 404) return { state: 'absent' };
    if (SchemaUnknownError.isInstance(error)) return { state: 'other', mediaType: error.mediaType || 'unknown' };
    if (SchemaV1NotSupportedError.isInstance(error)) return { state: 'other', mediaType: error.mediaType };
    if (InvalidManifestError.isInstance(error)) return { state: 'other', mediaType: 'an invalid manifest' };
    throw error;
  }
}
