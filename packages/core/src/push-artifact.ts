import { parseDigest } from './digest';
import { EMPTY_DESCRIPTOR, EMPTY_JSON } from './empty-descriptor';
import { InvalidManifestError, InvalidOptionError } from './errors';
import { digestOf } from './hasher';
import { assertKnownOptions } from './known-options';
import { type Descriptor, parseDescriptor } from './manifest';
import { putManifest } from './manifests';
import { MediaTypes } from './media-types';
import { isValidTag } from './reference';
import { rememberReferrersMethod } from './referrers';
import { addReferrer } from './referrers-index';
import type { Repository } from './repository';
import { contextOf } from './repository-context';
import { resolveManifest } from './resolve';

/** One file of an artifact: a layer of its manifest. */
export interface ArtifactFile {
  /** The layer's media type, e.g. `application/spdx+json`. */
  readonly mediaType: string;
  /** The content; a string is sent as UTF-8. */
  readonly content: Uint8Array | string;
  /** A file name, recorded as the layer's `org.opencontainers.image.title` annotation (as ORAS does). */
  readonly name?: string;
  /** More layer annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What `pushArtifact` pushes. */
export interface PushArtifactOptions {
  /**
   * The manifest the artifact refers to (the image a signature signs): a
   * descriptor, or a digest in this repository (one HEAD finds its media
   * type and size).
   */
  readonly subject: Descriptor | string;
  /** The artifact's type, e.g. `application/spdx+json` or `application/vnd.dev.cosign.artifact.sig.v1+json`. */
  readonly artifactType: string;
  /** The files, one layer each. With none, the layer list holds the empty descriptor, as the image spec advises. */
  readonly files?: readonly ArtifactFile[];
  /** Manifest annotations, e.g. `org.opencontainers.image.created`. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Also tag the artifact manifest. Without it the manifest is pushed by digest only. */
  readonly tag?: string;
  /** Cancels the pushes. */
  readonly signal?: AbortSignal;
}

/** An artifact that was pushed. */
export interface PushedArtifact {
  /** Digest of the artifact manifest. */
  readonly digest: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Always the OCI image manifest type. */
  readonly mediaType: typeof MediaTypes.OciManifest;
  /** Its artifact type. */
  readonly artifactType: string;
  /** The subject descriptor written into the manifest. */
  readonly subject: Descriptor;
  /** The layer descriptors, in order. */
  readonly layers: readonly Descriptor[];
  /**
   * How it can be found as a referrer: `registry` when the registry
   * confirmed it indexed the subject (`OCI-Subject`), `fallback-tag` when
   * regkit added it to the subject's `<alg>-<hex>` referrers index.
   */
  readonly referrers: 'registry' | 'fallback-tag';
}

const OPTIONS: ReadonlySet<string> = new Set(['subject', 'artifactType', 'files', 'annotations', 'tag', 'signal']);
const FILE_OPTIONS: ReadonlySet<string> = new Set(['mediaType', 'content', 'name', 'annotations']);

function checkAnnotations(value: unknown, name: string): void {
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw new InvalidOptionError(name, `@regkit/core: ${name} must be a map of strings`);
  }
}

function checkOptions(options: PushArtifactOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', '@regkit/core: pushArtifact() needs { subject, artifactType, files? }');
  }
  assertKnownOptions('@regkit/core', 'pushArtifact()', options, OPTIONS);
  if (typeof options.artifactType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(options.artifactType)) {
    throw new InvalidOptionError(
      'artifactType',
      `@regkit/core: artifactType must be a media type (type/subtype), got ${JSON.stringify(options.artifactType)}`,
    );
  }
  if (options.subject === undefined) throw new InvalidOptionError('subject', '@regkit/core: pushArtifact() needs a subject');
  if (options.tag !== undefined && (typeof options.tag !== 'string' || !isValidTag(options.tag))) {
    throw new InvalidOptionError(
      'tag',
      `@regkit/core: tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, got ${JSON.stringify(options.tag)}`,
    );
  }
  checkAnnotations(options.annotations, 'annotations');
  if (options.files !== undefined && !Array.isArray(options.files)) {
    throw new InvalidOptionError('files', '@regkit/core: files must be an array of { mediaType, content, name? }');
  }
  for (const [index, file] of (options.files ?? []).entries()) {
    const where = `files[${index}]`;
    if (typeof file !== 'object' || file === null)
      throw new InvalidOptionError('files', `@regkit/core: ${where} must be an object`);
    assertKnownOptions('@regkit/core', `pushArtifact() ${where}`, file, FILE_OPTIONS);
    if (typeof file.mediaType !== 'string' || file.mediaType === '') {
      throw new InvalidOptionError('files', `@regkit/core: ${where}.mediaType must be a media type`);
    }
    if (typeof file.content !== 'string' && !(file.content instanceof Uint8Array)) {
      throw new InvalidOptionError('files', `@regkit/core: ${where}.content must be a Uint8Array or a string`);
    }
    if (file.name !== undefined && (typeof file.name !== 'string' || file.name === '')) {
      throw new InvalidOptionError('files', `@regkit/core: ${where}.name must be a non-empty string`);
    }
    checkAnnotations(file.annotations, `${where}.annotations`);
  }
}

