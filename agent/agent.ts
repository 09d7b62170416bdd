// The running agent: outbox + manifest reader + uploader + watcher + periodic rescan + the local
// status page, started and stopped in one place.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../src/log.ts";
import { defaultWatch, ensureHome } from "./config.ts";
import { ManifestReader } from "./manifest.ts";
import { notificationLaunch, type Notice } from "./notify/commands.ts";
import { Notifier, type QuotaInfo } from "./notify/notifier.ts";
import { Outbox } from "./outbox.ts";
import { startStatusPage, type StatusPage } from "./status-page/server.tsx";
import type { AgentControl, ServerCheck } from "./status-page/status.ts";
import { Uploader, type UploaderOptions } from "./uploader.ts";
import { FolderWatcher, listUuids } from "./watcher.ts";
import { VERSION } from "../src/version.ts";
import { mirrorVault } from "../src/vault/vault.ts";
import type { ServerSyncSettings, SyncSettingsInEffect, VaultStatus } from "./status-page/status.ts";
export type { ServerSyncSettings, SyncSettingsInEffect };

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
  /** Native notifications (quota 90/100 %, sync problems): shown by the OS (default), by the
   *  given function (tests), or not at all (false). */
  notify?: false | ((n: Notice) => void);
  /** How often the state is checked for something to notify (default 15 s; the quota every 40th time). */
  notifyEveryMs?: number;
  /** How often the agent reports its state to the server (default 60 s; 0 = never). */
  heartbeatMs?: number;
  /** Keep a Markdown vault in step with the server (src/vault): the folder, and how often the change feed is read (default 30 s). */
  vault?: { dir: string; everyMs?: number; images?: "png" | "svg" };
  /** Called when the settings form changes the config (the CLI writes it and restarts). */
  onSettings?: (s: { server: string; folder: string; exclude: string[]; vault: string }) => void;
}

export function parseServerSettings(v: unknown): ServerSyncSettings | undefined {
  const o = v as Partial<ServerSyncSettings> | null | undefined;
  if (!o || typeof o !== "object" || (o.mode !== "exclude" && o.mode !== "include") || !Array.isArray(o.items) || !o.items.every((x) => typeof x === "string")) return undefined;
  const n = o.initialPages;
  return { mode: o.mode, items: o.items, initialPages: typeof n === "number" && Number.isFinite(n) ? n : null, updatedAt: typeof o.updatedAt === "string" ? o.updatedAt : null };
}

/** The manifest rules from the local exclude list and the server's settings. */
export function rulesFrom(local: readonly string[], server: ServerSyncSettings | undefined): { exclude: string[]; include: string[] | null } {
  if (!server) return { exclude: [...local], include: null };
  return server.mode === "exclude" ? { exclude: [...local, ...server.items], include: null } : { exclude: [...local], include: [...server.items] };
}

export interface RunningAgent {
  outbox: Outbox;
  uploader: Uploader;
  watcher: FolderWatcher;
  status?: StatusPage;
  /** The server's version, from its last answer to a heartbeat. */
  serverVersion?: string;
  /** Report the state to the server now (also done every heartbeatMs, and once at stop). */
  heartbeat(stopping?: boolean): Promise<void>;
  /** The sync rules in effect and where they come from. */
  syncSettings(): SyncSettingsInEffect;
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

/** The folder as the dashboard shows it: there and readable, missing, or not readable. */
export function folderState(folder: string): "ok" | "missing" | "unreadable" {
  try {
    if (!statSync(folder).isDirectory()) return "missing";
    accessSync(folder, constants.R_OK | constants.X_OK);
    return "ok";
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === "EACCES" || code === "EPERM" ? "unreadable" : "missing";
  }
}

/** This computer as the server names agent builds (darwin-arm64, windows-x64, linux-x64, …). */
export function agentPlatform(platform: string = process.platform, arch: string = process.arch): string {
  return `${platform === "win32" ? "windows" : platform}-${arch}`;
}

function permissionHint(folder: string, platform: string): string {
  if (platform === "darwin")
    return `cannot read ${folder}: permission denied.\n  macOS protects the desktop app's container: open System Settings → Privacy & Security → Full Disk Access and enable the program running rmirror (Terminal, or the rmirror binary for the login agent), then start it again.`;
  return `cannot read ${folder}: permission denied. Give the user running rmirror read access to it.`;
}

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  ensureHome(o.home);
  const outbox = new Outbox(o.dbPath ?? join(o.home, "agent.db"));
  // Choose what syncs: the server's settings for this computer, from the heartbeat's answer (and
  // once before the first scan), kept in the outbox so a start without the server uses the last ones.
  const local = o.exclude ?? [];
  const sync: SyncSettingsInEffect = { local: [...local], server: undefined, source: "none", fetchedAt: undefined };
  try {
    const saved = parseServerSettings(JSON.parse(outbox.getState("serverSettings") ?? "null"));
    if (saved) Object.assign(sync, { server: saved, source: "saved" });
  } catch {
    /* not saved yet */
  }
  const reader = new ManifestReader(o.folder, { ...rulesFrom(local, sync.server), hashes: outbox.fileHashes(o.folder) });
  const uploader = new Uploader(outbox, reader, { server: o.server, token: o.token, ...o.uploader }, o.log.child({ component: "uploader" }));
  const onChange = (uuids: string[]) => {
    outbox.enqueue(uuids);
    uploader.kick();
  };
  const watcher = new FolderWatcher(o.folder, { debounceMs: o.debounceMs, usePolling: o.poll ?? false, mode: o.watch ?? defaultWatch(), onChange, log: o.log.child({ component: "watcher" }) });

