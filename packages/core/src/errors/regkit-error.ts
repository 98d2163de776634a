/**
 * Marker that survives two copies of `@regkit/core` in one process (an ESM
 * and a CJS build, or two versions): `instanceof` fails across copies, a
 * `Symbol.for` key does not.
 */
import type { RequestSummary } from './response-errors';

const KINDS = Symbol.for('@regkit/core.error-kinds');

interface ErrorKind {
  readonly kind: string;
}

function kindsOf(errorClass: Function): string[] {
  const kinds: string[] = [];
  for (let current: unknown = errorClass; typeof current === 'function'; current = Object.getPrototypeOf(current)) {
    if (Object.hasOwn(current, 'kind')) kinds.push((current as unknown as ErrorKind).kind);
    if (current === RegkitError) break;
  }
  return kinds;
}

/**
 * Base class of every error regkit throws. Test with the static `isInstance`
 * of the class you care about rather than `instanceof`:
 *
 * @example
 * ```ts
 * try { await repo.images().getByTag('nope'); }
 * catch (error) { if (ResourceNotFoundError.isInstance(error)) console.log('no such tag'); }
 * ```
 */
export class RegkitError extends Error {
  /** Name of this error class; also set as `name` on each instance. */
  static readonly kind: string = 'RegkitError';

  /**
   * The class names of this error and its ancestors: what `isInstance`
   * checks, so the check works across copies of the package.
   *
   * @internal
   */
  declare readonly [KINDS]: readonly string[];

  /**
   * How many times core sent the request before giving up: 1 when it was
   * not repeated, more after retries. Undefined for errors that did not come
   * from a registry request (bad options, a malformed reference).
   */
  declare readonly attempts: number | undefined;

  /**
   * The request that failed, redacted (method and URL, no credentials, no
   * signed query values), when the error came from one.
   */
  declare readonly request: RequestSummary | undefined;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const kinds = kindsOf(new.target);
    Object.defineProperty(this, KINDS, { value: kinds, enumerable: false });
    Object.defineProperty(this, 'name', {
      value: kinds[0] ?? 'RegkitError',
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /**
   * True when `value` is an instance of this class or a subclass, from any
   * copy of `@regkit/core`.
   */
  static isInstance<T extends RegkitError>(this: { readonly kind: string; readonly prototype: T }, value: unknown): value is T {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as { [KINDS]?: unknown })[KINDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check was called on.
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}
