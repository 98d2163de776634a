import assert from 'node:assert/strict';
import { inspect } from 'node:util';

/**
 * The assertions a contract suite uses. Vitest's and Jest's `expect` fit this
 * shape; without one, the suite falls back to `node:assert`.
 */
export interface ContractAssertion {
  /** `Object.is` equality. */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
  /** Strictly `null`. */
  toBeNull(): void;
  /** A number below `bound`. */
  toBeLessThan(bound: number): void;
  /** A string matching a pattern or containing a substring. */
  toMatch(expected: string | RegExp): void;
  /** The same assertions, negated. */
  readonly not: Omit<ContractAssertion, 'not'>;
}

/** `expect(actual, message?)`, as in Vitest and Jest. */
export type ContractExpect = (actual: unknown, message?: string) => ContractAssertion;

/** `describe(name, fn)` of the test runner. */
export type ContractDescribe = (name: string, fn: () => void) => void;

/** `it(name, fn, timeoutMs)` or `test(…)` of the test runner; `skip` is used for unsupported checks when present. */
export type ContractTest = ((name: string, fn: () => Promise<void>, timeoutMs?: number) => void) & ContractTestSkip;

/** The optional `skip` of a test function (vitest's `it.skip`), used to show unsupported checks as skipped. */
export interface ContractTestSkip {
  /** Registers a skipped test. */
  readonly skip?: (name: string, fn: () => Promise<void>) => void;
}

/** The test runner functions a contract suite registers its checks with. */
export interface ContractRunner {
  /** The runner's `describe`. */
  readonly describe: ContractDescribe;
  /** The runner's `it`; give this or `test`. */
  readonly it?: ContractTest;
  /** The runner's `test`; give this or `it`. */
  readonly test?: ContractTest;
  /** The runner's `expect`; defaults to one built on `node:assert`. */
  readonly expect?: ContractExpect;
}

/** One named check of a contract suite. */
export interface ContractCheck<Context> {
  /** Stable identifier, e.g. `redirects-not-followed`; use it with `only`. */
  readonly id: string;
  /** The group the check is registered under, e.g. `status codes`. */
  readonly group: string;
  /** What the check asserts, as the test title. */
  readonly title: string;
  /** Longest time the check may take before it fails. */
  readonly timeoutMs: number;
  /** Runs the check; throws (usually an assertion error) when the subject breaks the contract. */
  run(context: Context): Promise<void>;
}

/** The outcome of one check in a programmatic run. */
export interface ContractResult {
  /** The check's `id`. */
  readonly id: string;
  /** The check's `group`. */
  readonly group: string;
  /** The check's `title`. */
  readonly title: string;
  /** `skipped` when the subject declared it does not support the capability the check needs. */
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it failed. */
  readonly error?: unknown;
}

/** Rejects with an Error naming `what` unless `promise` settles within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (no result after ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers checks with the runner, one `describe` per group. */
export function registerChecks<Context>(
  runner: ContractRunner,
  suiteName: string,
  checks: readonly ContractCheck<Context>[],
  isSupported: (check: ContractCheck<Context>) => boolean,
  execute: (check: ContractCheck<Context>) => Promise<void>,
): void {
  const test = runner.it ?? runner.test;
  if (typeof runner.describe !== 'function' || typeof test !== 'function') {
    throw new TypeError(`[@regkit/testing] ${suiteName}: pass the test runner's \`describe\` and \`it\` (or \`test\`)`);
  }
  const groups = [...new Set(checks.map((check) => check.group))];
  runner.describe(suiteName, () => {
    for (const group of groups) {
      runner.describe(group, () => {
        for (const check of checks.filter((c) => c.group === group)) {
          if (isSupported(check)) test(check.title, () => execute(check), check.timeoutMs + 10_000);
          else test.skip?.(check.title, async () => {});
        }
      });
    }
  });
}

/** Runs checks one after another outside any test runner and reports each outcome. */
export async function runChecks<Context>(
  checks: readonly ContractCheck<Context>[],
  isSupported: (check: ContractCheck<Context>) => boolean,
  execute: (check: ContractCheck<Context>) => Promise<void>,
): Promise<ContractResult[]> {
  const results: ContractResult[] = [];
  for (const check of checks) {
    const { id, group, title } = check;
    if (!isSupported(check)) {
      results.push({ id, group, title, status: 'skipped' });
      continue;
    }
    try {
      await execute(check);
      results.push({ id, group, title, status: 'passed' });
    } catch (error) {
      results.push({ id, group, title, status: 'failed', error });
    }
  }
  return results;
}

function show(value: unknown): string {
  return inspect(value, { depth: 3, maxStringLength: 200, breakLength: Number.POSITIVE_INFINITY });
}

function assertion(actual: unknown, message: string | undefined, negate: boolean): Omit<ContractAssertion, 'not'> {
  const check = (passed: boolean, description: string) => {
    if (passed === negate) {
      assert.fail(`${message ? `${message}: ` : ''}expected ${show(actual)} ${negate ? 'not ' : ''}${description}`);
    }
  };
  return {
    toBe: (expected) => check(Object.is(actual, expected), `to be ${show(expected)}`),
    toEqual: (expected) => {
      let equal = true;
      try {
        assert.deepStrictEqual(actual, expected);
      } catch {
        equal = false;
      }
      check(equal, `to equal ${show(expected)}`);
    },
    toBeNull: () => check(actual === null, 'to be null'),
    toBeLessThan: (bound) => check(typeof actual === 'number' && actual < bound, `to be less than ${bound}`),
    toMatch: (expected) =>
      check(
        typeof actual === 'string' && (typeof expected === 'string' ? actual.includes(expected) : expected.test(actual)),
        `to match ${show(expected)}`,
      ),
  };
}

/** An `expect` built on `node:assert`, used when the caller passes none. */
export const assertExpect: ContractExpect = (actual, message) => ({
  ...assertion(actual, message, false),
  not: assertion(actual, message, true),
});
