/**
 * Two custom authenticators for regkit, as docs/custom-authenticators.md
 * explains them, and a demo that runs both against a registry on 127.0.0.1:
 *
 *   pnpm start     # build and run the demo
 *   pnpm test      # run the authenticator contract against both
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError, Registry } from '@regkit/core';
import {
  type AuthContext,
  type AuthDecision,
  type Authenticator,
  type AuthRequest,
  type AuthResponseContext,
  basicAuthorization,
} from '@regkit/core/spec';

// No origin or https checks here: core decides where credentials may go, for every authenticator.

/**
 * 1. A static bearer token (a CI token, a pre-issued registry token). It adds
 * the header to every request and never resends: the token cannot change.
 */
export function createStaticBearerAuthenticator(token: string): Authenticator {
  // Validate eagerly, and never echo the token in the message.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new InvalidOptionError('token', 'static-bearer: token must be a non-empty string of printable ASCII without spaces');
  }
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'static-bearer',
    async handleRequest() {
      return { authorization: `Bearer ${token}` };
    },
    async handleResponse(): Promise<AuthDecision> {
      return { resend: false };
    },
    // The token lives in the closure, so String(), JSON and inspect() cannot show it.
    toString: () => 'StaticBearerAuthenticator',
  });
}

/** Options of {@link createPasswordHelperAuthenticator}. */
export interface PasswordHelperOptions {
  /** The Basic username. */
  readonly username: string;
  /** Fetches the current password: a secret manager, `aws ecr get-login-password`, a file. */
  readonly getPassword: (signal: AbortSignal | undefined) => Promise<string>;
  /** How long a fetched password is reused, in milliseconds. Default 5 minutes. */
  readonly ttlMs?: number;
}

/**
 * 2. Basic credentials whose password comes from a helper and may rotate.
 * The password is fetched once for concurrent requests and reused for
 * `ttlMs`. When the registry refuses it, the helper is asked again once and
 * the request resent: a rotated password then works without a restart.
 */
export function createPasswordHelperAuthenticator(options: PasswordHelperOptions): Authenticator {
  const { username, getPassword, ttlMs = 5 * 60_000 } = options;
  if (typeof username !== 'string' || username === '' || username.includes(':')) {
    throw new InvalidOptionError('username', 'password-helper: username must be a non-empty string without ":"');
  }
  if (typeof getPassword !== 'function')
    throw new InvalidOptionError('getPassword', 'password-helper: getPassword must be a function');

  let cached: { readonly password: string; readonly until: number } | undefined;
  let pending: Promise<string> | undefined;
  // Which password each request carried, so a refusal invalidates only that one.
  const sentWith = new WeakMap<AuthRequest, string>();

  const currentPassword = (signal: AbortSignal | undefined): Promise<string> => {
    if (cached && Date.now() < cached.until) return Promise.resolve(cached.password);
    pending ??= getPassword(signal)
      .then((password) => {
        cached = { password, until: Date.now() + ttlMs };
        return password;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'password-helper',
    async handleRequest(context: AuthContext) {
      const password = await currentPassword(context.signal);
      sentWith.set(context.request, password);
      return { authorization: basicAuthorization(username, password) };
    },
    async handleResponse(context: AuthResponseContext): Promise<AuthDecision> {
      const refused = context.response.status === 401 && context.challenges.some((challenge) => challenge.scheme === 'basic');
      // Retry once, and only when a newer password may exist.
      if (!refused || context.resends > 0) return { resend: false };
      const sent = sentWith.get(context.request);
      if (sent !== undefined && cached?.password === sent) cached = undefined;
      return { resend: true };
    },
    toString: () => 'PasswordHelperAuthenticator',
  });
}

/** A registry on 127.0.0.1 that wants a bearer token or Basic alice:<password>. */
export async function startDemoRegistry(options: { readonly token: string; readonly password: () => string }): Promise<Server> {
  const server = createServer((request, response) => {
    const authorization = request.headers.authorization;
    const allowed =
      authorization === `Bearer ${options.token}` || authorization === basicAuthorization('alice', options.password());
    if (!allowed) {
      response.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': 'Basic realm="demo"',
        'docker-distribution-api-version': 'registry/2.0',
      });
      response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
    response.end(
      request.url?.startsWith('/v2/demo/app/tags/list') ? JSON.stringify({ name: 'demo/app', tags: ['1.0', 'latest'] }) : '{}',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Lists the tags of `demo/app` with each authenticator and logs them. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await startDemoRegistry({ token: 'demo-static-token', password: () => 'rotated-password' });
  const domain = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const withToken = new Registry({ domain, authenticator: createStaticBearerAuthenticator('demo-static-token') });
    log(`static bearer: ${(await withToken.repository('demo/app').tags().getAll()).join(', ')}`);
    await withToken.close();

    // The helper first hands out a stale password; the registry's 401 makes it ask again.
    const answers = ['stale-password', 'rotated-password'];
    let calls = 0;
    const withHelper = new Registry({
      domain,
      authenticator: createPasswordHelperAuthenticator({
        username: 'alice',
        getPassword: async () => answers[Math.min(calls++, answers.length - 1)] as string,
      }),
    });
    log(
      `password helper: ${(await withHelper.repository('demo/app').tags().getAll()).join(', ')} (helper called ${calls} times)`,
    );
    await withHelper.close();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
