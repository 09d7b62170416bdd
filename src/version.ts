// Version of this build. The commit is injected by `bun build --define` for release binaries;
// in a checkout it is read from git lazily (and only when asked for).
import pkg from "../package.json" with { type: "json" };

declare const RMIRROR_BUILD_COMMIT: string | undefined;

export const VERSION: string = pkg.version;

export function commit(): string {
  if (typeof RMIRROR_BUILD_COMMIT === "string") return RMIRROR_BUILD_COMMIT;
  try {
    const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    const out = r.stdout.toString().trim();
    return r.exitCode === 0 && out ? out : "unknown";
  } catch {
    return "unknown";
  }
}
