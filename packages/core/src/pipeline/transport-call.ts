import type { RegistryTarget } from '../authenticator';
import { RegkitError, TransportError } from '../errors';
import { redactUrl } from '../redact';
import type { Transport, TransportRequest, TransportResponse } from '../transport';
import { assertCredentialsMayTravel } from './credential-guard';
import { emitSafely, type RegistryEventListener } from './events';

/** What one call to the transport needs besides the request. */
export interface CallContext {
  /** Aborts the call (the caller's signal with the attempt's deadline). */
  readonly signal: AbortSignal;
  /** The attempt, for events. */
  readonly attempt: number;
  /** Whose request it is, for events. */
  readonly purpose: 'registry' | 'auth';
  /** True when the body is a secret (an OAuth2 password form). */
  readonly secretBody: boolean;
}

/**
 * The last stage before the wire: the credential guard, then the transport,
 * with events around it and stray failures turned into typed errors. Every
 * request core sends, each redirect hop and token request included, goes
 * through {@link TransportCall.send}.
 */
export class TransportCall {
  readonly #transport: Transport;
  readonly #target: RegistryTarget;
  readonly #listener: RegistryEventListener | undefined;

  constructor(transport: Transport, target: RegistryTarget, listener: RegistryEventListener | undefined) {
    this.#transport = transport;
    this.#target = target;
    this.#listener = listener;
  }

  /** The listener, when one is set: stages emit their own events through it. */
  get listener(): RegistryEventListener | undefined {
    return this.#listener;
  }

  async send(request: TransportRequest, context: CallContext): Promise<TransportResponse> {
    assertCredentialsMayTravel(request.url, request.headers, context.secretBody && request.body !== undefined, this.#target);
    const listener = this.#listener;
    if (listener === undefined)
      return guard(context.signal, this.#transport, () => this.#transport.send(request, { signal: context.signal }));
    const url = redactUrl(request.url);
    const { attempt, purpose } = context;
    emitSafely(listener, { type: 'request', method: request.method, url, attempt, purpose });
    const started = performance.now();
    const response = await guard(context.signal, this.#transport, () =>
      this.#transport.send(request, { signal: context.signal }),
    );
    const durationMs = Math.round(performance.now() - started);
    emitSafely(listener, {
      type: 'response',
      method: request.method,
      url,
      status: response.status,
      durationMs,
      attempt,
      purpose,
    });
    return response;
  }
}

/** Runs `work`, turning stray failures into typed errors and aborts into the signal's reason. */
export async function guard<T>(signal: AbortSignal, transport: Transport, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (RegkitError.isInstance(error)) throw error;
    throw new TransportError(`${transport.name} transport failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
