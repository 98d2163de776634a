import { ociError } from '../api/oci-errors';
import { errorDraft } from '../api/responses';
import { type AccessRequirement, accessRecords, formatRequirement } from './access';
import { readCredentials } from './credentials';
import type { AccessGate, Endpoint } from './gate';
import type { TokenService } from './token-service';
import { type AccessPolicy, authenticate, type FakeUser, isAllowed } from './users';

function unauthorized(requirement: AccessRequirement | null, challenge: string) {
  return errorDraft([ociError('UNAUTHORIZED', { detail: accessRecords(requirement) })], { 'WWW-Authenticate': challenge });
}

/**
 * `auth: 'basic'`, like 2.8's htpasswd: missing or wrong credentials (a
 * Bearer header included) get 401 with `Basic realm="…"`. Beyond htpasswd,
 * a user's `access` table is enforced with 403 `DENIED`.
 */
export function createBasicGate(users: readonly FakeUser[], realm: string, policy: AccessPolicy): AccessGate {
  const challenge = `Basic realm=${JSON.stringify(realm)}`;
  return {
    check(request, requirement) {
      const credentials = readCredentials(request.headers);
      const user = credentials.scheme === 'basic' ? authenticate(users, credentials.username, credentials.password) : undefined;
      if (user === undefined) return unauthorized(requirement, challenge);
      if (requirement !== null && !isAllowed(user, requirement, policy)) return errorDraft([ociError('DENIED')]);
      return undefined;
    },
    identify(request) {
      const credentials = readCredentials(request.headers);
      const user = credentials.scheme === 'basic' ? authenticate(users, credentials.username, credentials.password) : undefined;
      return { username: user?.username ?? null, tokenScopes: undefined };
    },
  };
}

/**
 * `auth: 'token'`, like 2.8's token access controller in front of a Docker
 * Hub-like token service: no bearer token gets a challenge naming the realm,
 * service and scope; an unknown or expired token gets `error="invalid_token"`
 * and one without the needed actions `error="insufficient_scope"`, both 401.
 */
export function createTokenGate(tokens: TokenService, options: { readonly baseScope?: string | undefined } = {}): AccessGate {
  const { path, service } = tokens.settings;
  const challenge = (endpoint: Endpoint, requirement: AccessRequirement | null, error?: string) =>
    [
      `Bearer realm="${endpoint.authOrigin}${path}"`,
      `service="${service}"`,
      ...(requirement === null
        ? options.baseScope === undefined
          ? []
          : [`scope="${options.baseScope}"`]
        : [`scope="${formatRequirement(requirement)}"`]),
      ...(error === undefined ? [] : [`error="${error}"`]),
    ].join(',');
  return {
    check(request, requirement, endpoint) {
      const credentials = readCredentials(request.headers);
      if (credentials.scheme !== 'bearer') return unauthorized(requirement, challenge(endpoint, requirement));
      const verdict = tokens.verify(credentials.token, requirement);
      return verdict === 'ok' ? undefined : unauthorized(requirement, challenge(endpoint, requirement, verdict));
    },
    identify(request) {
      const credentials = readCredentials(request.headers);
      if (credentials.scheme !== 'bearer') return { username: null, tokenScopes: undefined };
      const issued = tokens.describe(credentials.token);
      return { username: issued?.username ?? null, tokenScopes: issued?.scopes };
    },
  };
}
