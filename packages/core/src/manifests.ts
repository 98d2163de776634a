import { releaseBody } from './body';
import { parseDigest } from './digest';
import {
  BodyTooLargeError,
  DigestMismatchError,
  InvalidManifestError,
  InvalidOptionError,
  InvalidReferenceError,
  ManifestBlobUnknownError,
  RegistryProtocolError,
  RegistryResponseError,
} from './errors';
import { digestOf } from './hasher';
import { assertKnownOptions } from './known-options';
import { type Manifest, parseManifest, refuseSchema1, resolveManifestMediaType } from './manifest';
import { essenceOf, MANIFEST_ACCEPT } from './media-types';
import { assertReferenceString, isValidTag } from './reference';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';
import { verifyContentDigest } from './verify';

/** Options for one manifest read. */
export interface GetManifestOptions {
  /** Cancels the request. */
  readonly signal?: AbortSignal;
  /** Overrides the registry's manifest size cap for this read. */
  readonly maxBytes?: number;
}

/** The keys of {@link GetManifestOptions}, for calls that refuse unknown ones. */
export const GET_MANIFEST_OPTIONS: ReadonlySet<string> = new Set(['signal', 'maxBytes']);

/** Validates a manifest reference (tag or digest) and says which it is. */
export function checkManifestReference(reference: string): 'tag' | 'digest' {
  assertReferenceString(reference, 'a tag or digest');
  if (reference.includes(':')) {
    parseDigest(reference);
    return 'digest';
  }
  if (!isValidTag(reference)) {
    throw new InvalidReferenceError(reference, 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
  }
  return 'tag';
}

/**
 * Fetches a manifest by tag or digest with every manifest type in `Accept`,
 * verifies its bytes against the requested digest and `Docker-Content-Digest`,
 * and parses it.
 */
export async function fetchManifest(
  context: RepositoryContext,
  reference: string,
  options: GetManifestOptions = {},
): Promise<Manifest> {
  const kind = checkManifestReference(reference);
  const what = `manifest ${context.name}@${reference}`;
  const { response, bytes } = await context.requester.sendForBytes(
    {
      method: 'GET',
      url: repositoryPath(context, `manifests/${reference}`),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [repositoryScope(context.name, 'GET')],
      signal: options.signal,
    },
    options.maxBytes ?? context.maxManifestBytes,
    what,
  );
  const contentType = essenceOf(response.headers['content-type']);
  refuseSchema1(bytes, contentType);
  const digest = await verifyContentDigest(
    bytes,
    { requested: kind === 'digest' ? reference : undefined, header: response.headers['docker-content-digest']?.trim() },
    what,
  );
  return parseManifest(bytes, contentType, digest);
}

/** Options for a manifest upload. */
export interface PutManifestOptions {
  /** Tag the manifest under this name; without it the manifest is stored by digest only. */
  readonly tag?: string;
  /**
   * The manifest's media type, sent as `Content-Type`. Default: the document's
   * own `mediaType` field (or its shape, for an OCI manifest without one). A
   * value that disagrees with the document's field is refused.
   */
  readonly mediaType?: string;
  /** Cancels the request. */
  readonly signal?: AbortSignal;
}

/** What a manifest upload produced. */
export interface PutManifestResult {
  /** Digest of the exact bytes sent, confirmed by the registry's `Docker-Content-Digest` when it sent one. */
  readonly digest: string;
  /** The manifest's URL at the registry (`Location`), absolute. */
  readonly location: string;
  /**
   * The subject digest the registry reported in `OCI-Subject`: it indexed the
   * manifest for the referrers API. Absent when the registry did not say so;
   * a manifest with a `subject` then needs the referrers tag fallback.
   */
  readonly subject?: string;
}

/**
 * A manifest to upload: its exact bytes, a manifest read from a registry (its
 * `bytes` are sent unchanged, so the digest is kept), or a JSON document,
 * serialised once with `JSON.stringify`.
 */
export type ManifestInput = Uint8Array | Manifest | Readonly<Record<string, unknown>>;

const PUT_OPTIONS: ReadonlySet<string> = new Set(['tag', 'mediaType', 'signal']);

function isReadManifest(input: ManifestInput): input is Manifest {
  return (
    !(input instanceof Uint8Array) &&
    (input as { bytes?: unknown }).bytes instanceof Uint8Array &&
    ((input as { kind?: unknown }).kind === 'image' || (input as { kind?: unknown }).kind === 'index')
  );
}

/** The exact bytes to send for a manifest input. */
export function manifestBytes(input: ManifestInput): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (isReadManifest(input)) return input.bytes;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidOptionError('manifest', '@regkit/core: a manifest must be bytes, a read Manifest or a JSON object');
  }
  return new TextEncoder().encode(JSON.stringify(input));
}