  /**
   * Queue a check of every document on disk, every one the server has from us, and every one
   * waiting. `again`: also those queued or in flight now (read again under new sync rules).
   */
  const rescan = async (again = false): Promise<number> => {
    const uuids = await listUuids(o.folder);
    for (const u of outbox.syncedUuids()) uuids.add(u);
    for (const u of outbox.waitingUuids()) uuids.add(u);
    if (again) outbox.enqueue(uuids);
    else outbox.enqueueIfAbsent(uuids);
    outbox.setState("lastRescanAt", String(Date.now()));
    uploader.kick();
    return uuids.size;
  };

  /** Apply the server's settings; a change queues a rescan (newly included notebooks sync at once, newly excluded ones stop). */
  const applySettings = (raw: unknown): void => {
    const next = parseServerSettings(raw);
    if (!next) return;
    sync.fetchedAt = Date.now();
    sync.source = "server";
    const before = JSON.stringify(sync.server ?? null);
    sync.server = next;
    if (JSON.stringify(next) !== before) outbox.setState("serverSettings", JSON.stringify(next));
    if (reader.setRules(rulesFrom(local, next))) {
      o.log.info("sync settings changed on the server", { mode: next.mode, items: next.items.length, initialPages: next.initialPages });
      if (started) void rescan(true).catch((e) => o.log.warn("rescan failed", { error: (e as Error).message }));
    }
  };
  let started = false;
  if ((o.heartbeatMs ?? 60_000) > 0) {
    try {
      const res = await fetch(`${o.server.replace(/\/+$/, "")}/api/v1/agent/settings`, { headers: { authorization: `Bearer ${o.token}` }, signal: AbortSignal.timeout(3000) });
      if (res.ok) applySettings(((await res.json()) as { settings?: unknown }).settings);
    } catch (e) {
      o.log.debug("sync settings not read at start", { error: (e as Error).message });
    }
  }

