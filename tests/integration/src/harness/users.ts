import type { AccessMap } from '@regkit/testing/token-server';

/** A registry user. `access` applies in token mode; htpasswd (basic mode) has no authorization, so any user can do anything there. */
export interface HarnessUser {
  readonly username: string;
  readonly password: string;
  readonly access: AccessMap;
}

/** Repository globs anonymous callers may pull in token mode. `private/*` is deliberately absent. */
export const PUBLIC_REPOSITORIES: readonly string[] = ['library/*', 'oci/*', 'single/*', 'many/*', 'bulk/*'];

/** Anonymous access in token mode: pull on {@link PUBLIC_REPOSITORIES}. */
export const ANONYMOUS_ACCESS: AccessMap = Object.fromEntries(PUBLIC_REPOSITORIES.map((glob) => [glob, ['pull']]));

/**
 * The users every harness registry knows. Test-only credentials for
 * loopback registries; never reuse them anywhere else.
 */
export const DEFAULT_USERS = {
  /** Everything: every action on every repository, and the catalog. The seeder pushes as admin. */
  admin: { username: 'admin', password: 'admin-pass-7f3a', access: { '*': ['*'], 'registry:catalog': ['*'] } },
  /** Pull on every repository, `private/*` included; no push, no delete, no catalog. */
  reader: { username: 'reader', password: 'reader-pass-91c2', access: { '*': ['pull'] } },
} as const satisfies Record<string, HarnessUser>;
