import type { ResourceScope } from '../resource-scope';
import type { TokenAccess } from './jwt';

/**
 * What a principal may do: keys are repository-name globs (`*` matches any
 * run of characters, `/` included, so `'*'` means every repository and
 * `'library/*'` every repository under `library/`), or `registry:catalog`
 * for the catalog. Values are the actions allowed; `'*'` allows all.
 *
 * @example
 * ```ts
 * const access: AccessMap = { 'library/*': ['pull'], 'team/*': ['pull', 'push', 'delete'], 'registry:catalog': ['*'] };
 * ```
 */
export type AccessMap = Readonly<Record<string, readonly string[]>>;

/**
 * The access a principal gets for the scopes it asked for: for each scope,
 * the requested actions that some matching entry of `grants` allows. Scopes
 * for the same resource are merged; resources with nothing granted are left
 * out, as partial grants are not an error at a token server (protocol.md §2.1).
 */
export function grantAccess(requested: readonly ResourceScope[], grants: AccessMap): TokenAccess[] {
  const merged = new Map<string, { type: string; name: string; actions: string[] }>();
  for (const scope of requested) {
    const allowed = allowedActions(scope, grants);
    const actions = scope.actions.filter((action) => allowed.has('*') || allowed.has(action));
    if (actions.length === 0) continue;
    const key = `${scope.type}\u0000${scope.name}`;
    const entry = merged.get(key) ?? { type: scope.type, name: scope.name, actions: [] };
    for (const action of actions) if (!entry.actions.includes(action)) entry.actions.push(action);
    merged.set(key, entry);
  }
  return [...merged.values()];
}

function allowedActions(scope: ResourceScope, grants: AccessMap): Set<string> {
  const allowed = new Set<string>();
  for (const [pattern, actions] of Object.entries(grants)) {
    if (matchesResource(pattern, scope)) for (const action of actions) allowed.add(action);
  }
  return allowed;
}

function matchesResource(pattern: string, scope: ResourceScope): boolean {
  if (pattern.startsWith('registry:'))
    return scope.type === 'registry' && globMatches(pattern.slice('registry:'.length), scope.name);
  // Plugin repositories (`repository(plugin)`) are repositories too.
  if (scope.type !== 'repository' && !scope.type.startsWith('repository(')) return false;
  return globMatches(pattern, scope.name);
}

/** `*` matches any (possibly empty) run of characters; everything else is literal. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}
