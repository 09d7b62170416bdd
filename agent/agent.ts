// The running agent: outbox + manifest reader + uploader + watcher + periodic rescan + the local
// status page, started and stopped in one place.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../src/log.ts";
import { ensureHome } from "./config.ts";
import { ManifestReader } from "./manifest.ts";
import { Outbox } from "./outbox.ts";
import { startStatusPage, type StatusPage } from "./status-page/server.tsx";
import type { AgentControl } from "./status-page/status.ts";
import { Uploader, type UploaderOptions } from "./uploader.ts";
import { FolderWatcher, listUuids } from "./watcher.ts";

export interface AgentOptions {
  home: string;
  folder: string;
  server: string;
  token: string;
  exclude?: string[];
  debounceMs: number;
  rescanMinutes: number;
  /** 0 picks a free port; -1 disables the page. */
  statusPort: number;
  poll?: boolean;
  watch?: "chokidar" | "native";
  uploader?: Partial<UploaderOptions>;
  dbPath?: string;
  log: Logger;
  /** Called when the settings form changes the config (the CLI writes it and restarts). */
  onSettings?: (s: { server: string; folder: string; exclude: string[] }) => void;
}

export interface RunningAgent {
  outbox: Outbox;
  uploader: Uploader;
  watcher: FolderWatcher;
  status?: StatusPage;
  rescan(): Promise<number>;
  stop(): Promise<void>;
}

/** A clear, actionable message when the source folder cannot be used, or undefined when it can. */
export function folderProblem(folder: string, platform = process.platform): string | undefined {
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EACCES" || code === "EPERM") return permissionHint(folder, platform);
    return `source folder not found: ${folder}\n  Is the reMarkable desktop app installed and signed in? Otherwise pass --folder <path> (any folder copied from the tablet's xochitl directory works).`;
  }
  if (!isDir) return `source folder is not a folder: ${folder}`;
  try {
    accessSync(folder, constants.R_OK | constants.X_OK);
  } catch {
    return permissionHint(folder, platform);
  }
  return undefined;
}

function permissionHint(folder: string, platform: string): string {
  if (platform === "darwin")
    return `cannot read ${folder}: permission denied.\n  macOS protects the desktop app's container: open System Settings → Privacy & Security → Full Disk Access and enable the program running rmirror (Terminal, or the rmirror binary for the login agent), then start it again.`;
  return `cannot read ${folder}: permission denied. Give the user running rmirror read access to it.`;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  ensureHome(o.home);
  const outbox = new Outbox(o.dbPath ?? join(o.home, "agent.db"));
  const reader = new ManifestReader(o.folder, { exclude: o.exclude ?? [] });
  const uploader = new Uploader(outbox, reader, { server: o.server, token: o.token, ...o.uploader }, o.log.child({ component: "uploader" }));
  const onChange = (uuids: string[]) => {
    outbox.enqueue(uuids);
    uploader.kick();
  };
  const watcher = new FolderWatcher(o.folder, { debounceMs: o.debounceMs, usePolling: o.poll ?? false, mode: o.watch ?? "chokidar", onChange, log: o.log.child({ component: "watcher" }) });

  /** Queue a check of every document on disk, every one the server has from us, and every one waiting. */
  const rescan = async (): Promise<number> => {
    const uuids = await listUuids(o.folder);
    for (const u of outbox.syncedUuids()) uuids.add(u);
    for (const u of outbox.waitingUuids()) uuids.add(u);
    outbox.enqueueIfAbsent(uuids);
    outbox.setState("lastRescanAt", String(Date.now()));
    uploader.kick();
    return uuids.size;
  };

  await watcher.start();
  const n = await rescan();
  o.log.info("initial scan queued", { documents: n });
  uploader.start();
  const timer = o.rescanMinutes > 0 ? setInterval(() => void rescan().catch((e) => o.log.warn("rescan failed", { error: (e as Error).message })), o.rescanMinutes * 60_000) : undefined;
  let status: StatusPage | undefined;
  const agent: RunningAgent = {
    outbox,
    uploader,
    watcher,
    rescan,
    async stop() {
      if (timer) clearInterval(timer);
      status?.stop();
      await watcher.stop();
      await uploader.stop();
      outbox.close();
    },
  };
  if (o.statusPort >= 0) {
    status = startStatusPage(statusControl(agent), { port: o.statusPort, server: o.server, folder: o.folder, exclude: o.exclude ?? [], onSettings: o.onSettings, log: o.log, quota: () => fetchQuota(o.server, o.token) });
    agent.status = status;
  }
  return agent;
}

/** The running agent as its status page sees it (agent/status-page/status.ts). */
function statusControl(agent: RunningAgent): AgentControl {
  const { outbox: ob, uploader, watcher } = agent;
  return {
    syncState: () => ({
      connection: uploader.connection,
      lastError: uploader.lastError,
      lastSyncAt: uploader.lastSyncAt ?? (Number(ob.getState("lastSyncAt")) || undefined),
      paused: uploader.paused,
      busy: uploader.busy || watcher.pending > 0,
      queue: ob.pendingCount(),
      synced: ob.syncedCount(),
      parked: ob.parked().map((r) => ({ uuid: r.uuid, error: r.last_error ?? "" })),
      failing: ob.failing().map((r) => ({ uuid: r.uuid, error: r.last_error ?? "" })),
      waiting: ob.waiting().map((w) => ({ uuid: w.uuid, name: w.name, reason: w.reason })),
      counters: { documents: ob.counter("documents"), folders: ob.counter("folders"), blobs: ob.counter("blobs"), bytes: ob.counter("bytes"), deletes: ob.counter("deletes") },
    }),
    setPaused: (paused) => uploader.setPaused(paused),
    rescan: () => agent.rescan(),
    retry(uuid) {
      if (uuid === "*") ob.retryAll();
      else ob.retry(uuid);
      uploader.retryNow();
    },
  };
}

/** The user's OCR quota from the server (GET /api/v1/quota), or undefined when it does not say. */
async function fetchQuota(server: string, token: string): Promise<{ used: number; limit: number | null } | undefined> {
  const res = await fetch(`${server.replace(/\/+$/, "")}/api/v1/quota`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
  if (!res.ok) return undefined;
  const body = (await res.json()) as { quota?: { used?: unknown; limit?: unknown } };
  const q = body.quota;
  if (!q || typeof q.used !== "number" || (q.limit !== null && typeof q.limit !== "number")) return undefined;
  return { used: q.used, limit: q.limit as number | null };
}
