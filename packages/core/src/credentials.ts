/** A username and password (or access token used as a password), as `docker login` stores them. */
export interface UsernamePasswordCredentials {
  /** The username. */
  readonly username: string;
  /** The password or access token. */
  readonly password: string;
}

/**
 * An OAuth2 refresh token, which Docker calls an "identity token": registries
 * that issue one at `docker login` expect it in a `grant_type=refresh_token`
 * token request instead of a password.
 */
export interface IdentityTokenCredentials {
  /** The refresh token. */
  readonly identityToken: string;
}

/** What a {@link CredentialProvider} can answer with. */
export type Credentials = UsernamePasswordCredentials | IdentityTokenCredentials;

/** Options of {@link CredentialProvider.getCredentials}. */
export interface GetCredentialsOptions {
  /**
   * The repository the credentials are for (`library/alpine`), when the
   * request is for one; providers with per-namespace entries (podman's
   * `registry/namespace` keys) match on it.
   */
  readonly repository?: string;
  /** Aborts a slow lookup (a credential helper, a keychain). */
  readonly signal?: AbortSignal;
}

/**
 * A source of registry credentials that authenticators ask on demand: the
 * Docker config and its credential helpers (`@regkit/docker-config`), a cloud
 * keychain, a secret manager. Authenticators accept one as their
 * `credentials` option and send what it answers only to the registry it was
 * asked about, under core's usual rules (the registry origin, never plain
 * HTTP unless allowed).
 *
 * Contract:
 * - `getCredentials` resolves `undefined` when it has nothing for the host
 *   (anonymous access), and rejects only when it cannot tell (a broken
 *   helper, an unreadable file), with an error that names no secret;
 * - it may be called often and concurrently; cache in the provider if a
 *   lookup is expensive;
 * - the answer is used for `host` only.
 *
 * @example A provider over environment variables
 * ```ts
 * const fromEnv: CredentialProvider = {
 *   specificationVersion: 'v1',
 *   async getCredentials(host) {
 *     if (host !== 'registry.example.com') return undefined;
 *     return { username: 'ci', password: process.env.REGISTRY_TOKEN ?? '' };
 *   },
 * };
 * ```
 */
export interface CredentialProvider {
  /** Version of this contract. */
  readonly specificationVersion: 'v1';
  /**
   * The credentials for a registry.
   *
   * @param host - The registry's `host[:port]`, as `RegistryTarget.host`:
   * `127.0.0.1:5000`, `ghcr.io`, `registry-1.docker.io` for Docker Hub.
   */
  getCredentials(host: string, options?: GetCredentialsOptions): Promise<Credentials | undefined>;
}
