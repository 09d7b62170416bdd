// `rmirror agent update` (issue 15): replace this computer's agent executable with the one the
// server hands out, when it differs (the server's manifest names each build's SHA-256, so a
// rebuilt agent of the same version counts too).
//   1. GET <server>/download/agent/manifest.json → this platform's URL and hash
//   2. wait until the running agent (its local status page) has nothing queued and is not
//      uploading — an update never cuts a sync short (the restart stops it gracefully as well)
//   3. download beside the executable, check the SHA-256, then rename over it (atomic on POSIX;
//      on Windows the running .exe is first renamed aside, which Windows allows)
//   4. restart through the service manager when autostart is installed
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { AutostartTarget } from "./autostart/index.ts";

export interface UpdateOptions {
  server: string;
  /** The executable to replace. */
  exe: string;
  /** This computer as the server names builds (agentPlatform()). */
  platform: string;
  /** Our version (for messages). */
  version: string;
  /** Only say whether an update is available. */
  check?: boolean;
  /** The running agent's local status page, to wait for it to be idle (undefined: none). */
  statusUrl?: string | undefined;
  /** How long to wait for an idle agent before giving up (default 10 minutes). */
  idleWaitMs?: number;
  pollMs?: number;
  /** The installed autostart (restarted after the update), or null when none is installed. */
  autostart: AutostartTarget | null;
  restart: (t: AutostartTarget) => boolean;
  windows?: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

/** Exit code: 0 updated or already current, 1 failed, 2 nothing for this platform. */
export async function updateAgent(o: UpdateOptions): Promise<number> {
  const server = o.server.replace(/\/+$/, "");
  let manifest: { version: string; platforms: Record<string, { url: string; sha256: string; size: number } | null> };
  try {
    const res = await fetch(`${server}/download/agent/manifest.json`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    manifest = (await res.json()) as typeof manifest;
  } catch (e) {
    o.err(`agent update: cannot read ${server}/download/agent/manifest.json: ${(e as Error).message}\n`);
    return 1;
  }
  const entry = manifest.platforms?.[o.platform];
  if (!entry) {
    o.err(`agent update: ${server} has no agent for ${o.platform}\n`);
    return 2;
  }
  let current: string;
  try {
    current = sha256(readFileSync(o.exe));
  } catch (e) {
    o.err(`agent update: cannot read ${o.exe}: ${(e as Error).message}\n`);
    return 1;
  }
  if (current === entry.sha256) {
    o.out(`rmirror agent ${o.version} is up to date (the server's build for ${o.platform}, version ${manifest.version})\n`);
    return 0;
  }
  if (o.check) {
    o.out(`an update is available: ${o.version} → ${manifest.version} (run 'rmirror agent update')\n`);
    return 0;
  }
  if (o.statusUrl && !(await waitIdle(o))) return 1;

  const tmp = join(dirname(o.exe), `.${basename(o.exe)}.update-${process.pid}`);
  try {
    const res = await fetch(entry.url.startsWith(server) ? entry.url : `${server}/download/agent/${o.platform}`, { signal: AbortSignal.timeout(30 * 60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const got = sha256(bytes);
    if (got !== entry.sha256) {
      o.err(`agent update: checksum mismatch: expected ${entry.sha256}, got ${got}; ${o.exe} was not changed\n`);
      return 1;
    }
    writeFileSync(tmp, bytes, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    if (o.windows) {
      // A running .exe cannot be overwritten but can be renamed: move it aside, then put the new one in place.
      const old = `${o.exe}.old`;
      rmSync(old, { force: true });
      renameSync(o.exe, old);
      try {
        renameSync(tmp, o.exe);
      } catch (e) {
        renameSync(old, o.exe);
        throw e;
      }
    } else renameSync(tmp, o.exe);
  } catch (e) {
    rmSync(tmp, { force: true });
    o.err(`agent update: ${(e as Error).message}; ${o.exe} was not changed\n`);
    return 1;
  }
  o.out(`updated ${o.exe}: ${o.version} → ${manifest.version} (SHA-256 ${entry.sha256})\n`);
  if (o.autostart && existsSync(o.autostart.file)) {
    o.out(`restarting the agent (${o.autostart.kind}):\n`);
    if (!o.restart(o.autostart)) {
      o.err(`agent update: the restart failed; the new version starts at the next login\n`);
      return 1;
    }
  } else o.out(`restart the agent to run the new version\n`);
  return 0;
}

/** Waits until the running agent has nothing queued and is not uploading; true when it is (or none runs). */
async function waitIdle(o: UpdateOptions): Promise<boolean> {
  const end = Date.now() + (o.idleWaitMs ?? 10 * 60_000);
  let said = false;
  for (;;) {
    let s: { queue?: number; busy?: boolean };
    try {
      const res = await fetch(`${o.statusUrl}/api/status`, { signal: AbortSignal.timeout(3000) });
      s = (await res.json()) as typeof s;
    } catch {
      return true; // no agent running: nothing to interrupt
    }
    if (!s.busy && (s.queue ?? 0) === 0) return true;
    if (!said) {
      o.out(`waiting for the running agent to finish syncing (${s.queue ?? 0} queued)…\n`);
      said = true;
    }
    if (Date.now() >= end) {
      o.err(`agent update: the agent is still syncing; not updated (try again later)\n`);
      return false;
    }
    await Bun.sleep(o.pollMs ?? 1000);
  }
}
