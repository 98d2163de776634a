import type { Credentials } from '@regkit/core/spec';
import type { DockerAuthEntry } from './config-file';
import { DockerConfigError } from './errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/**
 * The credentials of one `auths` entry, in Docker's order: an identity token
 * first, then `auth` (base64 `user:password`, split at the first colon), then
 * separate `username`/`password` fields. `undefined` for an entry without
 * any (Docker leaves `{}` behind when a credential helper holds the secret).
 */
export function decodeEntry(entry: DockerAuthEntry, key: string, path: string): Credentials | undefined {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return { identityToken: entry.identitytoken };
  }
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const bad = () =>
      new DockerConfigError(
        `@regkit/docker-config: ${path}: auths[${JSON.stringify(key)}].auth is not base64 of "username:password"`,
        {
          path,
        },
      );
    const encoded = entry.auth.trim();
    if (!BASE64.test(encoded)) throw bad();
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw bad();
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && entry.username !== '' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/** The `auth` value Docker writes for a username and password. */
export function encodeAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
