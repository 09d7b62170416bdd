// `rmirror agent [run] | login | status | install | uninstall`: the watch-mode agent that mirrors
// the reMarkable desktop app's folder to a server (agent/), and its chores.
import { resolve as pathResolve } from "node:path";
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { createLogger, type LogLevel } from "../log.ts";
import { folderProblem, startAgent, type RunningAgent } from "../../agent/agent.ts";
import { agentHome, DEFAULTS, defaultFolder, defaultWatch, defaultFolderCandidates, readConfig, writeConfig, type AgentConfig } from "../../agent/config.ts";
import { tokenStore } from "../../agent/token-store.ts";
import { autostartTarget, install, isCompiled, restart, selfCommand, uninstall } from "../../agent/autostart/index.ts";
import { updateAgent } from "../../agent/update.ts";
import { agentPlatform } from "../../agent/agent.ts";
import { VERSION } from "../version.ts";

const HELP = `Usage: rmirror agent [run] [options]     watch the folder and keep the server in sync
       rmirror agent login --server URL [--name NAME]   pair with a server (approve in its dashboard)
       RMIRROR_TOKEN=T rmirror agent login --server URL  keep a token made on the Devices page instead
       rmirror agent login --server URL --install-code C  use the one-time code of the dashboard's install command
       rmirror agent status                 settings, token, autostart and the running agent's queue
       rmirror agent install | uninstall    start the agent at login (launchd / systemd --user / Task Scheduler)
       rmirror agent update [--check]       replace this executable with the server's build (hash checked;
                                            waits until the agent is idle; restarts it through autostart)

Options (flags over environment over <home>/config over defaults):
  --home DIR            agent state and config (RMIRROR_AGENT_HOME, default ~/.rmirror)
  --folder DIR          source folder (RMIRROR_AGENT_FOLDER; default: the desktop app's folder)
  --server URL          server base URL (RMIRROR_SERVER)
  --token T             device token (RMIRROR_TOKEN; default: the one stored by 'login')
  --exclude NAME        folder or notebook name or uuid not to sync (repeatable; the
                        dashboard's per-computer choices apply too)
  --debounce-ms N       quiet time after the last write before a document is read (default ${DEFAULTS.debounceMs})
  --rescan-minutes N    full rescan period, 0 = only at start (default ${DEFAULTS.rescanMinutes})
  --status-port N       local status page on 127.0.0.1 (default ${DEFAULTS.statusPort}; 0 = any free port; -1 = off)
  --batch N             documents per request (default ${DEFAULTS.batchSize})
  --poll                watch by polling (network folders, odd filesystems)
  --watch MODE          native (recursive fs.watch; the default on macOS, Windows and Linux: much less memory
                        on big libraries) or chokidar (RMIRROR_AGENT_WATCH; default here: ${defaultWatch()})
  --vault DIR           also keep DIR as a Markdown vault (Obsidian, Logseq) in step with the server, from its
                        change feed (RMIRROR_AGENT_VAULT; see docs/vault.md)
  --vault-images KIND   page images in the vault as png (default) or svg (RMIRROR_AGENT_VAULT_IMAGES)

Native notifications (OCR quota at 90 % and 100 %, documents that could not be synced, a refused
token) are shown once per event; RMIRROR_AGENT_NOTIFY=0 turns them off.
`;

