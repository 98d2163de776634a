import type { Transport } from '@regkit/core/spec';
import { assertExpect, type ContractResult, type ContractRunner, registerChecks, runChecks, withDeadline } from './contract-api';
import { ServerScope } from './loopback';
import { type TransportCapabilities, type TransportCheck, transportChecks } from './transport-checks';

/** Options of {@link transportContract} and {@link runTransportContract}. */
export interface TransportContractOptions {
  /**
   * Returns a fresh transport. Called once per check; the transport's
   * `close()` is called after the check.
   */
  readonly createTransport: () => Transport | Promise<Transport>;
  /** Shown in the suite's title, e.g. `undici`. Default `transport`. */
  readonly name?: string;
  /** Capabilities the transport lacks (`false`) skip the checks that need them. All default to `true`. */
  readonly supports?: TransportCapabilities;
  /** Size of the large streamed download. Default 64 MiB. */
  readonly largeBodyBytes?: number;
  /** Runs only the checks with these ids (see `transportChecks`). */
  readonly only?: readonly string[];
  /**
   * Returns a transport that trusts `caPem` (a PEM certificate), for a
   * transport with a CA option (`tls: { ca }`). With it, the TLS check runs
   * against a loopback HTTPS server with a self-signed certificate for
   * `127.0.0.1`; without it, that check is skipped.
   */
  readonly createTrustingTransport?: (caPem: string) => Transport | Promise<Transport>;
}

const DEFAULT_LARGE_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Registers the transport contract with your test runner: every check of
 * `transportChecks`, grouped, each against a fresh transport and its own
 * loopback servers on 127.0.0.1. Nothing leaves the machine.
 *
 * It checks what core relies on: every status resolves and 3xx are returned
 * unfollowed; header names are lower-case and repeats joined; HEAD has no
 * body; bodies stream both ways (a large download in bounded memory, an
 * upload that reaches the server before its stream ends, chunked or with its
 * exact `content-length`); aborts reject with `signal.reason`, before and
 * during the body and mid-upload (which also cancels the request body
 * stream); stalls, resets, truncation, refused connections and garbage
 * answers surface as `TransportError` / `TimeoutError`; with
 * `createTrustingTransport`, a private CA is trusted and an untrusted
 * certificate fails with a non-retryable error naming TLS.
 *
 * @example Vitest
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { transportContract } from '@regkit/testing/contract';
 * import { createUndiciTransport } from '@regkit/transport-undici';
 *
 * transportContract({ describe, it, expect, name: 'undici', createTransport: () => createUndiciTransport() });
 * ```
 */
export function transportContract(options: TransportContractOptions & ContractRunner): void {
  const { expect = assertExpect } = options;
  registerChecks(
    options,
    `transport contract: ${options.name ?? 'transport'}`,
    selectChecks(options),
    (check) => isSupported(check, options),
    (check) => executeCheck(check, { ...options, expect }),
  );
}

/**
 * Runs the transport contract outside a test runner and reports each check's
 * outcome. Useful to assert that a deliberately broken transport fails, or to
 * run the contract from a script.
 */
export function runTransportContract(
  options: TransportContractOptions & Pick<ContractRunner, 'expect'>,
): Promise<ContractResult[]> {
  const { expect = assertExpect } = options;
  return runChecks(
    selectChecks(options),
    (check) => isSupported(check, options),
    (check) => executeCheck(check, { ...options, expect }),
  );
}

function selectChecks(options: TransportContractOptions): readonly TransportCheck[] {
  if (typeof options.createTransport !== 'function') {
    throw new TypeError('[@regkit/testing] transportContract: `createTransport` must be a function returning a Transport');
  }
  if (!options.only) return transportChecks;
  const unknown = options.only.filter((id) => !transportChecks.some((check) => check.id === id));
  if (unknown.length > 0) {
    throw new TypeError(`[@regkit/testing] transportContract: unknown check id(s) in \`only\`: ${unknown.join(', ')}`);
  }
  return transportChecks.filter((check) => options.only?.includes(check.id));
}

function isSupported(check: TransportCheck, options: TransportContractOptions): boolean {
  if (check.needsTrust && options.createTrustingTransport === undefined) return false;
  return check.requires === undefined || options.supports?.[check.requires] !== false;
}

async function executeCheck(
  check: TransportCheck,
  options: TransportContractOptions & Required<Pick<ContractRunner, 'expect'>>,
): Promise<void> {
  const servers = new ServerScope();
  const transport = await options.createTransport();
  let failed = false;
  try {
    await withDeadline(
      check.run({
        transport,
        expect: options.expect,
        servers,
        largeBodyBytes: options.largeBodyBytes ?? DEFAULT_LARGE_BODY_BYTES,
        createTrustingTransport: options.createTrustingTransport,
      }),
      check.timeoutMs,
      `check "${check.id}" did not finish`,
    );
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Servers first: destroying their sockets frees anything the transport still waits on.
    await servers.closeAll();
    const closing = withDeadline(Promise.resolve(transport.close?.()), 5_000, `transport.close() after "${check.id}"`);
    // A failure of the check itself matters more than a failing close.
    if (failed) await closing.catch(() => undefined);
    else await closing;
  }
}
