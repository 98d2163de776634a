import { createTokenAuthenticator } from '@regkit/auth-token';
import { TokenRequestError, UnauthorizedError } from '@regkit/core';
import { verifyWithRegistry } from '@regkit/docker-config';
import { CliError, ExitCode, usageError } from '../cli-error';
import type { Command } from '../command';
import { resolveCredentials } from '../credentials';
import { parseRegistryDomain } from '../references';

/** `regkit login <registry>`. */
export const loginCommand: Command = {
  name: 'login',
  summary: 'check credentials with the registry and store them where docker login does',
  args: '<registry>',
  description:
    'Sends GET /v2/ with the credentials (a token request on token registries), and only when the registry accepts them stores them as `docker login` would: in the credential helper your Docker config names, else in ~/.docker/config.json ($DOCKER_CONFIG) with mode 0600. Every command then uses them. Docker Hub is docker.io.',
  arity: { min: 1, max: 1 },
  examples: [
    'echo "$TOKEN" | regkit login ghcr.io -u me --password-stdin',
    'REGKIT_USERNAME=admin REGKIT_PASSWORD=… regkit login 127.0.0.1:5000',
  ],
  json: '{ registry, username, stored } (stored: { file } or { helper })',
  async run(context) {
    const domain = parseRegistryDomain(context.positionals[0] as string);
    context.subject = domain;
    const credentials = await resolveCredentials(context.options, context.io);
    if (credentials === undefined)
      throw usageError('login needs a username and a password', 'regkit login <registry> -u USER --password-stdin');
    const transport = context.transport();
    const stored = await context
      .dockerConfig()
      .login(domain, credentials, {
        verify: verifyWithRegistry((c) => createTokenAuthenticator(c), { transport, ...context.registryOptions() }),
      })
      .catch((error: unknown) => {
        // A Basic registry refuses with 401, a token service by refusing the token request.
        const refused =
          UnauthorizedError.isInstance(error) ||
          (TokenRequestError.isInstance(error) && (error.status === 401 || error.status === 403));
        if (!refused) throw error;
        throw new CliError(
          `${domain} refused the credentials of ${credentials.username}`,
          ExitCode.auth,
          'check the username and password (or token); nothing was stored',
        );
      });
    if (context.out.json) await context.out.document({ registry: domain, username: credentials.username, stored });
    else
      await context.out.line(
        `logged in to ${domain} as ${credentials.username} (stored in ${'helper' in stored ? `docker-credential-${stored.helper}` : stored.file})`,
      );
  },
};
