import { inspect } from 'node:util';
import { AuthenticationError, Registry, RegistryResponseError, RegkitError } from '@regkit/core';
import {
  type AuthContext,
  type AuthDecision,
  type Authenticator,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  type AuthRequest,
  type HeaderMap,
  type HttpMethod,
  MAX_AUTH_RESENDS,
  type RegistryTarget,
  type Transport,
  type TransportRequest,
} from '@regkit/core/spec';
import type { ContractCheck, ContractExpect } from './contract-api';
import { carriesSecret, HOSTILE_PASSWORD, hostileAuthenticator, hostileRegistry } from './hostile-world';

/** The request a scenario sends through the authenticator. */
export interface ScenarioRequest {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path on the registry origin, e.g. `/v2/library/alpine/manifests/latest`. */
  readonly path: string;
}

/** What the fake registry answers to one request of a scenario. */
export interface ScenarioResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, lower-case names (`www-authenticate` for a challenge). */
  readonly headers?: HeaderMap;
}

/**
 * The world an authenticator is checked in: a fake registry, an optional fake
 * token service, and the secrets that must never leak. A fresh scenario is
 * made for every check, so fakes may keep state.
 */
export interface AuthenticatorScenario {
  /** The registry the requests are for. Default `https://registry.contract.test`. */
  readonly target?: RegistryTarget;
  /** The request each flow sends. Default `GET /v2/library/alpine/manifests/latest`. */
  readonly request?: ScenarioRequest;
  /** The scopes core would derive for it. Default `['repository:library/alpine:pull']`. */
  readonly scopes?: readonly string[];
  /**
   * The fake registry: answers one attempt, given the headers sent (the
   * authenticator's included). It should answer 2xx once the authenticator
   * has done its job, and 401 with a challenge before that.
   */
  respond(request: AuthRequest): ScenarioResponse | Promise<ScenarioResponse>;
  /**
   * The `WWW-Authenticate` value of a registry that refuses everything, for
   * the checks that make the registry answer 401 forever. Default: the
   * challenge `respond` gives a request without credentials, if any.
   */
  readonly rejectChallenge?: string;
  /** The token service behind `AuthContext.http`. Default: every request gets 404. */
  readonly http?: (request: AuthHttpRequest) => AuthHttpResponse | Promise<AuthHttpResponse>;
  /**
   * Strings that must never appear in errors, `toString()`, JSON or
   * `inspect` output: passwords, encoded credentials, tokens (a prefix of
   * generated tokens is enough).
   */
  readonly secrets: readonly string[];
  /**
   * Most calls to `http` acceptable when {@link CONCURRENT_FLOWS} identical
   * requests start at once on a fresh authenticator (single-flight token
   * fetches). Default: not checked.
   */
  readonly maxHttpCallsForConcurrentFlows?: number;
}

/** What every authenticator check receives. */
export interface AuthenticatorCheckContext {
  /** A fresh authenticator from the factory. */
  readonly authenticator: Authenticator;
  /** A fresh scenario. */
  readonly scenario: AuthenticatorScenario;
  /** The injected (or built-in) `expect`. */
  readonly expect: ContractExpect;
}

/** One check of the authenticator contract. */
export type AuthenticatorCheck = ContractCheck<AuthenticatorCheckContext>;

/** How many requests the concurrency check starts at once. */
export const CONCURRENT_FLOWS = 8;

const DEFAULT_TARGET: RegistryTarget = Object.freeze({
  origin: 'https://registry.contract.test',
  host: 'registry.contract.test',
  protocol: 'https',
  plaintextAllowed: false,
});
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: header values must not carry CR, LF or NUL
const BAD_HEADER_VALUE = /[\r\n\u0000]/;
const encoder = new TextEncoder();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A fake `AuthHttpClient` that records calls. */
interface RecordingHttp extends AuthHttpClient {
  /** Every request sent so far. */
  readonly calls: AuthHttpRequest[];
}

function recordingHttp(
  handler: ((request: AuthHttpRequest) => AuthHttpResponse | Promise<AuthHttpResponse>) | undefined,
): RecordingHttp {
  const calls: AuthHttpRequest[] = [];
  return {
    calls,
    async send(request) {
      calls.push(request);
      if (!handler) return { status: 404, headers: {}, url: request.url, body: encoder.encode('404 page not found') };
      return handler(request);
    },
  };
}

