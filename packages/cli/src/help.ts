import type { Command } from './command';
import { GLOBAL_OPTIONS, type OptionSpec } from './global-options';

const EXIT_CODES = `Exit codes:
  0  success
  1  other failure (network, registry error, digest mismatch)
  2  usage error (bad flag, bad reference)
  3  not found (repository, tag, digest, platform)
  4  authentication or authorization failure`;

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
    return [flag, spec.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

/** `regkit --help`. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'regkit: inspect and move container images in Docker / OCI registries.',
    '',
    'Usage: regkit <command> [arguments] [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global flags:',
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: 'boolean', help: 'print the version' } }),
    '',
    'Credentials: --username with --password-stdin, or REGKIT_USERNAME and REGKIT_PASSWORD; otherwise',
    'what `regkit login` or `docker login` stored (Docker config, podman auth.json, credential helpers).',
    'Registries on 127.0.0.1 / localhost speak HTTP; others HTTPS unless --plain-http.',
    '',
    EXIT_CODES,
    '',
    'Examples:',
    '  regkit digest golang:1.12.0',
    '  regkit inspect 127.0.0.1:5000/library/golang:1.12.0 --platform linux/arm64 --json',
    '  regkit serve --port 0',
    '',
    "Run `regkit <command> --help` for a command's flags and examples.",
  ].join('\n');
}

/** `regkit <command> --help`. */
export function commandHelp(command: Command): string {
  return [
    `Usage: regkit ${command.name}${command.args === '' ? '' : ` ${command.args}`} [flags]`,
    '',
    command.description,
    '',
    ...(command.options === undefined ? [] : ['Flags:', ...optionLines(command.options), '']),
    'Global flags:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    `--json prints: ${command.json}`,
    '',
    EXIT_CODES,
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n');
}
