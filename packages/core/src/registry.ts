import { type Authenticator, createNullAuthenticator, type RegistryTarget } from './authenticator';
import { releaseBody } from './body';
import { isLoopbackHost } from './credential-policy';
import { InvalidOptionError, InvalidReferenceError, RegistryMismatchError } from './errors';
import { createFetchTransport } from './fetch-transport';
import type { Image } from './images';
import { assertKnownOptions } from './known-options';
import { GET_MANIFEST_OPTIONS, type GetManifestOptions } from './manifests';
import { type ListOptions, pageSizeParam, paginate, REPOSITORY_ENTRIES, stringList } from './pagination';
import type { RegistryEventListener } from './pipeline/events';
import { DEFAULT_MAX_REDIRECTS } from './pipeline/redirects';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './pipeline/retry-policy';
import type { RateLimitState } from './rate-limit';
import { assertReferenceString, type ImageName, isValidRepositoryName, parseImageName, REFERENCE_REGEXPS } from './reference';
import { positiveInteger, retryPolicy, timerMs, userAgent } from './registry-options';
import { Repository } from './repository';
import type { RepositoryContext } from './repository-context';
import { DEFAULT_MAX_CONCURRENT_REQUESTS, Requester } from './requester';
import { CATALOG_SCOPE } from './scope';
import type { Transport } from './transport';

/** How to reach a registry. Only `domain` is required. */
export interface RegistryOptions {
  /**
   * The registry's reference domain, as image names spell it: `docker.io`,
   * `ghcr.io`, `127.0.0.1:5000`. `docker.io` and `index.docker.io` are Docker
   * Hub, whose API host is `registry-1.docker.io`.
   */
  readonly domain: string;
  /** Moves the bytes. Default: `createFetchTransport()` over the global `fetch`. */
  readonly transport?: Transport;
  /** Adds credentials. Default: `createNullAuthenticator()` (anonymous). */
  readonly authenticator?: Authenticator;
  /**
   * `https` (default) or `http`. Loopback hosts default to `http`. Credentials
   * travel over plain HTTP only to loopback hosts or when you choose `http`.
   */
  readonly protocol?: 'https' | 'http';
  /**
   * A pull-through mirror host (`host[:port]`) that receives every request
   * instead of the registry's own API host. This is the seed library's
   * `Proxy` option, kept under its name; it is not an HTTP proxy.
   */
  readonly proxy?: string;
  /**
   * Per-request timeout in milliseconds (until headers for streamed blobs;
   * for a streamed upload, from the end of the body to the headers), 1 to
   * 2³¹−1. Default 30 000.
   */
  readonly timeoutMs?: number;
  /** `User-Agent` header: non-empty, no control characters (CR, LF…), at most 1024 characters. Default `regkit`. */
  readonly userAgent?: string;
  /** Cap on manifest bodies in bytes. Default 4 MiB (the size registries must accept). */
  readonly maxManifestBytes?: number;
  /** Default page size (`n`) for tag and catalog listings. Default 1000. */
  readonly pageSize?: number;
  /** Default page cap for listings. Default 10 000. */
  readonly maxPages?: number;
  /** Changes to the retry policy ({@link DEFAULT_RETRY_POLICY}); `{ limit: 0 }` disables retries. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Requests in flight at once, shared by every operation of this registry
   * (an integer from 1 to 1024; default 16). More wait their turn, first come
   * first served, so `Promise.all` over thousands of calls cannot open
   * thousands of connections. A streamed body (`blobs().get()`) holds its
   * slot until it is read to the end, errors or is cancelled: read or cancel
   * every body you are given. `copyImage` within one registry needs at
   * least 2 (a download held open while its upload runs).
   */
  readonly maxConcurrentRequests?: number;
  /** Redirect hops followed per request, an integer from 0 to 100. Default 10. */
  readonly maxRedirects?: number;
  /**
   * Called with a typed, redacted event for each step of each request:
   * `request`, `response`, `retry`, `wait`, `redirect`, `auth`. URLs are
   * redacted and no header value, token or password is ever part of an event.
   * Called synchronously; whatever it throws (or a promise it returns
   * rejects with) is ignored, so a broken listener cannot break a request.
   * Nothing is computed for events when it is not set.
   */
  readonly onEvent?: RegistryEventListener;
}

