import { blobWriterFor, openBlobSource } from './blobs';
import { DigestMismatchError, InvalidOptionError, InvalidReferenceError } from './errors';
import { assertKnownOptions } from './known-options';
import type { Descriptor, ImageIndex, Manifest } from './manifest';
import { checkManifestReference, type ManifestInput } from './manifests';
import { type NormalizedPlatform, type PlatformSpec, parsePlatformSpec, platformMatches } from './platform';
import { isValidTag } from './reference';
import type { Repository } from './repository';
import { createSourceChunkReader } from './upload/chunk-reader';

/** Options for {@link copyImage}. */
export interface CopyImageOptions {
  /**
   * The tag to write at the destination. Default: the source tag; a copy by
   * digest is stored by digest only unless a tag is given.
   */
  readonly tag?: string;
  /**
   * Copy only these platforms of a multi-platform image (`linux/amd64`,
   * `linux/arm/v7`, or `{ os, architecture, variant? }`). A smaller index is
   * then written, whose digest differs from the source's. Attestations of
   * the kept platforms are kept. A single-platform image is copied whole.
   */
  readonly platforms?: readonly PlatformSpec[];
  /** Blobs transferred at once. Default 4. */
  readonly concurrency?: number;
  /** Cancels the copy; upload sessions in flight are cancelled. */
  readonly signal?: AbortSignal;
  /** Called as blobs progress. */
  readonly onProgress?: (progress: CopyProgress) => void;
}

/** Progress of a copy: blob bytes and blob count (manifests excluded). */
export interface CopyProgress {
  /** Bytes of blobs done: uploaded so far, plus the whole size of blobs skipped or mounted. */
  readonly bytesDone: number;
  /** Bytes of all distinct blobs of the image. */
  readonly bytesTotal: number;
  /** Distinct blobs finished (uploaded, mounted or skipped). */
  readonly blobsDone: number;
  /** Distinct blobs in the image. */
  readonly blobsTotal: number;
  /** The blob this report is about, so a caller can show each transfer on its own. */
  readonly blob: CopyBlobProgress;
}

/** One blob of a copy, as of a progress report. */
export interface CopyBlobProgress {
  /** The blob's digest. */
  readonly digest: string;
  /** Its size in bytes, from the manifest's descriptor. */
  readonly size: number;
  /** Bytes of it sent so far; its whole size once mounted or skipped. */
  readonly done: number;
  /** How it was handled, on its last report only. */
  readonly outcome?: 'uploaded' | 'mounted' | 'skipped';
}

/** What {@link copyImage} did. */
export interface CopyImageResult {
  /** Digest of the manifest or index written at the destination (equal to the source's unless platforms were filtered). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** True when `platforms` dropped entries and a new, smaller index was written. */
  readonly platformsFiltered: boolean;
  /** Each distinct blob counted once, in exactly one of the three. */
  readonly blobs: {
    /** Sent from source to destination. */
    readonly uploaded: number;
    /** Linked from the source repository of the same registry, no bytes sent. */
    readonly mounted: number;
    /** Already at the destination. */
    readonly skipped: number;
  };
  /** Blob bytes sent to the destination (manifests excluded). */
  readonly bytesUploaded: number;
}

const COPY_OPTIONS: ReadonlySet<string> = new Set(['tag', 'platforms', 'concurrency', 'signal', 'onProgress']);
const DEFAULT_CONCURRENCY = 4;
const MAX_INDEX_DEPTH = 4;
/** Layers registries do not hold (Windows foreign layers); skopeo does not copy them either. */
const NON_DISTRIBUTABLE = /\.(?:foreign|nondistributable)\./;

/** A child manifest to write, and how deep it sits: deeper ones go first (an index needs its children). */
interface PlannedChild {
  readonly manifest: Manifest;
  readonly depth: number;
}

/** How the walk asks: blobs and manifests `concurrency` at a time, each request with the copy's signal. */
interface Walk {
  readonly concurrency: number;
  readonly requestOptions: { readonly signal?: AbortSignal };
}

interface Plan {
  /** Child manifests to write before the top one, by digest. */
  readonly children: Map<string, PlannedChild>;
  /** Child manifests fetched or being fetched, by digest: one listed twice is fetched once. */
  readonly fetched: Map<string, Promise<Manifest>>;
  /** Distinct blobs, by digest. */
  readonly blobs: Map<string, Descriptor>;
}

