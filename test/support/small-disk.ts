// A real small filesystem for disk-full tests and benches: a tmpfs of a few MB mounted on a
// folder. Needs root (or CAP_SYS_ADMIN); `possible()` says whether this process can mount one.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmallDisk {
  dir: string;
  unmount(): void;
}

let probed: { ok: boolean; why: string } | undefined;

function probe(): { ok: boolean; why: string } {
  if (probed) return probed;
  if (process.platform !== "linux") return (probed = { ok: false, why: "tmpfs mounts need Linux" });
  if (process.getuid?.() !== 0) return (probed = { ok: false, why: "not root: cannot mount a small tmpfs" });
  const dir = mkdtempSync(join(tmpdir(), "rmirror-probe-"));
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]);
  if (r.exitCode === 0) Bun.spawnSync(["umount", dir]);
  rmSync(dir, { recursive: true, force: true });
  return (probed = r.exitCode === 0 ? { ok: true, why: "" } : { ok: false, why: `mount -t tmpfs failed: ${r.stderr.toString().trim()}` });
}

/** Mount a `megabytes` MB tmpfs on `dir` (created), or null when this process cannot. */
export function mountSmallDisk(dir: string, megabytes: number): SmallDisk | null {
  if (!probe().ok) return null;
  mkdirSync(dir, { recursive: true });
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${megabytes}m`, "tmpfs", dir]);
  if (r.exitCode !== 0) return null;
  return {
    dir,
    unmount() {
      Bun.spawnSync(["umount", "-l", dir]);
    },
  };
}
mountSmallDisk.possible = (): boolean => probe().ok;
mountSmallDisk.why = (): string => probe().why;
