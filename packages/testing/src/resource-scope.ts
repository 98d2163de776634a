/**
 * The token scope grammar (protocol.md §2.1) as a token server enforces it,
 * shared by the fake registry's token service and the loopback token server.
 * Parsing and formatting are core's (`@regkit/core/spec`); this adds only the
 * checks a server makes that a client, which passes unknown scopes on
 * verbatim, must not.
 */
import { formatScope, parseScope, type TokenScope } from '@regkit/core/spec';

/** One parsed resource scope, e.g. `repository:library/golang:pull,push`: core's `TokenScope`. */
export type ResourceScope = TokenScope;

/** Formats a scope (or a token's access entry) back into scope syntax, `type:name:a,b`: core's `formatScope`. */
export { formatScope };

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
const ACTION = /^(?:[a-z]+|\*)$/;

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
  // Core drops empty actions and rejects whitespace anywhere; the type and action grammars are the server's.
  const parsed = parseScope(scope);
  if (parsed === undefined || !RESOURCE_TYPE.test(parsed.type)) return undefined;
  if (!parsed.actions.every((action) => ACTION.test(action))) return undefined;
  if (options.emptyActions === 'reject' && parsed.actions.length !== listedActionCount(scope)) return undefined;
  return parsed;
}

/** Actions as written after the last `:`, empty ones included. */
function listedActionCount(scope: string): number {
  return scope.slice(scope.lastIndexOf(':') + 1).split(',').length;
}
