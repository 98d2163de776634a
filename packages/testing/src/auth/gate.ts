import type { DraftResponse } from '../api/responses';
import type { AccessRequirement } from './access';

/** Where a request arrived, for building absolute URLs such as the token realm. */
export interface Endpoint {
  /** The origin the registry answered on (configured or loopback). */
  readonly origin: string;
  /** The token service origin that belongs with it. */
  readonly authOrigin: string;
}

/**
 * Decides whether a request may proceed. Runs after routing and before the
 * endpoint, as distribution's access controller does, so router misses and
 * redirects are answered without credentials.
 */
export interface AccessGate {
  /** `undefined` to let the request through, or the refusal (401/403). */
  check(request: Request, requirement: AccessRequirement | null, endpoint: Endpoint): DraftResponse | undefined;
}

/** `auth: 'none'`: everything is allowed. */
export const OPEN_GATE: AccessGate = { check: () => undefined };
