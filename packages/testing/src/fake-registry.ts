import type { ApiContext } from './api/context';
import { dispatch } from './api/dispatch';
import type { DraftResponse } from './api/responses';
import { route } from './api/routes';
import { requiredAccess } from './auth/access';
import { type AccessGate, type Endpoint, OPEN_GATE } from './auth/gate';
import { createBasicGate, createTokenGate } from './auth/gates';
import { type FakeTokenServiceOptions, type TokenCall, TokenService } from './auth/token-service';
import type { FakeUser } from './auth/users';
import { type RecordedCall, recordCall } from './call-log';
import { buildImage } from './content/build-image';
import { type BuildSchema1Options, buildSchema1 } from './content/build-schema1';
import type { BuiltArtifact, BuiltSchema1 } from './content/types';
import { FIXTURES } from './fixtures';
import { type LoopbackServer, serveLoopback } from './loopback-server';
import { PROFILES, type RegistryProfile, type RegistryProfileName } from './profiles';
import { RegistryStore } from './registry-store';

/** How the fake registry authenticates requests. */
export type FakeAuthMode = 'none' | 'basic' | 'token';

/** Options for {@link createFakeRegistry}. */
export interface FakeRegistryOptions {
  /** The origin the registry answers on (what MSW handlers and the handler transport match). Default `https://registry.fake.test`. */
  readonly origin?: string;
  /** Authentication. Default `none`. */
  readonly auth?: FakeAuthMode;
  /** Implementation quirks: a built-in profile name or a full profile. Default `distribution`. */
  readonly profile?: RegistryProfileName | RegistryProfile;
  /** Seed {@link FIXTURES} (and restore them on `reset()`). Default true. */
  readonly fixtures?: boolean;
  /** Users for `basic` and `token` modes. Default none. */
  readonly users?: readonly FakeUser[];
  /**
   * Repositories anonymous token requests get no `pull` on (exact names, `*`
   * or prefixes such as `team/*`). Default none: every repository is public.
   */
  readonly privateRepositories?: readonly string[];
  /** The realm of the Basic challenge in `basic` mode. Default `fake-registry`. */
  readonly basicRealm?: string;
  /** Token service settings for `token` mode. */
  readonly token?: FakeTokenServiceOptions;
}

/** Content for {@link FakeRegistry.seed}: repository → tag → built image, index or schema 1 manifest. */
export type RegistrySeed = Readonly<Record<string, Readonly<Record<string, BuiltArtifact | BuiltSchema1>>>>;

/** Raw manifest content for {@link FakeRegistry.putManifest}. */
export interface ManifestInput {
  /** The exact bytes to store and serve (a string is UTF-8 encoded). */
  readonly bytes: Uint8Array | string;
  /** The media type to serve. Default: the `mediaType` field, else inferred as distribution does. */
  readonly mediaType?: string;
}

/** Options for {@link FakeRegistry.listen}. */
export interface ListenOptions {
  /** Port for the registry. Default 0: any free port. */
  readonly port?: number;
  /** Port for the token service (`token` mode). Default 0: any free port. */
  readonly authPort?: number;
}

/** A registry served on loopback by {@link FakeRegistry.listen}. */
export interface ListeningRegistry extends LoopbackServer {
  /** `http://127.0.0.1:<port>` of the registry. */
  readonly origin: string;
  /**
   * In `token` mode, `http://127.0.0.1:<port>` of the token service, on a
   * second server (another origin, as Docker Hub's auth host is); challenges
   * from `origin` name it as realm. `undefined` in other modes.
   */
  readonly authOrigin: string | undefined;
  /** Closes both servers. */
  close(): Promise<void>;
}

/**
 * An in-memory Docker/OCI registry answering as distribution 2.8 does.
 * Reach it through `handle()`, the MSW handlers (`@regkit/testing/msw`),
 * {@link createHandlerTransport} or a loopback server from `listen()`.
 */
