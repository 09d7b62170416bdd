// The agent's settings: flags over environment over `<home>/config` (JSON) over defaults.
// `<home>` is `~/.rmirror` unless RMIRROR_AGENT_HOME or --home says otherwise (tests never
// touch the real one).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface AgentConfig {
  /** Server base URL, e.g. http://homeserver:8080. */
  server?: string;
  /** Source folder (desktop app data folder or an rsynced xochitl folder). */
  folder?: string;
  /** Folder names or uuids whose contents are not synced. */
  exclude?: string[];
  debounceMs?: number;
  rescanMinutes?: number;
  statusPort?: number;
  batchSize?: number;
  /** Watch by polling (network folders, odd filesystems). */
  poll?: boolean;
  /** Keep this folder as a Markdown vault in step with the server (docs/vault.md). */
  vault?: string;
  /** "native" (recursive fs.watch; the default where it exists, see defaultWatch) or "chokidar". */
  watch?: "chokidar" | "native";
}

export const DEFAULTS = { debounceMs: 300, rescanMinutes: 10, statusPort: 9090, batchSize: 50 } as const;

/**
 * The watcher used when none is chosen: the recursive `fs.watch` ("native") on Linux, macOS and
 * Windows, chokidar elsewhere (where a recursive fs.watch may not exist). Measured on Linux
 * (docs/benchmarks.md, agent section): after a 10,000-page sync the native watcher idles well
 * below chokidar, which keeps a stat entry for every file. On macOS the native watcher is one
 * FSEvents stream for the whole folder and on Windows one ReadDirectoryChangesW handle; chokidar
 * with our depth limit opens a watcher per directory there and keeps the same per-file state
 * (not measured on those systems; reasoned from how each works). Network folders: `--poll`.
 */
export function defaultWatch(platform: string = process.platform): "chokidar" | "native" {
  return platform === "linux" || platform === "darwin" || platform === "win32" ? "native" : "chokidar";
}

export function agentHome(flag?: string, env: Record<string, string | undefined> = process.env): string {
  return flag ?? env.RMIRROR_AGENT_HOME ?? join(homedir(), ".rmirror");
}

export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
}

export function configPath(home: string): string {
  return join(home, "config");
}

export function readConfig(home: string): AgentConfig {
  const p = configPath(home);
  if (!existsSync(p)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    throw new Error(`agent: ${p} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`agent: ${p} must hold a JSON object`);
  const c = raw as Record<string, unknown>;
  const errors: string[] = [];
  const str = (k: string) => (c[k] === undefined || typeof c[k] === "string" ? (c[k] as string | undefined) : (errors.push(`${k} must be a string`), undefined));
  const num = (k: string) => (c[k] === undefined || (typeof c[k] === "number" && Number.isFinite(c[k]) && (c[k] as number) >= 0) ? (c[k] as number | undefined) : (errors.push(`${k} must be a non-negative number`), undefined));
  const out: AgentConfig = {};
  const server = str("server");
  const folder = str("folder");
  if (server !== undefined) out.server = server;
  if (folder !== undefined) out.folder = folder;
  const vault = str("vault");
  if (vault !== undefined) out.vault = vault;
  if (c.exclude !== undefined) {
    if (Array.isArray(c.exclude) && c.exclude.every((x) => typeof x === "string")) out.exclude = c.exclude as string[];
    else errors.push("exclude must be a list of folder names or uuids");
  }
  for (const k of ["debounceMs", "rescanMinutes", "statusPort", "batchSize"] as const) {
    const v = num(k);
    if (v !== undefined) out[k] = v;
  }
  if (c.poll !== undefined) {
    if (typeof c.poll === "boolean") out.poll = c.poll;
    else errors.push("poll must be true or false");
  }
  if (c.watch !== undefined) {
    if (c.watch === "chokidar" || c.watch === "native") out.watch = c.watch;
    else errors.push('watch must be "chokidar" or "native"');
  }
  if (errors.length) throw new Error(`agent: ${p}: ${errors.join("; ")}`);
  return out;
}

export function writeConfig(home: string, cfg: AgentConfig): void {
  ensureHome(home);
  const p = configPath(home);
  const tmp = `${p}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, p);
}

/** The desktop app's data folder for this OS (macOS: the sandbox container first, then the older path). */
export function defaultFolderCandidates(platform = process.platform, env: Record<string, string | undefined> = process.env, home = homedir()): string[] {
  if (platform === "darwin") {
    return [
      join(home, "Library/Containers/com.remarkable.desktop/Data/Library/Application Support/remarkable/desktop"),
      join(home, "Library/Application Support/remarkable/desktop"),
    ];
  }
  if (platform === "win32") return env.APPDATA ? [join(env.APPDATA, "remarkable", "desktop")] : [];
  return [];
}

export function defaultFolder(platform = process.platform, env: Record<string, string | undefined> = process.env, home = homedir()): string | undefined {
  const c = defaultFolderCandidates(platform, env, home);
  return c.find((p) => existsSync(p)) ?? c[0];
}
