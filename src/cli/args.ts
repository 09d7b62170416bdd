// Small shared helpers for subcommand argument parsing (node:util parseArgs underneath).
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parse<T extends ParseArgsConfig["options"]>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: options!, allowPositionals, strict: true });
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
