import { Blobs } from './blobs';
import { Images } from './images';
import { Manifests } from './manifests';
import { Referrers } from './referrers';
import type { Registry } from './registry';
import { attachContext, type RepositoryContext } from './repository-context';
import { Tags } from './tags';

/**
 * One repository of a registry. Creating it sends nothing; each accessor
 * returns a service sharing the registry's transport, authenticator and
 * limits.
 */
export class Repository {
  /** Repository path, e.g. `library/golang`. */
  readonly name: string;
  /** Canonical reference domain, e.g. `docker.io`. */
  readonly domain: string;
  /** The registry this repository belongs to. */
  readonly registry: Registry;
  readonly #images: Images;
  readonly #manifests: Manifests;
  readonly #tags: Tags;
  readonly #blobs: Blobs;
  readonly #referrers: Referrers;

  /** @internal Use `registry.repository(name)` or `registry.repositoryFromString(image)`. */
  constructor(registry: Registry, context: RepositoryContext) {
    this.registry = registry;
    this.name = context.name;
    this.domain = context.domain;
    this.#blobs = new Blobs(context);
    this.#images = new Images(context, this.#blobs);
    this.#manifests = new Manifests(context);
    this.#tags = new Tags(context);
    this.#referrers = new Referrers(context);
    attachContext(this, context);
  }

  /**
   * The OCI 1.1 referrers of this repository's manifests: signatures, SBOMs
   * and attestations whose `subject` names a manifest, through the
   * referrers API or the `sha256-<hex>` tag fallback.
   */
  referrers(): Referrers {
    return this.#referrers;
  }

  /** Images by tag or digest, and deletes. */
  images(): Images {
    return this.#images;
  }

  /** Typed, digest-verified manifests. */
  manifests(): Manifests {
    return this.#manifests;
  }

  /** The tag list, every page. */
  tags(): Tags {
    return this.#tags;
  }

  /** Streaming, digest-verified blob reads. */
  blobs(): Blobs {
    return this.#blobs;
  }

  /** `domain/name`, the repository as a reference would name it. */
  toString(): string {
    return `${this.domain}/${this.name}`;
  }
}
