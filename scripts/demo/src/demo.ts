/**
 * `pnpm demo` — the README quick start, runnable.
 *
 * Without an image it starts the Docker Hub simulator from @regkit/testing on
 * 127.0.0.1 (the registry, its token service and its blob CDN, each on its own
 * loopback port) and inspects `golang:1.12.0` through it, then says how many
 * requests each server saw. With an image (`pnpm demo ghcr.io/org/app:1.0`) it
 * inspects that image in its real registry, anonymously or with credentials.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Image, parseImageName, Registry, RegkitError } from '@regkit/core';
import { createFakeDockerHub } from '@regkit/testing';

const USAGE = `Usage: pnpm demo [options] [image]

Inspects an image: its digest, media type, platforms and the first platform's layers.

  image                 any \`docker pull\` reference (golang, ghcr.io/org/app:1.0, name@sha256:…);
                        without one, the demo starts the Docker Hub simulator from @regkit/testing
                        on 127.0.0.1 and inspects golang:1.12.0 there
  -u, --username USER   log in as USER (the password comes from REGKIT_PASSWORD or stdin)
      --password-stdin  read the password from standard input
  -h, --help            this text

Environment: REGKIT_USERNAME and REGKIT_PASSWORD are used when no flag says otherwise.

Examples:
  pnpm demo
  pnpm demo ghcr.io/org/app:1.0
  echo "$TOKEN" | pnpm demo -u me --password-stdin registry.example.com/team/app:v2`;

class UsageError extends Error {}

interface DemoArguments {
  readonly image: string | undefined;
  readonly username: string | undefined;
  readonly passwordFromStdin: boolean;
  readonly help: boolean;
}

function parseArguments(args: readonly string[]): DemoArguments {
  let image: string | undefined;
  let username = process.env.REGKIT_USERNAME || undefined;
  let passwordFromStdin = false;
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--password-stdin') passwordFromStdin = true;
    else if (arg === '-u' || arg === '--username') {
      username = args[++index];
      if (username === undefined || username === '') throw new UsageError(`${arg} needs a user name`);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (image === undefined) image = arg;
    else throw new UsageError(`one image at a time (got ${image} and ${arg})`);
  }
  return { image, username, passwordFromStdin, help };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function inspect(registry: Registry, image: string): Promise<void> {
  const found: Image = await registry.image(image);
  const repository = registry.repository(found.repository);

  console.log(`${repository.domain}/${repository.name}${found.tag ? `:${found.tag}` : ''}`);
  console.log(`  digest     ${found.digest}`);
  console.log(`  media type ${found.mediaType}`);
  console.log(`  platforms  ${found.platforms.length}`);
  for (const platform of found.platforms) {
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    const version = platform.osVersion ? ` (${platform.osVersion})` : '';
    console.log(`    ${`${name}${version}`.padEnd(34)} ${platform.digest}`);
  }
  if (found.attestations.length > 0) console.log(`  attestations ${found.attestations.length}`);

  const first = found.platforms[0];
  if (first === undefined) return;
  const manifest = await repository.manifests().get(first.digest);
  if (manifest.kind === 'image') {
    const bytes = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    console.log(
      `  ${first.os}/${first.architecture}: config ${manifest.config.digest}, ${manifest.layers.length} layers, ${bytes} bytes`,
    );
  }
}

async function inspectSimulatedHub(): Promise<void> {
  const hub = createFakeDockerHub();
  const server = await hub.listen();
  try {
    // Docker Hub's domain, with every request sent to the simulator's loopback port instead.
    const registry = new Registry({
      domain: 'docker.io',
      proxy: new URL(server.origin).host,
      protocol: 'http',
      authenticator: createTokenAuthenticator(),
    });
    console.log(
      `Docker Hub simulator: registry ${server.origin}, token service ${server.authOrigin}, blob CDN ${server.cdnOrigin}\n`,
    );
    await inspect(registry, 'golang:1.12.0');
    const tokens = hub.tokenCalls.length;
    const budget = registry.rateLimit;
    console.log(`\n${hub.calls.length} registry requests, ${tokens} token request${tokens === 1 ? '' : 's'}`);
    if (budget !== undefined) console.log(`pull budget left: ${budget.remaining} of ${budget.limit}`);
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  if (options.image === undefined) return inspectSimulatedHub();
  const { domain } = parseImageName(options.image);
  let password = process.env.REGKIT_PASSWORD;
  if (options.passwordFromStdin) password = await readStdin();
  if ((options.username === undefined) !== (password === undefined)) {
    throw new UsageError('a user name needs a password (REGKIT_PASSWORD or --password-stdin), and a password a user name');
  }
  const credentials = options.username !== undefined && password !== undefined ? { username: options.username, password } : {};
  const registry = new Registry({ domain, authenticator: createTokenAuthenticator(credentials) });
  try {
    await inspect(registry, options.image);
  } finally {
    await registry.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`demo: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(RegkitError.isInstance(error) ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
