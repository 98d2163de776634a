import type { Command } from '../command';
import { parseRegistryDomain } from '../references';

/** `regkit logout <registry>`. */
export const logoutCommand: Command = {
  name: 'logout',
  summary: 'remove stored credentials for a registry',
  args: '<registry>',
  description:
    "Removes the credentials `docker login` or `regkit login` stored for a registry: the credential helper's copy when one is configured, and the entries in the Docker config. Not an error when there were none.",
  arity: { min: 1, max: 1 },
  examples: ['regkit logout ghcr.io', 'regkit logout 127.0.0.1:5000 --json'],
  json: '{ registry, removed }',
  async run(context) {
    const domain = parseRegistryDomain(context.positionals[0] as string);
    context.subject = domain;
    const removed = await context.dockerConfig().logout(domain);
    if (context.out.json) await context.out.document({ registry: domain, removed });
    else await context.out.line(removed ? `removed the credentials for ${domain}` : `no credentials were stored for ${domain}`);
  },
};
