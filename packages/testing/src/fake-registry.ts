import { assertKnownOptions } from '@regkit/core/spec';
import type { ApiContext } from './api/context';
import { dispatch } from './api/dispatch';
import { ociError } from './api/oci-errors';
import { type DraftResponse, errorDraft } from './api/responses';
import { type Route, route } from './api/routes';
import { type AccessRequirement, formatRequirement, requiredAccess } from './auth/access';
import { type AccessGate, type Endpoint, type Identity, OPEN_GATE } from './auth/gate';
import { createBasicGate, createTokenGate } from './auth/gates';
import { type FakeTokenServiceOptions, type TokenCall, TokenService } from './auth/token-service';
import type { FakeUser } from './auth/users';
import { BlobStorage } from './blob-storage';
import { type CallDetails, type RecordedCall, recordCall, recordUrl, type UnmatchedRequest } from './call-log';
import type { BuiltBlob } from './content/build-blob';
import { buildImage } from './content/build-image';
import { type BuildSchema1Options, buildSchema1 } from './content/build-schema1';
import { REPOSITORY_NAME } from './content/names';
import type { BuiltArtifact, BuiltSchema1 } from './content/types';
import { type CorsOption, resolveCors } from './cors';
import { explainNotFound } from './explain';
import { corruptAnswer, type FaultControl, FaultList, type FaultSpec, faultAnswer, faultDelay } from './faults';
import { FIXTURES } from './fixtures';
import { type LoopbackServer, serveLoopback } from './loopback-server';
import { type FakeAuthMode, PROFILES, type RegistryProfile, type RegistryProfileName } from './profiles';
import { type FakeRateLimit, PullBudget, type RateLimitOptions } from './pull-budget';
import { RegistryStore } from './registry-store';

export type { FakeAuthMode } from './profiles';

/** Options for {@link createFakeRegistry}. */
export interface FakeRegistryOptions {
  /**
   * The origin the registry answers on (what MSW handlers and the handler
   * transport match). Default: the profile's (`https://registry-1.docker.io`
   * for `docker-hub`), else `https://registry.fake.test`.
   */
  readonly origin?: string;
  /** Authentication. Default: the profile's (`token` for `docker-hub`, `ghcr`, `quay`), else `none`. */
  readonly auth?: FakeAuthMode;
  /** Implementation quirks: a built-in profile name or a full profile. Default `distribution`. */
  readonly profile?: RegistryProfileName | RegistryProfile;
  /**
   * The pull budget of profiles with a rate limit (`docker-hub`): change
   * the limit or the starting budget, or `false` to drop the limit. Given
   * for a profile without one, it adds Hub's (100 per 21600 s unless set).
   */
  readonly rateLimit?: RateLimitOptions | false;
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
  /** Port for blob storage (profiles that redirect blobs). Default 0: any free port. */
  readonly cdnPort?: number;
  /**
   * Serve browsers: `true` allows any origin (`*`), a string such as
   * `http://127.0.0.1:5173` only that page's origin. Covers the registry,
   * token service and blob storage servers: preflights get a 204, every
   * answer carries `Access-Control-Allow-Origin`, the request headers
   * `authorization, accept, content-type, range, content-range` are allowed
   * by name, and `docker-content-digest, www-authenticate, link,
   * content-length, content-range, location, range, oci-chunk-min-length,
   * docker-upload-uuid` are exposed to the page, so it can pull and push
   * (in chunks). Default `false`.
   */
  readonly cors?: CorsOption;
}

