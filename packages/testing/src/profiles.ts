/** How the fake registry authenticates requests. */
export type FakeAuthMode = 'none' | 'basic' | 'token';

/**
 * Where a registry lives and how it authenticates when the caller does not
 * say otherwise: `createFakeRegistry({ profile: 'ghcr' })` answers on
 * `https://ghcr.io` with GHCR's token service without further options.
 */
export interface ProfileEndpoints {
  /** The registry origin, e.g. `https://registry-1.docker.io`. */
  readonly origin: string;
  /** The authentication the registry uses. */
  readonly auth: FakeAuthMode;
  /** The token service in `token` mode. */
  readonly token?:
    | {
        /** Its origin, e.g. `https://auth.docker.io`. */
        readonly origin: string;
        /** The token endpoint's path, e.g. `/token`. */
        readonly path: string;
        /** The `service` challenges name and token requests repeat, e.g. `registry.docker.io`. */
        readonly service: string;
      }
    | undefined;
  /** The realm of the Basic challenge in `basic` mode. */
  readonly basicRealm?: string | undefined;
}

/**
 * Behaviour that differs between registry implementations, kept as data so
 * a test can pick a profile or tweak one field. Fields marked optional
 * default to distribution's behaviour, so a profile written for an older
 * version of this package still works.
 */
