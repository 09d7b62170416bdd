// The shared start of the admin commands that work on a data directory (backup, restore): one
// positional directory, --data-dir/--data/--config resolved by the same config schema as `serve`,
// --help, and usage errors that exit 2.
import type { ParseArgsConfig } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config/schema.ts";
import { parse, UsageError } from "./args.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** Parsed flags: strings for string options, true for boolean ones, undefined when absent. */
type Flags = Record<string, string | boolean | undefined>;
const COMMON = {
  "data-dir": { type: "string" },
  data: { type: "string" },
  config: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses `<dir> [options]` and loads the config; answers an exit code instead when the command
 * is done already (help: 0, usage or config error: 2, with the message on stderr).
 */
export function startDataDirCommand(name: string, argv: string[], options: Options, help: string, what: string): number | { values: Flags; dir: string; config: Config } {
  let parsed;
  try {
    parsed = parse(argv, { ...COMMON, ...options });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${name}: ${e.message}\n${help}`);
    return 2;
  }
  const values = parsed.values as Flags;
  const positionals = parsed.positionals;
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) {
    process.stderr.write(`${name}: expected one ${what}\n${help}`);
    return 2;
  }
  let config: Config;
  try {
    const dataDir = values["data-dir"] ?? values.data;
    config = loadConfig({ ...(typeof values.config === "string" ? { file: values.config } : {}), overrides: { dataDir: typeof dataDir === "string" ? dataDir : undefined } });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  return { values, dir, config };
}
