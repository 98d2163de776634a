import type { Blobs } from './blobs';
import { releaseBody } from './body';
import { parseDigest } from './digest';
import {
  InvalidManifestError,
  InvalidOptionError,
  InvalidReferenceError,
  NotAnImageError,
  PlatformNotFoundError,
  TagDigestMismatchError,
} from './errors';
import { digestOf } from './hasher';
import { type ImageConfig, parseImageConfig } from './image-config';
import type { Descriptor, ImageIndex, ImageManifest, Manifest } from './manifest';
import { fetchManifest, type GetManifestOptions, putManifest } from './manifests';
import type { ManifestMediaType } from './media-types';
import { MediaTypes } from './media-types';
import { formatPlatform, normalizePlatform, type PlatformSpec, parsePlatformSpec, platformMatches } from './platform';
import { isValidTag } from './reference';
import { knownReferrersMethod } from './referrers';
import { removeReferrer } from './referrers-index';
import { type RepositoryContext, repositoryPath } from './repository-context';
import {
  type ResolveAllOptions,
  type ResolvedManifest,
  type ResolveOutcome,
  resolveManifest,
  resolveManyManifests,
} from './resolve';
import { repositoryScope } from './scope';

/** One runnable image of an {@link Image}: a platform and the manifest that serves it. */
export interface Platform {
  /** Operating system, e.g. `linux`. */
  readonly os: string;
  /** CPU architecture, e.g. `arm64`. */
  readonly architecture: string;
  /** CPU variant, e.g. `v8`. */
  readonly variant: string | undefined;
  /** OS version, e.g. `10.0.17763.1879` (Windows). */
  readonly osVersion: string | undefined;
  /** Required OS features. */
  readonly osFeatures: readonly string[];
  /** Required CPU features. */
  readonly features: readonly string[];
  /** Digest of the platform's image manifest. */
  readonly digest: string;
  /** Media type of that manifest. */
  readonly mediaType: string;
  /** Size of that manifest in bytes. */
  readonly size: number;
}

/** What {@link Images.tag} wrote. */
export interface TagResult {
  /** Digest of the manifest now under the new tag (unchanged from the source reference's). */
  readonly digest: string;
}

