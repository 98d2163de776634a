/**
 * Everything about Docker token scopes (distribution
 * `docs/spec/auth/scope.md`): the scope a request needs, parsing and
 * formatting one scope, splitting a challenge's `scope` parameter, the
 * canonical form of a set, and whether one set covers another.
 */
import { InvalidOptionError } from './errors/option-errors';
import type { HttpMethod } from './transport';

/**
 * The token scope a repository request needs, as distribution derives it:
 * reads need `pull`, writes `pull,push`, deletes `delete` (not push).
 */
export function repositoryScope(name: string, method: HttpMethod): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return `repository:${name}:pull`;
    case 'DELETE':
      return `repository:${name}:delete`;
    default:
      return `repository:${name}:pull,push`;
  }
}

/** The scope the catalog needs. */
export const CATALOG_SCOPE = 'registry:catalog:*';

/** One resource scope of a Docker token request, e.g. `repository:library/alpine:pull`. */
export interface TokenScope {
  /** The resource type: `repository`, `repository(plugin)`, `registry`. */
  readonly type: string;
  /** The resource name; may contain a `host:port` prefix. */
  readonly name: string;
  /** The actions, e.g. `pull`, `push`, `delete`, `*`, in the order given. */
  readonly actions: readonly string[];
}

/**
 * Parses one resource scope. The type ends at the first `:` and the actions
 * start after the last one, so names with a port (`localhost:5000/foo`)
 * survive. Returns `undefined` when the string is not a resource scope (no
 * name, fewer than two `:`, or whitespace) — some registries send opaque
 * scopes such as ECR Public's `aws`, which callers should pass on verbatim.
 *
 * @example
 * ```ts
 * parseScope('repository:localhost:5000/foo:pull,push');
 * // { type: 'repository', name: 'localhost:5000/foo', actions: ['pull', 'push'] }
 * ```
 */
export function parseScope(scope: string): TokenScope | undefined {
  if (typeof scope !== 'string' || /\s/.test(scope)) return undefined;
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const name = scope.slice(first + 1, last);
  if (name === '') return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action !== '');
  return Object.freeze({ type: scope.slice(0, first), name, actions: Object.freeze(actions) });
}

/**
 * Formats a resource scope as `type:name:action[,action…]`.
 *
 * @throws {InvalidOptionError} when the type is empty or contains `:`, the
 * name is empty, or an action contains `:` or `,`, or any part contains whitespace.
 */
export function formatScope(scope: TokenScope): string {
  const { type, name, actions } = scope;
  const bad = (what: string): never => {
    throw new InvalidOptionError('scope', `invalid token scope: ${what}`);
  };
  if (type === '' || type.includes(':') || /\s/.test(type)) bad(`type ${JSON.stringify(type)}`);
  if (name === '' || /\s/.test(name)) bad(`name ${JSON.stringify(name)}`);
  for (const action of actions) {
    if (action === '' || /[:,\s]/.test(action)) bad(`action ${JSON.stringify(action)}`);
  }
  return `${type}:${name}:${actions.join(',')}`;
}

/**
 * Splits a challenge's `scope` parameter into single scopes: registries put
 * several scopes into one parameter, separated by spaces
 * (`repository:a:push,pull repository:b:pull`).
 */
export function splitScopes(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(/[ \t]+/).filter((scope) => scope !== '');
}

/** Actions per `type:name` resource, and the opaque scopes kept verbatim. */
function groupScopes(scopes: readonly string[]): { resources: Map<string, Set<string>>; opaque: Set<string> } {
  const resources = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (!parsed) {
      if (scope !== '') opaque.add(scope);
      continue;
    }
    const resource = `${parsed.type}:${parsed.name}`;
    const actions = resources.get(resource) ?? new Set<string>();
    for (const action of parsed.actions) actions.add(action);
    resources.set(resource, actions);
  }
  return { resources, opaque };
}

/**
 * The canonical form of a scope set, for cache keys and comparisons: the
 * actions of one resource merged, sorted and de-duplicated (registries send
 * `pull,push` or `push,pull` at random), scopes sorted. Opaque scopes that
 * are not `type:name:actions` (ECR Public's `aws`) are kept verbatim.
 *
 * @example
 * ```ts
 * canonicalScopes(['repository:a:push,pull', 'repository:a:pull']); // ['repository:a:pull,push']
 * ```
 */
export function canonicalScopes(scopes: readonly string[]): string[] {
  const { resources, opaque } = groupScopes(scopes);
  const formatted = [...resources].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
  return [...formatted, ...opaque].sort();
}

/**
 * The scopes to ask a token for when a registry challenged a request with
 * `challenged` while core derived `requested` for it: each challenged scope
 * with the actions `requested` names on the same resource appended.
 * Distribution challenges a HEAD with `pull` even when the caller checks a
 * blob before pushing it; asking `pull,push` at once gets one token that
 * serves the check and the upload. Resources the registry did not challenge
 * for are never added, so unrelated scopes stay in separate tokens, and a
 * challenge that needs nothing more is returned as the registry spelled it.
 *
 * @example
 * ```ts
 * widenScopes(['repository:a:pull'], ['repository:a:pull,push']); // ['repository:a:pull,push']
 * widenScopes(['repository:a:pull'], ['repository:b:pull,push']); // ['repository:a:pull']
 * ```
 */
export function widenScopes(challenged: readonly string[], requested: readonly string[]): string[] {
  const asked = groupScopes(requested).resources;
  const added = new Set<string>();
  return challenged.map((scope) => {
    const parsed = parseScope(scope);
    const resource = parsed && `${parsed.type}:${parsed.name}`;
    const wanted = resource === undefined ? undefined : asked.get(resource);
    if (!parsed || !wanted || added.has(resource as string) || parsed.actions.includes('*')) return scope;
    added.add(resource as string);
    const missing = [...wanted].filter((action) => !parsed.actions.includes(action));
    return missing.length === 0 ? scope : `${scope}${parsed.actions.length > 0 ? ',' : ''}${missing.join(',')}`;
  });
}

/**
 * True when a token requested for `held` was asked for everything in
 * `wanted`: each wanted action on each resource (a held `*` covers any
 * action), and each opaque scope verbatim.
 */
export function coversScopes(held: readonly string[], wanted: readonly string[]): boolean {
  const { resources, opaque } = groupScopes(held);
  return wanted.every((scope) => {
    const parsed = parseScope(scope);
    if (!parsed) return scope === '' || opaque.has(scope);
    const actions = resources.get(`${parsed.type}:${parsed.name}`);
    if (!actions) return false;
    return actions.has('*') || parsed.actions.every((action) => actions.has(action));
  });
}
