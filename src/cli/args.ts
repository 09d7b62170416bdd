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

/** A name safe to use as one path segment on every OS (names come from hostile files). */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_")
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, 120);
  const reserved = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
  return cleaned && !reserved.test(cleaned) ? cleaned : fallback;
}
