import { usageError } from '../cli-error';
import type { Command } from '../command';
import { write } from '../io';

/** The users `regkit serve --auth basic|token` knows. Loopback test credentials, documented in the README. */
export const SERVE_USERS = [
  { username: 'admin', password: 'admin-password', access: 'every action on every repository, and the catalog' },
  { username: 'reader', password: 'reader-password', access: 'pull on every repository' },
] as const;

const PROFILES = ['distribution', 'distribution-2.8', 'docker-hub', 'ghcr', 'ecr', 'quay'] as const;
const AUTH_MODES = ['none', 'basic', 'token'] as const;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function portOption(text: string | undefined): number {
  if (text === undefined) return 5000;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw usageError(`--port must be 0-65535, got ${JSON.stringify(text)}`, '--port 0 picks a free port');
  return port;
}

/** `regkit serve`. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a fake registry on 127.0.0.1, seeded with test images',
  args: '',
  description:
    "Runs the fake registry of @regkit/testing on loopback until SIGINT or SIGTERM, for trying regkit out and for other tools' tests. It holds library/golang:1.12.0 (Docker list), library/alpine:latest (OCI index with an attestation) and library/hello:latest. The first line on stdout is its origin. With --auth basic or token it knows two users: admin / admin-password (everything) and reader / reader-password (pull only).",
  arity: { min: 0, max: 0 },
  options: {
    port: { type: 'string', value: 'N', help: 'port on 127.0.0.1 (default 5000; 0 picks a free one)' },
    profile: { type: 'string', value: 'NAME', help: `registry to imitate: ${PROFILES.join(', ')} (default distribution)` },
    auth: { type: 'string', value: 'MODE', help: "none, basic or token (default: the profile's, none for distribution)" },
  },
  examples: [
    'regkit serve --port 0',
    'regkit serve --auth token --port 5001 &  regkit tags 127.0.0.1:5001/library/golang -u reader --password-stdin <<< reader-password',
  ],
  json: '{ origin, authOrigin, cdnOrigin, profile, auth, users: [{ username, password }] } as the first stdout line',
  async run(context) {
    const port = portOption(context.string('port'));
    const profile = oneOf('--profile', context.string('profile'), PROFILES) ?? 'distribution';
    const auth = oneOf('--auth', context.string('auth'), AUTH_MODES);
    // Loaded here only: the fake registry is the largest part of the CLI and no other command needs it.
    const { createFakeRegistry } = await import('@regkit/testing');
    const registry = createFakeRegistry({
      profile,
      ...(auth !== undefined && { auth }),
      users: SERVE_USERS.map(({ username, password }, index) =>
        index === 0 ? { username, password } : { username, password, access: { '*': ['pull'] }, catalog: false },
      ),
    });
    // Listening for the signals before the origin is printed: a caller may stop us as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const server = await registry.listen({ port });
    const mode =
      auth ??
      (profile === 'docker-hub' || profile === 'ghcr' || profile === 'quay' ? 'token' : profile === 'ecr' ? 'basic' : 'none');
    if (context.out.json) {
      await context.out.document({
        origin: server.origin,
        authOrigin: server.authOrigin ?? null,
        cdnOrigin: server.cdnOrigin ?? null,
        profile,
        auth: mode,
        users: mode === 'none' ? [] : SERVE_USERS.map(({ username, password }) => ({ username, password })),
      });
    } else await write(context.io.stdout, `${server.origin}\n`);
    const host = new URL(server.origin).host;
    context.out.note(`regkit serve: ${profile} registry on ${server.origin} (auth ${mode})`);
    if (mode !== 'none') context.out.note(`  users: ${SERVE_USERS.map((u) => `${u.username} / ${u.password}`).join(', ')}`);
    context.out.note(`  try: regkit inspect ${host}/library/golang:1.12.0`);
    context.out.note('  stop with Ctrl-C (SIGINT) or SIGTERM');
    await stopped;
    await server.close();
  },
};