async function subjectDescriptor(
  repository: Repository,
  subject: Descriptor | string,
  signal: AbortSignal | undefined,
): Promise<Descriptor> {
  if (typeof subject !== 'string') {
    const { mediaType, digest, size } = parseDescriptor(subject, 'subject');
    return { mediaType, digest, size };
  }
  parseDigest(subject);
  const context = contextOf(repository);
  if (context === undefined)
    throw new InvalidOptionError('repository', '@regkit/core: pushArtifact() needs a Repository from a Registry');
  const resolved = await resolveManifest(context, subject, signal === undefined ? {} : { signal });
  // A registry that sends no Content-Length on HEAD: the size comes from the verified manifest itself.
  const size = resolved.size ?? (await repository.manifests().get(subject, signal === undefined ? {} : { signal })).size;
  return { mediaType: resolved.mediaType, digest: resolved.digest, size };
}

/**
 * Pushes an OCI 1.1 artifact that refers to `subject`, as ORAS does: each
 * file becomes a layer (named by `org.opencontainers.image.title` when it has
 * a `name`), the config is the empty descriptor (the 2-byte `{}` blob), and
 * the manifest carries `artifactType` and `subject`. Blobs the repository
 * already holds are not sent again.
 *
 * When the registry does not confirm the subject with `OCI-Subject` (it has
 * no referrers API, like distribution 2.8), the artifact is added to the
 * subject's referrers tag `<alg>-<hex>` (read, merge, write, and re-merge if
 * another writer raced), so `referrers().list()` finds it either way.
 *
 * @example
 * ```ts
 * import { pushArtifact } from '@regkit/core';
 *
 * const image = await registry.image('127.0.0.1:5000/team/app:1.0');
 * const sbom = await pushArtifact(registry.repository('team/app'), {
 *   subject: image.digest,
 *   artifactType: 'application/spdx+json',
 *   files: [{ mediaType: 'application/spdx+json', content: JSON.stringify(spdx), name: 'sbom.spdx.json' }],
 * });
 * console.log(sbom.digest, sbom.referrers); // 'fallback-tag' on distribution 2.8
 * ```
 *
 * @throws InvalidOptionError for malformed options (unknown keys included)
 * @throws ResourceNotFoundError when a subject given as a digest does not exist
 * @throws ReferrersIndexError when the referrers tag cannot be updated
 */
export async function pushArtifact(repository: Repository, options: PushArtifactOptions): Promise<PushedArtifact> {
  checkOptions(options);
  const context = contextOf(repository);
  if (context === undefined)
    throw new InvalidOptionError('repository', '@regkit/core: pushArtifact() needs a Repository from a Registry');
  const { signal } = options;
  const signalOption = signal === undefined ? {} : { signal };
  const subject = await subjectDescriptor(repository, options.subject, signal);
  const blobs = repository.blobs();

  await blobs.upload(EMPTY_JSON, { digest: EMPTY_DESCRIPTOR.digest, ...signalOption });
  const layers: Descriptor[] = [];
  for (const file of options.files ?? []) {
    const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    const digest = await digestOf(bytes);
    await blobs.upload(bytes, { digest, ...signalOption });
    const annotations = { ...file.annotations, ...(file.name !== undefined && { 'org.opencontainers.image.title': file.name }) };
    layers.push({
      mediaType: file.mediaType,
      digest,
      size: bytes.byteLength,
      ...(Object.keys(annotations).length > 0 && { annotations }),
    });
  }

  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    artifactType: options.artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: layers.length > 0 ? layers : [EMPTY_DESCRIPTOR],
    subject,
    ...(options.annotations !== undefined && { annotations: options.annotations }),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const pushed = await putManifest(context, bytes, {
    mediaType: MediaTypes.OciManifest,
    ...(options.tag !== undefined && { tag: options.tag }),
    ...signalOption,
  });
  if (pushed.subject !== undefined && pushed.subject !== subject.digest) {
    throw new InvalidManifestError(
      `${context.name}@${pushed.digest}: the registry reports subject ${pushed.subject}, not ${subject.digest}`,
    );
  }
  const entry: Descriptor = {
    mediaType: MediaTypes.OciManifest,
    digest: pushed.digest,
    size: bytes.byteLength,
    artifactType: options.artifactType,
    ...(options.annotations !== undefined && { annotations: options.annotations }),
  };
  let referrers: PushedArtifact['referrers'];
  if (pushed.subject !== undefined) {
    rememberReferrersMethod(context, 'api');
    referrers = 'registry';
  } else {
    await addReferrer(context, subject.digest, entry, signal);
    referrers = 'fallback-tag';
  }
  return {
    digest: pushed.digest,
    size: bytes.byteLength,
    mediaType: MediaTypes.OciManifest,
    artifactType: options.artifactType,
    subject,
    layers: manifest.layers,
    referrers,
  };
}