const KNOWN_OPTIONS: ReadonlySet<keyof RegistryOptions> = new Set([
  'domain',
  'transport',
  'authenticator',
  'protocol',
  'proxy',
  'timeoutMs',
  'userAgent',
  'maxManifestBytes',
  'pageSize',
  'maxPages',
  'retry',
  'maxConcurrentRequests',
  'maxRedirects',
  'onEvent',
] as const);

const DOCKER_HUB_DOMAIN = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_MAX_PAGES = 10_000;
const MAX_CONCURRENT_REQUESTS_CAP = 1024;
const MAX_REDIRECTS_CAP = 100;

/** `host[:port]` as the reference grammar allows it, with a port URLs accept. */
function isValidDomain(domain: string): boolean {
  if (!REFERENCE_REGEXPS.anchoredDomain.test(domain)) return false;
  try {
    new URL(`https://${domain}`);
    return true;
  } catch {
    return false;
  }
}

function hostOf(domain: string): string {
  // `[::1]:5000` → `::1`; `localhost:5000` → `localhost`
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  return domain.split(':')[0] ?? domain;
}

function integerInRange(name: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `@regkit/core: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function checkPlugin(name: 'transport' | 'authenticator', value: Transport | Authenticator | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || value.specificationVersion !== 'v1') {
    throw new InvalidOptionError(name, `@regkit/core: ${name} must implement specificationVersion 'v1'`);
  }
}

/**
 * A container registry. The entry point of regkit.
 *
 * @example
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createTokenAuthenticator } from '@regkit/auth-token';
 *
 * const registry = new Registry({ domain: 'docker.io', authenticator: createTokenAuthenticator() });
 * const image = await registry.image('golang:1.12.0');
 * console.log(image.digest, image.platforms.map((p) => `${p.os}/${p.architecture}`));
 * ```
 */
export class Registry {
  /** Canonical reference domain (`docker.io` for Docker Hub). */
  readonly domain: string;
  /** Where requests go: scheme, API host (or mirror) and whether plain HTTP may carry credentials. */
  readonly target: RegistryTarget;
  readonly #requester: Requester;
  readonly #transport: Transport;
  readonly #ownsTransport: boolean;
  readonly #limits: Pick<RepositoryContext, 'maxManifestBytes' | 'maxConfigBytes' | 'tagPageSize' | 'maxPages'>;

  constructor(options: RegistryOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', '@regkit/core: new Registry() needs an options object with a domain');
    }
    assertKnownOptions('@regkit/core', 'new Registry()', options, KNOWN_OPTIONS as ReadonlySet<string>, {
      httpProxy: 'an HTTP proxy is a transport option, e.g. createUndiciTransport({ httpProxy })',
    });
    const { domain, protocol, proxy } = options;
    if (typeof domain !== 'string' || !isValidDomain(domain)) {
      throw new InvalidOptionError(
        'domain',
        `@regkit/core: domain must be a registry host[:port], got ${JSON.stringify(domain)}`,
      );
    }
    if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
      throw new InvalidOptionError(
        'protocol',
        `@regkit/core: protocol must be 'https' or 'http', got ${JSON.stringify(protocol)}`,
      );
    }
    if (proxy !== undefined && (typeof proxy !== 'string' || !isValidDomain(proxy))) {
      throw new InvalidOptionError(
        'proxy',
        `@regkit/core: proxy is a mirror host[:port] (no scheme; set protocol instead), got ${JSON.stringify(proxy)}`,
      );
    }
    checkPlugin('transport', options.transport);
    checkPlugin('authenticator', options.authenticator);
    if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
      throw new InvalidOptionError('onEvent', '@regkit/core: onEvent must be a function');
    }

    const isHub = DOCKER_HUB_ALIASES.has(domain.toLowerCase());
    this.domain = isHub ? DOCKER_HUB_DOMAIN : domain;
    const apiHost = proxy ?? (isHub ? DOCKER_HUB_API_HOST : domain);
    const loopback = isLoopbackHost(hostOf(apiHost));
    const scheme = protocol ?? (loopback ? 'http' : 'https');
    const origin = new URL(`${scheme}://${apiHost}`).origin;
    this.target = Object.freeze({
      origin,
      host: new URL(origin).host,
      protocol: scheme,
      plaintextAllowed: scheme === 'http' || loopback,
    });
    this.#ownsTransport = options.transport === undefined;
    this.#transport = options.transport ?? createFetchTransport();
    this.#requester = new Requester({
      transport: this.#transport,
      authenticator: options.authenticator ?? createNullAuthenticator(),
      target: this.target,
      timeoutMs: timerMs('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
      userAgent: userAgent(options.userAgent, 'regkit'),
      retry: retryPolicy(options.retry),
      maxConcurrentRequests: integerInRange(
        'maxConcurrentRequests',
        options.maxConcurrentRequests,
        1,
        MAX_CONCURRENT_REQUESTS_CAP,
        DEFAULT_MAX_CONCURRENT_REQUESTS,
      ),
      maxRedirects: integerInRange('maxRedirects', options.maxRedirects, 0, MAX_REDIRECTS_CAP, DEFAULT_MAX_REDIRECTS),
      onEvent: options.onEvent,
    });
    this.#limits = {
      maxManifestBytes: positiveInteger('maxManifestBytes', options.maxManifestBytes, DEFAULT_MAX_MANIFEST_BYTES),
      maxConfigBytes: DEFAULT_MAX_CONFIG_BYTES,
      tagPageSize: positiveInteger('pageSize', options.pageSize, DEFAULT_PAGE_SIZE),
      maxPages: positiveInteger('maxPages', options.maxPages, DEFAULT_MAX_PAGES),
    };
  }

  /**
   * The pull budget the registry last reported (Docker Hub's
   * `RateLimit-Limit` / `RateLimit-Remaining`), or undefined if it never did.
   */
  get rateLimit(): RateLimitState | undefined {
    return this.#requester.rateLimit;
  }

  /** The request pipeline, for calling registry endpoints regkit does not wrap yet. */
  get requester(): Requester {
    return this.#requester;
  }

  /**
   * A repository by its path, without checking that it exists. On Docker Hub
   * a one-component name is an official image: `golang` is `library/golang`.
   *
   * @throws InvalidReferenceError when the name is not a valid repository name
   */
  repository(name: string): Repository {
    assertReferenceString(name, 'a repository name');
    const path = this.domain === DOCKER_HUB_DOMAIN && !name.includes('/') ? `library/${name}` : name;
    if (!isValidRepositoryName(path)) {
      // parseImageName produces the precise upstream error for the name.
      parseImageName(`${this.domain}/${path}`);
    }
    return new Repository(this, { requester: this.#requester, name: path, domain: this.domain, ...this.#limits });
  }

  /**
   * A repository from a repository reference, parsed exactly as `docker pull`
   * does (`golang` → `docker.io/library/golang`). A tag or digest is refused,
   * not dropped: `repositoryFromString('golang:1.12.0')` would otherwise
   * quietly read `latest` later. For an image reference use
   * {@link Registry.image}; to take one apart, `parseImageName`.
   *
   * @throws InvalidReferenceError for a malformed reference, or one with a tag or digest (`REPOSITORY_HAS_TAG_OR_DIGEST`)
   * @throws RegistryMismatchError when the reference names another registry
   */
  repositoryFromString(repository: string): Repository {
    const parsed = this.#parseForThisRegistry(repository);
    if (parsed.tag !== '' || parsed.digest !== '') {
      const part = parsed.digest !== '' ? `digest ${parsed.digest}` : `tag ${JSON.stringify(parsed.tag)}`;
      throw new InvalidReferenceError(
        repository,
        'REPOSITORY_HAS_TAG_OR_DIGEST',
        `repositoryFromString takes a repository, but this names the ${part}; use registry.image(${JSON.stringify(repository)}) to read the image, or parseImageName() to split the reference`,
      );
    }
    return this.repository(parsed.path);
  }

  /**
   * The image a `docker pull` reference names, in one call: `golang`
   * (`latest`), `golang:1.12.0`, `golang@sha256:…`, or
   * `golang:1.12.0@sha256:…`. A digest wins over a tag; with both, the tag
   * must still point at that digest (one GET by tag, its bytes hashed)
   * or the call fails with `TagDigestMismatchError`.
   *
   * @throws InvalidReferenceError for a malformed reference
   * @throws RegistryMismatchError when the reference names another registry
   * @throws TagDigestMismatchError when `tag@digest` disagree
   * @throws ResourceNotFoundError when the repository, tag or digest is unknown
   *
   * @example
   * ```ts
   * const image = await registry.image('golang:1.12.0');
   * console.log(image.kind, image.digest, image.platform('linux/arm64')?.digest);
   * ```
   */
  async image(reference: string, options: GetManifestOptions = {}): Promise<Image> {
    assertKnownOptions('@regkit/core', 'registry.image()', options, GET_MANIFEST_OPTIONS);
    const parsed = this.#parseForThisRegistry(reference);
    const images = this.repository(parsed.path).images();
    if (parsed.digest !== '' && parsed.tag !== '') return images.getPinned(parsed.tag, parsed.digest, options);
    if (parsed.digest !== '') return images.getByDigest(parsed.digest, options);
    return images.getByTag(parsed.tag || 'latest', options);
  }

  #parseForThisRegistry(reference: string): ImageName {
    const parsed = parseImageName(reference);
    const parsedDomain = DOCKER_HUB_ALIASES.has(parsed.domain.toLowerCase()) ? DOCKER_HUB_DOMAIN : parsed.domain;
    if (parsedDomain !== this.domain) throw new RegistryMismatchError(reference, this.domain, parsedDomain);
    return parsed;
  }

  /**
   * Iterates over the catalog (`/v2/_catalog`), every page. Docker Hub has
   * no catalog; most registries require the `registry:catalog:*` scope.
   * Every entry must be a valid repository name, and the listing stops at
   * `maxEntries` names (default 1 000 000) or `maxBytes` of pages (default
   * 256 MiB) in all, with `ListingTooLargeError`.
   */
  async *catalog(options: ListOptions = {}): AsyncGenerator<string, void, undefined> {
    for await (const page of this.#catalogPages(options)) yield* page;
  }

  /** Every repository name in the catalog, all pages read. */
  async repositories(options: ListOptions = {}): Promise<string[]> {
    const names: string[] = [];
    // Whole pages, not one await per name.
    for await (const page of this.#catalogPages(options)) for (const name of page) names.push(name);
    return names;
  }

  #catalogPages(options: ListOptions): AsyncGenerator<readonly string[], void, undefined> {
    const n = pageSizeParam(options.pageSize, this.#limits.tagPageSize, 'catalog');
    return paginate(
      this.#requester,
      `/v2/_catalog?n=${n}`,
      [CATALOG_SCOPE],
      (json, url) => stringList(json, 'repositories', 'catalog', url, REPOSITORY_ENTRIES),
      'catalog',
      { ...options, defaultMaxPages: this.#limits.maxPages },
    );
  }

  /** Checks that the registry answers the v2 API (`GET /v2/`), authenticating if it asks. */
  async ping(options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    const response = await this.#requester.send({ method: 'GET', url: '/v2/', signal: options.signal });
    releaseBody(response.body);
  }

  /** Closes the default transport's connections (a transport you passed in stays yours to close). */
  async close(): Promise<void> {
    if (this.#ownsTransport) await this.#transport.close?.();
  }
}
