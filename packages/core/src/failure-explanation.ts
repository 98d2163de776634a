import type { AuthChallenge } from './authenticator';
import {
  InsufficientScopeError,
  type RegistryResponseError,
  ResourceNotFoundError,
  type ResponseErrorInit,
  UnauthorizedError,
} from './errors';
import { scrubCredentials, sentCredentials } from './pipeline/credential-scrub';
import type { HeaderMap } from './transport';
import { parseWwwAuthenticate } from './www-authenticate';

/**
 * Failures whose bare status misleads: a 401 that no password can fix, Docker
 * Hub's one answer for "no such repository" and "log in first", and a 404 to
 * HEAD, which has no body to say what was missing. `toResponseError` asks
 * here first; undefined leaves the plain mapping by status.
 */

/** Docker Hub's API host: the only place its "does not exist or needs login" ambiguity applies. */
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const HUB_HINT =
  "on Docker Hub this means the repository does not exist or may require 'docker login' (credentials with access to it)";

interface Target {
  readonly kind: 'manifest' | 'blob' | 'tags' | 'referrers' | 'upload';
  readonly repository: string;
  readonly reference: string | undefined;
}

/** What a `/v2/<name>/…` request was about, from its URL. */
function targetOf(url: string): Target | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\/(.+)$/.exec(path);
  if (match === null) return undefined;
  const [, repository = '', area = '', rest = ''] = match;
  if (area === 'tags') return { kind: 'tags', repository, reference: undefined };
  if (area === 'blobs' && rest.startsWith('uploads')) return { kind: 'upload', repository, reference: undefined };
  const kind = area === 'manifests' ? 'manifest' : area === 'blobs' ? 'blob' : 'referrers';
  return { kind, repository, reference: decodeURIComponent(rest) };
}

function describeTarget(target: Target): string {
  const { kind, repository, reference } = target;
  if (reference === undefined) return kind === 'tags' ? `the tags of ${repository}` : `an upload to ${repository}`;
  const separator = reference.includes(':') ? '@' : ':';
  return kind === 'referrers' ? `referrers of ${repository}@${reference}` : `${kind} ${repository}${separator}${reference}`;
}

function isDockerHub(url: string): boolean {
  try {
    return new URL(url).hostname === DOCKER_HUB_API_HOST;
  } catch {
    return false;
  }
}

/** The challenge with its values scrubbed of the credentials sent: a hostile registry may echo them there. */
function scrubbed(challenge: AuthChallenge, sentHeaders: Readonly<HeaderMap> | undefined): AuthChallenge {
  const secrets = sentCredentials(sentHeaders);
  if (secrets.length === 0) return challenge;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(challenge.params)) params[name] = scrubCredentials(value, secrets);
  return { scheme: challenge.scheme, params };
}

/**
 * The explaining error for a 401 or 404, or undefined when the plain mapping
 * says enough. Messages keep the plain one first and add the explanation.
 * `sentHeaders` are the request's: no credential among them reaches the error.
 */
export function explainFailure(
  status: number,
  headers: Readonly<HeaderMap>,
  init: ResponseErrorInit,
  sentHeaders?: Readonly<HeaderMap>,
): RegistryResponseError | undefined {
  if (status !== 401 && status !== 404) return undefined;
  const target = targetOf(init.request.url);
  const hub = target !== undefined && isDockerHub(init.request.url) ? `; ${HUB_HINT}` : '';
  if (status === 401) {
    const plain = new UnauthorizedError(init).message;
    const header = headers['www-authenticate'];
    const found = header
      ? parseWwwAuthenticate(header).find((candidate) => candidate.params.error?.toLowerCase() === 'insufficient_scope')
      : undefined;
    if (found !== undefined) {
      const challenge = scrubbed(found, sentHeaders);
      const scope = challenge.params.scope;
      const asked = scope === undefined ? 'this operation' : `scope ${JSON.stringify(scope)}`;
      return new InsufficientScopeError(
        init,
        challenge,
        `${plain}: insufficient scope, the credentials in use (or anonymous access) are not allowed ${asked}; ` +
          `other credentials are needed, not the same ones again${hub}`,
      );
    }
    return hub === '' ? undefined : new UnauthorizedError(init, `${plain}${hub}`);
  }
  const unexplained = (init.errors?.length ?? 0) === 0 && (init.bodyText ?? '').trim() === '';
  // Hub says MANIFEST_UNKNOWN for a missing tag of a repository it has: only an unknown name gets the hint.
  const hubHint = unexplained || init.errors?.some((entry) => entry.code === 'NAME_UNKNOWN') ? hub : '';
  const what = unexplained && target !== undefined ? ` (${describeTarget(target)} not found)` : '';
  if (what === '' && hubHint === '') return undefined;
  return new ResourceNotFoundError(init, `${new ResourceNotFoundError(init).message}${what}${hubHint}`);
}
