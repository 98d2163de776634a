import type { DraftResponse } from '../api/responses';
import type { AccessRequirement } from './access';

/** Where a request arrived, for building absolute URLs such as the token realm. */
export interface Endpoint {
  /** The origin the registry answered on (configured or loopback). */
  readonly origin: string;
  /** The token service origin that belongs with it. */
  readonly authOrigin: string;
  /** The blob storage origin that belongs with it, when the profile redirects blobs. */
  readonly cdnOrigin?: string | undefined;
}

/** Who sent a request, as far as its credentials say. */
export interface Identity {
  /** The authenticated user, or `null` (anonymous, or credentials that do not check out). */
  readonly username: string | null;
  /** The scopes granted to the bearer token sent, or `undefined` when none was sent or it is unknown. */
  readonly tokenScopes: readonly string[] | undefined;
}

/**
 * Decides whether a request may proceed. Runs after routing and before the
 * endpoint, as distribution's access controller does, so router misses and
 * redirects are answered without credentials.
 */
export interface AccessGate {
  /** `undefined` to let the request through, or the refusal (401/403). */
  check(request: Request, requirement: AccessRequirement | null, endpoint: Endpoint): DraftResponse | undefined;
  /** Who the request's credentials name, for call records and per-user budgets. */
  identify(request: Request): Identity;
}

/** `auth: 'none'`: everything is allowed. */
export const OPEN_GATE: AccessGate = {
  check: () => undefined,
  identify: () => ({ username: null, tokenScopes: undefined }),
};
