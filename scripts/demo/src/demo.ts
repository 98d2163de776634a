/**
 * `pnpm demo` — the README quick start, runnable.
 *
 * Without arguments it starts the simulated Docker Hub from @regkit/testing
 * on 127.0.0.1 (token auth, like the real Hub) and inspects `golang:1.12.0`
 * through it as a pull-through mirror. With an image argument
 * (`pnpm demo ghcr.io/org/app:tag`) it inspects that image in its real
 * registry, anonymously.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Image, parseImageName, Registry, RegkitError } from '@regkit/core';
import { createFakeRegistry } from '@regkit/testing';

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
  const hub = createFakeRegistry({ auth: 'token' });
  const server = await hub.listen();
  try {
    const registry = new Registry({
      domain: 'docker.io',
      proxy: new URL(server.origin).host,
      protocol: 'http',
      authenticator: createTokenAuthenticator(),
    });
    console.log(`simulated Docker Hub on ${server.origin}\n`);
    await inspect(registry, 'golang:1.12.0');
    const tokens = hub.tokenCalls.length;
    console.log(`\n${hub.calls.length} registry requests, ${tokens} token request${tokens === 1 ? '' : 's'}`);
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const image = process.argv[2];
  if (image === undefined) return inspectSimulatedHub();
  const { domain } = parseImageName(image);
  const registry = new Registry({ domain, authenticator: createTokenAuthenticator() });
  try {
    await inspect(registry, image);
  } finally {
    await registry.close();
  }
}

main().catch((error: unknown) => {
  console.error(RegkitError.isInstance(error) ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
