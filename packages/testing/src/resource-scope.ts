/**
 * The token scope grammar (protocol.md §2.1), shared by the fake registry's
 * token service and the loopback token server.
 */

/** One parsed resource scope, e.g. `repository:library/golang:pull,push`. */
export interface ResourceScope {
  /** Resource type, e.g. `repository`, `repository(plugin)` or `registry`. */
  readonly type: string;
  /** Resource name, e.g. `library/golang` or `catalog`; may hold a `:port`. */
  readonly name: string;
  /** Actions in the order given, e.g. `pull`, `push`, `delete`, `*`. */
  readonly actions: readonly string[];
}

/** Options of {@link parseResourceScope}. */
export interface ParseResourceScopeOptions {
  /**
   * What to do with empty actions (`pull,,push`, or nothing after the last
   * `:`), which the grammar allows but which name nothing: `drop` (default)
   * leaves them out, so `repository:a:` asks for no actions; `reject` makes
   * the whole scope malformed.
   */
  readonly emptyActions?: 'drop' | 'reject';
}

const RESOURCE_TYPE = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/;
const ACTION = /^(?:[a-z]*|\*)$/;

/**
 * Parses one resource scope. The name may itself hold a `:` (a registry host
 * with a port, `localhost:5000/foo`), so the type ends at the first `:` and
 * the actions start after the last one. Returns `undefined` when malformed.
 *
 * @example
 * ```ts
 * parseResourceScope('repository:localhost:5000/foo:pull');
 * // → { type: 'repository', name: 'localhost:5000/foo', actions: ['pull'] }
 * ```
 */
export function parseResourceScope(scope: string, options: ParseResourceScopeOptions = {}): ResourceScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  if (!RESOURCE_TYPE.test(type) || name === '' || /\s/.test(name)) return undefined;
  const listed = scope.slice(last + 1).split(',');
  if (!listed.every((action) => ACTION.test(action))) return undefined;
  const actions = listed.filter((action) => action !== '');
  if (options.emptyActions === 'reject' && actions.length !== listed.length) return undefined;
  return { type, name, actions };
}

/** Formats a scope (or a token's access entry) back into scope syntax: `type:name:a,b`. */
export function formatScope(scope: ResourceScope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}
