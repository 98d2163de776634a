import { parseDigest } from './digest';
import { InvalidReferenceError, SchemaV1NotSupportedError } from './errors';
import { type Manifest, parseManifest } from './manifest';
import { essenceOf, isSchema1Type, MANIFEST_ACCEPT } from './media-types';
import { isValidTag } from './reference';
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

/** Validates a manifest reference (tag or digest) and says which it is. */
export function checkManifestReference(reference: string): 'tag' | 'digest' {
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
  // Refuse schema 1 before hashing: its Docker-Content-Digest is not a hash of the body.
  if (isSchema1Type(contentType)) throw new SchemaV1NotSupportedError(contentType);
  const digest = await verifyContentDigest(
    bytes,
    { requested: kind === 'digest' ? reference : undefined, header: response.headers['docker-content-digest']?.trim() },
    what,
  );
  return parseManifest(bytes, contentType, digest);
}

/** Manifest reads for one repository. */
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
}