function isRepository(value: unknown): value is Repository {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Repository).blobs === 'function' &&
    typeof (value as Repository).manifests === 'function' &&
    typeof (value as Repository).name === 'string'
  );
}

function validate(source: unknown, reference: string, destination: unknown, options: CopyImageOptions) {
  if (!isRepository(source))
    throw new InvalidOptionError('sourceRepository', '@regkit/core: copyImage() needs a source Repository');
  if (!isRepository(destination)) {
    throw new InvalidOptionError('destinationRepository', '@regkit/core: copyImage() needs a destination Repository');
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', '@regkit/core: copyImage() options must be an object');
  }
  assertKnownOptions('@regkit/core', 'copyImage()', options, COPY_OPTIONS);
  const kind = checkManifestReference(reference);
  if (options.tag !== undefined && (typeof options.tag !== 'string' || !isValidTag(options.tag))) {
    throw new InvalidReferenceError(
      String(options.tag),
      'TAG_INVALID_FORMAT',
      'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}',
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(
      'concurrency',
      `@regkit/core: concurrency must be a positive integer, got ${String(concurrency)}`,
    );
  }
  if (options.platforms !== undefined && !Array.isArray(options.platforms)) {
    throw new InvalidOptionError('platforms', '@regkit/core: platforms must be an array');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new InvalidOptionError('onProgress', '@regkit/core: onProgress must be a function');
  }
  const selectors = options.platforms?.map(parsePlatformSpec);
  if (selectors !== undefined && selectors.length === 0) {
    throw new InvalidOptionError('platforms', '@regkit/core: platforms must name at least one platform');
  }
  return { kind, concurrency, selectors };
}

/**
 * The entries of an index to keep: the selected platforms and the
 * attestations that point at them. `undefined` when every entry stays.
 */
function filterEntries(index: ImageIndex, selectors: readonly NormalizedPlatform[]): number[] | undefined {
  const kept = new Set<string>();
  index.manifests.forEach((entry) => {
    if (entry.platform !== undefined && selectors.some((s) => entry.platform && platformMatches(s, entry.platform))) {
      kept.add(entry.digest);
    }
  });
  const keep: number[] = [];
  index.manifests.forEach((entry, position) => {
    const attests = entry.annotations?.['vnd.docker.reference.digest'];
    const isAttestation = entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
    if (kept.has(entry.digest) && !isAttestation) keep.push(position);
    else if (isAttestation && attests !== undefined && kept.has(attests)) keep.push(position);
  });
  if (kept.size === 0) return [];
  return keep.length === index.manifests.length ? undefined : keep;
}

/** The index rewritten with only the kept entries, every other field as the source wrote it. */
function filteredIndexDocument(index: ImageIndex, keep: readonly number[]): Record<string, unknown> {
  const json = JSON.parse(new TextDecoder().decode(index.bytes)) as Record<string, unknown>;
  const entries = json.manifests as unknown[];
  return { ...json, manifests: keep.map((position) => entries[position]) };
}

/**
 * Walks the image: the blobs of every image manifest, once each, and every
 * child manifest with its depth. The children of one index are fetched
 * `concurrency` at a time; blobs keep the order of the entries.
 */
async function collect(
  source: Repository,
  manifest: Manifest,
  plan: Plan,
  walk: Walk,
  depth: number,
  entries?: readonly Descriptor[],
): Promise<void> {
  if (manifest.kind === 'image') {
    for (const blob of [manifest.config, ...manifest.layers]) {
      if (!NON_DISTRIBUTABLE.test(blob.mediaType) && !plan.blobs.has(blob.digest)) plan.blobs.set(blob.digest, blob);
    }
    return;
  }
  if (depth >= MAX_INDEX_DEPTH) throw new InvalidOptionError('reference', '@regkit/core: copyImage(): indexes nested too deep');
  const list = entries ?? manifest.manifests;
  const children: Manifest[] = [];
  await runLimited([...list.keys()], walk.concurrency, async (position) => {
    const { digest } = list[position] as Descriptor;
    let fetching = plan.fetched.get(digest);
    if (fetching === undefined) {
      fetching = source.manifests().get(digest, walk.requestOptions);
      plan.fetched.set(digest, fetching);
    }
    children[position] = await fetching;
  });
  for (const child of children) {
    // Walked again where it appears again: its own children then sit deeper too.
    await collect(source, child, plan, walk, depth + 1);
    // A manifest listed twice is written once, at the deepest place it appears.
    const known = plan.children.get(child.digest);
    plan.children.set(child.digest, { manifest: child, depth: Math.max(depth + 1, known?.depth ?? 0) });
  }
}

/** Writes the child manifests, deepest first and those of one depth `concurrency` at a time. */
async function putChildren(destination: Repository, children: Iterable<PlannedChild>, walk: Walk): Promise<void> {
  const byDepth = new Map<number, Manifest[]>();
  for (const { manifest, depth } of children) {
    const level = byDepth.get(depth);
    if (level === undefined) byDepth.set(depth, [manifest]);
    else level.push(manifest);
  }
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    await runLimited(byDepth.get(depth) as Manifest[], walk.concurrency, async (manifest) => {
      await destination.manifests().put(manifest, walk.requestOptions);
    });
  }
}

