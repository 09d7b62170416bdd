// Locates ../shared/samples (present in CI and for developers, absent in a user's plain clone).
// Tests that need it call `describeSamples` so they skip with a clear message instead of failing.
import { describe } from "bun:test";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const SAMPLES_DIR = resolve(import.meta.dir, "../../../shared/samples");
export const HAVE_SAMPLES = existsSync(join(SAMPLES_DIR, "INDEX.md"));

export function sample(...parts: string[]): string {
  return join(SAMPLES_DIR, ...parts);
}

let warned = false;
/** describe() that is skipped, with one explanatory line, when the shared samples are absent. */
export function describeSamples(name: string, fn: () => void): void {
  if (!HAVE_SAMPLES && !warned) {
    warned = true;
    console.warn(`[samples] ${SAMPLES_DIR} not found: sample-based tests are skipped (clone the shared samples beside this repo to run them)`);
  }
  (HAVE_SAMPLES ? describe : describe.skip)(name, fn);
}
