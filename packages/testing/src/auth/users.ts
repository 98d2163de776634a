import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResourceScope } from '../resource-scope';
import type { AccessRequirement } from './access';

/** An action on a repository. `*` stands for all of them. */
export type FakeAction = 'pull' | 'push' | 'delete' | '*';

/** A user the fake registry (basic mode) or its token service (token mode) knows. */
export interface FakeUser {
  /** Login name. */
  readonly username: string;
  /** Password, checked for Basic credentials and the OAuth2 password grant. */
  readonly password: string;
  /**
   * Actions by repository: an exact name, `*` for every repository, or a
   * prefix such as `team/*`. Default: every action on every repository
   * (`docker-hub`: pull on every repository, every action under `<username>/`).
   */
  readonly access?: Readonly<Record<string, readonly FakeAction[]>>;
  /**
   * May list the catalog (`registry:catalog:*`). Default: true when `access`
   * is absent or has a `*` entry.
   */
  readonly catalog?: boolean;
}

/** True when `pattern` (exact, `*`, or `prefix/*`) covers repository `name`. */
export function matchesRepository(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith('/*') && name.startsWith(pattern.slice(0, -1));
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The user whose name and password match, compared in constant time. */
export function authenticate(users: readonly FakeUser[], username: string, password: string): FakeUser | undefined {
  const user = users.find((candidate) => candidate.username === username);
  if (user === undefined) return undefined;
  return timingSafeEqual(digestOf(user.password), digestOf(password)) ? user : undefined;
}

/** Who is asking: a user, or nobody. */
export type Principal = FakeUser | null;

/** What the registry allows a principal to do with a resource. */
export interface AccessPolicy {
  /** Repositories anonymous callers may not pull (exact, `*` or `prefix/*`). */
  readonly privateRepositories: readonly string[];
  /** False when no one may list the catalog (Docker Hub). Default true. */
  readonly catalogGrantable?: boolean;
  /**
   * What users without an `access` table may do: `all` (default) or
   * `own-namespace` (pull everywhere, everything under `<username>/`), as
   * on Docker Hub.
   */
  readonly defaultUserAccess?: 'all' | 'own-namespace' | undefined;
  /**
   * When given, repositories it says do not exist get no access at all, so
   * the registry answers 401 instead of 404 (Docker Hub hides which
   * repositories exist).
   */
  readonly repositoryExists?: ((name: string) => boolean) | undefined;
}

const ALL_ACTIONS: readonly string[] = ['pull', 'push', 'delete'];

function defaultAccess(user: FakeUser, policy: AccessPolicy): Readonly<Record<string, readonly FakeAction[]>> {
  return policy.defaultUserAccess === 'own-namespace' ? { '*': ['pull'], [`${user.username}/*`]: ['*'] } : { '*': ['*'] };
}

function userRepositoryActions(user: FakeUser, name: string, policy: AccessPolicy): Set<string> {
  const allowed = new Set<string>();
  const access = user.access ?? defaultAccess(user, policy);
  for (const [pattern, actions] of Object.entries(access)) {
    if (!matchesRepository(pattern, name)) continue;
    for (const action of actions) {
      if (action === '*') for (const each of [...ALL_ACTIONS, '*']) allowed.add(each);
      else allowed.add(action);
    }
  }
  return allowed;
}

function mayListCatalog(user: FakeUser): boolean {
  return user.catalog ?? (user.access === undefined || Object.hasOwn(user.access, '*'));
}

/**
 * The subset of `scope`'s actions the principal gets. Anonymous callers get
 * `pull` on repositories that are not private, and nothing else; a partial
 * grant is not an error, as at Docker's token servers.
 */
export function grantedActions(principal: Principal, scope: ResourceScope, policy: AccessPolicy): string[] {
  if (scope.type === 'registry') {
    return scope.name === 'catalog' && principal !== null && policy.catalogGrantable !== false && mayListCatalog(principal)
      ? scope.actions.filter((action) => action === '*')
      : [];
  }
  if (scope.type !== 'repository') return [];
  if (policy.repositoryExists !== undefined && !policy.repositoryExists(scope.name)) {
    // Hidden unless the caller may create it by pushing (a user's own namespace on Docker Hub).
    if (principal === null || !userRepositoryActions(principal, scope.name, policy).has('push')) return [];
  }
  if (principal === null) {
    const isPrivate = policy.privateRepositories.some((pattern) => matchesRepository(pattern, scope.name));
    return isPrivate ? [] : scope.actions.filter((action) => action === 'pull');
  }
  const allowed = userRepositoryActions(principal, scope.name, policy);
  return scope.actions.filter((action) => allowed.has(action));
}

/** True when the principal may do everything `requirement` asks. */
export function isAllowed(principal: Principal, requirement: AccessRequirement, policy: AccessPolicy): boolean {
  const granted = grantedActions(principal, requirement, policy);
  return requirement.actions.every((action) => granted.includes(action));
}
