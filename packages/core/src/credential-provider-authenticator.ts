import type { AuthContext, AuthDecision, Authenticator, AuthRequest, AuthResponseContext } from './authenticator';
import type { CredentialProvider, Credentials } from './credentials';
import { AuthenticationError, InvalidOptionError } from './errors';
import { parseScope } from './scope';
import { untilAborted } from './until-aborted';

/** How {@link authenticatorFromProvider} names itself and its errors. */
export interface ProviderAuthenticatorOptions {
  /** The package, prefixing error messages: `@regkit/auth-token`. */
  readonly packageName: string;
  /** The authenticator's `name`: `token`. */
  readonly name: string;
  /** What `toString()` shows: `TokenAuthenticator`. */
  readonly label: string;
}

/** Bound on remembered answers and authenticators; the oldest go first. */
const MAX_REMEMBERED = 1000;

interface Lookup {
  readonly signal: AbortSignal | undefined;
  readonly promise: Promise<Authenticator>;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as K);
}

/** The repository a request is for: the name in its first `repository:` scope. */
function repositoryOf(scopes: readonly string[]): string | undefined {
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (parsed?.type === 'repository') return parsed.name;
  }
  return undefined;
}

/**
 * Builds an authenticator whose credentials come from a
 * {@link CredentialProvider}: for each request it asks the provider with the
 * registry's `host` and the request's repository, and hands the request to
 * the authenticator `build` makes for that answer (`undefined` for
 * anonymous). So a provider's credentials follow exactly the rules fixed
 * ones do, in the same authenticator code, and core's pipeline still
 * decides where any of them may travel.
 *
 * Answers are remembered per host and repository, and authenticators per
 * answer (so tokens are reused), until a `401` the authenticator does not
 * resend, or an error from it, says the credentials were refused; the next
 * request asks the provider again. The provider's answer is checked; an
 * answer that is not credentials, or one `build` refuses, is an
 * `AuthenticationError` that names no value.
 *
 * For authenticator packages: `createTokenAuthenticator({ credentials })`
 * is this around `createTokenAuthenticator({ username, password })`.
 */
export function authenticatorFromProvider(
  provider: CredentialProvider,
  build: (credentials: Credentials | undefined) => Authenticator,
  options: ProviderAuthenticatorOptions,
): Authenticator {
  const { packageName, name, label } = options;
  const lookups = new Map<string, Lookup>();
  // Keyed by the credentials themselves: in memory only, never shown.
  const built = new Map<string, Authenticator>();
  const requests = new WeakMap<AuthRequest, { readonly key: string; readonly inner: Authenticator }>();

  const keyOf = (context: AuthContext) => `${context.registry.host} ${repositoryOf(context.scopes) ?? ''}`;

  const checked = (answer: unknown, host: string): Credentials | undefined => {
    if (answer === undefined || answer === null) return undefined;
    if (typeof answer === 'object') {
      const { username, password, identityToken } = answer as Record<string, unknown>;
      if (typeof identityToken === 'string' && identityToken !== '' && username === undefined) return { identityToken };
      if (typeof username === 'string' && typeof password === 'string' && identityToken === undefined) {
        return { username, password };
      }
    }
    throw new AuthenticationError(
      `${packageName}: the credential provider answered for ${host} with something that is neither { username, password }, { identityToken } nor undefined`,
    );
  };

  const authenticatorFor = (credentials: Credentials | undefined, host: string): Authenticator => {
    const id = JSON.stringify(
      credentials === undefined
        ? []
        : 'identityToken' in credentials
          ? [credentials.identityToken]
          : [credentials.username, credentials.password],
    );
    let inner = built.get(id);
    if (inner === undefined) {
      try {
        inner = build(credentials);
      } catch (error) {
        if (!InvalidOptionError.isInstance(error)) throw error;
        throw new AuthenticationError(
          `${packageName}: the credential provider's answer for ${host} cannot be used: its ${error.option} is not valid`,
        );
      }
    }
    remember(built, id, inner);
    return inner;
  };

  const start = (context: AuthContext, key: string): Lookup => {
    const host = context.registry.host;
    const repository = repositoryOf(context.scopes);
    const signal = context.signal;
    const promise = (async () => {
      const lookupOptions: { repository?: string; signal?: AbortSignal } = {};
      if (repository !== undefined) lookupOptions.repository = repository;
      if (signal !== undefined) lookupOptions.signal = signal;
      const answer = await provider.getCredentials(host, lookupOptions);
      return authenticatorFor(checked(answer, host), host);
    })();
    const lookup: Lookup = { signal, promise };
    remember(lookups, key, lookup);
    promise.catch(() => {
      if (lookups.get(key) === lookup) lookups.delete(key);
    });
    return lookup;
  };

  const innerFor = async (context: AuthContext, key: string): Promise<Authenticator> => {
    for (;;) {
      const lookup = lookups.get(key) ?? start(context, key);
      try {
        return await untilAborted(lookup.promise, context.signal);
      } catch (error) {
        // A lookup started on another caller's signal that aborted: ask again on ours.
        if (lookup.signal !== context.signal && lookup.signal?.aborted && !context.signal?.aborted) continue;
        throw error;
      }
    }
  };

  const forget = (key: string) => lookups.delete(key);

  const handleRequest = async (context: AuthContext) => {
    const key = keyOf(context);
    const inner = await innerFor(context, key);
    requests.set(context.request, { key, inner });
    return inner.handleRequest(context);
  };

  const handleResponse = async (context: AuthResponseContext): Promise<AuthDecision> => {
    const known = requests.get(context.request);
    const key = known?.key ?? keyOf(context);
    const inner = known?.inner ?? (await innerFor(context, key));
    let decision: AuthDecision;
    try {
      decision = await inner.handleResponse(context);
    } catch (error) {
      forget(key);
      throw error;
    }
    if (context.response.status === 401 && !decision.resend) forget(key);
    return decision;
  };

  return Object.freeze({
    specificationVersion: 'v1' as const,
    name,
    handleRequest,
    handleResponse,
    toString: () => label,
    toJSON: () => ({ specificationVersion: 'v1', name }),
    [Symbol.for('nodejs.util.inspect.custom')]: () => `${label} { name: '${name}' }`,
  });
}
