import { createTokenAuthenticator } from '@regkit/auth-token';
import { Registry } from '@regkit/core';
import { resolveCredentials } from './credentials';
import type { GlobalOptions } from './global-options';
import { createHttpTransport } from './http-transport';
import type { CliIo } from './io';
import { Output } from './output';
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
    const base = createHttpTransport();
    const transport = this.options.verbose ? verboseTransport(base, (line) => this.out.debug(line)) : base;
    const registry = new Registry({
      domain,
      transport,
      authenticator: createTokenAuthenticator(credentials ?? {}),
      ...(this.options.plainHttp && { protocol: 'http' as const }),
      ...(this.options.timeoutMs !== undefined && { timeoutMs: this.options.timeoutMs }),
      userAgent: 'regkit-cli',
    });
    this.#registries.push(registry);
    this.#cleanups.push(() => transport.close?.() ?? Promise.resolve());
    return registry;
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
