import { sha256Digest } from './digest';
import { MEDIA_TYPES } from './media-types';
import { createTar, gzipStored } from './tar-gzip';
import type { BlobContent, BuiltImage, ImageFormat, Platform } from './types';

/** Options for {@link buildImage}. */
export interface BuildImageOptions {
  /** Operating system. Default `linux`. */
  readonly os?: string;
  /** CPU architecture. Default `amd64`. */
  readonly architecture?: string;
  /** CPU variant, e.g. `v8`. */
  readonly variant?: string;
  /** `os.version`, e.g. `10.0.17763.1879`. */
  readonly osVersion?: string;
  /** `os.features`. */
  readonly osFeatures?: readonly string[];
  /**
   * Layer contents: each entry becomes one gzipped tar layer holding one
   * file. Default: one small text layer naming the platform.
   */
  readonly layers?: readonly (string | Uint8Array)[];
  /** Docker schema 2 (default) or OCI. */
  readonly format?: ImageFormat;
  /** The config's `created` time. Default `2024-01-01T00:00:00Z` (fixed, so digests are stable). */
  readonly created?: string;
  /** The config's `config.Cmd`. Default `['/bin/sh']`. */
  readonly cmd?: readonly string[];
  /** Manifest annotations (OCI only). */
  readonly annotations?: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();

/** Bytes plus descriptor fields. */
export function blob(bytes: Uint8Array, mediaType: string): BlobContent {
  return { digest: sha256Digest(bytes), size: bytes.length, mediaType, bytes };
}

/** A descriptor in the key order Docker (size before digest) or OCI (digest before size) writes. */
export function descriptor(content: BlobContent, format: ImageFormat): Record<string, unknown> {
  return format === 'docker'
    ? { mediaType: content.mediaType, size: content.size, digest: content.digest }
    : { mediaType: content.mediaType, digest: content.digest, size: content.size };
}

/**
 * Serialises a manifest the way its usual producer does: Docker's
 * distribution library indents with three spaces, BuildKit's OCI output is
 * compact. Either way the bytes are what gets stored and hashed.
 */
export function manifestBytes(value: unknown, format: ImageFormat): Uint8Array {
  return encoder.encode(format === 'docker' ? JSON.stringify(value, null, 3) : JSON.stringify(value));
}

function platformOf(options: BuildImageOptions): Platform {
  return {
    os: options.os ?? 'linux',
    architecture: options.architecture ?? 'amd64',
    ...(options.variant === undefined ? {} : { variant: options.variant }),
    ...(options.osVersion === undefined ? {} : { osVersion: options.osVersion }),
    ...(options.osFeatures === undefined ? {} : { osFeatures: [...options.osFeatures] }),
  };
}

/**
 * Builds a single-platform image: gzipped tar layers, a real image config
 * (platform, `rootfs.diff_ids`, history) and the manifest bytes. Nothing is
 * stored; pass the result to `registry.putImage` or `buildIndex`. The same
 * options always give the same bytes and digests.
 *
 * @example
 * ```ts
 * const image = buildImage({ os: 'linux', architecture: 'arm64', variant: 'v8', format: 'oci' });
 * registry.putImage('team/app', 'v1', image);
 * expect(image.digest).toMatch(/^sha256:/);
 * ```
 */
export function buildImage(options: BuildImageOptions = {}): BuiltImage {
  const format = options.format ?? 'docker';
  const platform = platformOf(options);
  const label = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  const contents = options.layers ?? [`regkit fake layer for ${label}\n`];
  const layerMediaType = format === 'docker' ? MEDIA_TYPES.dockerLayer : MEDIA_TYPES.ociLayer;
  const diffIds: string[] = [];
  const layers = contents.map((content, index) => {
    const tar = createTar([
      { path: `regkit/layer-${index}.txt`, content: typeof content === 'string' ? encoder.encode(content) : content },
    ]);
    diffIds.push(sha256Digest(tar));
    return blob(gzipStored(tar), layerMediaType);
  });
  const created = options.created ?? '2024-01-01T00:00:00Z';
  const configJson = {
    architecture: platform.architecture,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    os: platform.os,
    ...(platform.osVersion === undefined ? {} : { 'os.version': platform.osVersion }),
    ...(platform.osFeatures === undefined ? {} : { 'os.features': platform.osFeatures }),
    created,
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: [...(options.cmd ?? ['/bin/sh'])],
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, index) => ({ created, created_by: `/bin/sh -c #(nop) ADD file:layer-${index}.txt in /regkit` })),
  };
  const config = blob(
    encoder.encode(JSON.stringify(configJson)),
    format === 'docker' ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
  );
  const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: descriptor(config, format),
    layers: layers.map((layer) => descriptor(layer, format)),
    ...(format === 'oci' && options.annotations !== undefined ? { annotations: { ...options.annotations } } : {}),
  };
  const bytes = manifestBytes(manifest, format);
  return {
    kind: 'image',
    format,
    platform,
    ...blob(bytes, mediaType),
    config,
    layers,
    blobs: [config, ...layers],
  };
}