/** Runs `work` over `items` with at most `limit` at once; the first failure stops the rest. */
async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Blob transfers that may run at once within one registry. A transfer holds
 * up to two of the registry's request slots (its download, read while its
 * upload request runs), so at most half the slots' worth may run: more could
 * all hold a download and wait for an upload slot forever.
 */
function transfersWithin(repository: Repository, concurrency: number): number {
  const slots = repository.registry.requester.maxConcurrentRequests;
  if (slots < 2) {
    throw new InvalidOptionError(
      'maxConcurrentRequests',
      '@regkit/core: copyImage() within one registry needs maxConcurrentRequests of at least 2 ' +
        '(a download is held open while its upload runs)',
    );
  }
  return Math.min(concurrency, Math.floor(slots / 2));
}

/**
 * Copies an image (a single manifest, a Docker manifest list or an OCI index
 * with all its children) from one repository to another, possibly on
 * another registry with other credentials and another transport.
 *
 * Each distinct blob is handled once: skipped when the destination has it
 * (HEAD), mounted when both repositories belong to the same `Registry`
 * object, and otherwise streamed from source to destination (verified on the
 * way, never written to disk nor held whole in memory), `concurrency` blobs
 * at a time. A dropped upload resumes from the byte the destination holds,
 * reading the rest again from the source (a `Range` request) rather than
 * keeping sent bytes in memory; a blob whose upload session the destination
 * forgot starts over in a new one. Manifests are written byte for byte, so the destination digests
 * equal the source's; only a platform filter writes a new index.
 *
 * @example
 * ```ts
 * import { copyImage, Registry } from '@regkit/core';
 * const hub = new Registry({ domain: 'docker.io' });
 * const mine = new Registry({ domain: 'registry.example.com', authenticator });
 * const result = await copyImage(hub.repository('library/alpine'), '3.20', mine.repository('mirror/alpine'), {
 *   platforms: ['linux/amd64', 'linux/arm64'],
 * });
 * console.log(result.digest, result.blobs, result.bytesUploaded);
 * ```
 *
 * @throws InvalidOptionError for bad options, or a platform filter that keeps nothing
 * @throws ResourceNotFoundError when the source reference does not exist
 * @throws DigestMismatchError when source content does not match its digest
 */
