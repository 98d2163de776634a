import { buildImage } from './content/build-image';
import { buildIndex } from './content/build-index';
import type { BuiltArtifact, BuiltImage, BuiltIndex } from './content/types';

/** A seeded repository and tag with the content behind it. */
export interface Fixture<T extends BuiltArtifact> {
  /** Repository name, e.g. `library/golang`. */
  readonly repository: string;
  /** The tag, e.g. `1.12.0`. */
  readonly tag: string;
  /** Digest of the tagged manifest (the list or index for multi-platform fixtures). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Everything that was built: bytes, children, blobs. */
  readonly content: T;
}

/** A multi-platform fixture: {@link Fixture} plus child digests by platform key. */
export interface IndexFixture extends Fixture<BuiltIndex> {
  /** Image manifest digests by `os/architecture[/variant]`. */
  readonly platforms: Readonly<Record<string, string>>;
}

function indexFixture(repository: string, tag: string, content: BuiltIndex): IndexFixture {
  return { repository, tag, digest: content.digest, mediaType: content.mediaType, content, platforms: content.platforms };
}

const golang = buildIndex({
  format: 'docker',
  images: [
    buildImage({ format: 'docker', os: 'linux', architecture: 'amd64', cmd: ['go', 'version'] }),
    buildImage({ format: 'docker', os: 'linux', architecture: 'arm64', variant: 'v8', cmd: ['go', 'version'] }),
    buildImage({ format: 'docker', os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1879', cmd: ['go', 'version'] }),
  ],
});

const alpineAmd64 = buildImage({ format: 'oci', os: 'linux', architecture: 'amd64' });
const alpine = buildIndex({
  format: 'oci',
  images: [alpineAmd64, buildImage({ format: 'oci', os: 'linux', architecture: 'arm64', variant: 'v8' })],
  attestations: [alpineAmd64],
});

const hello = buildImage({
  format: 'docker',
  os: 'linux',
  architecture: 'amd64',
  layers: ['Hello from the regkit fake registry!\n'],
  cmd: ['/hello'],
});

/**
 * The content every fake registry starts with (unless `fixtures: false`),
 * with digests to assert against. Bytes are deterministic, so the digests
 * are the same in every run and on every machine.
 *
 * - `golang`: `library/golang:1.12.0`, a Docker manifest list of linux/amd64,
 *   linux/arm64/v8 and windows/amd64 (`os.version` 10.0.17763.1879).
 * - `alpine`: `library/alpine:latest`, an OCI index of linux/amd64 and
 *   linux/arm64/v8 plus an attestation manifest for amd64.
 * - `hello`: `library/hello:latest`, a single linux/amd64 Docker schema 2 image.
 *
 * @example
 * ```ts
 * const response = await registry.handle(new Request(`${registry.origin}/v2/library/golang/manifests/1.12.0`, { method: 'HEAD', headers: { accept: MEDIA_TYPES.dockerManifestList } }));
 * expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
 * ```
 */
export const FIXTURES: {
  /** `library/golang:1.12.0`: a Docker manifest list of three platforms. */
  readonly golang: IndexFixture;
  /** `library/alpine:latest`: an OCI index of two platforms plus an attestation manifest. */
  readonly alpine: IndexFixture;
  /** `library/hello:latest`: a single linux/amd64 Docker schema 2 image. */
  readonly hello: Fixture<BuiltImage>;
} = {
  golang: indexFixture('library/golang', '1.12.0', golang),
  alpine: indexFixture('library/alpine', 'latest', alpine),
  hello: { repository: 'library/hello', tag: 'latest', digest: hello.digest, mediaType: hello.mediaType, content: hello },
};
