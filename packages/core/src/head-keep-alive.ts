/**
 * Keeps Node.js `fetch` connections alive after `HEAD`.
 *
 * Node's `fetch` is undici, and undici closes the connection after every
 * `HEAD` unless the request says `reset: false` (a guard against servers that
 * send a body anyway). `fetch` has no such option, so digest resolution, which
 * is all HEADs, would open a TCP connection per request: on a bulk
 * `resolveAll` that is thousands of connections in `TIME_WAIT` and most of the
 * client's CPU. Node documents a per-call `dispatcher` for `fetch`; this
 * module supplies one that forwards each request to the platform's global
 * dispatcher with `reset: false`.
 *
 * The global dispatcher is looked up on every request, under the symbol undici
 * versions 5 to 7 share it by (`undici.globalDispatcher.1`), so a proxy agent or
 * a `MockAgent` installed with undici's `setGlobalDispatcher`, before or after
 * the transport was created, still carries the traffic. undici 8 keeps a
 * different dispatcher interface under a new symbol; on it, and on runtimes
 * that are not Node.js, no dispatcher is supplied and `fetch` behaves as
 * standard.
 */

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** undici majors whose `fetch` calls the v1 `dispatch(options, handler)` interface. */
const SUPPORTED_UNDICI_MAJORS = new Set([5, 6, 7]);

/** The part of an undici dispatcher that `fetch` uses: what is passed as `fetch(url, { dispatcher })`. */
export interface FetchDispatcher {
  dispatch(options: { readonly method?: string; readonly reset?: boolean | null }, handler: unknown): boolean;
  readonly isMockActive?: boolean | undefined;
}

/** The part of a runtime's globals this module reads; `globalThis` unless a test passes another. */
type RuntimeGlobals = object;

/**
 * Whether `fetch` here is a Node.js undici this module knows. Checked when a
 * HEAD is sent, never at load, so importing core touches no `process` and
 * runs unchanged in Deno, Bun and browsers.
 */
function runsKnownUndici(runtime: RuntimeGlobals): boolean {
  const versions = (runtime as { process?: { versions?: Record<string, string | undefined> } }).process?.versions;
  return SUPPORTED_UNDICI_MAJORS.has(Number.parseInt(versions?.undici ?? '', 10));
}

const dispatchers = new WeakMap<RuntimeGlobals, FetchDispatcher>();

/**
 * Returns the dispatcher to pass with a `HEAD` request, or `undefined` when
 * this runtime's `fetch` is not a Node.js undici it knows (Deno, Bun,
 * browsers, Node.js with undici 8). Node creates its global dispatcher on the
 * first `fetch` call, so the very first request of a process goes without.
 *
 * @param runtime - the globals to inspect; `globalThis` outside tests
 */
export function headKeepAliveDispatcher(runtime: RuntimeGlobals = globalThis): FetchDispatcher | undefined {
  if (!runsKnownUndici(runtime) || platformDispatcher(runtime) === undefined) return undefined;
  let dispatcher = dispatchers.get(runtime);
  if (dispatcher === undefined) {
    dispatcher = keepAliveDispatcher(runtime);
    dispatchers.set(runtime, dispatcher);
  }
  return dispatcher;
}

function platformDispatcher(runtime: RuntimeGlobals): FetchDispatcher | undefined {
  const candidate = (runtime as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as Partial<FetchDispatcher> | undefined;
  return typeof candidate?.dispatch === 'function' ? (candidate as FetchDispatcher) : undefined;
}

const keepAliveDispatcher = (runtime: RuntimeGlobals): FetchDispatcher => ({
  dispatch(options, handler) {
    const target = platformDispatcher(runtime);
    if (target === undefined) {
      throw new TypeError('[@regkit/core] fetch transport: the global undici dispatcher has been removed');
    }
    // Fills in only what fetch left unset.
    const keepAlive = options.method === 'HEAD' && options.reset == null ? { ...options, reset: false } : options;
    return target.dispatch(keepAlive, handler);
  },
  // undici's fetch hands a MockAgent the request body in another shape; it asks the dispatcher it was given.
  get isMockActive() {
    return platformDispatcher(runtime)?.isMockActive;
  },
});