export interface FakeRegistry {
  /** The configured origin, e.g. `https://registry.fake.test`. */
  readonly origin: string;
  /** The token service origin in `auth: 'token'` mode, else `undefined`. */
  readonly authOrigin: string | undefined;
  /** The behaviour profile in use. */
  readonly profile: RegistryProfile;
  /** Registry API requests answered so far, oldest first. */
  readonly calls: readonly RecordedCall[];
  /** Token service requests answered so far (`token` mode), oldest first. */
  readonly tokenCalls: readonly TokenCall[];
  /**
   * Answers one request: the registry API for the read side and delete,
   * with 2.8's statuses, headers and error bodies. Never throws for a bad
   * request; it answers it.
   */
  handle(request: Request): Promise<Response>;
  /** True when requests to `origin` belong to this registry (its own, its token service's, or one it listens on). */
  serves(origin: string): boolean;
  /** Forgets recorded calls, registry and token service alike. */
  clearCalls(): void;
  /** Invalidates every access and refresh token issued so far (`token` mode). */
  revokeTokens(): void;
  /** Back to the starting state: fixtures only (if enabled), no calls, no tokens. */
  reset(): void;
  /** Stores built content under repository and tag, e.g. `seed({ 'team/app': { v1: buildImage() } })`. */
  seed(content: RegistrySeed): void;
  /** Stores a blob in a repository; returns its digest. */
  putBlob(repository: string, bytes: Uint8Array | string): string;
  /** Stores raw manifest bytes, optionally tagged; returns the digest. */
  putManifest(repository: string, manifest: ManifestInput, tags?: string | readonly string[]): string;
  /**
   * Stores an image or index with all its children and blobs, tagged with
   * `tags` (none for digest-only content). Returns `built`, whose digests a
   * test can assert against.
   */
  putImage<T extends BuiltArtifact>(repository: string, tags: string | readonly string[] | undefined, built: T): T;
  /**
   * Creates `count` tags on one small image, named `<prefix><zero-padded
   * index>` so lexical order is numeric order (`t000` … `t249`). Returns the
   * tag names in that order.
   */
  putTags(repository: string, count: number, options?: { readonly prefix?: string }): string[];
  /** Stores a schema 1 manifest (signed by default) and its layer under `tag`. */
  putSchema1(repository: string, tag: string, options?: Omit<BuildSchema1Options, 'name' | 'tag'>): BuiltSchema1;
  /** Points `tag` at a stored manifest. */
  tag(repository: string, tag: string, digest: string): void;
  /** The repository's tags in insertion order, or `undefined` for an unknown repository. */
  tags(repository: string): string[] | undefined;
  /** True when the repository holds a manifest with this digest. */
  hasManifest(repository: string, digest: string): boolean;
  /** True when the repository holds a blob with this digest. */
  hasBlob(repository: string, digest: string): boolean;
  /** Serves this registry on a real loopback HTTP server. */
  listen(options?: ListenOptions): Promise<ListeningRegistry>;
}

const DEFAULT_ORIGIN = 'https://registry.fake.test';
const DEFAULT_AUTH_ORIGIN = 'https://auth.fake.test';

function fail(message: string): never {
  throw new Error(`[@regkit/testing] ${message}`);
}