/** An attestation (provenance, SBOM) attached to an index by BuildKit. */
export interface Attestation {
  /** Digest of the attestation manifest. */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Its size in bytes. */
  readonly size: number;
  /** The digest of the platform manifest it attests (`vnd.docker.reference.digest`). */
  readonly subjectDigest: string | undefined;
  /** All annotations of the entry. */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * What a tag or digest names:
 * - `image`: a single-platform container image (a manifest whose config is an image config);
 * - `index`: a multi-platform image (a Docker manifest list or an OCI index);
 * - `artifact`: an OCI artifact (a manifest with `artifactType`, or a config that is not an
 *   image config: a Helm chart, a signature, an SBOM), or an index that declares an
 *   `artifactType`. An artifact manifest has no platforms and its config is not read; see
 *   `artifactType`. An artifact index lists the platform entries it has.
 */
export type ImageKind = 'image' | 'index' | 'artifact';

/** An image as a tag or digest names it: one or many platforms, or an artifact. */
export interface Image {
  /** What the manifest is: a single-platform image, a multi-platform index, or an artifact. */
  readonly kind: ImageKind;
  /**
   * For artifacts, their type: the manifest's `artifactType`, else its
   * config media type (as the referrers API reports it). An index that
   * declares an `artifactType` carries it too. Undefined for images.
   */
  readonly artifactType: string | undefined;
  /** The manifest this one refers to (OCI 1.1 `subject`), e.g. the image a signature signs. */
  readonly subject: Descriptor | undefined;
  /** The manifest's annotations (`{}` when it has none). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Digest of the manifest or index as received (verified). */
  readonly digest: string;
  /** Canonical reference domain, e.g. `docker.io`. */
  readonly domain: string;
  /** Repository path, e.g. `library/golang`. */
  readonly repository: string;
  /** The tag it was read by; `''` when read by digest. */
  readonly tag: string;
  /** Media type of the manifest or index. */
  readonly mediaType: ManifestMediaType;
  /** One entry per runnable platform image, never invented. */
  readonly platforms: readonly Platform[];
  /** Attestation manifests of an index, kept apart from platforms. */
  readonly attestations: readonly Attestation[];
  /** Index entries that are neither platform images nor attestations (e.g. artifacts without a platform). */
  readonly others: readonly Descriptor[];
  /**
   * The entry of `platforms` that runs on `platform` (`'linux/arm64/v8'`,
   * `'linux/amd64'`, or `{ os, architecture, variant? }`), or undefined.
   * Architectures and variants are normalized as containerd does: a missing
   * variant means the architecture's default (`arm64` is `arm64/v8`, `arm`
   * is `arm/v7`), and `aarch64`/`x86_64` are `arm64`/`amd64`. An exact
   * variant match wins over a default one. Not enumerable, so it stays out
   * of `JSON.stringify` and of spreads.
   *
   * @throws InvalidOptionError when `platform` is not `os/architecture[/variant]`
   *
   * @example
   * ```ts
   * const image = await registry.image('golang:1.12.0');
   * const arm = image.platform('linux/arm64'); // the linux/arm64/v8 entry
   * if (arm) console.log(arm.digest);
   * ```
   */
  platform(platform: PlatformSpec): Platform | undefined;
}

/** Picks the entry of `platforms` for `spec`: an exact variant first, then a default-variant match. */
export function selectPlatform(platforms: readonly Platform[], spec: PlatformSpec): Platform | undefined {
  const wanted = parsePlatformSpec(spec);
  const matches = platforms.filter((entry) => platformMatches(wanted, entry));
  return (
    matches.find((entry) => normalizePlatform(entry.os, entry.architecture, entry.variant).variant === wanted.variant) ??
    matches[0]
  );
}

/** Adds the non-enumerable `platform()` method to an image's data. */
function withPlatformMethod(data: Omit<Image, 'platform'>): Image {
  return Object.defineProperty(data, 'platform', {
    value(this: Image, spec: PlatformSpec) {
      return selectPlatform(this.platforms, spec);
    },
    enumerable: false,
  }) as Image;
}

const ATTESTATION_TYPE = 'attestation-manifest';
const IMAGE_CONFIG_TYPES = new Set<string>([MediaTypes.DockerConfig, MediaTypes.OciConfig]);

function isAttestation(entry: Descriptor): boolean {
  return entry.annotations?.['vnd.docker.reference.type'] === ATTESTATION_TYPE;
}

/**
 * The artifact type of a single manifest, or undefined when it is a
 * container image: its `artifactType`, else its config media type when
 * that is not an image config (the rule the referrers API uses).
 */
export function artifactTypeOf(manifest: ImageManifest): string | undefined {
  if (manifest.artifactType !== undefined) return manifest.artifactType;
  return IMAGE_CONFIG_TYPES.has(manifest.config.mediaType) ? undefined : manifest.config.mediaType;
}

function platformFromDescriptor(entry: Descriptor & { platform: NonNullable<Descriptor['platform']> }): Platform {
  const { platform } = entry;
  return {
    os: platform.os,
    architecture: platform.architecture,
    variant: platform.variant,
    osVersion: platform['os.version'],
    osFeatures: platform['os.features'] ?? [],
    features: platform.features ?? [],
    digest: entry.digest,
    mediaType: entry.mediaType,
    size: entry.size,
  };
}

function classifyIndex(index: ImageIndex): Pick<Image, 'platforms' | 'attestations' | 'others'> {
  const platforms: Platform[] = [];
  const attestations: Attestation[] = [];
  const others: Descriptor[] = [];
  for (const entry of index.manifests) {
    if (isAttestation(entry)) {
      attestations.push({
        digest: entry.digest,
        mediaType: entry.mediaType,
        size: entry.size,
        subjectDigest: entry.annotations?.['vnd.docker.reference.digest'],
        annotations: entry.annotations ?? {},
      });
    } else if (entry.platform !== undefined) {
      platforms.push(platformFromDescriptor({ ...entry, platform: entry.platform }));
    } else {
      others.push(entry);
    }
  }
  return { platforms, attestations, others };
}

function stringField(config: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidManifestError(`${what}: "${key}" must be a string`);
  return value;
}

function stringArrayField(config: Record<string, unknown>, key: string, what: string): readonly string[] {
  const value = config[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidManifestError(`${what}: "${key}" must be an array of strings`);
  }
  return value as string[];
}

/** Reads the platform of a single-image manifest from its config blob, the only place it is recorded. */
async function platformFromConfig(
  manifest: ImageManifest,
  blobs: Blobs,
  context: RepositoryContext,
  options: GetManifestOptions,
): Promise<Platform[]> {
  const what = `config ${context.name}@${manifest.config.digest}`;
  const bytes = await blobs.getBytes(manifest.config.digest, {
    maxBytes: context.maxConfigBytes,
    size: manifest.config.size,
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidManifestError(`${what}: not JSON`, { cause: error });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InvalidManifestError(`${what}: not a JSON object`);
  }
  const fields = config as Record<string, unknown>;
  const os = stringField(fields, 'os', what);
  const architecture = stringField(fields, 'architecture', what);
  if (os === undefined || architecture === undefined) {
    throw new InvalidManifestError(`${what}: an image config must name its os and architecture`);
  }
  return [
    {
      os,
      architecture,
      variant: stringField(fields, 'variant', what),
      osVersion: stringField(fields, 'os.version', what),
      osFeatures: stringArrayField(fields, 'os.features', what),
      features: [],
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
    },
  ];
}

/** Options of `images().getConfig()`. */
export interface GetConfigOptions {
  /** Which platform of a multi-platform image (`'linux/arm64/v8'`, or `{ os, architecture, variant? }`). */
  readonly platform?: PlatformSpec;
  /** Cap on the config blob in bytes. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Cancels the requests. */
  readonly signal?: AbortSignal;
}

function platformLabel(spec: PlatformSpec): string {
  return typeof spec === 'string' ? spec : formatPlatform(spec);
}

/** Image reads and deletes for one repository (the seed's `Images()`). */
export class Images {
  readonly #context: RepositoryContext;
  readonly #blobs: Blobs;

  /** @internal Created by `Repository.images()`. */
  constructor(context: RepositoryContext, blobs: Blobs) {
    this.#context = context;
    this.#blobs = blobs;
  }

  /**
   * The image a tag points at, with its platforms.
   *
   * @example
   * ```ts
   * const image = await registry.repositoryFromString('golang').images().getByTag('1.12.0');
   * for (const p of image.platforms) console.log(p.os, p.architecture, p.variant ?? '', p.digest);
   * ```
   */
  async getByTag(tag: string, options: GetManifestOptions = {}): Promise<Image> {
    if (!isValidTag(tag)) {
      throw new InvalidReferenceError(tag, 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
    }
    return this.#toImage(await fetchManifest(this.#context, tag, options), tag, options);
  }

  /** The image a digest names; its `tag` is `''`. The manifest is verified against the digest. */
  async getByDigest(digest: string, options: GetManifestOptions = {}): Promise<Image> {
    parseDigest(digest);
    return this.#toImage(await fetchManifest(this.#context, digest, options), '', options);
  }

  /**
   * The image configuration (entrypoint, command, environment, user, labels,
   * layers' diff IDs, history…) of a tag or digest, typed. For a
   * multi-platform image pass `platform` (`'linux/arm64'`); it may be left
   * out when the index has a single platform. The config blob is verified
   * against its digest and capped (8 MiB, or `maxBytes`).
   *
   * @throws InvalidOptionError when an index has several platforms and none was chosen
   * @throws PlatformNotFoundError when the image has no such platform
   * @throws NotAnImageError when the reference names an artifact (Helm chart, signature, SBOM)
   * @throws InvalidManifestError when the config is malformed
   *
   * @example
   * ```ts
   * const config = await repo.images().getConfig('1.12.0', { platform: 'linux/arm64' });
   * console.log(config.config?.Entrypoint, config.config?.Env, config.created);
   * ```
   */
  async getConfig(reference: string, options: GetConfigOptions = {}): Promise<ImageConfig> {
    const manifestOptions = options.signal === undefined ? {} : { signal: options.signal };
    const what = `${this.#context.name}@${reference}`;
    let manifest = await fetchManifest(this.#context, reference, manifestOptions);
    if (manifest.kind === 'index') {
      if (manifest.artifactType !== undefined) throw new NotAnImageError(`${what} (an index)`, manifest.artifactType);
      const { platforms } = classifyIndex(manifest);
      let chosen: Platform | undefined;
      if (options.platform !== undefined) {
        chosen = selectPlatform(platforms, options.platform);
        if (chosen === undefined)
          throw new PlatformNotFoundError(what, platformLabel(options.platform), platforms.map(formatPlatform));
      } else if (platforms.length === 1) {
        chosen = platforms[0];
      } else {
        throw new InvalidOptionError(
          'platform',
          `@regkit/core: ${what} is a multi-platform image (${platforms.map(formatPlatform).join(', ') || 'no platforms'}); pass { platform }, e.g. { platform: 'linux/amd64' }`,
        );
      }
      if (chosen === undefined) throw new PlatformNotFoundError(what, '(any)', []);
      const child = await fetchManifest(this.#context, chosen.digest, manifestOptions);
      if (child.kind !== 'image')
        throw new InvalidManifestError(`${what}: platform entry ${chosen.digest} is not an image manifest`);
      manifest = child;
    }
    const artifactType = artifactTypeOf(manifest);
    if (artifactType !== undefined) throw new NotAnImageError(what, artifactType);
    const configWhat = `config ${this.#context.name}@${manifest.config.digest}`;
    const bytes = await this.#blobs.getBytes(manifest.config.digest, {
      maxBytes: options.maxBytes ?? this.#context.maxConfigBytes,
      size: manifest.config.size,
      ...manifestOptions,
    });
    const config = parseImageConfig(bytes, configWhat);
    if (options.platform !== undefined && !platformMatches(parsePlatformSpec(options.platform), config)) {
      throw new PlatformNotFoundError(what, platformLabel(options.platform), [formatPlatform(config)]);
    }
    return config;
  }

  /**
   * The image of a `tag@digest` reference: read by tag, and accepted only
   * when its bytes hash to `digest` (one request). `registry.image()` uses it.
   *
   * @internal
   * @throws TagDigestMismatchError when the tag points at other content
   */
  async getPinned(tag: string, digest: string, options: GetManifestOptions = {}): Promise<Image> {
    const { algorithm } = parseDigest(digest);
    if (!isValidTag(tag)) {
      throw new InvalidReferenceError(tag, 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
    }
    const manifest = await fetchManifest(this.#context, tag, options);
    if (manifest.digest !== digest && (await digestOf(manifest.bytes, algorithm)) !== digest) {
      throw new TagDigestMismatchError(
        `${this.#context.domain}/${this.#context.name}:${tag}@${digest}`,
        tag,
        digest,
        manifest.digest,
      );
    }
    return this.#toImage({ ...manifest, digest }, tag, options);
  }

  /**
   * The digest a tag (or digest) points at, with one HEAD when the registry's
   * headers settle it: cheaper than `getByTag`, and free of Docker Hub's pull
   * budget. Falls back to a verified GET when `Docker-Content-Digest` is
   * missing or the media type is not a manifest type; `method` says which.
   */
  resolve(reference: string, options: GetManifestOptions = {}): Promise<ResolvedManifest> {
    return resolveManifest(this.#context, reference, options);
  }

  /**
   * Resolves many tags or digests with bounded concurrency (default 8),
   * sharing the registry's connections, tokens and backoff. Returns one
   * outcome per reference, in order. On a token-protected registry the first
   * request goes alone and the rest follow with its token: one challenge and
   * one token request in all. Connections are reused across the HEADs with
   * every bundled transport (on Node.js the fetch transport supplies `fetch`
   * the keep-alive setting it lacks; see `createFetchTransport`).
   *
   * @example
   * ```ts
   * const tags = await repo.tags().getAll();
   * for (const outcome of await repo.images().resolveAll(tags, { concurrency: 16 })) {
   *   if (outcome.ok) console.log(outcome.reference, outcome.value.digest);
   * }
   * ```
   */
  resolveAll(references: readonly string[], options: ResolveAllOptions = {}): Promise<ResolveOutcome[]> {
    return resolveManyManifests(this.#context, references, options);
  }

  /**
   * Deletes a manifest by digest. On distribution this also removes every
   * tag that pointed at it; deleting by tag is not part of the API.
   *
   * A manifest with a `subject` (a signature, an SBOM) is also removed from
   * its subject's referrers tag, as the OCI specification asks of clients
   * on registries without the referrers API. To know the subject the
   * manifest is read first (one GET), except on a registry known to have
   * the referrers API, which keeps its index itself.
   *
   * @throws ResourceNotFoundError when the digest is unknown
   * @throws UnsupportedOperationError when the registry has deletes disabled
   * @throws ReferrersIndexError when the referrers tag could not be updated (the manifest is deleted)
   */
  async deleteByDigest(digest: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    parseDigest(digest);
    const subject = knownReferrersMethod(this.#context) === 'api' ? undefined : await this.#subjectOf(digest, options.signal);
    const response = await this.#context.requester.send({
      method: 'DELETE',
      url: repositoryPath(this.#context, `manifests/${digest}`),
      scopes: [repositoryScope(this.#context.name, 'DELETE')],
      signal: options.signal,
    });
    releaseBody(response.body);
    if (subject !== undefined) await removeReferrer(this.#context, subject, digest, options.signal);
  }

  /**
   * The subject digest of a manifest, or undefined when it has none or
   * cannot be read: a token with `delete` but not `pull` still deletes, and
   * a manifest that is gone or unreachable lets the DELETE report why.
   */
  async #subjectOf(digest: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      const manifest = await fetchManifest(this.#context, digest, signal === undefined ? {} : { signal });
      return manifest.subject?.digest;
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined;
    }
  }

  /**
   * Tags an existing manifest: reads its exact bytes (by tag or digest) and
   * uploads them again under `newTag`. The digest is unchanged and no blob is
   * touched. Needs `push` on the repository.
   *
   * @example
   * ```ts
   * const { digest } = await repo.images().tag('1.4.2', 'stable');
   * ```
   *
   * @throws InvalidReferenceError when `newTag` is not a valid tag
   * @throws ResourceNotFoundError when `reference` does not exist
   */
  async tag(reference: string, newTag: string, options: { readonly signal?: AbortSignal } = {}): Promise<TagResult> {
    if (typeof newTag !== 'string' || !isValidTag(newTag)) {
      throw new InvalidReferenceError(String(newTag), 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
    }
    const signal = options.signal;
    const manifest = await fetchManifest(this.#context, reference, signal === undefined ? {} : { signal });
    const { digest } = await putManifest(this.#context, manifest, {
      tag: newTag,
      mediaType: manifest.mediaType,
      ...(signal !== undefined && { signal }),
    });
    return { digest };
  }

  async #toImage(manifest: Manifest, tag: string, options: GetManifestOptions): Promise<Image> {
    const base = {
      digest: manifest.digest,
      domain: this.#context.domain,
      repository: this.#context.name,
      tag,
      mediaType: manifest.mediaType,
      subject: manifest.subject,
      annotations: manifest.annotations ?? {},
    };
    if (manifest.kind === 'index') {
      const kind = manifest.artifactType === undefined ? 'index' : 'artifact';
      return withPlatformMethod({ ...base, kind, artifactType: manifest.artifactType, ...classifyIndex(manifest) });
    }
    const artifactType = artifactTypeOf(manifest);
    // Artifacts (Helm charts, signatures, SBOMs) have no platform; do not invent one or read their config.
    if (artifactType !== undefined) {
      return withPlatformMethod({ ...base, kind: 'artifact', artifactType, platforms: [], attestations: [], others: [] });
    }
    const platforms = await platformFromConfig(manifest, this.#blobs, this.#context, options);
    return withPlatformMethod({ ...base, kind: 'image', artifactType: undefined, platforms, attestations: [], others: [] });
  }
}
