import { parseScope } from '@regkit/core';

/**
 * The canonical form of a scope set, used for cache keys and comparisons:
 * actions of one resource merged, sorted and de-duplicated (registries send
 * `pull,push` or `push,pull` at random), scopes sorted. Opaque scopes that
 * are not `type:name:actions` (ECR Public's `aws`) are kept verbatim.
 */
export function canonicalScopes(scopes: readonly string[]): string[] {
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
  const formatted = [...resources].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
  return [...formatted, ...opaque].sort();
}

/**
 * True when a token requested for `held` was asked for everything in
 * `wanted`: each wanted action on each resource (a held `*` covers any
 * action), and each opaque scope verbatim.
 */
export function coversScopes(held: readonly string[], wanted: readonly string[]): boolean {
  const granted = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const scope of held) {
    const parsed = parseScope(scope);
    if (!parsed) {
      opaque.add(scope);
      continue;
    }
    const resource = `${parsed.type}:${parsed.name}`;
    const actions = granted.get(resource) ?? new Set<string>();
    for (const action of parsed.actions) actions.add(action);
    granted.set(resource, actions);
  }
  return wanted.every((scope) => {
    const parsed = parseScope(scope);
    if (!parsed) return scope === '' || opaque.has(scope);
    const actions = granted.get(`${parsed.type}:${parsed.name}`);
    if (!actions) return false;
    return actions.has('*') || parsed.actions.every((action) => actions.has(action));
  });
}