  await watcher.start();
  started = true;
  const n = await rescan();
  o.log.info("initial scan queued", { documents: n });
  uploader.start();
  const timer = o.rescanMinutes > 0 ? setInterval(() => void rescan(false).catch((e) => o.log.warn("rescan failed", { error: (e as Error).message })), o.rescanMinutes * 60_000) : undefined;
  let status: StatusPage | undefined;
  let notifyTimer: ReturnType<typeof setInterval> | undefined;
  if (o.notify !== false) {
    const show = o.notify ?? ((n: Notice) => showNative(n, o.log));
    const notifier = new Notifier(outbox, show);
    let ticks = 0;
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      try {
        const quota = ticks++ % 40 === 0 ? await fetchQuota(o.server, o.token).catch(() => undefined) : undefined;
        const parked = outbox.parked().map((r) => ({ uuid: r.uuid, gen: r.gen, name: outbox.synced(r.uuid)?.name ?? nameOnDisk(o.folder, r.uuid), error: r.last_error ?? "" }));
        notifier.check({ connection: uploader.connection, parked, quota, statusUrl: status ? `http://127.0.0.1:${status.port}` : undefined });
      } catch (e) {
        o.log.warn("notification check failed", { error: (e as Error).message });
      } finally {
        checking = false;
      }
    };
    notifyTimer = setInterval(() => void check(), o.notifyEveryMs ?? 15_000);
  }
  const sendHeartbeat = async (stopping = false): Promise<void> => {
    const parked = outbox.parked().length;
    const body = {
      version: VERSION,
      platform: agentPlatform(),
      folder: folderState(o.folder),
      queue: outbox.pendingCount(),
      lastSyncAt: (() => {
        const t = uploader.lastSyncAt ?? (Number(outbox.getState("lastSyncAt")) || undefined);
        return t ? new Date(t).toISOString() : null;
      })(),
      lastError: uploader.lastError ?? (parked ? `${parked} document${parked === 1 ? "" : "s"} could not be synced (see the agent's status page)` : null),
      stopping,
    };
    try {
      const res = await fetch(`${o.server.replace(/\/+$/, "")}/api/v1/agent/heartbeat`, {
        method: "POST",
        headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        // At stop, a server that does not answer must not hold the shutdown up for long.
        signal: AbortSignal.timeout(stopping ? 2000 : 5000),
      });
      const answer = (await res.json().catch(() => ({}))) as { serverVersion?: unknown; settings?: unknown };
      if (res.ok && !stopping) applySettings(answer.settings);
      if (res.ok && typeof answer.serverVersion === "string") {
        if (answer.serverVersion !== VERSION && agent.serverVersion !== answer.serverVersion)
          o.log.info("the server hands out another agent version: run 'rmirror agent update'", { version: VERSION, serverVersion: answer.serverVersion });
        agent.serverVersion = answer.serverVersion;
      }
    } catch (e) {
      o.log.debug("heartbeat not delivered", { error: (e as Error).message });
    }
  };
  // The Markdown vault (rmirror agent --vault): the change feed read every everyMs, only what changed written.
  let vault: VaultStatus | undefined;
  let vaultTimer: ReturnType<typeof setInterval> | undefined;
  let vaultRun: Promise<void> | undefined;
  if (o.vault) {
    const v = o.vault;
    vault = { dir: v.dir, lastRunAt: undefined, lastError: undefined, notes: 0 };
    const step = async () => {
      try {
        const r = await mirrorVault({ dir: v.dir, server: o.server, token: o.token, ...(v.images ? { images: v.images } : {}) });
        vault!.lastRunAt = Date.now();
        vault!.lastError = r.failed.length ? r.failed.map((f) => `${f.name}: ${f.error}`).join("; ") : undefined;
        vault!.notes = r.written.length + r.unchanged;
        if (r.written.length || r.moved.length || r.trashed.length) o.log.info("vault updated", { dir: v.dir, written: r.written.length, moved: r.moved.length, trashed: r.trashed.length, failed: r.failed.length });
      } catch (e) {
        vault!.lastError = (e as Error).message;
        o.log.warn("vault update failed", { dir: v.dir, error: (e as Error).message });
      }
    };
    const tick = () => {
      if (!vaultRun) vaultRun = step().finally(() => (vaultRun = undefined));
    };
    tick();
    vaultTimer = setInterval(tick, v.everyMs ?? 30_000);
  }
  const heartbeatMs = o.heartbeatMs ?? 60_000;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  const agent: RunningAgent = {
    outbox,
    uploader,
    watcher,
    rescan,
    heartbeat: (stopping) => (stopped ? Promise.resolve() : sendHeartbeat(stopping)),
    syncSettings: () => ({ ...sync, local: [...sync.local] }),
    async stop() {
      if (stopped) return;
      if (timer) clearInterval(timer);
      if (notifyTimer) clearInterval(notifyTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (vaultTimer) clearInterval(vaultTimer);
      await vaultRun;
      status?.stop();
      await watcher.stop();
      await uploader.stop();
      // The last word to the server: this computer is offline now (not after the timeout).
      if (heartbeatMs > 0) await sendHeartbeat(true);
      stopped = true;
      outbox.close();
    },
  };
  if (heartbeatMs > 0) {
    void sendHeartbeat();
    heartbeatTimer = setInterval(() => void sendHeartbeat(), heartbeatMs);
  }
  if (o.statusPort >= 0) {
    status = startStatusPage(statusControl(agent, o.folder, () => vault), { port: o.statusPort, server: o.server, folder: o.folder, exclude: o.exclude ?? [], onSettings: o.onSettings, log: o.log, quota: () => fetchQuota(o.server, o.token), probe: () => probeServer(o.server, o.token) });
    agent.status = status;
  }
  return agent;
}