export interface RegistryProfile {
  /** A name for messages. */
  readonly name: string;
  /**
   * Tags list paging. `oci`: tags sorted, `n`/`last` honoured, `Link` to the
   * next page (distribution 3, the OCI spec, Docker Hub). `none`: `n`/`last`
   * ignored, every tag in insertion order, no `Link` (distribution 2.8).
   * `cursor`: like `oci`, but `last` is ignored and the `Link` carries an
   * opaque `next_page` token instead (Quay).
   */
  readonly tagsPaging: 'oci' | 'none' | 'cursor';
  /** Largest tags page `n` accepted (see {@link tagsPageSizeAboveMax}); `undefined` for no cap. */
  readonly tagsMaxPageSize: number | undefined;
  /**
   * Tags page size when `n` is absent: that many tags and a `Link` when more
   * follow (Docker Hub: 100, Quay: 50). `undefined`: every tag. Ignored with
   * `tagsPaging: 'none'`.
   */
  readonly tagsDefaultPageSize?: number | undefined;
  /**
   * What an `n` above {@link tagsMaxPageSize} gets: `error` (default), 400
   * `PAGINATION_NUMBER_INVALID`; `clamp`, a page of the maximum size.
   */
  readonly tagsPageSizeAboveMax?: 'error' | 'clamp' | undefined;
  /** Catalog page size when `n` is absent, negative or not a number. 2.8: 100. */
  readonly catalogDefaultPageSize: number;
  /** Largest catalog `n` before 400 `PAGINATION_NUMBER_INVALID` (`catalog.maxentries`). 2.8: 1000. */
  readonly catalogMaxPageSize: number;
  /**
   * `enabled` (default), or `unauthorized`: the registry has no catalog and
   * answers 401 `UNAUTHORIZED` even to authenticated callers, and its token
   * service never grants `registry:catalog:*` (Docker Hub).
   */
  readonly catalog?: 'enabled' | 'unauthorized' | undefined;
  /** When false every DELETE answers 405 `UNSUPPORTED` (`storage.delete.enabled: false`). */
  readonly deleteEnabled: boolean;
  /** The platform a manifest list falls back to for clients that do not accept lists. 2.8: linux/amd64. */
  readonly defaultPlatform: {
    /** Operating system, e.g. `linux`. */
    readonly os: string;
    /** CPU architecture, e.g. `amd64`. */
    readonly architecture: string;
  };
  /**
   * Send `Docker-Content-Digest` on manifest and blob answers. Default true;
   * false simulates registries and proxies that drop it, so clients must
   * hash the body themselves.
   */
  readonly contentDigestHeader?: boolean | undefined;
  /**
   * Docker Hub's pull budget: `RateLimit-Limit`/`RateLimit-Remaining`
   * (`<count>;w=<window>`) and `Docker-RateLimit-Source` on manifest GET and
   * HEAD; each successful manifest GET costs one pull, HEAD is free, and an
   * empty budget answers 429 `TOOMANYREQUESTS`. `undefined`: no rate limit.
   */
  readonly rateLimit?:
    | {
        /** Pulls per window (Docker Hub anonymous: 100). */
        readonly limit: number;
        /** Window length in seconds (Docker Hub: 21600). */
        readonly windowSeconds: number;
      }
    | undefined;
  /**
   * Blob GETs (and HEADs, if listed) answer a redirect to this storage
   * origin, as registries on S3 or behind a CDN do. The storage host serves
   * the bytes and refuses any request carrying `Authorization`.
   */
  readonly blobRedirect?:
    | {
        /** The storage origin, e.g. `https://production.cloudflare.docker.com`. */
        readonly origin: string;
        /** The redirect status. */
        readonly status: 302 | 307;
        /** The blob methods that are redirected; the others are answered by the registry. */
        readonly methods: readonly ('GET' | 'HEAD')[];
      }
    | undefined;
  /**
   * A scope the `/v2/` challenge names even though `/v2/` needs none (GHCR
   * sends `repository:user/image:pull`). Default: no scope, as distribution.
   */
  readonly baseChallengeScope?: string | undefined;
  /**
   * `not-found` (default): an unknown repository gets 404 (`NAME_UNKNOWN`,
   * `MANIFEST_UNKNOWN`). `unauthorized`: the token service grants nothing on
   * it, so the registry answers 401 `insufficient_scope`, as Docker Hub does
   * ("pull access denied … repository does not exist or may require
   * 'docker login'"). Token mode only.
   */
  readonly unknownRepository?: 'not-found' | 'unauthorized' | undefined;
  /** Default origin and authentication; options passed to `createFakeRegistry` win. */
  readonly endpoints?: ProfileEndpoints | undefined;
  /**
   * What a PATCH's `Content-Range` means. `ignored` (default, distribution
   * 2.8): every chunk is appended whatever range it names. `checked` (the
   * OCI spec, distribution 3): a chunk that does not start where the upload
   * ends is refused with 416 `RANGE_INVALID`.
   */
  readonly uploadContentRange?: 'ignored' | 'checked' | undefined;
  /**
   * `POST /blobs/uploads/?digest=` with the blob as body: true completes the
   * upload in one request (201); false (default, 2.8) opens a session and
   * ignores the body (202).
   */
  readonly monolithicPost?: boolean | undefined;
  /** Advertised as `OCI-Chunk-Min-Length` on upload answers, and enforced for every PATCH but the last. Default none. */
  readonly chunkMinLength?: number | undefined;
  /** Largest manifest a PUT may carry before 413. Default 4 MiB, the OCI spec's minimum. */
  readonly manifestMaxBytes?: number | undefined;
  /**
   * The OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`) and
   * `OCI-Subject` on manifest PUTs with a `subject`. Default false: 2.8
   * has no such route (a `text/plain` router miss).
   */
  readonly referrersApi?: boolean | undefined;
  /**
   * Referrers per page before a `Link` to the next (`?last=<digest>&n=`; a
   * smaller `n` is honoured). Default: every referrer on one page.
   */
  readonly referrersPageSize?: number | undefined;
  /** `DELETE /manifests/<tag>` removes the tag (202). Default false: 2.8 answers 400 `DIGEST_INVALID`. */
  readonly tagDelete?: boolean | undefined;
  /**
   * What a user without an `access` table may do. `all` (default): every
   * action on every repository. `own-namespace` (Docker Hub): pull on
   * everything, push and delete only under `<username>/`, so a token for
   * another namespace is granted `pull` alone and writes get 401
   * `insufficient_scope`.
   */
  readonly defaultUserAccess?: 'all' | 'own-namespace' | undefined;
}

/** Built-in profile names. */
export type RegistryProfileName = 'distribution' | 'distribution-2.8' | 'oci-1.1' | 'docker-hub' | 'ghcr' | 'ecr' | 'quay';

const DISTRIBUTION: RegistryProfile = {
  name: 'distribution',
  tagsPaging: 'oci',
  tagsMaxPageSize: undefined,
  catalogDefaultPageSize: 100,
  catalogMaxPageSize: 1000,
  deleteEnabled: true,
  defaultPlatform: { os: 'linux', architecture: 'amd64' },
};

