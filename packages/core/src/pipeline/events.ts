/**
 * What the pipeline tells an `onEvent` listener. Every URL is redacted (no
 * user info, signed query values replaced) and no header value, token or
 * password is ever part of an event.
 */

/** A request went to the transport: a registry request, a redirect hop or a token request. */
export interface RequestEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'request';
  /** The HTTP method. */
  readonly method: string;
  /** The redacted URL. */
  readonly url: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** `registry` for the registry and its redirect hops, `auth` for an authenticator's request. */
  readonly purpose: 'registry' | 'auth';
}

/** A response arrived (headers only; the body may still be streaming). */
export interface ResponseEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'response';
  /** The HTTP method of the request it answers. */
  readonly method: string;
  /** The redacted URL that answered. */
  readonly url: string;
  /** The HTTP status. */
  readonly status: number;
  /** Milliseconds from sending to the response headers. */
  readonly durationMs: number;
  /** The attempt it belongs to. */
  readonly attempt: number;
  /** As in {@link RequestEvent.purpose}. */
  readonly purpose: 'registry' | 'auth';
}

/** A failed attempt will be repeated. */
export interface RetryEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'retry';
  /** The HTTP method. */
  readonly method: string;
  /** The redacted URL. */
  readonly url: string;
  /** The attempt that failed. */
  readonly attempt: number;
  /** Milliseconds before the next attempt. */
  readonly delayMs: number;
  /** Why: the error's name and status or code, e.g. `ServerError 503`, `NetworkError ECONNRESET`. */
  readonly reason: string;
}

/** The pipeline pauses before sending. */
export interface WaitEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'wait';
  /** `rate-limit`: the registry asked every caller to wait (`Retry-After`); `backoff`: the pause before a retry. */
  readonly reason: 'rate-limit' | 'backoff';
  /** Milliseconds of the pause. */
  readonly delayMs: number;
  /** The registry origin. */
  readonly origin: string;
}

/** A redirect was followed. */
export interface RedirectEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'redirect';
  /** The redirect status (301, 302, 303, 307, 308). */
  readonly status: number;
  /** The redacted URL that redirected. */
  readonly from: string;
  /** The redacted URL followed. */
  readonly to: string;
  /** True when credentials were dropped because the hop left their origin. */
  readonly credentialsDropped: boolean;
}

/** The authenticator acted: answered a challenge (core resends), or sent a request of its own. */
export interface AuthEvent {
  /** Discriminates {@link RegistryEvent}. */
  readonly type: 'auth';
  /** `challenge-answered`: the request is sent again with new credentials; `auth-request`: a token (or credential) request went out. */
  readonly action: 'challenge-answered' | 'auth-request';
  /** The authenticator's name. */
  readonly authenticator: string;
  /** The redacted URL concerned: the registry request, or the token service's. */
  readonly url: string;
  /** For `challenge-answered`: the challenge schemes the registry sent, e.g. `['bearer']`. */
  readonly schemes?: readonly string[];
  /** For `auth-request`: the token service's status. */
  readonly status?: number;
}

/** Everything `RegistryOptions.onEvent` receives. */
export type RegistryEvent = RequestEvent | ResponseEvent | RetryEvent | WaitEvent | RedirectEvent | AuthEvent;

/** A listener for {@link RegistryEvent}s. */
export type RegistryEventListener = (event: RegistryEvent) => void;

/**
 * Calls the listener, ignoring anything it throws or rejects with: watching
 * a request must never break it.
 */
export function emitSafely(listener: RegistryEventListener, event: RegistryEvent): void {
  try {
    const result: unknown = listener(event);
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      (result as Promise<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // A listener's failure is its own.
  }
}
