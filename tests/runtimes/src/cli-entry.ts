/**
 * Entry for Node, Bun and Deno: `<runtime> cli.js '<config json>'`. Prints
 * one `RESULT <json>` line, or `ERROR <message>` and exits 1.
 */
import { runScenario, type ScenarioConfig } from './scenario';

interface RuntimeGlobals {
  Deno?: { args: string[]; memoryUsage(): { rss: number }; exit(code: number): never };
  process?: { argv: string[]; memoryUsage: { rss(): number }; exitCode?: number };
}

const runtime = globalThis as RuntimeGlobals;
const args = runtime.Deno ? runtime.Deno.args : (runtime.process?.argv.slice(2) ?? []);
const rss = (): number | undefined => (runtime.Deno ? runtime.Deno.memoryUsage().rss : runtime.process?.memoryUsage.rss());

try {
  const config = JSON.parse(args[0] ?? '') as ScenarioConfig;
  const result = await runScenario(config, { rss });
  console.log(`RESULT ${JSON.stringify(result)}`);
} catch (error) {
  console.log(`ERROR ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  if (runtime.Deno) runtime.Deno.exit(1);
  else if (runtime.process) runtime.process.exitCode = 1;
}