const DOCKER_HUB: RegistryProfile = {
  ...DISTRIBUTION,
  name: 'docker-hub',
  // Hub pages tags by itself (about 100 without `n`) and does not publish a
  // cap; a larger `n` still gets an answer, so the fake clamps rather than fails.
  tagsDefaultPageSize: 100,
  tagsMaxPageSize: 1000,
  tagsPageSizeAboveMax: 'clamp',
  catalog: 'unauthorized',
  unknownRepository: 'unauthorized',
  // Deleting goes through Hub's web API, never the registry API.
  deleteEnabled: false,
  rateLimit: { limit: 100, windowSeconds: 21_600 },
  defaultUserAccess: 'own-namespace',
  blobRedirect: { origin: 'https://production.cloudflare.docker.com', status: 307, methods: ['GET'] },
  endpoints: {
    origin: 'https://registry-1.docker.io',
    auth: 'token',
    token: { origin: 'https://auth.docker.io', path: '/token', service: 'registry.docker.io' },
  },
};

/**
 * A registry that implements the OCI distribution spec 1.1 in full, as Zot
 * and distribution 3 do: the referrers API, `OCI-Subject`, tag delete,
 * single-POST uploads and checked `Content-Range`.
 */
const OCI_1_1: RegistryProfile = {
  ...DISTRIBUTION,
  name: 'oci-1.1',
  uploadContentRange: 'checked',
  monolithicPost: true,
  referrersApi: true,
  referrersPageSize: 100,
  tagDelete: true,
};

const GHCR: RegistryProfile = {
  ...DISTRIBUTION,
  name: 'ghcr',
  deleteEnabled: false,
  baseChallengeScope: 'repository:user/image:pull',
  endpoints: {
    origin: 'https://ghcr.io',
    auth: 'token',
    // The token endpoint lives on the registry host itself.
    token: { origin: 'https://ghcr.io', path: '/token', service: 'ghcr.io' },
  },
};

const ECR: RegistryProfile = {
  ...DISTRIBUTION,
  name: 'ecr',
  tagsDefaultPageSize: 100,
  tagsMaxPageSize: 1000,
  tagsPageSizeAboveMax: 'error',
  endpoints: {
    origin: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com',
    auth: 'basic',
    basicRealm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/',
  },
};

const QUAY: RegistryProfile = {
  ...DISTRIBUTION,
  name: 'quay',
  tagsPaging: 'cursor',
  tagsDefaultPageSize: 50,
  tagsMaxPageSize: 100,
  tagsPageSizeAboveMax: 'clamp',
  endpoints: {
    origin: 'https://quay.io',
    auth: 'token',
    token: { origin: 'https://quay.io', path: '/v2/auth', service: 'quay.io' },
  },
};

/**
 * Built-in profiles:
 *
 * - `distribution`: distribution 2.8.2, except that the tags list pages as
 *   the OCI spec (and distribution 3) says.
 * - `distribution-2.8`: also 2.8's unpaged, unsorted tags list.
 * - `oci-1.1`: `distribution` plus what OCI distribution spec 1.1 adds and
 *   2.8 lacks: the referrers API with `artifactType` filtering, `OCI-Subject`,
 *   tag delete (202), single-POST uploads (201) and 416 for a chunk out of
 *   order.
 * - `docker-hub`: `https://registry-1.docker.io` with the token service on
 *   `https://auth.docker.io/token` (service `registry.docker.io`), no
 *   catalog, tags paged 100 at a time, the pull rate limit, blob GETs
 *   redirected to `https://production.cloudflare.docker.com`.
 * - `ghcr`: `https://ghcr.io`, a token (anonymous or not) needed for every
 *   request including `/v2/`, whose challenge names a placeholder scope.
 * - `ecr`: Basic auth, tags `n` above 1000 refused with 400.
 * - `quay`: `https://quay.io`, tags paged 50 at a time with an opaque
 *   `next_page` cursor in `Link`.
 *
 * @example Delete disabled, Docker-Content-Digest dropped
 * ```ts
 * createFakeRegistry({ profile: { ...PROFILES.distribution, deleteEnabled: false, contentDigestHeader: false } });
 * ```
 */
export const PROFILES: Readonly<Record<RegistryProfileName, RegistryProfile>> = {
  distribution: DISTRIBUTION,
  'distribution-2.8': { ...DISTRIBUTION, name: 'distribution-2.8', tagsPaging: 'none' },
  'oci-1.1': OCI_1_1,
  'docker-hub': DOCKER_HUB,
  ghcr: GHCR,
  ecr: ECR,
  quay: QUAY,
};
