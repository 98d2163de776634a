import { isDigest } from './digest';
import { InvalidManifestError, SchemaUnknownError, SchemaV1NotSupportedError } from './errors';
import {
  type ImageManifestMediaType,
  type IndexMediaType,
  isImageManifestType,
  isIndexType,
  isSchema1Type,
  MediaTypes,
} from './media-types';

/** The platform of an index entry (OCI image-index `platform`). */
export interface DescriptorPlatform {
  /** CPU architecture, e.g. `amd64`, `arm64`. */
  readonly architecture: string;
  /** Operating system, e.g. `linux`, `windows`. */
  readonly os: string;
  /** OS version, e.g. `10.0.17763.1879` on Windows. */
  readonly 'os.version'?: string;
  /** Required OS features, e.g. `win32k`. */
  readonly 'os.features'?: readonly string[];
  /** CPU variant, e.g. `v8` for arm64. */
  readonly variant?: string;
  /** Required CPU features (Docker lists only). */
  readonly features?: readonly string[];
}

/** An OCI content descriptor: what a manifest says about another blob or manifest. */
export interface Descriptor {
  /** Media type of the referenced content. */
  readonly mediaType: string;
  /** Digest of the referenced content. */
  readonly digest: string;
  /** Size in bytes of the referenced content. */
  readonly size: number;
  /** Alternative download URLs (foreign layers). */
  readonly urls?: readonly string[];
  /** Arbitrary metadata. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The platform, on index entries. */
  readonly platform?: DescriptorPlatform;
  /** The artifact type, for artifacts and referrers. */
  readonly artifactType?: string;
  /** Embedded content, base64. */
  readonly data?: string;
}

interface ManifestCommon {
  /** Digest of the exact bytes received (verified). */
  readonly digest: string;
  /** Byte length of the manifest as received. */
  readonly size: number;
  /** The bytes as received; hash these, never a re-serialisation. */
  readonly bytes: Uint8Array;
  /** Always 2 for the types regkit reads. */
  readonly schemaVersion: 2;
  /** Manifest annotations (OCI). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The manifest this one refers to (OCI 1.1 referrers). */
  readonly subject?: Descriptor;
  /** The artifact type (OCI 1.1). */
  readonly artifactType?: string;
}

/** A single-image manifest: Docker schema 2 or OCI image manifest. */
export interface ImageManifest extends ManifestCommon {
  /** Discriminates {@link Manifest}. */
  readonly kind: 'image';
  /** The manifest media type. */
  readonly mediaType: ImageManifestMediaType;
  /** The image config blob. */
  readonly config: Descriptor;
  /** The layers, base first. */
  readonly layers: readonly Descriptor[];
}

/** A multi-platform manifest: Docker manifest list or OCI image index. */
export interface ImageIndex extends ManifestCommon {
  /** Discriminates {@link Manifest}. */
  readonly kind: 'index';
  /** The index media type. */
  readonly mediaType: IndexMediaType;
  /** One entry per child manifest. */
  readonly manifests: readonly Descriptor[];
}

/** Any manifest regkit returns. */
export type Manifest = ImageManifest | ImageIndex;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new InvalidManifestError(`invalid manifest: ${path} ${problem}`);
}

function optionalString(object: Json, key: string, path: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`${path}.${key}`, 'must be a string');
  return value;
}

function optionalStringArray(object: Json, key: string, path: string): readonly string[] | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(`${path}.${key}`, 'must be an array of strings');
  }
  return value as string[];
}

function optionalAnnotations(object: Json, path: string): Readonly<Record<string, string>> | undefined {
  const value = object.annotations;
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || Object.values(value).some((item) => typeof item !== 'string')) {
    fail(`${path}.annotations`, 'must be a map of strings');
  }
  return value as Record<string, string>;
}

function parsePlatform(value: unknown, path: string): DescriptorPlatform {
  if (!isObject(value)) fail(path, 'must be an object');
  const architecture = value.architecture;
  const os = value.os;
  if (typeof architecture !== 'string') fail(`${path}.architecture`, 'must be a string');
  if (typeof os !== 'string') fail(`${path}.os`, 'must be a string');
  const osVersion = optionalString(value, 'os.version', path);
  const osFeatures = optionalStringArray(value, 'os.features', path);
  const variant = optionalString(value, 'variant', path);
  const features = optionalStringArray(value, 'features', path);
  return {
    architecture,
    os,
    ...(osVersion !== undefined && { 'os.version': osVersion }),
    ...(osFeatures !== undefined && { 'os.features': osFeatures }),
    ...(variant !== undefined && { variant }),
    ...(features !== undefined && { features }),
  };
}

