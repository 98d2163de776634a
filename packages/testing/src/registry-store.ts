import { type BuiltBlob, isBuiltBlob } from './content/build-blob';
import { sha256Digest } from './content/digest';
import { inferManifestMediaType } from './content/media-types';
import { REPOSITORY_NAME, TAG } from './content/names';

/** A manifest as stored: exact bytes plus the media type it was pushed with. */
export interface StoredManifest {
  /** The digest the registry reports and addresses it by. */
  readonly digest: string;
  /** The media type served as `Content-Type`. */
  readonly mediaType: string;
  /** The exact bytes served. */
  readonly bytes: Uint8Array;
}

/** A stored blob: exact bytes, or a generated blob that makes its bytes on demand. */
export type StoredBlob = Uint8Array | BuiltBlob;

/** The length of a stored blob. */
export function blobSize(blob: StoredBlob): number {
  return isBuiltBlob(blob) ? blob.size : blob.length;
}

/** One repository's content. Maps keep insertion order, which stands in for 2.8's filesystem order. */
export interface RepositoryState {
  readonly manifests: Map<string, StoredManifest>;
  readonly tags: Map<string, string>;
  readonly blobs: Map<string, StoredBlob>;
  /**
   * True once a tag was ever set. 2.8 keeps tags under a directory that the
   * first tag creates: until then the tags list is 404 `NAME_UNKNOWN`, even
   * for a repository holding blobs or untagged manifests.
   */
  everTagged: boolean;
}

/** An open blob upload session: the bytes received so far, in order. */
export interface UploadSession {
  /** The session id, the last path segment of its `Location`. */
  readonly uuid: string;
  /** The repository it uploads to. */
  readonly name: string;
  /** Chunks received, in order. */
  readonly chunks: Uint8Array[];
  /** Bytes received so far. */
  size: number;
}

function fail(message: string): never {
  throw new Error(`[@regkit/testing] ${message}`);
}

function copy(bytes: Uint8Array | string): Uint8Array {
  // A copy, so a caller mutating its array later cannot change stored content under its digest.
  return typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
}

/**
 * The registry's content: repositories, each with manifests by digest, tags
 * and linked blobs. Blobs are per repository, as in distribution, so a blob
 * in another repository is unknown here.
 */
export class RegistryStore {
  readonly #repositories = new Map<string, RepositoryState>();
  /** Open upload sessions by id. */
  readonly uploads = new Map<string, UploadSession>();

  /** The repository, or `undefined` when nothing was ever put in it. */
  get(name: string): RepositoryState | undefined {
    return this.#repositories.get(name);
  }

  /** Repository names, in insertion order. */
  names(): string[] {
    return [...this.#repositories.keys()];
  }

  #repository(name: string): RepositoryState {
    if (!REPOSITORY_NAME.test(name)) fail(`invalid repository name ${JSON.stringify(name)}`);
    let repository = this.#repositories.get(name);
    if (repository === undefined) {
      repository = { manifests: new Map(), tags: new Map(), blobs: new Map(), everTagged: false };
      this.#repositories.set(name, repository);
    }
    return repository;
  }

  /** Stores a blob; returns its digest. */
  putBlob(name: string, bytes: Uint8Array | string | BuiltBlob): string {
    if (isBuiltBlob(bytes)) {
      this.#repository(name).blobs.set(bytes.digest, bytes);
      return bytes.digest;
    }
    const content = copy(bytes);
    const digest = sha256Digest(content);
    this.#repository(name).blobs.set(digest, content);
    return digest;
  }

  /**
   * Stores a manifest. `digest` is only for schema 1 signed manifests, whose
   * registry digest is not the hash of their bytes.
   */
  putManifest(name: string, bytes: Uint8Array | string, mediaType?: string, digest?: string): StoredManifest {
    const content = copy(bytes);
    const stored: StoredManifest = {
      digest: digest ?? sha256Digest(content),
      mediaType: mediaType ?? inferManifestMediaType(content),
      bytes: content,
    };
    this.#repository(name).manifests.set(stored.digest, stored);
    return stored;
  }

  /** Links an already stored blob (a mount, or a finished upload) into a repository. */
  linkBlob(name: string, digest: string, blob: StoredBlob): void {
    this.#repository(name).blobs.set(digest, blob);
  }

  /** Points `tag` at a stored manifest, moving it if it existed. */
  tag(name: string, tag: string, digest: string): void {
    if (!TAG.test(tag)) fail(`invalid tag ${JSON.stringify(tag)}`);
    const repository = this.#repository(name);
    if (!repository.manifests.has(digest)) fail(`cannot tag ${name}:${tag}: no manifest ${digest} in ${name}`);
    repository.tags.set(tag, digest);
    repository.everTagged = true;
  }

  /** The blob with this digest in any repository, for storage hosts that address blobs by digest alone. */
  findBlob(digest: string): StoredBlob | undefined {
    for (const repository of this.#repositories.values()) {
      const blob = repository.blobs.get(digest);
      if (blob !== undefined) return blob;
    }
    return undefined;
  }

  /** Removes everything. */
  clear(): void {
    this.#repositories.clear();
    this.uploads.clear();
  }
}
