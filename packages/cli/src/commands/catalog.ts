import type { Command } from '../command';
import { parseRegistryDomain } from '../references';

/** `regkit catalog <registry>`. */
export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'list the repositories of a registry (all pages)',
  args: '<registry>',
  description:
    'Lists every repository in the registry catalog (/v2/_catalog). Docker Hub has no catalog; most registries want credentials with catalog access.',
  arity: { min: 1, max: 1 },
  examples: ['regkit catalog 127.0.0.1:5000', 'regkit catalog registry.example.com -u admin --password-stdin < token.txt'],
  json: '{ registry, repositories }',
  async run(context) {
    const domain = parseRegistryDomain(context.positionals[0] as string);
    context.subject = `the catalog of ${domain}`;
    const registry = await context.registry(domain);
    const repositories = await registry.repositories();
    if (context.out.json) await context.out.document({ registry: registry.domain, repositories });
    else if (repositories.length > 0) await context.out.line(repositories.join('\n'));
  },
};
