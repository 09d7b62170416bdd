// Small shared helpers for subcommand argument parsing (node:util parseArgs underneath).
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs in strict mode with positionals, turning its errors into UsageError. */
export function parse<const O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true as const, strict: true as const });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** parse, or after a usage error (the reason and the help on stderr, as "<name>: <why>") the exit code 2. */
export function parseCommand<const O extends Options>(name: string, argv: string[], options: O, help: string): ReturnType<typeof parse<O>> | 2 {
  try {
    return parse(argv, options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${name}: ${e.message}\n${help}`);
    return 2;
  }
}

/** A name safe to use as one path segment on every OS (names come from hostile files). */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_")
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, 120);
  const reserved = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
  return cleaned && !reserved.test(cleaned) ? cleaned : fallback;
}
