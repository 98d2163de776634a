import type { AuthChallenge } from '../authenticator';
import { type ResponseErrorInit, UnauthorizedError } from './response-errors';

/**
 * 401 with `error="insufficient_scope"`: the registry understood the
 * credentials (or the anonymous token) and does not allow them this, which a
 * new password will not change. Asking for the scope again gets the same
 * answer. Docker Hub answers this way for a repository that does not exist
 * too, so the two cannot be told apart from here. An `UnauthorizedError`, so
 * existing checks for 401 still hold.
 */
export class InsufficientScopeError extends UnauthorizedError {
  static override readonly kind: string = 'InsufficientScopeError';
  /** The scope the registry asked for (`repository:team/app:pull,push`), when its challenge named one. */
  readonly scope: string | undefined;
  /** The challenge that said so, as parsed from `WWW-Authenticate`. */
  readonly challenge: AuthChallenge;

  /** @internal Built by core from the registry's answer. */
  constructor(init: ResponseErrorInit, challenge: AuthChallenge, message: string) {
    super(init, message);
    this.scope = challenge.params.scope;
    this.challenge = challenge;
  }
}
