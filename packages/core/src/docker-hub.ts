/**
 * Docker Hub's names, in one place: references say `docker.io`, older tools
 * `index.docker.io`, and the API answers on `registry-1.docker.io`;
 * single-level names are official images under `library/`.
 */

/** The domain references use for Docker Hub. */
export const DOCKER_HUB_DOMAIN = 'docker.io';

/** The host Docker Hub's registry API answers on. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** The legacy domain older references and Docker's config keys use. */
export const DOCKER_HUB_LEGACY_DOMAIN = 'index.docker.io';

/** The namespace of official images: `alpine` is `library/alpine`. */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';

const ALIASES: ReadonlySet<string> = new Set([DOCKER_HUB_DOMAIN, DOCKER_HUB_LEGACY_DOMAIN, DOCKER_HUB_API_HOST]);

/**
 * True when `host` names Docker Hub under any of its names, compared
 * case-insensitively.
 *
 * @example
 * ```ts
 * isDockerHubHost('Index.Docker.io'); // true
 * isDockerHubHost('ghcr.io');         // false
 * ```
 */
export function isDockerHubHost(host: string): boolean {
  return typeof host === 'string' && ALIASES.has(host.toLowerCase());
}

/**
 * The repository path Docker Hub stores a name under: a single-level name
 * gets the `library/` prefix, others are unchanged.
 */
export function dockerHubRepository(name: string): string {
  return name.includes('/') ? name : `${OFFICIAL_REPOSITORY_PREFIX}${name}`;
}
