/**
 * The single answer to "may this credential go to this URL?", asked by core
 * for every request it sends, whatever authenticator built it. An
 * authenticator that adds `authorization` to everything, or posts a password
 * form to whatever realm a registry names, still cannot put a secret on the
 * wire in clear: the request is refused before the transport sees it.
 */
import type { RegistryTarget } from '../authenticator';
import { checkTokenRealm, isLoopbackHost } from '../credential-policy';
import { InsecureCredentialsError } from '../errors';
import { redactUrl } from '../redact';
import type { HeaderMap } from '../transport';

/** Request headers whose values are credentials. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'cookie', 'proxy-authorization'];

/** True when `headers` carry a credential (names are lower-case by then). */
export function carriesCredentialHeaders(headers: Readonly<HeaderMap>): boolean {
  return headers.authorization !== undefined || headers.cookie !== undefined || headers['proxy-authorization'] !== undefined;
}

/** `headers` without any credential, for a hop that leaves the credentials' origin. */
export function withoutCredentials(headers: Readonly<HeaderMap>): HeaderMap {
  const out = { ...headers };
  for (const name of CREDENTIAL_HEADERS) delete out[name];
  return out;
}

/**
 * Refuses a request that carries credentials (in `headers`, or a body marked
 * `secret`) over plain `http:` to a host that is not loopback, unless the
 * user chose `protocol: 'http'` for that very origin. `url` must be
 * normalised (`URL.toString()`), which every URL core sends is: the scheme
 * test is then a string prefix, and https requests pay nothing more.
 *
 * @throws InsecureCredentialsError naming the origin, never a credential
 */
export function assertCredentialsMayTravel(
  url: string,
  headers: Readonly<HeaderMap>,
  secretBody: boolean,
  target: RegistryTarget,
): void {
  if (!url.startsWith('http:')) return;
  if (!secretBody && !carriesCredentialHeaders(headers)) return;
  // The registry's own origin over http was chosen (or is loopback): no parsing on that path.
  if (target.protocol === 'http' && url.startsWith(target.origin) && url.charCodeAt(target.origin.length) === 47) return;
  const parsed = new URL(url);
  if (isLoopbackHost(parsed.host)) return;
  if (target.protocol === 'http' && parsed.origin === target.origin) return;
  throw new InsecureCredentialsError(
    `refusing to send credentials over plain http to ${parsed.origin} (${redactUrl(url)}); ` +
      'credentials travel in clear only to loopback hosts and to a registry created with protocol "http"',
  );
}

/**
 * The checks core makes on a token-service request that carries credentials
 * (an authenticator's headers or a secret body): the realm rules of
 * {@link checkTokenRealm} (absolute http(s) URL, no user info), then the plain
 * HTTP rule of {@link assertCredentialsMayTravel}. Returns the URL normalised.
 */
export function checkAuthRequest(url: string, headers: Readonly<HeaderMap>, secretBody: boolean, target: RegistryTarget): string {
  if (!secretBody && !carriesCredentialHeaders(headers)) return url;
  const normalised = checkTokenRealm(url, target).toString();
  assertCredentialsMayTravel(normalised, headers, secretBody, target);
  return normalised;
}