/** The outcome of driving one request through an authenticator with core. */
interface FlowResult {
  /** The final status, or undefined when the request failed otherwise. */
  readonly status: number | undefined;
  /** What the request failed with (the authenticator's error, through core), if anything. */
  readonly error: unknown;
  /** Each decision, in order. */
  readonly decisions: readonly AuthDecision[];
  /** Calls to `http` made while `handleResponse` ran (meaningful for one flow at a time). */
  readonly httpCallsInResponses: number;
}

interface FlowOptions {
  readonly respond: AuthenticatorScenario['respond'];
  readonly http: RecordingHttp;
  readonly expect: ContractExpect;
}

async function bytesOf(body: TransportRequest['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null || body instanceof Uint8Array) return body ?? undefined;
  return new Uint8Array(await new Response(body as BodyInit).arrayBuffer());
}

/** The scenario as a transport: the registry origin answers with `respond`, every other origin with `http`. */
function scenarioTransport(target: RegistryTarget, options: FlowOptions): Transport {
  return {
    specificationVersion: 'v1',
    name: 'authenticator-contract',
    async send(request) {
      const headers: HeaderMap = { ...request.headers };
      if (new URL(request.url).origin === target.origin) {
        const answer = await options.respond({ method: request.method, url: request.url, headers });
        return { status: answer.status, headers: { ...answer.headers }, url: request.url, body: null };
      }
      const body = await bytesOf(request.body);
      const answer = await options.http.send({ method: request.method, url: request.url, headers, ...(body ? { body } : {}) });
      return {
        status: answer.status,
        headers: { ...answer.headers },
        url: request.url,
        body: new Response(answer.body as BodyInit).body,
      };
    },
  };
}

/**
 * What the authenticator sees: core's contexts, deep-frozen copies (one
 * request object per logical request, as core promises), so an
 * authenticator that mutates them fails. Records its decisions.
 */
function observed(
  authenticator: Authenticator,
  options: FlowOptions,
  decisions: AuthDecision[],
  counted: { calls: number },
): Authenticator {
  const requests = new WeakMap<AuthRequest, AuthRequest>();
  const frozen = (context: AuthContext) => {
    let request = requests.get(context.request);
    if (!request) {
      request = deepFreeze({ method: context.request.method, url: context.request.url, headers: { ...context.request.headers } });
      requests.set(context.request, request);
    }
    return {
      registry: deepFreeze({ ...context.registry }),
      request,
      scopes: deepFreeze([...context.scopes]),
      // `http` stays unfrozen: it is core's.
      http: context.http,
      signal: context.signal,
    };
  };
  return {
    // The `shape` check reports a wrong version; here core must accept the wrapper to see the behaviour.
    specificationVersion: 'v1',
    name: authenticator.name,
    async handleRequest(context) {
      const added = await authenticator.handleRequest(Object.freeze(frozen(context)));
      expectHeaders(added, options.expect);
      return added;
    },
    async handleResponse(context) {
      const callsBefore = options.http.calls.length;
      const decision = await authenticator.handleResponse(
        Object.freeze({
          ...frozen(context),
          response: deepFreeze({
            status: context.response.status,
            headers: { ...context.response.headers },
            url: context.response.url,
          }),
          challenges: deepFreeze(
            context.challenges.map((challenge) => ({ scheme: challenge.scheme, params: { ...challenge.params } })),
          ),
          resends: context.resends,
        }),
      );
      counted.calls += options.http.calls.length - callsBefore;
      options.expect(typeof decision?.resend, 'handleResponse resolves { resend: boolean }').toBe('boolean');
      decisions.push(decision);
      return decision;
    },
  };
}

/**
 * Sends one request through a real `Registry` over the scenario, so core's
 * own auth loop drives the authenticator (resends, their limit, challenges
 * parsed as core parses them) and the contract cannot drift from core.
 * Retries are off, so every answer is seen once.
 */
async function runFlow(authenticator: Authenticator, scenario: AuthenticatorScenario, options: FlowOptions): Promise<FlowResult> {
  const target = scenario.target ?? DEFAULT_TARGET;
  const { method, path } = scenario.request ?? { method: 'GET' as const, path: '/v2/library/alpine/manifests/latest' };
  const decisions: AuthDecision[] = [];
  const counted = { calls: 0 };
  const registry = new Registry({
    domain: target.host,
    protocol: target.protocol,
    transport: scenarioTransport(target, options),
    authenticator: observed(authenticator, options, decisions, counted),
    retry: { limit: 0 },
  });
  const result = (status: number | undefined, error: unknown): FlowResult => ({
    status,
    error,
    decisions,
    httpCallsInResponses: counted.calls,
  });
  try {
    const response = await registry.requester.send({
      method,
      url: path,
      scopes: scenario.scopes ?? ['repository:library/alpine:pull'],
    });
    await response.body?.cancel();
    return result(response.status, undefined);
  } catch (error) {
    // A final non-2xx answer is a status, as the registry gave it; anything else is the flow's error.
    if (RegistryResponseError.isInstance(error)) return result(error.status, undefined);
    return result(undefined, error);
  } finally {
    await registry.close();
  }
}

function expectHeaders(added: unknown, expect: ContractExpect): void {
  if (added === undefined) return;
  expect(
    typeof added === 'object' && added !== null && !Array.isArray(added),
    'handleRequest resolves a header map or undefined',
  ).toBe(true);
  for (const [name, value] of Object.entries(added as Record<string, unknown>)) {
    expect(HEADER_NAME.test(name), `header name ${JSON.stringify(name)} is a lower-case token`).toBe(true);
    expect(typeof value, `header ${name} is a string`).toBe('string');
    expect(BAD_HEADER_VALUE.test(value as string), `header ${name} has no CR, LF or NUL`).toBe(false);
  }
}

/** Every string form of a value a log line or error report could show. */
function renderings(value: unknown): string[] {
  const forms: string[] = [];
  const add = (make: () => unknown) => {
    try {
      const text = make();
      if (typeof text === 'string') forms.push(text);
    } catch {
      // A value that cannot be rendered leaks nothing through that form.
    }
  };
  add(() => String(value));
  add(() => JSON.stringify(value));
  add(() => inspect(value, { depth: 6, showHidden: false }));
  if (value instanceof Error) {
    add(() => value.message);
    add(() => value.stack);
    add(() => JSON.stringify(value, Object.getOwnPropertyNames(value)));
    if (value.cause !== undefined) forms.push(...renderings(value.cause));
  }
  return forms;
}

function expectNoSecrets(value: unknown, secrets: readonly string[], what: string, expect: ContractExpect): void {
  const text = renderings(value).join('\n');
  for (const secret of secrets) {
    if (secret !== '')
      expect(text.includes(secret), `${what} must not contain the secret ${JSON.stringify(mask(secret))}`).toBe(false);
  }
}

/** Names a secret in a failure message without printing it whole. */
function mask(secret: string): string {
  return secret.length <= 4 ? '*'.repeat(secret.length) : `${secret.slice(0, 2)}…${secret.slice(-1)} (${secret.length} chars)`;
}

async function rejectChallengeOf(scenario: AuthenticatorScenario): Promise<string | undefined> {
  if (scenario.rejectChallenge !== undefined) return scenario.rejectChallenge;
  const target = scenario.target ?? DEFAULT_TARGET;
  const path = scenario.request?.path ?? '/v2/library/alpine/manifests/latest';
  const answer = await scenario.respond({
    method: scenario.request?.method ?? 'GET',
    url: new URL(path, `${target.origin}/`).toString(),
    headers: {},
  });
  return answer.headers?.['www-authenticate'];
}

const alwaysUnauthorized = (challenge: string | undefined) => (): ScenarioResponse => ({
  status: 401,
  headers: challenge ? { 'www-authenticate': challenge } : {},
});

/**
 * The checks of the authenticator contract, in the order they run. Each gets
 * a fresh authenticator and scenario.
 */
export const authenticatorChecks: readonly AuthenticatorCheck[] = [
  {
    id: 'shape',
    group: 'interface',
    title: "declares specificationVersion 'v1', a name, and both methods",
    timeoutMs: 5_000,
    async run({ authenticator, expect }) {
      expect(authenticator.specificationVersion).toBe('v1');
      expect(typeof authenticator.name).toBe('string');
      expect(authenticator.name.length > 0, 'name is not empty').toBe(true);
      expect(typeof authenticator.handleRequest).toBe('function');
      expect(typeof authenticator.handleResponse).toBe('function');
    },
  },
  {
    id: 'succeeds',
    group: 'flow',
    title: 'gets the scenario request through, within the resends core allows, without mutating contexts',
    timeoutMs: 10_000,
    async run({ authenticator, scenario, expect }) {
      const http = recordingHttp(scenario.http);
      const flow = await runFlow(authenticator, scenario, { respond: scenario.respond, http, expect });
      if (flow.error !== undefined) throw flow.error;
      expect(flow.status !== undefined && flow.status >= 200 && flow.status < 300, `final status ${flow.status} is 2xx`).toBe(
        true,
      );
      expect(flow.decisions.filter((d) => d.resend).length <= MAX_AUTH_RESENDS, 'resends within MAX_AUTH_RESENDS').toBe(true);
    },
  },
  {
    id: 'no-resend-without-challenge',
    group: 'flow',
    title: 'answers 2xx, 404 and 500 responses without a resend, and without token requests from handleResponse',
    timeoutMs: 5_000,
    async run({ authenticator, scenario, expect }) {
      const http = recordingHttp(scenario.http);
      for (const status of [200, 201, 204, 404, 500]) {
        const flow = await runFlow(authenticator, scenario, { respond: () => ({ status, headers: {} }), http, expect });
        if (flow.error !== undefined) throw flow.error;
        expect(flow.decisions.length, `one decision for HTTP ${status}`).toBe(1);
        expect(flow.decisions[0]?.resend, `resend for HTTP ${status}`).toBe(false);
        expect(flow.httpCallsInResponses, `token requests in answer to HTTP ${status} without a challenge`).toBe(0);
      }
    },
  },
  {
    id: 'bounded-resends',
    group: 'flow',
    title: `stops asking to resend by the time core has resent ${MAX_AUTH_RESENDS} times, when the registry refuses everything`,
    timeoutMs: 10_000,
    async run({ authenticator, scenario, expect }) {
      const http = recordingHttp(scenario.http);
      const challenge = await rejectChallengeOf(scenario);
      // Core stops after MAX_AUTH_RESENDS, but still asks after the last resend: the answer then must be no.
      const flow = await runFlow(authenticator, scenario, { respond: alwaysUnauthorized(challenge), http, expect });
      const asked = flow.decisions.filter((d) => d.resend).length;
      expect(asked <= MAX_AUTH_RESENDS, `asked to resend ${asked} times`).toBe(true);
      if (flow.error !== undefined) {
        expect(
          AuthenticationError.isInstance(flow.error),
          `thrown error is an AuthenticationError (got ${String(flow.error)})`,
        ).toBe(true);
      }
    },
  },
  {
    id: 'no-secrets-in-errors',
    group: 'secrets',
    title: 'puts no secret in errors thrown for a refusing registry or a failing token service',
    timeoutMs: 10_000,
    async run({ authenticator, scenario, expect }) {
      const challenge = await rejectChallengeOf(scenario);
      const refused = await runFlow(authenticator, scenario, {
        respond: alwaysUnauthorized(challenge),
        http: recordingHttp(scenario.http),
        expect,
      });
      if (refused.error !== undefined) expectNoSecrets(refused.error, scenario.secrets, 'error for a refusing registry', expect);
      // A token service that fails and echoes the request, credentials included, back.
      const echo = recordingHttp(async (request) => {
        const sentBody = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
        const body = JSON.stringify({ details: `refused: ${request.url} ${JSON.stringify(request.headers)} ${sentBody}` });
        return { status: 500, headers: { 'content-type': 'application/json' }, url: request.url, body: encoder.encode(body) };
      });
      const failing = await runFlow(authenticator, scenario, { respond: scenario.respond, http: echo, expect });
      if (failing.error !== undefined) {
        expect(
          RegkitError.isInstance(failing.error),
          `error for a failing token service is a RegkitError (got ${String(failing.error)})`,
        ).toBe(true);
        expectNoSecrets(failing.error, scenario.secrets, 'error for a failing token service', expect);
      }
    },
  },
  {
    id: 'no-secrets-in-strings',
    group: 'secrets',
    title: 'puts no secret in String(), JSON.stringify() or inspect() of the authenticator, before and after use',
    timeoutMs: 10_000,
    async run({ authenticator, scenario, expect }) {
      expectNoSecrets(authenticator, scenario.secrets, 'the fresh authenticator', expect);
      await runFlow(authenticator, scenario, { respond: scenario.respond, http: recordingHttp(scenario.http), expect });
      expectNoSecrets(authenticator, scenario.secrets, 'the authenticator after a request', expect);
    },
  },
  {
    id: 'concurrent',
    group: 'concurrency',
    title: `gets ${CONCURRENT_FLOWS} concurrent requests through, sharing token fetches when the scenario bounds them`,
    timeoutMs: 15_000,
    async run({ authenticator, scenario, expect }) {
      const http = recordingHttp(scenario.http);
      const flows = await Promise.all(
        Array.from({ length: CONCURRENT_FLOWS }, () =>
          runFlow(authenticator, scenario, { respond: scenario.respond, http, expect }),
        ),
      );
      for (const [index, flow] of flows.entries()) {
        if (flow.error !== undefined) throw flow.error;
        expect(
          flow.status !== undefined && flow.status >= 200 && flow.status < 300,
          `request ${index}: final status ${flow.status}`,
        ).toBe(true);
      }
      if (scenario.maxHttpCallsForConcurrentFlows !== undefined) {
        expect(
          http.calls.length <= scenario.maxHttpCallsForConcurrentFlows,
          `${http.calls.length} token requests for ${CONCURRENT_FLOWS} concurrent requests (at most ${scenario.maxHttpCallsForConcurrentFlows})`,
        ).toBe(true);
      }
    },
  },
  {
    id: 'hostile-plain-http',
    group: 'hostile',
    title:
      'wrapped to add credentials everywhere and post a password form to any realm, it still cannot get a secret onto plain http to a non-loopback host through core',
    timeoutMs: 10_000,
    async run({ authenticator, scenario, expect }) {
      const { registry, wire } = hostileRegistry(hostileAuthenticator(authenticator), 'http://realm.contract.test/token', () => ({
        status: 200,
      }));
      const error = await registry.ping().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(RegkitError.isInstance(error), `the request fails with a typed regkit error (got ${String(error)})`).toBe(true);
      for (const record of wire) {
        const inClear = record.url.startsWith('http:');
        expect(inClear && carriesSecret(record), `${record.method} ${record.url} carries a secret in clear`).toBe(false);
      }
      expect(
        wire.some((record) => record.url.startsWith('http://realm.contract.test')),
        'a request reached the http realm',
      ).toBe(false);
      expectNoSecrets(error, [HOSTILE_PASSWORD, ...scenario.secrets], 'the error for a refused realm', expect);
    },
  },
  {
    id: 'hostile-redirect-replay',
    group: 'hostile',
    title:
      'wrapped to post a password form, a 307 from the realm to another origin does not replay the form or any credential there',
    timeoutMs: 10_000,
    async run({ authenticator, expect }) {
      const { registry, wire } = hostileRegistry(
        hostileAuthenticator(authenticator),
        'https://realm.contract.test/token',
        () => ({
          status: 307,
          headers: { location: 'https://collector.contract.test/steal' },
        }),
      );
      const error = await registry.ping().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(RegkitError.isInstance(error), `the request fails with a typed regkit error (got ${String(error)})`).toBe(true);
      for (const record of wire.filter((r) => r.url.startsWith('https://collector.contract.test'))) {
        expect(carriesSecret(record), `${record.method} ${record.url} received a credential or a replayed body`).toBe(false);
      }
      expect(
        wire.some((record) => record.body.includes(HOSTILE_PASSWORD) && !record.url.startsWith('https://realm.contract.test')),
        'the password form went somewhere other than the realm',
      ).toBe(false);
    },
  },
];
