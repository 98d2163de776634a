import { DOCKER_HUB_DOMAIN, isDockerHubHost } from '@regkit/core/spec';
import type { DockerAuthEntry } from './config-file';

/** The key Docker stores Docker Hub credentials under, in files and helpers alike. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** A host compared case-insensitively, with every Docker Hub alias folded into `docker.io`. */
export function canonicalHost(host: string): string {
  // Docker Hub answers to several names; Docker's own key for it is DOCKER_HUB_KEY.
  return isDockerHubHost(host) ? DOCKER_HUB_DOMAIN : host.toLowerCase();
}

/** True for Docker Hub under any of its names. */
export function isDockerHub(host: string): boolean {
  return isDockerHubHost(host);
}

/**
 * The key Docker writes for a registry and the server URL it gives credential
 * helpers: `https://index.docker.io/v1/` for Docker Hub, `host[:port]` for
 * the others.
 */
export function dockerKeyFor(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_KEY : host;
}

/** A parsed `auths` (or `credHelpers`) key. */
export interface AuthKey {
  /** {@link canonicalHost} of the key's registry. */
  readonly host: string;
  /** podman's `registry/namespace` part, without slashes at either end; `undefined` for a whole registry. */
  readonly namespace: string | undefined;
}

/**
 * Reads a key the way both tools do: a key with a scheme is Docker's legacy
 * URL form (`https://host/v1/`), so only its host counts; a key without one
 * may carry podman's namespace (`quay.io/org/repo`).
 */
export function parseAuthKey(key: string): AuthKey {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(key);
  if (scheme) {
    const rest = key.slice(scheme[0].length);
    return { host: canonicalHost(rest.split('/')[0] ?? ''), namespace: undefined };
  }
  const slash = key.indexOf('/');
  if (slash === -1) return { host: canonicalHost(key), namespace: undefined };
  const namespace = key.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { host: canonicalHost(key.slice(0, slash)), namespace: namespace === '' ? undefined : namespace };
}

function coversRepository(namespace: string, repository: string | undefined): boolean {
  if (repository === undefined) return false;
  return repository === namespace || repository.startsWith(`${namespace}/`);
}

/**
 * The `auths` entry for a registry and repository: podman's namespaced keys
 * most specific first, then the whole-registry key. A namespaced key never
 * matches a request without a repository, so credentials meant for one
 * namespace are not sent for others. Among whole-registry keys for the same
 * host, the one spelt as Docker writes it wins, then the first in the file.
 */
export function findAuthEntry(
  auths: Readonly<Record<string, DockerAuthEntry>> | undefined | null,
  host: string,
  repository: string | undefined,
): { key: string; entry: DockerAuthEntry } | undefined {
  if (!auths) return undefined;
  const wanted = canonicalHost(host);
  const preferred = dockerKeyFor(host).toLowerCase();
  let best: { key: string; entry: DockerAuthEntry; rank: number } | undefined;
  for (const [key, entry] of Object.entries(auths)) {
    const parsed = parseAuthKey(key);
    if (parsed.host !== wanted) continue;
    let rank: number;
    if (parsed.namespace === undefined) rank = key.toLowerCase() === preferred ? 0.5 : 0;
    else if (coversRepository(parsed.namespace, repository)) rank = parsed.namespace.split('/').length + 1;
    else continue;
    if (best === undefined || rank > best.rank) best = { key, entry, rank };
  }
  return best && { key: best.key, entry: best.entry };
}

/** The whole-registry keys (no namespace) of `auths` that name `host`: what `logout` removes. */
export function registryKeys(auths: Readonly<Record<string, unknown>> | undefined | null, host: string): string[] {
  if (!auths) return [];
  const wanted = canonicalHost(host);
  return Object.keys(auths).filter((key) => {
    const parsed = parseAuthKey(key);
    return parsed.host === wanted && parsed.namespace === undefined;
  });
}

/** The helper `credHelpers` names for a host (keys compared as {@link parseAuthKey} reads them). */
export function findCredHelper(
  credHelpers: Readonly<Record<string, string>> | undefined | null,
  host: string,
): string | undefined {
  if (!credHelpers) return undefined;
  const wanted = canonicalHost(host);
  const preferred = dockerKeyFor(host).toLowerCase();
  let found: string | undefined;
  for (const [key, helper] of Object.entries(credHelpers)) {
    const parsed = parseAuthKey(key);
    if (parsed.host !== wanted || parsed.namespace !== undefined) continue;
    if (key.toLowerCase() === preferred) return helper;
    found ??= helper;
  }
  return found;
}
