/**
 * List every tag of a repository, following pagination to the end.
 *
 *   pnpm tags alpine
 *   pnpm tags quay.io/prometheus/node-exporter
 */
import { pathToFileURL } from 'node:url';
import { createTokenAuthenticator } from '@regkit/auth-token';
import { parseImageName, Registry, type RegistryOptions } from '@regkit/core';

/** Streams the tags of `repository`, page by page, as the registry sends them. */
export async function* listTags(
  repository: string,
  options: Partial<RegistryOptions> & { readonly pageSize?: number } = {},
): AsyncGenerator<string> {
  const { pageSize, ...registryOptions } = options;
  const { domain } = parseImageName(repository);
  const registry = new Registry({ domain, authenticator: createTokenAuthenticator(), ...registryOptions });
  yield* registry
    .repositoryFromString(repository)
    .tags()
    .list(pageSize === undefined ? {} : { pageSize });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const repository = process.argv[2];
  if (!repository) {
    console.error('usage: pnpm tags <repository>');
    process.exitCode = 2;
  } else {
    let count = 0;
    for await (const tag of listTags(repository)) {
      console.log(tag);
      count++;
    }
    console.error(`${count} tags`);
  }
}