/**
 * The media type to send, checked against the document: the option and the
 * document's `mediaType` must agree, and the document must be a manifest
 * regkit understands (validated the way reads are).
 */
function manifestMediaType(bytes: Uint8Array, option: string | undefined): string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InvalidManifestError('@regkit/core: the manifest to upload is not UTF-8 JSON', { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidManifestError('@regkit/core: the manifest to upload must be a JSON object');
  }
  const mediaType = resolveManifestMediaType(option === undefined ? '' : essenceOf(option), json as Record<string, unknown>);
  if (mediaType === '') {
    throw new InvalidManifestError('@regkit/core: cannot tell the manifest media type; pass options.mediaType');
  }
  return mediaType;
}

/**
 * Uploads a manifest (`PUT /v2/<name>/manifests/<tag or digest>`). Shared by
 * `Manifests.put` and `Images.tag`.
 */
export async function putManifest(
  context: RepositoryContext,
  input: ManifestInput,
  options: PutManifestOptions = {},
): Promise<PutManifestResult> {
  assertKnownOptions('@regkit/core', 'manifests().put()', options, PUT_OPTIONS);
  const { tag, signal } = options;
  if (tag !== undefined && (typeof tag !== 'string' || !isValidTag(tag))) {
    throw new InvalidReferenceError(String(tag), 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
  }
  const bytes = manifestBytes(input);
  const what = `manifest ${context.name}${tag === undefined ? '' : `:${tag}`}`;
  if (bytes.byteLength > context.maxManifestBytes) throw new BodyTooLargeError(what, context.maxManifestBytes);
  const mediaType = manifestMediaType(bytes, options.mediaType);
  const digest = await digestOf(bytes);
  // Validate the way reads do, so a manifest regkit could not read back is never written.
  parseManifest(bytes, mediaType, digest);
  let response: Awaited<ReturnType<typeof context.requester.send>>;
  try {
    response = await context.requester.send({
      method: 'PUT',
      url: repositoryPath(context, `manifests/${tag ?? digest}`),
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [repositoryScope(context.name, 'PUT')],
      signal,
    });
  } catch (error) {
    if (RegistryResponseError.isInstance(error) && error.errors.some((entry) => entry.code === 'MANIFEST_BLOB_UNKNOWN')) {
      throw ManifestBlobUnknownError.fromResponseError(error);
    }
    throw error;
  }
  releaseBody(response.body);
  const confirmed = response.headers['docker-content-digest']?.trim();
  if (confirmed !== undefined && confirmed !== '' && confirmed !== digest) {
    throw new DigestMismatchError(confirmed, digest, 'header', `${what}: the registry stored`);
  }
  const locationHeader = response.headers.location;
  let location: string;
  try {
    location = new URL(locationHeader ?? repositoryPath(context, `manifests/${digest}`), response.url).toString();
  } catch (error) {
    throw new RegistryProtocolError(`${what}: the registry sent an invalid Location`, { cause: error });
  }
  const subject = response.headers['oci-subject']?.trim();
  return { digest, location, ...(subject !== undefined && subject !== '' && { subject }) };
}

/** Manifest reads and writes for one repository. */
export class Manifests {
  readonly #context: RepositoryContext;

  /** @internal Created by `Repository.manifests()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
  }

  /**
   * The typed, digest-verified manifest for a tag or digest: a Docker schema 2
   * or OCI image manifest (`kind: 'image'`) or a list/index (`kind: 'index'`).
   *
   * @throws ResourceNotFoundError when the repository or reference is unknown
   * @throws DigestMismatchError when the bytes do not match a digest claim
   * @throws BodyTooLargeError above the size cap (4 MiB by default)
   * @throws SchemaV1NotSupportedError / SchemaUnknownError for other types
   */
  get(reference: string, options?: GetManifestOptions): Promise<Manifest> {
    return fetchManifest(this.#context, reference, options);
  }

  /**
   * Uploads a manifest, byte for byte: bytes and read manifests go as they
   * are, a JSON document is serialised once. The digest is computed here and
   * checked against the registry's `Docker-Content-Digest`; the media type
   * comes from the document (or `options.mediaType`, which must agree).
   * Needs `push` on the repository.
   *
   * @example
   * ```ts
   * const { digest } = await repo.manifests().put(
   *   { schemaVersion: 2, mediaType: MediaTypes.OciManifest, config, layers },
   *   { tag: 'v1' },
   * );
   * ```
   *
   * @throws ManifestBlobUnknownError when a referenced blob or child manifest is missing
   * @throws BodyTooLargeError above the manifest size cap (4 MiB by default)
   * @throws InvalidManifestError for a document that is not a valid manifest, or a media type mismatch
   * @throws DigestMismatchError when the registry reports another digest than the bytes sent
   */
  put(manifest: ManifestInput, options?: PutManifestOptions): Promise<PutManifestResult> {
    return putManifest(this.#context, manifest, options);
  }
}