export async function copyImage(
  sourceRepository: Repository,
  reference: string,
  destinationRepository: Repository,
  options: CopyImageOptions = {},
): Promise<CopyImageResult> {
  const { kind, concurrency, selectors } = validate(sourceRepository, reference, destinationRepository, options);
  const { signal } = options;
  const withSignal = signal === undefined ? {} : { signal };
  const tag = options.tag ?? (kind === 'tag' ? reference : undefined);
  const sameRegistry = sourceRepository.registry === destinationRepository.registry;
  const mountable = sameRegistry && sourceRepository.name !== destinationRepository.name;
  const transfers = sameRegistry ? transfersWithin(sourceRepository, concurrency) : concurrency;

  const top = await sourceRepository.manifests().get(reference, withSignal);
  const plan: Plan = { children: new Map(), fetched: new Map(), blobs: new Map() };
  const walk: Walk = { concurrency, requestOptions: withSignal };
  let document: ManifestInput = top;
  let platformsFiltered = false;
  if (top.kind === 'index') {
    const keep = selectors === undefined ? undefined : filterEntries(top, selectors);
    if (keep !== undefined && keep.length === 0) {
      throw new InvalidOptionError(
        'platforms',
        `@regkit/core: copyImage(): no platform of ${reference} matches ${JSON.stringify(options.platforms)}`,
      );
    }
    const entries = keep === undefined ? top.manifests : keep.map((position) => top.manifests[position] as Descriptor);
    await collect(sourceRepository, top, plan, walk, 0, entries);
    if (keep !== undefined) {
      document = filteredIndexDocument(top, keep);
      platformsFiltered = true;
    }
  } else {
    await collect(sourceRepository, top, plan, walk, 0);
  }

  // Largest first: the copy lasts at least as long as its largest blob, so that one starts at once
  // instead of waiting behind small ones for a transfer slot.
  const blobs = [...plan.blobs.values()].sort((a, b) => b.size - a.size);
  const counts = { uploaded: 0, mounted: 0, skipped: 0 };
  const progress = {
    bytesDone: 0,
    bytesTotal: blobs.reduce((sum, b) => sum + b.size, 0),
    blobsDone: 0,
    blobsTotal: blobs.length,
  };
  let bytesUploaded = 0;
  const report = (blob: CopyBlobProgress) => options.onProgress?.({ ...progress, blob });

  // One failure cancels the transfers still running.
  const stop = new AbortController();
  const transferSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const writer = blobWriterFor(destinationRepository.blobs());

  const transfer = async (blob: Descriptor): Promise<void> => {
    const { digest, size } = blob;
    let outcome: 'mounted' | 'skipped';
    if ((await writer.exists(blob.digest, transferSignal)) !== undefined) {
      counts.skipped++;
      outcome = 'skipped';
    } else if (mountable && (await writer.mount(blob.digest, { from: sourceRepository.name, signal: transferSignal })).mounted) {
      counts.mounted++;
      outcome = 'mounted';
    } else {
      // A first report as the transfer starts, so its rate can be measured from here.
      report({ digest, size, done: 0 });
      // Read as a blob source, not a stream: a resumed upload reads the bytes it must send again from the
      // source registry (a Range request) instead of keeping the last MiB sent in memory. Not awaited: the
      // download's GET and the upload's POST go out together.
      const source = openBlobSource(sourceRepository.blobs(), blob.digest, { size: blob.size, signal: transferSignal });
      let sent = 0;
      // Existence is settled above: verify against the digest before committing, without a second HEAD.
      const uploaded = await writer.uploadFrom(
        createSourceChunkReader(source),
        {
          digest: blob.digest,
          size: blob.size,
          signal: transferSignal,
          onProgress: ({ done }) => {
            progress.bytesDone += done - sent;
            bytesUploaded += done - sent;
            sent = done;
            report({ digest, size, done });
          },
        },
        { checkExisting: false, preverified: true },
      );
      if (uploaded.digest !== blob.digest)
        throw new DigestMismatchError(blob.digest, uploaded.digest, 'descriptor', `blob ${blob.digest}`);
      counts.uploaded++;
      progress.blobsDone++;
      report({ digest, size, done: size, outcome: 'uploaded' });
      return;
    }
    progress.bytesDone += blob.size;
    progress.blobsDone++;
    report({ digest, size, done: size, outcome });
  };

  try {
    await runLimited(blobs, transfers, transfer);
  } catch (error) {
    stop.abort(error);
    throw signal?.aborted ? signal.reason : error;
  }

  await putChildren(destinationRepository, plan.children.values(), walk);
  const written = await destinationRepository.manifests().put(document, {
    ...(tag !== undefined && { tag }),
    mediaType: top.mediaType,
    ...withSignal,
  });
  if (!platformsFiltered && written.digest !== top.digest) {
    throw new DigestMismatchError(top.digest, written.digest, 'descriptor', `manifest copied to ${destinationRepository.name}`);
  }
  return { digest: written.digest, mediaType: top.mediaType, platformsFiltered, blobs: counts, bytesUploaded };
}
