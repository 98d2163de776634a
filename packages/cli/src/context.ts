import { createTokenAuthenticator } from '@regkit/auth-token';
import { Registry } from '@regkit/core';
import { type Authenticator, authenticatorFromProvider, type Credentials, type Transport } from '@regkit/core/spec';
import { createDockerConfigCredentials, type DockerConfigCredentials } from '@regkit/docker-config';
import { resolveCredentials } from './credentials';
import type { GlobalOptions } from './global-options';
import { createHttpTransport } from './http-transport';
import type { CliIo } from './io';
import { Output } from './output';
import { readProxyRoutes } from './proxy-environment';
import { verboseTransport } from './verbose-transport';

/** What a command gets: its arguments, the output, and registries built from the global flags. */
export class CommandContext {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly values: Readonly<Record<string, unknown>>;
  readonly positionals: readonly string[];
  readonly out: Output;
  /** What the command works on (`registry/repository:tag`), named in its error messages. */
  subject: string | undefined;
  readonly #registries: Registry[] = [];
  readonly #cleanups: (() => Promise<void>)[] = [];

  constructor(io: CliIo, options: GlobalOptions, values: Record<string, unknown>, positionals: readonly string[]) {
    this.io = io;
    this.options = options;
    this.values = values;
    this.positionals = positionals;
    this.out = new Output(io, options);
  }

  /** A string option of the command, if given. */
  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * A registry client for `domain`, with the CLI's transport, credentials
   * (token or Basic, whichever the registry asks for) and the global flags.
   */
  async registry(domain: string): Promise<Registry> {
    const credentials = await resolveCredentials(this.options, this.io);
    const transport = this.transport();
    const registry = new Registry({
      domain,
      transport,
      authenticator: credentials === undefined ? this.#dockerConfigAuthenticator() : createTokenAuthenticator(credentials),
      ...this.registryOptions(),
    });
    this.#registries.push(registry);
    return registry;
  }

  /** The CLI's transport (logging under --verbose), closed when the command ends. */
  transport(): Transport {
    // HTTP_PROXY / HTTPS_PROXY / NO_PROXY, read per transport so a bad value fails the command that uses the network.
    const proxy = readProxyRoutes(this.io.env);
    const base = createHttpTransport(proxy === undefined ? {} : { proxy });
    const transport = this.options.verbose ? verboseTransport(base, (line) => this.out.debug(line)) : base;
    this.#cleanups.push(() => transport.close?.() ?? Promise.resolve());
    return transport;
  }

  /** `Registry` options from the global flags. */
  registryOptions(): { protocol?: 'http'; timeoutMs?: number; userAgent: string } {
    return {
      ...(this.options.plainHttp && { protocol: 'http' as const }),
      ...(this.options.timeoutMs !== undefined && { timeoutMs: this.options.timeoutMs }),
      userAgent: 'regkit-cli',
    };
  }

  /** Docker's and podman's stored credentials (config.json, auth.json, credential helpers). */
  dockerConfig(): DockerConfigCredentials {
    return createDockerConfigCredentials({ env: { ...this.io.env } });
  }

  /**
   * Without credentials on the command line, whatever `docker login` stored
   * for the registry, looked up only when a request needs it.
   */
  #dockerConfigAuthenticator(): Authenticator {
    const build = (found: Credentials | undefined) =>
      createTokenAuthenticator(
        found === undefined ? {} : 'identityToken' in found ? { refreshToken: found.identityToken } : found,
      );
    return authenticatorFromProvider(this.dockerConfig(), build, {
      packageName: '@regkit/cli',
      name: 'token',
      label: 'DockerConfigTokenAuthenticator',
    });
  }

  /** Runs `fn` when the command ends, whatever the outcome. */
  onClose(fn: () => Promise<void>): void {
    this.#cleanups.push(fn);
  }

  /** Closes every connection the command opened. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#cleanups.splice(0).map((fn) => fn()));
  }
}
