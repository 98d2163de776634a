import { parseArgs } from 'node:util';
import { ExitCode, usageError } from './cli-error';
import type { Command } from './command';
import { COMMANDS } from './commands/index';
import { CommandContext } from './context';
import { GLOBAL_OPTIONS, globalOptions } from './global-options';
import { commandHelp, mainHelp } from './help';
import { type CliIo, write } from './io';
import { classify, formatFailure } from './report-error';
import { closest } from './suggest';
import { VERSION } from './version';

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command !== undefined) return command;
  const guess = closest(
    name,
    COMMANDS.map((c) => c.name),
  );
  throw usageError(
    `unknown command ${JSON.stringify(name)}`,
    guess === undefined ? 'see regkit --help' : `did you mean \`regkit ${guess}\`?`,
  );
}

function parseCommandLine(command: Command, argv: readonly string[]) {
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(text)?.[1];
    if (unknown !== undefined) {
      const names = Object.keys(options).map((name) => `--${name}`);
      const guess = closest(unknown, names);
      throw usageError(
        `unknown flag ${unknown} for \`regkit ${command.name}\``,
        guess === undefined ? `see regkit ${command.name} --help` : `did you mean ${guess}?`,
      );
    }
    // Node's own wording, first sentence only: e.g. "Option '--timeout <value>' argument missing".
    throw usageError(text.split('. ')[0] ?? text, `see regkit ${command.name} --help`);
  }
}

/**
 * Runs one `regkit` command line and returns the exit code. Never throws:
 * every failure becomes one line on stderr (with a stack only under
 * `--verbose`) and an exit code from {@link ExitCode}.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  let commandName = '';
  let context: CommandContext | undefined;
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      await write(io.stdout, `${topic === undefined ? mainHelp(COMMANDS) : commandHelp(findCommand(topic))}\n`);
      return ExitCode.ok;
    }
    if (first === '--version') {
      await write(io.stdout, `${VERSION}\n`);
      return ExitCode.ok;
    }
    if (first.startsWith('-')) {
      throw usageError(`expected a command before ${first}`, 'regkit <command> [arguments] [flags]; see regkit --help');
    }
    const command = findCommand(first);
    commandName = command.name;
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.help === true) {
      await write(io.stdout, `${commandHelp(command)}\n`);
      return ExitCode.ok;
    }
    const { min, max } = command.arity;
    if (positionals.length < min || positionals.length > max) {
      const expected = command.args === '' ? 'no arguments' : command.args;
      throw usageError(
        `\`regkit ${command.name}\` takes ${expected}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`,
        `e.g. ${command.examples[0] ?? `regkit ${command.name} --help`}`,
      );
    }
    context = new CommandContext(io, globalOptions(values), values, positionals);
    await command.run(context);
    return ExitCode.ok;
  } catch (error) {
    const failure = classify(error, context?.subject);
    io.stderr.write(`${formatFailure(commandName, failure)}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined && error.name !== 'CliError') {
      io.stderr.write(`${error.stack}\n`);
    }
    return failure.exitCode;
  } finally {
    await context?.close();
  }
}
