import type { CommandContext } from './context';
import type { OptionSpec } from './global-options';

/** One `regkit` subcommand: its help text, arguments and options, and what it does. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Arguments as shown in usage, e.g. `<ref>`. */
  readonly args: string;
  /** What it does, a paragraph. */
  readonly description: string;
  /** Positional argument count. */
  readonly arity: { readonly min: number; readonly max: number };
  /** Options beyond the global ones. */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Example invocations. */
  readonly examples: readonly string[];
  /** The `--json` document, described. */
  readonly json: string;
  run(context: CommandContext): Promise<void>;
}