const LISTEN_OPTIONS: ReadonlySet<keyof ListenOptions> = new Set(['port', 'authPort', 'cdnPort', 'cors']);

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
  /**
   * For profiles that redirect blobs (`docker-hub`), `http://127.0.0.1:<port>`
   * of the blob storage server that redirects from `origin` point at.
   */
  readonly cdnOrigin: string | undefined;
  /** Closes every server it started. */
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
  /** The blob storage origin blob GETs redirect to (`docker-hub`), else `undefined`. */
  readonly cdnOrigin: string | undefined;
  /** The behaviour profile in use. */
  readonly profile: RegistryProfile;
  /** Registry API requests answered so far, oldest first. */
  readonly calls: readonly RecordedCall[];
  /** Token service requests answered so far (`token` mode), oldest first. */
  readonly tokenCalls: readonly TokenCall[];
  /**
   * Blob storage requests (the targets of blob redirects), oldest first,
   * refused ones included: one with `authorization` in its headers is a
   * credential leak.
   */
  readonly cdnCalls: readonly RecordedCall[];
  /**
   * Requests that found nothing (404s from the registry, token service or
   * storage), each with an explanation such as
   * `no repository 'team/app'; known: library/alpine, library/golang, library/hello`.
   */
  readonly unmatched: readonly UnmatchedRequest[];
  /** Injected failures: `registry.faults.add({ path: '/v2/', status: 503 })`. */
  readonly faults: FaultControl;
  /** The pull budget, for profiles with a rate limit (`docker-hub`); else `undefined`. */
  readonly rateLimit: FakeRateLimit | undefined;
  /**
   * Answers one request: the registry API (reads, pushes and deletes) with
   * 2.8's statuses, headers and error bodies. Never throws for a bad
   * request; it answers it. Push bodies are read whole into memory.
   */
  handle(request: Request): Promise<Response>;
  /** True when requests to `origin` belong to this registry (its own, its token service's, or one it listens on). */
  serves(origin: string): boolean;
  /** Forgets recorded calls, registry and token service alike. */
  clearCalls(): void;
  /** Invalidates every access and refresh token issued so far (`token` mode). */
  revokeTokens(): void;
  /** Back to the starting state: fixtures only (if enabled), no calls, no tokens, no faults, a full pull budget. */
  reset(): void;
  /** Stores built content under repository and tag, e.g. `seed({ 'team/app': { v1: buildImage() } })`. */
  seed(content: RegistrySeed): void;
  /** Stores a blob (bytes, or a generated {@link BuiltBlob} kept as a recipe) in a repository; returns its digest. */
  putBlob(repository: string, bytes: Uint8Array | string | BuiltBlob): string;
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
  if (typeof profile !== 'object' || profile === null) fail('profile must be a profile name or a profile object');
  if (!['oci', 'none', 'cursor'].includes(profile.tagsPaging))
    fail(`profile.tagsPaging must be oci, none or cursor, got ${JSON.stringify(profile.tagsPaging)}`);
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
  profile: RegistryProfile,
  origin: string,
  users: readonly FakeUser[],
  privateRepositories: readonly string[],
  store: RegistryStore,
): TokenService {
  const token = options.token ?? {};
  const defaults = profile.endpoints?.token;
  const expiresIn = token.expiresIn ?? 300;
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0)
    fail(`token.expiresIn must be a positive integer of seconds, got ${expiresIn}`);
  const path = token.path ?? defaults?.path ?? '/token';
  const tokenOrigin = parseOrigin(token.origin ?? defaults?.origin ?? DEFAULT_AUTH_ORIGIN, 'token.origin');
  // On its own origin the token service may use any path; sharing the
  // registry's origin, it must stay clear of the API except where a
  // registry really puts it there (Quay's /v2/auth).
  if (!path.startsWith('/') || (path.startsWith('/v2') && tokenOrigin !== origin && path !== defaults?.path))
    fail(`token.path must start with '/' and not be under /v2, got ${JSON.stringify(path)}`);
  if (token.clock !== undefined && typeof token.clock !== 'function')
    fail('token.clock must be a function returning milliseconds');
  const post = token.post ?? 'oauth';
  if (!['oauth', 'method-not-allowed', 'not-found'].includes(post))
    fail(`token.post must be oauth, method-not-allowed or not-found, got ${JSON.stringify(post)}`);
  return new TokenService({
    origin: tokenOrigin,
    path,
    service: token.service ?? defaults?.service ?? new URL(origin).host,
    expiresIn,
    clock: token.clock ?? Date.now,
    post,
    anonymous: token.anonymous ?? true,
    users,
    policy: {
      privateRepositories,
      catalogGrantable: profile.catalog !== 'unauthorized',
      defaultUserAccess: profile.defaultUserAccess,
      repositoryExists: profile.unknownRepository === 'unauthorized' ? (name) => store.get(name) !== undefined : undefined,
    },
  });
}

