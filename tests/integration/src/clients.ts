/**
 * regkit clients for the harness registries: every auth mode crossed with
 * every transport, so one suite proves the read API through all of them.
 */
import { createBasicAuthenticator } from '@regkit/auth-basic';
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Authenticator, createFetchTransport, Registry, type Transport } from '@regkit/core';
import {
  createNullAuthenticator,
  type TransportRequest,
  type TransportResponse,
  type TransportSendOptions,
} from '@regkit/core/spec';
import { createAxiosTransport } from '@regkit/transport-axios';
import { createUndiciTransport } from '@regkit/transport-undici';
import type { Credentials, HarnessRegistryInfo } from './harness';

/** Transports under test, by name. New transports join here. */
export const TRANSPORTS: Readonly<Record<string, () => Transport>> = {
  fetch: () => createFetchTransport(),
  undici: () => createUndiciTransport(),
  axios: () => createAxiosTransport(),
};

/** The authenticator a mode needs; anonymous (null) in open mode. */
export function authenticatorFor(mode: HarnessRegistryInfo['mode'], credentials?: Credentials): Authenticator {
  if (mode === 'open') return createNullAuthenticator();
  if (mode === 'basic') {
    if (!credentials) throw new Error('basic mode needs credentials');
    return createBasicAuthenticator({ username: credentials.username, password: credentials.password });
  }
  return createTokenAuthenticator(credentials ? { username: credentials.username, password: credentials.password } : {});
}

/** One request as a transport saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly authorization: string | undefined;
  /** The `Range` header, for re-reads. */
  readonly range: string | undefined;
}

/** Wraps a transport and records every request it sends, with the status it got. */
export function recordingTransport(inner: Transport): Transport & { readonly seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    specificationVersion: 'v1',
    name: `recording(${inner.name})`,
    // The capability travels with the transport: without it uploads would take the chunked path, and the
    // tests would not exercise the one-request upload real users get.
    ...(inner.streamsRequestBodies !== undefined && { streamsRequestBodies: inner.streamsRequestBodies }),
    seen,
    async send(request: TransportRequest, options?: TransportSendOptions): Promise<TransportResponse> {
      const response = await inner.send(request, options);
      seen.push({
        method: request.method,
        url: request.url,
        status: response.status,
        authorization: request.headers.authorization,
        range: request.headers.range,
      });
      return response;
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

/** A regkit `Registry` for a harness registry. */
export function registryFor(info: { readonly host: string }, transport: Transport, authenticator: Authenticator): Registry {
  return new Registry({ domain: info.host, transport, authenticator, timeoutMs: 20_000 });
}