const OPTIONS = {
  home: { type: "string" },
  folder: { type: "string" },
  server: { type: "string" },
  token: { type: "string" },
  name: { type: "string" },
  "install-code": { type: "string" },
  exclude: { type: "string", multiple: true },
  "debounce-ms": { type: "string" },
  "rescan-minutes": { type: "string" },
  "status-port": { type: "string" },
  batch: { type: "string" },
  poll: { type: "boolean" },
  watch: { type: "string" },
  vault: { type: "string" },
  "vault-images": { type: "string" },
  "no-load": { type: "boolean" },
  check: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

function envInt(name: string, min = 0): number | undefined {
  return int(name, process.env[name], min);
}

interface Resolved {
  home: string;
  file: AgentConfig;
  folder: string | undefined;
  server: string | undefined;
  exclude: string[];
  debounceMs: number;
  rescanMinutes: number;
  statusPort: number;
  batchSize: number;
  poll: boolean;
  watch: "chokidar" | "native";
  vault: string | undefined;
}

function resolve(v: Values): Resolved {
  const env = process.env;
  const home = agentHome(v.home, env);
  const file = readConfig(home);
  return {
    home,
    file,
    folder: v.folder ?? env.RMIRROR_AGENT_FOLDER ?? file.folder ?? defaultFolder(),
    server: (v.server ?? env.RMIRROR_SERVER ?? file.server)?.replace(/\/+$/, ""),
    exclude: v.exclude ?? file.exclude ?? [],
    debounceMs: int("--debounce-ms", v["debounce-ms"], 0) ?? envInt("RMIRROR_AGENT_DEBOUNCE_MS") ?? file.debounceMs ?? DEFAULTS.debounceMs,
    rescanMinutes: int("--rescan-minutes", v["rescan-minutes"], 0) ?? file.rescanMinutes ?? DEFAULTS.rescanMinutes,
    statusPort: int("--status-port", v["status-port"], -1) ?? envInt("RMIRROR_AGENT_STATUS_PORT", -1) ?? file.statusPort ?? DEFAULTS.statusPort,
    batchSize: int("--batch", v.batch, 1) ?? file.batchSize ?? DEFAULTS.batchSize,
    poll: v.poll ?? file.poll ?? false,
    watch: watchMode(v.watch ?? process.env.RMIRROR_AGENT_WATCH ?? file.watch ?? defaultWatch()),
    vault: v.vault ?? env.RMIRROR_AGENT_VAULT ?? file.vault,
  };
}

function vaultImages(v: string): "png" | "svg" {
  if (v !== "png" && v !== "svg") throw new Error(`--vault-images must be png or svg, not ${v}`);
  return v;
}

function watchMode(v: string): "chokidar" | "native" {
  if (v !== "chokidar" && v !== "native") throw new Error(`--watch must be chokidar or native, not ${v}`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    err(`agent: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP);
    return 0;
  }
  const sub = positionals[0] ?? "run";
  let r: Resolved;
  try {
    r = resolve(values);
  } catch (e) {
    err(`agent: ${(e as Error).message}\n`);
    return 2;
  }
  switch (sub) {
    case "run":
      return runAgent(r, values);
    case "login":
      return login(r, values);
    case "status":
      return status(r);
    case "install":
    case "uninstall":
      return autostart(sub, r, values);
    case "update":
      return update(r, values);
    default:
      err(`agent: unknown subcommand '${sub}'\n${HELP}`);
      return 2;
  }
}

async function runAgent(r: Resolved, v: Values): Promise<number> {
  const log = createLogger((process.env.RMIRROR_LOG_LEVEL as LogLevel) ?? "info", { component: "agent" });
  if (!r.folder) {
    err(`agent: no source folder: pass --folder <path> (the desktop app's folder is looked for at ${defaultFolderCandidates().join(" or ") || "no default location on this OS"})\n`);
    return 2;
  }
  const problem = folderProblem(r.folder);
  if (problem) {
    err(`agent: ${problem}\n`);
    return 1;
  }
  if (!r.server) {
    err(`agent: no server: run 'rmirror agent login --server URL' first (or pass --server and --token)\n`);
    return 2;
  }
  const store = tokenStore(r.home);
  const token = v.token ?? process.env.RMIRROR_TOKEN ?? store.get();
  if (!token) {
    err(`agent: not paired with ${r.server}: run 'rmirror agent login --server ${r.server}'\n`);
    return 2;
  }
  const tuning = {
    backoffBaseMs: envInt("RMIRROR_AGENT_BACKOFF_BASE_MS", 1),
    backoffCapMs: envInt("RMIRROR_AGENT_BACKOFF_CAP_MS", 1),
    localRetryBaseMs: envInt("RMIRROR_AGENT_LOCAL_RETRY_MS", 1),
    maxAttempts: envInt("RMIRROR_AGENT_MAX_ATTEMPTS", 1),
  };
  const uploader = Object.fromEntries(Object.entries({ ...tuning, batchSize: r.batchSize }).filter(([, x]) => x !== undefined));
  const done = Promise.withResolvers<number>();
  let current: RunningAgent | undefined;
  let cfg = { server: r.server, folder: r.folder, exclude: r.exclude, vault: r.vault };
  const start = async () => {
    current = await startAgent({
      home: r.home,
      folder: cfg.folder,
      server: cfg.server,
      token,
      exclude: cfg.exclude,
      debounceMs: r.debounceMs,
      rescanMinutes: r.rescanMinutes,
      statusPort: r.statusPort,
      poll: r.poll,
      watch: r.watch,
      ...(cfg.vault ? { vault: { dir: pathResolve(cfg.vault), images: vaultImages(v["vault-images"] ?? process.env.RMIRROR_AGENT_VAULT_IMAGES ?? "png"), ...(envInt("RMIRROR_AGENT_VAULT_SECONDS", 1) !== undefined ? { everyMs: envInt("RMIRROR_AGENT_VAULT_SECONDS", 1)! * 1000 } : {}) } } : {}),
      uploader,
      log,
      ...(envInt("RMIRROR_AGENT_HEARTBEAT_MS", 0) !== undefined ? { heartbeatMs: envInt("RMIRROR_AGENT_HEARTBEAT_MS", 0)! } : {}),
      onSettings: (s) => void applySettings(s),
      ...(process.env.RMIRROR_AGENT_NOTIFY === "0" ? { notify: false as const } : {}),
    });
  };
  const applySettings = async (s: { server: string; folder: string; exclude: string[]; vault: string }) => {
    const serverChanged = s.server.replace(/\/+$/, "") !== cfg.server;
    const { vault: _old, ...kept } = readConfig(r.home);
    writeConfig(r.home, { ...kept, server: s.server, folder: s.folder, exclude: s.exclude, ...(s.vault ? { vault: s.vault } : {}) });
    log.info("settings saved", { server: s.server, folder: s.folder, exclude: s.exclude });
    await current?.stop();
    current = undefined;
    if (serverChanged) {
      store.clear();
      err(`agent: the server changed to ${s.server}: pair again with 'rmirror agent login --server ${s.server}'\n`);
      done.resolve(3);
      return;
    }
    const problem = folderProblem(s.folder);
    if (problem) {
      err(`agent: ${problem}\n`);
      done.resolve(1);
      return;
    }
    cfg = { ...cfg, folder: s.folder, exclude: s.exclude, vault: s.vault || undefined };
    await start();
  };
  await start();
  log.info("rmirror agent started", { folder: r.folder, server: r.server, status: current?.status?.url ?? null, pid: process.pid });
  const autoUpdate = startAutoUpdate(r, () => ({ server: cfg.server, statusPort: current?.status?.port, serverVersion: current?.serverVersion }), log);
  const stop = async (sig: string) => {
    log.info("stopping", { signal: sig });
    autoUpdate?.stop();
    await current?.stop();
    done.resolve(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return done.promise;
}

/**
 * Automatic updates of an installed agent (a compiled executable with autostart installed;
 * RMIRROR_AGENT_AUTO_UPDATE=0 turns them off): when the server reports another version in a
 * heartbeat answer, and at least every RMIRROR_AGENT_UPDATE_CHECK_MS (default a day), run
 * `rmirror agent update` as a separate, detached process. It compares hashes, waits until this
 * agent is idle (its status page), replaces the executable and has the service manager restart
 * this agent — from outside, so the restart never waits on the process it stops.
 */
function startAutoUpdate(r: Resolved, now: () => { server: string; statusPort: number | undefined; serverVersion: string | undefined }, log: ReturnType<typeof createLogger>) {
  const exe = process.env.RMIRROR_AGENT_EXE || (isCompiled() ? process.execPath : undefined);
  const off =
    process.env.RMIRROR_AGENT_AUTO_UPDATE === "0"
      ? "RMIRROR_AGENT_AUTO_UPDATE=0"
      : !exe
        ? "running from source"
        : !existsSync(autostartTarget(autostartSpec(r)).file)
          ? "autostart is not installed"
          : undefined;
  log.info("automatic updates", off ? { on: false, reason: off } : { on: true });
  if (off || !exe) return undefined;
  let child: ReturnType<typeof Bun.spawn> | undefined;
  let lastCheck = 0;
  let lastVersionSeen: string | undefined;
  const every = envInt("RMIRROR_AGENT_UPDATE_CHECK_MS", 1) ?? 24 * 3600_000;
  const tick = () => {
    const s = now();
    const versionChanged = s.serverVersion !== undefined && s.serverVersion !== VERSION && s.serverVersion !== lastVersionSeen;
    if (child && child.exitCode === null) return;
    if (!versionChanged && Date.now() - lastCheck < every) return;
    lastCheck = Date.now();
    lastVersionSeen = s.serverVersion;
    const argv = [...selfCommand(), "update", "--home", r.home, "--server", s.server, `--status-port=${s.statusPort ?? -1}`];
    log.info("checking for an agent update", { serverVersion: s.serverVersion ?? null, version: VERSION });
    try {
      child = Bun.spawn(argv, { env: { ...process.env, RMIRROR_AGENT_EXE: exe }, stdin: "ignore", stdout: "inherit", stderr: "inherit", detached: true });
      child.unref();
    } catch (e) {
      log.warn("could not start the updater", { error: (e as Error).message });
    }
  };
  const timer = setInterval(tick, Math.min(every, 60_000));
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}

async function login(r: Resolved, v: Values): Promise<number> {
  const server = r.server;
  if (!server || !/^https?:\/\//.test(server)) {
    err(`agent login: --server URL is required (http:// or https://)\n`);
    return 2;
  }
  // A device token made in the dashboard (RMIRROR_TOKEN, or --token): checked with the server and
  // kept like a paired one — no pairing code to approve.
  const given = v.token ?? process.env.RMIRROR_TOKEN;
  if (given) return loginWithToken(r, v, server, given);
  const deviceName = v.name ?? `rmirror agent on ${hostname()}`;
  const installCode = v["install-code"] ?? process.env.RMIRROR_INSTALL_CODE;
  if (installCode) return loginWithInstallCode(r, v, server, installCode, deviceName);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const data = (await res.json().catch(() => ({}))) as any;
    return { status: res.status, data };
  };
  let start;
  try {
    start = await post("/api/v1/pairing", { deviceName });
  } catch (e) {
    err(`agent login: cannot reach ${server}: ${(e as Error).message}\n`);
    return 1;
  }
  if (start.status !== 200 && start.status !== 201) {
    err(`agent login: ${server} refused to start pairing: HTTP ${start.status} ${start.data?.error?.message ?? ""}\n`);
    return 1;
  }
  const { code, secret, approveUrl, expiresAt, pollIntervalSeconds } = start.data as { code: string; secret: string; approveUrl: string; expiresAt: string; pollIntervalSeconds: number };
  out(`To pair this agent, open\n  ${approveUrl}\nsigned in to your rmirror account, and approve code ${code}.\nWaiting for approval (until ${expiresAt})…\n`);
  const every = envInt("RMIRROR_AGENT_PAIR_POLL_MS", 1) ?? Math.max(1, pollIntervalSeconds) * 1000;
  const deadline = Date.parse(expiresAt) + 5_000;
  while (Date.now() < deadline) {
    await Bun.sleep(every);
    let res;
    try {
      res = await post("/api/v1/pairing/poll", { code, secret });
    } catch {
      continue; // network blip: keep polling until the code expires
    }
    if (res.status === 200 && res.data.status === "pending") continue;
    if (res.status === 200 && res.data.status === "approved") {
      const store = tokenStore(r.home);
      store.set(res.data.token);
      writeConfig(r.home, { ...r.file, server, ...(v.folder ? { folder: v.folder } : {}) });
      out(`paired as "${res.data.deviceName}"; token stored in ${store.kind === "keychain" ? "the macOS keychain" : `${r.home}/token (readable only by you)`}.\nStart syncing with: rmirror agent${r.folder ? "" : " --folder <path>"} (or 'rmirror agent install' to start it at login)\n`);
      return 0;
    }
    const code2 = res.data?.error?.code ?? `HTTP ${res.status}`;
    err(`agent login: pairing ${code2 === "pairing_denied" ? "was denied" : code2 === "pairing_expired" ? "expired" : `failed: ${code2}`}\n`);
    return 1;
  }
  err(`agent login: pairing expired before it was approved\n`);
  return 1;
}

/** The one-time code of the dashboard's install command: exchanged for a device token of the
 *  user who made it (making it was the approval; nothing to approve here). */
async function loginWithInstallCode(r: Resolved, v: Values, server: string, code: string, deviceName: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/install-codes/redeem`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, deviceName }) });
  } catch (e) {
    err(`agent login: cannot reach ${server}: ${(e as Error).message}\n`);
    return 1;
  }
  const data = (await res.json().catch(() => ({}))) as { token?: string; deviceName?: string; error?: { message?: string } };
  if (res.status !== 200 || !data.token) {
    err(`agent login: ${server} refused the install code (HTTP ${res.status}${data.error?.message ? `: ${data.error.message}` : ""})\n`);
    return 1;
  }
  const store = tokenStore(r.home);
  store.set(data.token);
  writeConfig(r.home, { ...r.file, server, ...(v.folder ? { folder: v.folder } : {}) });
  out(`paired as "${data.deviceName ?? deviceName}"; token stored in ${store.kind === "keychain" ? "the macOS keychain" : `${r.home}/token (readable only by you)`}.\n`);
  return 0;
}

async function loginWithToken(r: Resolved, v: Values, server: string, token: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    err(`agent login: cannot reach ${server}: ${(e as Error).message}\n`);
    return 1;
  }
  const data = (await res.json().catch(() => ({}))) as { user?: { email?: string }; error?: { message?: string } };
  if (res.status !== 200) {
    err(`agent login: ${server} refused this token (HTTP ${res.status}${data.error?.message ? `: ${data.error.message}` : ""}); create a new one on the server's Devices page\n`);
    return 1;
  }
  const store = tokenStore(r.home);
  store.set(token);
  writeConfig(r.home, { ...r.file, server, ...(v.folder ? { folder: v.folder } : {}) });
  out(`signed in as ${data.user?.email ?? "this token's user"}; token stored in ${store.kind === "keychain" ? "the macOS keychain" : `${r.home}/token (readable only by you)`}.\nStart syncing with: rmirror agent${r.folder || v.folder ? "" : " --folder <path>"} (or 'rmirror agent install' to start it at login)\n`);
  return 0;
}

async function status(r: Resolved): Promise<number> {
  const store = tokenStore(r.home);
  const target = autostartTarget(autostartSpec(r));
  out(`home:      ${r.home}\nserver:    ${r.server ?? "(not set)"}\nfolder:    ${r.folder ?? "(not set)"}${r.folder && folderProblem(r.folder) ? "  ✗ not usable" : ""}\ntoken:     ${store.get() ? `stored (${store.kind})` : "none — run 'rmirror agent login'"}\nautostart: ${existsSync(target.file) ? `installed (${target.kind}: ${target.file})` : "not installed"}\n`);
  if (r.statusPort <= 0) return 0;
  try {
    const res = await fetch(`http://127.0.0.1:${r.statusPort}/api/status`, { signal: AbortSignal.timeout(1500) });
    const s = (await res.json()) as any;
    out(`running:   yes (http://127.0.0.1:${r.statusPort}) — ${s.connection}, ${s.queue} queued, ${s.parked.length} parked, ${s.synced} synced${s.paused ? ", paused" : ""}\n`);
    for (const p of s.parked) out(`  parked ${p.uuid}: ${p.error}\n`);
  } catch {
    out(`running:   no agent answering on 127.0.0.1:${r.statusPort}\n`);
  }
  return 0;
}

async function update(r: Resolved, v: Values): Promise<number> {
  if (!r.server) {
    err(`agent update: no server: run 'rmirror agent login --server URL' first (or pass --server)\n`);
    return 2;
  }
  const exe = process.env.RMIRROR_AGENT_EXE || (isCompiled() ? process.execPath : undefined);
  if (!exe) {
    err(`agent update: this agent runs from source (${Bun.main}); update the checkout instead\n`);
    return 2;
  }
  return updateAgent({
    server: r.server,
    exe,
    platform: agentPlatform(),
    version: VERSION,
    check: v.check === true,
    statusUrl: r.statusPort > 0 ? `http://127.0.0.1:${r.statusPort}` : undefined,
    ...(envInt("RMIRROR_AGENT_UPDATE_WAIT_MS", 0) !== undefined ? { idleWaitMs: envInt("RMIRROR_AGENT_UPDATE_WAIT_MS", 0)! } : {}),
    ...(envInt("RMIRROR_AGENT_UPDATE_POLL_MS", 1) !== undefined ? { pollMs: envInt("RMIRROR_AGENT_UPDATE_POLL_MS", 1)! } : {}),
    autostart: autostartTarget(autostartSpec(r)),
    restart: (t) => restart(t, out),
    windows: process.platform === "win32",
    out,
    err,
  });
}

function autostartSpec(r: Resolved) {
  const env: Record<string, string> = { RMIRROR_AGENT_HOME: r.home };
  return { command: selfCommand(), env, logDir: r.home };
}

function autostart(sub: "install" | "uninstall", r: Resolved, v: Values): number {
  const skip = v["no-load"] === true || process.env.RMIRROR_AGENT_NO_LOAD === "1";
  const target = autostartTarget(autostartSpec(r));
  if (sub === "uninstall") {
    uninstall(target, out, skip);
    return 0;
  }
  if (!r.server || !tokenStore(r.home).get()) {
    err(`agent install: pair first with 'rmirror agent login --server URL'\n`);
    return 2;
  }
  if (!r.folder) {
    err(`agent install: no source folder; set one with --folder (it is saved in ${r.home}/config)\n`);
    return 2;
  }
  // The autostarted agent reads everything from <home>/config.
  writeConfig(r.home, { ...r.file, server: r.server, folder: r.folder, ...(r.exclude.length ? { exclude: r.exclude } : {}) });
  return install(target, out, skip) ? 0 : 1;
}

if (import.meta.main) process.exit(await run(process.argv.slice(2)));