function toResponse(draft: DraftResponse, head: boolean): Response {
  const nullBody = head || draft.status === 204 || draft.status === 304 || draft.body === null;
  if (nullBody && draft.body instanceof ReadableStream) void draft.body.cancel().catch(() => {});
  return new Response(nullBody ? null : (draft.body as BodyInit), {
    status: draft.status,
    headers: draft.headers,
  });
}

/** Docker Hub's catalog answer: 401 whoever asks, with the access it would need. */
function catalogUnsupported(refusal: DraftResponse | undefined): DraftResponse {
  const challenge = refusal?.headers['WWW-Authenticate'];
  return errorDraft(
    [ociError('UNAUTHORIZED', { detail: [{ Type: 'registry', Name: 'catalog', Action: '*' }] })],
    challenge === undefined ? {} : { 'WWW-Authenticate': challenge },
  );
}

/** The request body, whole (an empty one for none). */
async function readBody(request: Request): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  return new Uint8Array(await request.arrayBuffer());
}

/**
 * For `POST …/blobs/uploads/?mount=<digest>&from=<repository>`: the pull
 * access the source needs. 2.8 asks for it whenever `from` is there, mount
 * or not.
 */
function mountSourceOf(target: Route, method: string, url: URL): AccessRequirement | undefined {
  if (target.kind !== 'upload' || target.uuid !== undefined || method !== 'POST') return undefined;
  const from = url.searchParams.get('from');
  if (from === null || !REPOSITORY_NAME.test(from)) return undefined;
  return { type: 'repository', name: from, actions: ['pull'] };
}