function parseOrigin(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${what} must be http or https: ${JSON.stringify(value)}`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    fail(`${what} must be an origin without path or query: ${JSON.stringify(value)}`);
  return url.origin;
}

function resolveProfile(profile: FakeRegistryOptions['profile']): RegistryProfile {
  if (profile === undefined) return PROFILES.distribution;
  if (typeof profile === 'string') {
    if (!Object.hasOwn(PROFILES, profile))
      fail(`unknown profile ${JSON.stringify(profile)} (known: ${Object.keys(PROFILES).join(', ')})`);
    return PROFILES[profile];
  }
  return profile;
}

function validateUsers(users: readonly FakeUser[]): readonly FakeUser[] {
  const seen = new Set<string>();
  for (const user of users) {
    if (typeof user?.username !== 'string' || user.username === '' || user.username.includes(':')) {
      fail(`users: username must be a non-empty string without ':', got ${JSON.stringify(user?.username)}`);
    }
    if (typeof user.password !== 'string') fail(`users: password of ${JSON.stringify(user.username)} must be a string`);
    if (seen.has(user.username)) fail(`users: duplicate username ${JSON.stringify(user.username)}`);
    seen.add(user.username);
  }
  return users;
}

function createTokenService(
  options: FakeRegistryOptions,
  origin: string,
  users: readonly FakeUser[],
  privateRepositories: readonly string[],
): TokenService {
  const token = options.token ?? {};
  const expiresIn = token.expiresIn ?? 300;
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0)
    fail(`token.expiresIn must be a positive integer of seconds, got ${expiresIn}`);
  const path = token.path ?? '/token';
  if (!path.startsWith('/') || path.startsWith('/v2'))
    fail(`token.path must start with '/' and not be under /v2, got ${JSON.stringify(path)}`);
  if (token.clock !== undefined && typeof token.clock !== 'function')
    fail('token.clock must be a function returning milliseconds');
  const post = token.post ?? 'oauth';
  if (!['oauth', 'method-not-allowed', 'not-found'].includes(post))
    fail(`token.post must be oauth, method-not-allowed or not-found, got ${JSON.stringify(post)}`);
  return new TokenService({
    origin: parseOrigin(token.origin ?? DEFAULT_AUTH_ORIGIN, 'token.origin'),
    path,
    service: token.service ?? new URL(origin).host,
    expiresIn,
    clock: token.clock ?? Date.now,
    post,
    anonymous: token.anonymous ?? true,
    users,
    policy: { privateRepositories },
  });
}

function toResponse(draft: DraftResponse, head: boolean): Response {
  const nullBody = head || draft.status === 204 || draft.status === 304 || draft.body === null;
  return new Response(nullBody ? null : (draft.body as Uint8Array<ArrayBuffer>), {
    status: draft.status,
    headers: draft.headers,
  });
}

class InMemoryRegistry implements FakeRegistry {
  readonly origin: string;
  readonly authOrigin: string | undefined;
  readonly profile: RegistryProfile;
  readonly #store = new RegistryStore();
  readonly #fixtures: boolean;
  readonly #gate: AccessGate;
  readonly #tokens: TokenService | undefined;
  readonly #calls: RecordedCall[] = [];
  /** Loopback registry origins → the endpoint (and token origin) they belong with. */
  readonly #listeners = new Map<string, Endpoint>();
  /** Loopback token service origins. */
  readonly #authListeners = new Set<string>();

  constructor(options: FakeRegistryOptions) {
    this.origin = parseOrigin(options.origin ?? DEFAULT_ORIGIN, 'origin');
    this.profile = resolveProfile(options.profile);
    this.#fixtures = options.fixtures ?? true;
    const users = validateUsers(options.users ?? []);
    const privateRepositories = [...(options.privateRepositories ?? [])];
    const auth = options.auth ?? 'none';
    switch (auth) {
      case 'none':
        this.#gate = OPEN_GATE;
        break;
      case 'basic':
        this.#gate = createBasicGate(users, options.basicRealm ?? 'fake-registry', { privateRepositories });
        break;
      case 'token':
        this.#tokens = createTokenService(options, this.origin, users, privateRepositories);
        this.#gate = createTokenGate(this.#tokens);
        break;
      default:
        fail(`auth must be none, basic or token, got ${JSON.stringify(auth)}`);
    }
    this.authOrigin = this.#tokens?.settings.origin;
    this.reset();
  }

  get calls(): readonly RecordedCall[] {
    return this.#calls;
  }

  get tokenCalls(): readonly TokenCall[] {
    return this.#tokens?.calls ?? [];
  }

  serves(origin: string): boolean {
    return origin === this.origin || origin === this.authOrigin || this.#listeners.has(origin) || this.#authListeners.has(origin);
  }

  #endpoint(origin: string): Endpoint {
    return this.#listeners.get(origin) ?? { origin, authOrigin: this.authOrigin ?? this.origin };
  }

  #isTokenOrigin(origin: string): boolean {
    return this.#tokens !== undefined && (origin === this.authOrigin || this.#authListeners.has(origin));
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    // The token service shares an origin with nothing but itself, unless
    // configured onto the registry origin; its path is never under /v2.
    if (
      this.#tokens !== undefined &&
      this.#isTokenOrigin(url.origin) &&
      (url.pathname === this.#tokens.settings.path || url.origin !== this.origin)
    ) {
      return toResponse(await this.#tokens.handle(request, url), method === 'HEAD');
    }
    const target = route(url);
    let draft: DraftResponse;
    if (target.kind === 'redirect' || target.kind === 'miss') {
      draft = dispatch(this.#context(request, url, method), target);
    } else {
      draft =
        this.#gate.check(request, requiredAccess(target, method), this.#endpoint(url.origin)) ??
        dispatch(this.#context(request, url, method), target);
    }
    // Every 2.8 answer carries this, router misses included.
    const response = toResponse(
      { ...draft, headers: { ...draft.headers, 'Docker-Distribution-Api-Version': 'registry/2.0' } },
      method === 'HEAD',
    );
    this.#calls.push(recordCall(request, url, response.status));
    return response;
  }

  #context(request: Request, url: URL, method: string): ApiContext {
    return { method, url, headers: request.headers, store: this.#store, profile: this.profile };
  }

  clearCalls(): void {
    this.#calls.length = 0;
    if (this.#tokens) this.#tokens.calls.length = 0;
  }

  revokeTokens(): void {
    this.#tokens?.revoke();
  }

  reset(): void {
    this.#store.clear();
    this.clearCalls();
    this.revokeTokens();
    if (this.#fixtures) {
      for (const fixture of [FIXTURES.golang, FIXTURES.alpine, FIXTURES.hello])
        this.putImage(fixture.repository, fixture.tag, fixture.content);
    }
  }

  seed(content: RegistrySeed): void {
    for (const [repository, tags] of Object.entries(content)) {
      for (const [tag, built] of Object.entries(tags)) {
        if (built.kind === 'schema1') this.#putSchema1Content(repository, tag, built);
        else this.putImage(repository, tag, built);
      }
    }
  }

  putBlob(repository: string, bytes: Uint8Array | string): string {
    return this.#store.putBlob(repository, bytes);
  }

  putManifest(repository: string, manifest: ManifestInput, tags?: string | readonly string[]): string {
    const { digest } = this.#store.putManifest(repository, manifest.bytes, manifest.mediaType);
    for (const tag of typeof tags === 'string' ? [tags] : (tags ?? [])) this.#store.tag(repository, tag, digest);
    return digest;
  }

  putImage<T extends BuiltArtifact>(repository: string, tags: string | readonly string[] | undefined, built: T): T {
    if (built.kind === 'index') {
      for (const image of built.images) this.putImage(repository, undefined, image);
      for (const attestation of built.attestations) {
        for (const blob of attestation.blobs) this.#store.putBlob(repository, blob.bytes);
        this.#store.putManifest(repository, attestation.bytes, attestation.mediaType);
      }
    } else {
      for (const blob of built.blobs) this.#store.putBlob(repository, blob.bytes);
    }
    this.putManifest(repository, { bytes: built.bytes, mediaType: built.mediaType }, tags);
    return built;
  }

  putTags(repository: string, count: number, options: { readonly prefix?: string } = {}): string[] {
    if (!Number.isSafeInteger(count) || count < 0) fail(`putTags count must be a non-negative integer, got ${count}`);
    const image = this.putImage(repository, undefined, buildImage({ layers: [`tags of ${repository}\n`] }));
    const width = String(Math.max(0, count - 1)).length;
    const names: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const name = `${options.prefix ?? 't'}${String(i).padStart(width, '0')}`;
      this.#store.tag(repository, name, image.digest);
      names.push(name);
    }
    return names;
  }

  putSchema1(repository: string, tag: string, options: Omit<BuildSchema1Options, 'name' | 'tag'> = {}): BuiltSchema1 {
    const built = buildSchema1({ ...options, name: repository, tag });
    this.#putSchema1Content(repository, tag, built);
    return built;
  }

  #putSchema1Content(repository: string, tag: string, built: BuiltSchema1): void {
    for (const blob of built.blobs) this.#store.putBlob(repository, blob.bytes);
    this.#store.putManifest(repository, built.bytes, built.mediaType, built.digest);
    this.#store.tag(repository, tag, built.digest);
  }

  tag(repository: string, tag: string, digest: string): void {
    this.#store.tag(repository, tag, digest);
  }

  tags(repository: string): string[] | undefined {
    const state = this.#store.get(repository);
    return state === undefined ? undefined : [...state.tags.keys()];
  }

  hasManifest(repository: string, digest: string): boolean {
    return this.#store.get(repository)?.manifests.has(digest) ?? false;
  }

  hasBlob(repository: string, digest: string): boolean {
    return this.#store.get(repository)?.blobs.has(digest) ?? false;
  }

  async listen(options: ListenOptions = {}): Promise<ListeningRegistry> {
    const handler = (request: Request) => this.handle(request);
    const authServer = this.#tokens === undefined ? undefined : await serveLoopback(handler, options.authPort ?? 0);
    let server: LoopbackServer;
    try {
      server = await serveLoopback(handler, options.port ?? 0);
    } catch (error) {
      await authServer?.close();
      throw error;
    }
    if (authServer) this.#authListeners.add(authServer.origin);
    this.#listeners.set(server.origin, { origin: server.origin, authOrigin: authServer?.origin ?? server.origin });
    return {
      origin: server.origin,
      authOrigin: authServer?.origin,
      close: async () => {
        this.#listeners.delete(server.origin);
        if (authServer) this.#authListeners.delete(authServer.origin);
        await Promise.all([server.close(), authServer?.close()]);
      },
    };
  }
}

/**
 * Creates an in-memory fake registry, seeded with {@link FIXTURES} unless
 * `fixtures: false`.
 *
 * @example
 * ```ts
 * const registry = createFakeRegistry();
 * const response = await registry.handle(new Request('https://registry.fake.test/v2/library/hello/tags/list'));
 * await response.json(); // { name: 'library/hello', tags: ['latest'] }
 * ```
 */
export function createFakeRegistry(options: FakeRegistryOptions = {}): FakeRegistry {
  return new InMemoryRegistry(options);
}
