import { TransportError } from './transport-errors';

/**
 * No response arrived because the network failed: a refused or reset
 * connection, a DNS answer, a TLS handshake, a URL the platform will not
 * fetch. `code` names the cause as the platform reported it (`ECONNREFUSED`,
 * `ENOTFOUND`, `CERT_HAS_EXPIRED`, `ERR_BAD_PORT`…), and `retryable` says
 * whether sending the same request again may succeed: a reset may heal, a
 * name that does not resolve or a certificate that does not verify will not,
 * so retry policies skip those.
 */
export class NetworkError extends TransportError {
  static override readonly kind: string = 'NetworkError';
  /** The platform's error code, when it gave one. */
  readonly code: string | undefined;
  /** False when repeating the request cannot heal the failure (DNS not found, TLS verification, a blocked port). */
  readonly retryable: boolean;

  constructor(
    message: string,
    init: { readonly code?: string | undefined; readonly retryable: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = init.code;
    this.retryable = init.retryable;
  }
}