/** A refusal whose challenge names every scope the request needs, space-separated as 2.8 writes them. */
function withScopes(refusal: DraftResponse, requirements: readonly AccessRequirement[]): DraftResponse {
  const challenge = refusal.headers['WWW-Authenticate'];
  if (challenge === undefined || !challenge.includes('scope="')) return refusal;
  const scope = requirements.map(formatRequirement).join(' ');
  return {
    ...refusal,
    headers: { ...refusal.headers, 'WWW-Authenticate': challenge.replace(/scope="[^"]*"/, `scope="${scope}"`) },
  };
}

/** Which service of the fake a request is for. */
type Role = 'registry' | 'token' | 'storage';

interface Answer {
  readonly draft: DraftResponse;
  readonly details: CallDetails;
  /** The request found nothing (a 404, or Docker Hub's 401 for an unknown repository). */
  readonly missing?: boolean;
}

class InMemoryRegistry implements FakeRegistry {
  readonly origin: string;
  readonly authOrigin: string | undefined;
  readonly cdnOrigin: string | undefined;
  readonly profile: RegistryProfile;
  readonly #store = new RegistryStore();
  readonly #fixtures: boolean;
  readonly #gate: AccessGate;
  readonly #tokens: TokenService | undefined;
  readonly #storage: BlobStorage | undefined;
  readonly #budget: PullBudget | undefined;
  readonly #faults = new FaultList();
  readonly #calls: RecordedCall[] = [];
  readonly #cdnCalls: RecordedCall[] = [];
  readonly #unmatched: UnmatchedRequest[] = [];
  /** Loopback registry origins → the endpoint (token and storage origins) they belong with. */
  readonly #listeners = new Map<string, Endpoint>();
  /** Loopback token service origins. */
  readonly #authListeners = new Set<string>();
  /** Loopback blob storage origins. */
  readonly #cdnListeners = new Set<string>();

  constructor(options: FakeRegistryOptions) {
    this.profile = resolveProfile(options.profile);
    const defaults = this.profile.endpoints;
    this.origin = parseOrigin(options.origin ?? defaults?.origin ?? DEFAULT_ORIGIN, 'origin');
    this.#fixtures = options.fixtures ?? true;
    const users = validateUsers(options.users ?? []);
    const privateRepositories = [...(options.privateRepositories ?? [])];
    const auth = options.auth ?? defaults?.auth ?? 'none';
    switch (auth) {
      case 'none':
        this.#gate = OPEN_GATE;
        break;
      case 'basic':
        this.#gate = createBasicGate(users, options.basicRealm ?? defaults?.basicRealm ?? 'fake-registry', {
          privateRepositories,
          catalogGrantable: this.profile.catalog !== 'unauthorized',
          defaultUserAccess: this.profile.defaultUserAccess,
        });
        break;
      case 'token':
        this.#tokens = createTokenService(options, this.profile, this.origin, users, privateRepositories, this.#store);
        this.#gate = createTokenGate(this.#tokens, { baseScope: this.profile.baseChallengeScope });
        break;
      default:
        fail(`auth must be none, basic or token, got ${JSON.stringify(auth)}`);
    }
    this.authOrigin = this.#tokens?.settings.origin;
    const redirect = this.profile.blobRedirect;
    if (redirect !== undefined) {
      this.cdnOrigin = parseOrigin(redirect.origin, 'profile.blobRedirect.origin');
      if (this.cdnOrigin === this.origin || this.cdnOrigin === this.authOrigin)
        fail('profile.blobRedirect.origin must differ from the registry and token service origins');
      this.#storage = new BlobStorage(this.#store);
    }
    const rateLimit = this.profile.rateLimit;
    if (options.rateLimit !== undefined && options.rateLimit !== false && typeof options.rateLimit !== 'object')
      fail('rateLimit must be an object or false');
    if (rateLimit !== undefined && options.rateLimit !== false) this.#budget = new PullBudget(rateLimit, options.rateLimit);
    else if (rateLimit === undefined && options.rateLimit)
      this.#budget = new PullBudget({ limit: 100, windowSeconds: 21_600 }, options.rateLimit);
    this.reset();
  }

  get calls(): readonly RecordedCall[] {
    return this.#calls;
  }

  get tokenCalls(): readonly TokenCall[] {
    return this.#tokens?.calls ?? [];
  }

  get cdnCalls(): readonly RecordedCall[] {
    return this.#cdnCalls;
  }

  get unmatched(): readonly UnmatchedRequest[] {
    return this.#unmatched;
  }

  get faults(): FaultControl {
    return this.#faults;
  }

  get rateLimit(): FakeRateLimit | undefined {
    return this.#budget;
  }

  serves(origin: string): boolean {
    return (
      origin === this.origin ||
      origin === this.authOrigin ||
      origin === this.cdnOrigin ||
      this.#listeners.has(origin) ||
      this.#authListeners.has(origin) ||
      this.#cdnListeners.has(origin)
    );
  }

  #endpoint(origin: string): Endpoint {
    return this.#listeners.get(origin) ?? { origin, authOrigin: this.authOrigin ?? this.origin, cdnOrigin: this.cdnOrigin };
  }

  #roleOf(url: URL): Role {
    const { origin } = url;
    if (this.#tokens !== undefined) {
      const tokenOrigin =
        origin === this.authOrigin || this.#authListeners.has(origin) || this.#listeners.get(origin)?.authOrigin === origin;
      // A token service sharing the registry's origin (GHCR, Quay) owns only its path there.
      const sharedWithRegistry = origin === this.origin || this.#listeners.has(origin);
      if (tokenOrigin && (!sharedWithRegistry || url.pathname === this.#tokens.settings.path)) return 'token';
    }
    if (this.#storage !== undefined && (origin === this.cdnOrigin || this.#cdnListeners.has(origin))) return 'storage';
    return 'registry';
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const role = this.#roleOf(url);
    const fault = this.#faults.take(method, url);
    if (fault !== undefined) {
      if (fault.delayMs !== undefined && !(await faultDelay(fault.delayMs, request.signal)))
        return this.#drop(role, request, url);
      if (fault.expireTokens) this.revokeTokens();
      if (fault.reset) return this.#drop(role, request, url);
      const spent = this.#budget?.headers(this.#budget.anonymousSource) ?? {};
      const answer = faultAnswer(fault, {
        ...spent,
        ...(this.#budget ? { 'RateLimit-Remaining': `0;w=${this.#budget.windowSeconds}` } : {}),
      });
      if (answer !== undefined)
        return this.#finish(role, request, url, method, { draft: answer, details: { fault: true } }, undefined);
    }
    let answer: Answer;
    switch (role) {
      case 'token':
        // The token service records its own calls.
        return toResponse(
          this.#corrupt(fault, await (this.#tokens as TokenService).handle(request, url), method),
          method === 'HEAD',
        );
      case 'storage': {
        const { draft, explanation } = (this.#storage as BlobStorage).handle(request, url);
        answer = { draft, details: { explanation }, missing: draft.status === 404 };
        break;
      }
      default: {
        // Push bodies are read whole before routing, as Go's handlers read them before answering.
        const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readBody(request) : undefined;
        answer = this.#answerRegistry(request, url, method, body);
      }
    }
    return this.#finish(role, request, url, method, answer, fault);
  }

  #corrupt(fault: FaultSpec | undefined, draft: DraftResponse, method: string): DraftResponse {
    return fault === undefined ? draft : corruptAnswer(fault, draft, method === 'HEAD');
  }

  /** A dropped connection: recorded with status 0, answered as a network error. */
  #drop(role: Role, request: Request, url: URL): Response {
    if (role === 'token') this.#tokens?.recordFaulted(request, url, 0);
    else (role === 'storage' ? this.#cdnCalls : this.#calls).push(recordCall(request, url, 0, { fault: true }));
    return Response.error();
  }

  #finish(role: Role, request: Request, url: URL, method: string, answer: Answer, fault: FaultSpec | undefined): Response {
    let draft = this.#corrupt(fault, answer.draft, method);
    // Every 2.8 answer carries this, router misses included.
    if (role === 'registry')
      draft = { ...draft, headers: { ...draft.headers, 'Docker-Distribution-Api-Version': 'registry/2.0' } };
    const response = toResponse(draft, method === 'HEAD');
    const details: CallDetails = fault === undefined ? answer.details : { ...answer.details, fault: true };
    // Only fault answers reach here for the token service; it records its own answers.
    if (role === 'token') this.#tokens?.recordFaulted(request, url, response.status);
    else (role === 'storage' ? this.#cdnCalls : this.#calls).push(recordCall(request, url, response.status, details));
    if (answer.missing && details.explanation !== undefined)
      this.#unmatched.push({ method, url: recordUrl(url), status: response.status, explanation: details.explanation });
    return response;
  }

  #answerRegistry(request: Request, url: URL, method: string, body: Uint8Array | undefined): Answer {
    const target = route(url, { referrers: this.profile.referrersApi === true });
    const identity = this.#gate.identify(request);
    const tokenScopes = identity.tokenScopes;
    if (target.kind === 'redirect' || target.kind === 'miss') {
      const draft = dispatch(this.#context(request, url, method), target);
      return this.#explained(draft, target, request, url, tokenScopes);
    }
    const requirement = requiredAccess(target, method);
    const mountSource = mountSourceOf(target, method, url);
    let refusal = this.#gate.check(request, requirement, this.#endpoint(url.origin));
    if (mountSource !== undefined) {
      // A mount also needs pull on the source; 2.8 checks both and names both in its challenge.
      refusal ??= this.#gate.check(request, mountSource, this.#endpoint(url.origin));
      if (refusal !== undefined && requirement !== null) refusal = withScopes(refusal, [requirement, mountSource]);
    }
    if (target.kind === 'catalog' && this.profile.catalog === 'unauthorized') {
      return { draft: catalogUnsupported(refusal), details: { tokenScopes, explanation: `${this.profile.name} has no catalog` } };
    }
    if (refusal !== undefined) {
      const hidden = this.#hiddenRepository(refusal, requirement);
      if (hidden !== undefined) return { draft: refusal, details: { tokenScopes, explanation: hidden }, missing: true };
      return { draft: refusal, details: { tokenScopes, explanation: this.#explainRefusal(refusal, identity, requirement) } };
    }
    const draft = this.#metered(target, method, identity, () => dispatch(this.#context(request, url, method, body), target));
    return this.#explained(draft, target, request, url, tokenScopes);
  }

  #explained(
    draft: DraftResponse,
    target: Route,
    request: Request,
    url: URL,
    tokenScopes: readonly string[] | undefined,
  ): Answer {
    if (draft.status !== 404) return { draft, details: { tokenScopes } };
    const explanation = explainNotFound(this.#store, target, url.pathname, request.headers.get('accept'));
    return { draft, details: { tokenScopes, explanation }, missing: true };
  }

  /** For profiles that answer 401 for unknown repositories: the explanation when that is why. */
  #hiddenRepository(refusal: DraftResponse, requirement: AccessRequirement | null): string | undefined {
    if (this.profile.unknownRepository !== 'unauthorized' || refusal.status !== 401 || requirement?.type !== 'repository')
      return undefined;
    if (this.#store.get(requirement.name) !== undefined) return undefined;
    const known = this.#store.names().sort();
    return `no repository '${requirement.name}' (${this.profile.name} answers 401, not 404, for unknown repositories); known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`;
  }

  /** Runs a manifest read against the pull budget, when the profile has one. */
  #metered(target: Route, method: string, identity: Identity, run: () => DraftResponse): DraftResponse {
    const budget = this.#budget;
    if (budget === undefined || target.kind !== 'manifest' || (method !== 'GET' && method !== 'HEAD')) return run();
    const source = budget.sourceOf(identity.username);
    // HEAD never counts and is never refused: Hub documents it as the free way to check for updates.
    if (method === 'GET' && budget.remaining(source) === 0) {
      return faultAnswer({ path: '/', tooManyRequests: 'pull-limit' }, budget.headers(source)) as DraftResponse;
    }
    const draft = run();
    if (method === 'GET' && draft.status === 200) budget.take(source);
    return { ...draft, headers: { ...draft.headers, ...budget.headers(source) } };
  }

  #explainRefusal(refusal: DraftResponse, identity: Identity, requirement: AccessRequirement | null): string | undefined {
    if (identity.tokenScopes === undefined || requirement === null || refusal.status !== 401) return undefined;
    return `the bearer token grants [${identity.tokenScopes.join(' ')}] but the request needs ${formatRequirement(requirement)}`;
  }

  #context(request: Request, url: URL, method: string, body?: Uint8Array): ApiContext {
    const storage = this.#storage;
    return {
      method,
      url,
      headers: request.headers,
      body,
      store: this.#store,
      profile: this.profile,
      endpoint: this.#endpoint(url.origin),
      blobLocation:
        storage === undefined
          ? undefined
          : (endpoint, digest) => storage.location(endpoint.cdnOrigin ?? (this.cdnOrigin as string), digest),
    };
  }

  clearCalls(): void {
    this.#calls.length = 0;
    this.#cdnCalls.length = 0;
    this.#unmatched.length = 0;
    if (this.#tokens) this.#tokens.calls.length = 0;
  }

  revokeTokens(): void {
    this.#tokens?.revoke();
  }

  reset(): void {
    this.#store.clear();
    this.clearCalls();
    this.revokeTokens();
    this.#faults.clear();
    this.#budget?.reset();
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

  putBlob(repository: string, bytes: Uint8Array | string | BuiltBlob): string {
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
    assertKnownOptions('@regkit/testing', 'listen()', options, LISTEN_OPTIONS);
    const cors = resolveCors(options.cors);
    const handler = (request: Request) => this.handle(request);
    const started: LoopbackServer[] = [];
    const start = async (port: number | undefined) => {
      const server = await serveLoopback(handler, { port, cors });
      started.push(server);
      return server;
    };
    let authServer: LoopbackServer | undefined;
    let cdnServer: LoopbackServer | undefined;
    let server: LoopbackServer;
    try {
      // A token service on the registry's own origin (GHCR, Quay) is served by the registry's server.
      if (this.#tokens !== undefined && this.authOrigin !== this.origin) authServer = await start(options.authPort);
      if (this.#storage !== undefined) cdnServer = await start(options.cdnPort);
      server = await start(options.port);
    } catch (error) {
      await Promise.all(started.map((each) => each.close()));
      throw error;
    }
    if (authServer) this.#authListeners.add(authServer.origin);
    if (cdnServer) this.#cdnListeners.add(cdnServer.origin);
    this.#listeners.set(server.origin, {
      origin: server.origin,
      authOrigin: authServer?.origin ?? server.origin,
      cdnOrigin: cdnServer?.origin,
    });
    const registryServer = server;
    return {
      origin: registryServer.origin,
      authOrigin: this.#tokens === undefined ? undefined : (authServer?.origin ?? registryServer.origin),
      cdnOrigin: cdnServer?.origin,
      close: async () => {
        this.#listeners.delete(registryServer.origin);
        if (authServer) this.#authListeners.delete(authServer.origin);
        if (cdnServer) this.#cdnListeners.delete(cdnServer.origin);
        await Promise.all(started.map((each) => each.close()));
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
