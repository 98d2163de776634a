import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** External programs the harness runs, and the environment variable that overrides each path. */
const TOOLS = {
  'docker-registry': 'REGKIT_REGISTRY_BIN',
  htpasswd: 'REGKIT_HTPASSWD_BIN',
  skopeo: 'REGKIT_SKOPEO_BIN',
} as const;

/** A program the harness needs. */
export type ToolName = keyof typeof TOOLS;

/** Thrown when a required program is not installed. */
export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
  constructor(readonly tool: ToolName) {
    super(
      `${tool} not found (looked at $${TOOLS[tool]} and on PATH). Install it with ` +
        `"apt-get install ${tool === 'htpasswd' ? 'apache2-utils' : tool}" or point $${TOOLS[tool]} at it.`,
    );
  }
}

/** Absolute path of `tool`, or `undefined` when it is not installed. */
export function findTool(tool: ToolName): string | undefined {
  return findExecutable(tool, TOOLS[tool]);
}

/**
 * Absolute path of `program`: the path in `$envOverride` when that is set
 * (undefined if it is not executable), else the first executable on PATH.
 */
export function findExecutable(program: string, envOverride?: string): string | undefined {
  const override = envOverride === undefined ? undefined : process.env[envOverride];
  if (override) return isExecutable(override) ? override : undefined;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Like {@link findTool} but throws {@link ToolMissingError}. */
export function requireTool(tool: ToolName): string {
  const path = findTool(tool);
  if (path === undefined) throw new ToolMissingError(tool);
  return path;
}

/** Whether `path` exists and may be executed. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
