import type { Authenticator } from '@regkit/core/spec';
import { type AuthenticatorCheck, type AuthenticatorScenario, authenticatorChecks } from './authenticator-checks';
import { assertExpect, type ContractResult, type ContractRunner, registerChecks, runChecks, withDeadline } from './contract-api';

/** Options of {@link authenticatorContract} and {@link runAuthenticatorContract}. */
export interface AuthenticatorContractOptions {
  /** Returns a fresh authenticator; called once per check. */
  readonly createAuthenticator: () => Authenticator | Promise<Authenticator>;
  /**
   * The world to check it in: a fake registry, an optional fake token
   * service, and the secrets that must not leak. A function is called once
   * per check, so fakes with state start clean.
   */
  readonly scenario: AuthenticatorScenario | (() => AuthenticatorScenario);
  /** Shown in the suite's title, e.g. `token`. Default `authenticator`. */
  readonly name?: string;
  /** Runs only the checks with these ids (see `authenticatorChecks`). */
  readonly only?: readonly string[];
}

/**
 * Registers the authenticator contract with your test runner. Every check
 * sends requests through a real `Registry`, so core's own auth loop drives a
 * fresh authenticator (with frozen contexts) against the scenario's fakes,
 * and checks what core relies on:
 *
 * - `specificationVersion` is `'v1'`, and both methods exist;
 * - `handleRequest` resolves only lower-case headers (or nothing);
 * - the scenario's request gets through within `MAX_AUTH_RESENDS`;
 * - responses without a challenge (2xx, 404, 500) cause no resend and no
 *   token request;
 * - against a registry that refuses everything, it stops asking to resend by
 *   itself, and what it throws is an `AuthenticationError`;
 * - no secret appears in thrown errors (even when the token service echoes
 *   the request back), nor in `String()`, `JSON.stringify()` or `inspect()`
 *   of the authenticator;
 * - concurrent requests all succeed, with token fetches shared when the
 *   scenario sets `maxHttpCallsForConcurrentFlows`;
 * - hostile cases, driven through a real `Registry`: wrapped so that it adds
 *   `authorization` and `cookie` to every request and posts a password form
 *   (marked `secret`) to any realm, the authenticator still cannot get a
 *   secret onto plain HTTP to a non-loopback host (core refuses with a typed
 *   error; the transport records nothing), and a realm's cross-origin 307
 *   does not replay the form or a credential there.
 *
 * @example Vitest
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { createNullAuthenticator } from '@regkit/core/spec';
 * import { authenticatorContract } from '@regkit/testing/contract';
 *
 * authenticatorContract({
 *   describe, it, expect,
 *   createAuthenticator: () => createNullAuthenticator(),
 *   scenario: { respond: () => ({ status: 200 }), secrets: [] },
 * });
 * ```
 */
export function authenticatorContract(options: AuthenticatorContractOptions & ContractRunner): void {
  const { expect = assertExpect } = options;
  registerChecks(
    options,
    `authenticator contract: ${options.name ?? 'authenticator'}`,
    selectChecks(options),
    () => true,
    (check) => executeCheck(check, { ...options, expect }),
  );
}

/**
 * Runs the authenticator contract outside a test runner and reports each
 * check's outcome; useful to show that a broken authenticator fails it.
 */
export function runAuthenticatorContract(
  options: AuthenticatorContractOptions & Pick<ContractRunner, 'expect'>,
): Promise<ContractResult[]> {
  const { expect = assertExpect } = options;
  return runChecks(
    selectChecks(options),
    () => true,
    (check) => executeCheck(check, { ...options, expect }),
  );
}

function selectChecks(options: AuthenticatorContractOptions): readonly AuthenticatorCheck[] {
  if (typeof options.createAuthenticator !== 'function') {
    throw new TypeError(
      '[@regkit/testing] authenticatorContract: `createAuthenticator` must be a function returning an Authenticator',
    );
  }
  if (typeof options.scenario !== 'function' && (typeof options.scenario !== 'object' || options.scenario === null)) {
    throw new TypeError('[@regkit/testing] authenticatorContract: `scenario` must be an object or a function returning one');
  }
  if (!options.only) return authenticatorChecks;
  const unknown = options.only.filter((id) => !authenticatorChecks.some((check) => check.id === id));
  if (unknown.length > 0) {
    throw new TypeError(`[@regkit/testing] authenticatorContract: unknown check id(s) in \`only\`: ${unknown.join(', ')}`);
  }
  return authenticatorChecks.filter((check) => options.only?.includes(check.id));
}

async function executeCheck(
  check: AuthenticatorCheck,
  options: AuthenticatorContractOptions & Required<Pick<ContractRunner, 'expect'>>,
): Promise<void> {
  const scenario = typeof options.scenario === 'function' ? options.scenario() : options.scenario;
  const authenticator = await options.createAuthenticator();
  await withDeadline(
    check.run({ authenticator, scenario, expect: options.expect }),
    check.timeoutMs,
    `check "${check.id}" did not finish`,
  );
}
