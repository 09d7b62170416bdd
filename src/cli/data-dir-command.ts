// The shared start of the admin commands that work on the server's data directory: --data-dir/
// --data/--config resolved by the same config schema as `serve`, --help, and usage or config
// errors that exit 2. backup and restore take one positional directory (startDataDirCommand); gc,
// verify and ocr reread take none (startConfigCommand).
import type { ParseArgsConfig } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config/schema.ts";
import { parse, parseCommand, UsageError } from "./args.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** Parsed flags: strings for string options, true for boolean ones, undefined when absent. */
type Flags = Record<string, string | boolean | undefined>;
/** Where the data directory is and which config file: the flags every such command takes. */
const CONFIG_OPTIONS = {
  "data-dir": { type: "string" },
  data: { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
const COMMON = { ...CONFIG_OPTIONS, quiet: { type: "boolean", short: "q" } } as const;

/** The server's config from --config, --data-dir (or --data); the exit code 2 (message on stderr) when it cannot be loaded. */
export function commandConfig(values: { config?: string | boolean | undefined; "data-dir"?: string | boolean | undefined; data?: string | boolean | undefined }): Config | 2 {
  try {
    const dataDir = values["data-dir"] ?? values.data;
    return loadConfig({ ...(typeof values.config === "string" ? { file: values.config } : {}), overrides: { dataDir: typeof dataDir === "string" ? dataDir : undefined } });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
}

/**
 * Parses `<dir> [options]` and loads the config; answers an exit code instead when the command
 * is done already (help: 0, usage or config error: 2, with the message on stderr).
 */
export function startDataDirCommand(name: string, argv: string[], options: Options, help: string, what: string): number | { values: Flags; dir: string; config: Config } {
  const parsed = parseCommand(name, argv, { ...COMMON, ...options }, help);
  if (parsed === 2) return 2;
  const values = parsed.values as Flags;
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length) {
    process.stderr.write(`${name}: expected one ${what}\n${help}`);
    return 2;
  }
  const config = commandConfig(values);
  if (config === 2) return 2;
  return { values, dir, config };
}

type Values<O extends Options> = ReturnType<typeof parse<O>>["values"];

/**
 * Parses the options of a command that takes no arguments, then `check`s them (a usage problem
 * to report, or undefined) and loads the config; answers an exit code instead when the command is
 * done already (help: 0, usage or config error: 2, with the message on stderr).
 */
export function startConfigCommand<const O extends Options>(
  name: string,
  argv: string[],
  options: O,
  help: string,
  check: (values: Values<typeof CONFIG_OPTIONS & O>) => string | undefined = () => undefined,
): number | { values: Values<typeof CONFIG_OPTIONS & O>; config: Config } {
  const parsed = parseCommand(name, argv, { ...CONFIG_OPTIONS, ...options }, help);
  if (parsed === 2) return 2;
  const stray = parsed.positionals[0];
  if (stray !== undefined) {
    process.stderr.write(`${name}: unexpected argument '${stray}'\n${help}`);
    return 2;
  }
  const values = parsed.values;
  const flags = values as Flags; // the same object, seen without the options' own types
  if (flags.help) {
    process.stdout.write(help);
    return 0;
  }
  const problem = check(values);
  if (problem) {
    process.stderr.write(`${name}: ${problem}\n${help}`);
    return 2;
  }
  const config = commandConfig(flags);
  if (config === 2) return 2;
  return { values, config };
}
