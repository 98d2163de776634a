/** A parsed token scope: `repository:library/golang:pull,push`. */
export interface ParsedScope {
  /** `repository`, `registry`, `repository(plugin)`, … */
  readonly type: string;
  /** Resource name; may contain a `:port`. */
  readonly name: string;
  /** Requested actions, in the order given. */
  readonly actions: readonly string[];
}

const TYPE = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/;
const ACTION = /^(?:[a-z]*|\*)$/;

/**
 * Parses one resource scope. The type ends at the first `:` and the actions
 * start after the last one, so a name with a port (`localhost:5000/foo`)
 * survives. Returns `undefined` for anything that does not fit the grammar.
 */
export function parseScope(scope: string): ParsedScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',');
  if (!TYPE.test(type) || name === '' || /\s/.test(name) || !actions.every((action) => ACTION.test(action) && action !== ''))
    return undefined;
  return { type, name, actions };
}

/** Formats a scope back: `type:name:a,b`. */
export function formatScope(scope: ParsedScope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}