/** Validates one descriptor object; `path` names it in errors. */
export function parseDescriptor(value: unknown, path: string): Descriptor {
  if (!isObject(value)) fail(path, 'must be an object');
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') fail(`${path}.mediaType`, 'must be a non-empty string');
  if (typeof digest !== 'string' || !isDigest(digest)) fail(`${path}.digest`, `is not a valid digest: ${JSON.stringify(digest)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`${path}.size`, 'must be a non-negative integer');
  const urls = optionalStringArray(value, 'urls', path);
  const annotations = optionalAnnotations(value, path);
  const platform =
    value.platform === undefined || value.platform === null ? undefined : parsePlatform(value.platform, `${path}.platform`);
  const artifactType = optionalString(value, 'artifactType', path);
  const data = optionalString(value, 'data', path);
  return {
    mediaType,
    digest,
    size,
    ...(urls !== undefined && { urls }),
    ...(annotations !== undefined && { annotations }),
    ...(platform !== undefined && { platform }),
    ...(artifactType !== undefined && { artifactType }),
    ...(data !== undefined && { data }),
  };
}

function parseDescriptorList(value: unknown, path: string): Descriptor[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value.map((item, index) => parseDescriptor(item, `${path}[${index}]`));
}

const GENERIC_CONTENT_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream', 'binary/octet-stream']);

/**
 * Decides a manifest's media type from the response `Content-Type` and the
 * body's own `mediaType` field. A disagreement is an error (OCI spec: the
 * client SHOULD reject it); a missing or generic header falls back to the body.
 */
export function resolveManifestMediaType(contentType: string, body: Json): string {
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  if (!GENERIC_CONTENT_TYPES.has(contentType)) {
    if (declared !== undefined && declared !== contentType) {
      throw new InvalidManifestError(
        `invalid manifest: Content-Type ${JSON.stringify(contentType)} disagrees with its mediaType ${JSON.stringify(declared)}`,
      );
    }
    return contentType;
  }
  if (declared !== undefined) return declared;
  // OCI manifests may omit mediaType; recognise them by shape.
  if (body.schemaVersion === 1) return MediaTypes.DockerSchema1;
  if (Array.isArray(body.manifests)) return MediaTypes.OciIndex;
  if (isObject(body.config)) return MediaTypes.OciManifest;
  return contentType;
}

/**
 * Refuses a Docker schema 1 body before its digest is checked: its
 * `Docker-Content-Digest` hashes the payload without signatures, so checking
 * first would report a digest mismatch instead of the real problem. A
 * schema 1 Content-Type says so at once; under a generic or missing one the
 * body is looked at (only then, so the usual path parses nothing twice).
 */
export function refuseSchema1(bytes: Uint8Array, contentType: string): void {
  if (isSchema1Type(contentType)) throw new SchemaV1NotSupportedError(contentType);
  if (!GENERIC_CONTENT_TYPES.has(contentType)) return;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return; // Not JSON: parseManifest says so after the digest check.
  }
  if (isObject(json) && json.schemaVersion === 1) {
    const declared =
      typeof json.mediaType === 'string' && isSchema1Type(json.mediaType) ? json.mediaType : MediaTypes.DockerSchema1;
    throw new SchemaV1NotSupportedError(declared);
  }
}

/**
 * Refuses a document that is both an index and an image (CVE-2021-41190):
 * read by Content-Type, one client would see the children, another the
 * layers, behind the same digest. Present with any non-null value counts.
 */
function refuseAmbiguity(json: Json, kind: 'index' | 'image'): void {
  const foreign = kind === 'index' ? (['config', 'layers'] as const) : (['manifests'] as const);
  for (const key of foreign) {
    if (json[key] !== undefined && json[key] !== null) {
      const other = kind === 'index' ? 'an index' : 'an image manifest';
      fail(key, `must not appear in ${other}: a document with both "manifests" and "config"/"layers" is ambiguous`);
    }
  }
}

/** The JSON body of a manifest, decoded; schema 1 and non-objects are refused here. */
export function decodeManifestJson(bytes: Uint8Array, contentType: string): { mediaType: string; json: Json } {
  if (isSchema1Type(contentType)) throw new SchemaV1NotSupportedError(contentType);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InvalidManifestError(`invalid manifest: body is not UTF-8 JSON (Content-Type ${JSON.stringify(contentType)})`, {
      cause: error,
    });
  }
  if (!isObject(json)) fail('body', 'must be a JSON object');
  const mediaType = resolveManifestMediaType(contentType, json);
  if (isSchema1Type(mediaType)) throw new SchemaV1NotSupportedError(mediaType);
  if (!isImageManifestType(mediaType) && !isIndexType(mediaType)) throw new SchemaUnknownError(mediaType);
  return { mediaType, json };
}

/**
 * Builds the typed manifest from bytes whose digest has already been
 * verified. Every field regkit relies on is validated, so a malformed
 * manifest fails here with a path to the bad field, not later.
 */
export function parseManifest(bytes: Uint8Array, contentType: string, digest: string): Manifest {
  const { mediaType, json } = decodeManifestJson(bytes, contentType);
  if (json.schemaVersion !== 2) fail('schemaVersion', `must be 2, got ${JSON.stringify(json.schemaVersion)}`);
  const annotations = optionalAnnotations(json, 'manifest');
  const artifactType = optionalString(json, 'artifactType', 'manifest');
  const subject = json.subject === undefined || json.subject === null ? undefined : parseDescriptor(json.subject, 'subject');
  const common = {
    digest,
    size: bytes.byteLength,
    bytes,
    schemaVersion: 2 as const,
    ...(annotations !== undefined && { annotations }),
    ...(subject !== undefined && { subject }),
    ...(artifactType !== undefined && { artifactType }),
  };
  if (isIndexType(mediaType)) {
    refuseAmbiguity(json, 'index');
    if (!Array.isArray(json.manifests)) fail('manifests', 'must be an array');
    return { ...common, kind: 'index', mediaType, manifests: parseDescriptorList(json.manifests, 'manifests') };
  }
  if (!isImageManifestType(mediaType)) throw new SchemaUnknownError(mediaType);
  refuseAmbiguity(json, 'image');
  return {
    ...common,
    kind: 'image',
    mediaType,
    config: parseDescriptor(json.config, 'config'),
    layers: parseDescriptorList(json.layers, 'layers'),
  };
}
