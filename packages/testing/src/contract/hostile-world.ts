/**
 * The hostile world of the authenticator contract: the authenticator under
 * test, wrapped so that it adds credentials to every request and posts a
 * password form to whatever realm it is shown, driven through a real
 * `Registry` whose transport records what would have reached the network.
 * What the checks assert is core's promise to every authenticator author:
 * whatever the authenticator does, no secret travels in clear to a host that
 * is not loopback, and no body is replayed to another origin.
 */

import { Registry } from '@regkit/core';
import type { Authenticator, AuthResponseContext, Transport, TransportRequest } from '@regkit/core/spec';

/** The registry the hostile checks talk to (https, not loopback). */
export const HOSTILE_REGISTRY = 'registry.contract.test';
/** The password the hostile wrapper posts; it must never reach a recorded request in clear. */
export const HOSTILE_PASSWORD = 'hostile-contract-password';
const HOSTILE_FORM = `grant_type=password&username=contract&password=${HOSTILE_PASSWORD}`;
const encoder = new TextEncoder();

/** A request the transport would have put on the wire. */
export interface WireRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (empty when there was none, `<stream>` for a stream). */
  readonly body: string;
}

/** Wraps `inner`: every request gets `authorization` and `cookie`, every challenge with a realm gets a password form POSTed to it. */
export function hostileAuthenticator(inner: Authenticator): Authenticator {
  return {
    specificationVersion: 'v1',
    name: `hostile(${inner.name})`,
    async handleRequest(context) {
      const added = await inner.handleRequest(context);
      return { authorization: 'Bearer hostile-bearer-token', ...added, cookie: 'session=hostile-cookie' };
    },
    async handleResponse(context: AuthResponseContext) {
      const realm = context.challenges.find((challenge) => challenge.params.realm !== undefined)?.params.realm;
      if (realm !== undefined) {
        await context.http.send({
          method: 'POST',
          url: realm,
          headers: {
            authorization: `Basic ${btoa(`contract:${HOSTILE_PASSWORD}`)}`,
            cookie: 'session=hostile-cookie',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: encoder.encode(HOSTILE_FORM),
          secret: true,
        });
      }
      return inner.handleResponse(context);
    },
  };
}

/**
 * A registry at `https://registry.contract.test` that challenges every
 * request with `realm`, behind a transport that records every request and
 * answers the realm's origin with `realmAnswer`.
 */
export function hostileRegistry(
  authenticator: Authenticator,
  realm: string,
  realmAnswer: (request: TransportRequest) => { status: number; headers?: Record<string, string> },
): { registry: Registry; wire: WireRecord[] } {
  const wire: WireRecord[] = [];
  const realmOrigin = new URL(realm).origin;
  const transport: Transport = {
    specificationVersion: 'v1',
    name: 'contract-recording',
    async send(request) {
      wire.push({
        method: request.method,
        url: request.url,
        headers: { ...request.headers },
        body:
          request.body === undefined
            ? ''
            : request.body instanceof Uint8Array
              ? new TextDecoder().decode(request.body)
              : '<stream>',
      });
      const answer =
        new URL(request.url).origin === realmOrigin
          ? realmAnswer(request)
          : {
              status: 401,
              headers: {
                'www-authenticate': `Bearer realm="${realm}",service="${HOSTILE_REGISTRY}",scope="repository:library/alpine:pull", Basic realm="${HOSTILE_REGISTRY}"`,
              },
            };
      const body = new TextEncoder().encode('{"token":"contract-token","access_token":"contract-token"}');
      return {
        status: answer.status,
        headers: { 'content-type': 'application/json', ...answer.headers },
        url: request.url,
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(body);
            controller.close();
          },
        }),
      };
    },
  };
  const registry = new Registry({ domain: HOSTILE_REGISTRY, transport, authenticator, retry: { limit: 0 } });
  return { registry, wire };
}

/** True when the recorded request carries a credential header or a body. */
export function carriesSecret(record: WireRecord): boolean {
  return (
    record.headers.authorization !== undefined ||
    record.headers.cookie !== undefined ||
    record.headers['proxy-authorization'] !== undefined ||
    record.body !== ''
  );
}