/** The running agent as its status page sees it (agent/status-page/status.ts). */
function statusControl(agent: RunningAgent, folder: string, vault: () => VaultStatus | undefined): AgentControl {
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
      parked: ob.parked().map((r) => ({ uuid: r.uuid, name: ob.synced(r.uuid)?.name ?? nameOnDisk(folder, r.uuid), error: r.last_error ?? "" })),
      failing: ob.failing().map((r) => ({ uuid: r.uuid, name: ob.synced(r.uuid)?.name ?? nameOnDisk(folder, r.uuid), error: r.last_error ?? "" })),
      waiting: ob.waiting().map((w) => ({ uuid: w.uuid, name: w.name, reason: w.reason })),
      counters: { documents: ob.counter("documents"), folders: ob.counter("folders"), blobs: ob.counter("blobs"), bytes: ob.counter("bytes"), deletes: ob.counter("deletes") },
      vault: vault(),
      sync: agent.syncSettings(),
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

/** A document's name from its .metadata on disk (for a notice about one never synced). */
function nameOnDisk(folder: string, uuid: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(join(folder, `${uuid}.metadata`), "utf8")) as { visibleName?: unknown }).visibleName;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Show a notice with the OS's notifier, without waiting for it; where there is none, only log. */
function showNative(n: Notice, log: Logger): void {
  const launch = notificationLaunch(n, process.platform, (p) => Bun.which(p) !== null);
  log.info("notification", { title: n.title, shown: launch !== undefined });
  if (!launch) return;
  try {
    const child = Bun.spawn(launch.argv, { env: { ...process.env, ...launch.env }, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    void child.exited.then((code) => {
      if (code !== 0) log.warn("notifier failed", { program: launch.argv[0], exitCode: code });
    });
  } catch (e) {
    log.warn("notifier failed", { program: launch.argv[0], error: (e as Error).message });
  }
}

/**
 * Whether the server answers this agent (GET /api/v1/quota with its token): for the status page,
 * which must not say "no problems" while the server is down, even when nothing is being uploaded.
 */
export async function probeServer(server: string, token: string): Promise<ServerCheck> {
  let res: Response;
  try {
    res = await fetch(`${server.replace(/\/+$/, "")}/api/v1/quota`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
  } catch (e) {
    const m = (e as Error)?.message ?? String(e);
    return { state: "unreachable", error: /timed? ?out|abort/i.test(m) ? "no answer within 3 seconds" : /ECONNREFUSED|Unable to connect|refused/i.test(m) ? "connection refused" : m };
  }
  if (res.status === 401 || res.status === 403) return { state: "unauthorized", error: `HTTP ${res.status}` };
  if (res.status >= 500) return { state: "unreachable", error: `the server answered HTTP ${res.status}` };
  const body = (await res.json().catch(() => null)) as { quota?: { used?: unknown; limit?: unknown } } | null;
  const q = body?.quota;
  return { state: "ok", ...(q && typeof q.used === "number" && (q.limit === null || typeof q.limit === "number") ? { quota: { used: q.used, limit: q.limit as number | null } } : {}) };
}

/** The user's OCR quota from the server (GET /api/v1/quota), or undefined when it does not say. */
async function fetchQuota(server: string, token: string): Promise<QuotaInfo | undefined> {
  const res = await fetch(`${server.replace(/\/+$/, "")}/api/v1/quota`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
  if (!res.ok) return undefined;
  const body = (await res.json()) as { quota?: { used?: unknown; limit?: unknown } };
  const q = body.quota;
  if (!q || typeof q.used !== "number" || (q.limit !== null && typeof q.limit !== "number")) return undefined;
  const resets = (q as { resets_at?: unknown }).resets_at;
  return { used: q.used, limit: q.limit as number | null, ...(typeof resets === "string" ? { resets_at: resets } : {}) };
}
