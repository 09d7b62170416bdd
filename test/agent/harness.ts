// Real-process harness for the agent: `rmirror serve` and `rmirror agent` as child processes
// (process.execPath + src/main.ts), a counting proxy between them (every request the agent
// makes is seen and can be counted per hash), and builders for xochitl-style documents made of
// the shared samples.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { createContext } from "../../src/composition/context.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { sample } from "../support/samples.ts";

export const MAIN = resolve(import.meta.dir, "../../src/main.ts");

export interface Child {
  proc: ReturnType<typeof Bun.spawn>;
  logs: string[];
  url: string;
}

/** Spawn `rmirror <args>`; resolves with the URL from the first JSON log line whose msg matches. */
/** `bin`: a compiled rmirror executable instead of bun running src/main.ts. */
export async function spawnMain(args: string[], env: Record<string, string>, readyMsg: string, timeoutMs = 100_000, bin?: string): Promise<Child> {
  const proc = Bun.spawn([...(bin ? [bin] : [process.execPath, MAIN]), ...args], { env: { ...process.env, RMIRROR_LOG_LEVEL: "info", RMIRROR_AGENT_NOTIFY: "0", ...env }, stdout: "ignore", stderr: "pipe" });
  const logs: string[] = [];
  const ready = Promise.withResolvers<string>();
  (async () => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        logs.push(line);
        try {
          const rec = JSON.parse(line);
          if (rec.msg === readyMsg) ready.resolve(rec.url);
        } catch {
          /* not JSON */
        }
      }
    }
    ready.reject(new Error(`rmirror ${args[0]} exited before it was ready:\n${logs.join("\n")}`));
  })();
  const timer = setTimeout(() => ready.reject(new Error(`rmirror ${args[0]} not ready in ${timeoutMs} ms:\n${logs.join("\n")}`)), timeoutMs);
  const url = await ready.promise.finally(() => clearTimeout(timer));
  return { proc, logs, url };
}

/** A data dir with one user and a device token, for a child server. */
export async function prepareServer(dataDir: string): Promise<string> {
  const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir } }), { log: silentLogger });
  const user = await createUser(ctx, "agent@example.com", null, true);
  const { token } = createDeviceToken(ctx, user.id, "agent test");
  ctx.store.db.close();
  return token;
}

export function startServer(dataDir: string): Promise<Child> {
  return spawnMain(["serve"], { RMIRROR_DATA_DIR: dataDir, RMIRROR_HOST: "127.0.0.1", RMIRROR_PORT: "0", RMIRROR_JOBS_POLL_MS: "200" }, "rmirror serving");
}

export interface AgentChildOptions {
  folder: string;
  home: string;
  server: string;
  token: string;
  env?: Record<string, string>;
  args?: string[];
  /** A compiled rmirror executable (bench/agent.ts --bin); default: bun running src/main.ts. */
  bin?: string;
}

export function startAgentChild(o: AgentChildOptions): Promise<Child> {
  return spawnMain(
    ["agent", "--folder", o.folder, "--home", o.home, "--server", o.server, "--token", o.token, "--status-port", "0", "--debounce-ms", "120", "--rescan-minutes", "0", ...(o.args ?? [])],
    { RMIRROR_AGENT_BACKOFF_BASE_MS: "100", RMIRROR_AGENT_BACKOFF_CAP_MS: "1000", RMIRROR_AGENT_LOCAL_RETRY_MS: "100", RMIRROR_AGENT_MAX_ATTEMPTS: "3", ...o.env },
    "agent status page",
    100_000,
    o.bin,
  );
}

export async function stop(c: Child | undefined, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  if (!c || c.proc.exitCode !== null) return;
  c.proc.kill(signal);
  await c.proc.exited;
}

/** Counts every request from the agent; forwards to `upstream` (502 when it is down). */
export class CountingProxy {
  upstream = "";
  /** Delay before forwarding a blob PUT (to catch the agent mid-batch). */
  blobDelayMs = 0;
  requests: { method: string; path: string; status: number }[] = [];
  /** sha256 → number of blob PUTs the server answered 200 with stored: true. */
  stored = new Map<string, number>();
  server: ReturnType<typeof Bun.serve>;

  constructor() {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (req) => {
        const u = new URL(req.url);
        let res: Response;
        if (this.blobDelayMs && u.pathname.startsWith("/api/v1/blobs/")) await Bun.sleep(this.blobDelayMs);
        try {
          const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
          res = await fetch(this.upstream + u.pathname + u.search, { method: req.method, headers: req.headers, ...(body ? { body } : {}) });
        } catch {
          this.requests.push({ method: req.method, path: u.pathname, status: 502 });
          return Response.json({ error: { code: "unavailable", message: "upstream down" } }, { status: 502 });
        }
        const text = await res.text();
        this.requests.push({ method: req.method, path: u.pathname, status: res.status });
        if (req.method === "PUT" && u.pathname.startsWith("/api/v1/blobs/") && res.status === 200 && JSON.parse(text).stored) {
          const sha = u.pathname.slice("/api/v1/blobs/".length);
          this.stored.set(sha, (this.stored.get(sha) ?? 0) + 1);
        }
        return new Response(text, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" } });
      },
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  count(method: string, prefix: string, okOnly = true): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix) && (!okOnly || r.status < 300)).length;
  }

  blobPuts(): number {
    return this.count("PUT", "/api/v1/blobs/");
  }

  docPuts(): number {
    return this.count("PUT", "/api/v1/documents");
  }

  stop(): void {
    this.server.stop(true);
  }
}

/** Poll until `fn` is truthy. The timeout is a hang guard (generous: the machine may be busy), not a speed check. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 100_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export async function agentStatus(agentUrl: string): Promise<any> {
  return (await fetch(`${agentUrl}/api/status`)).json();
}

/** The agent has nothing queued, nothing debouncing and nothing in flight. */
export async function agentIdle(agentUrl: string): Promise<any> {
  return waitFor("agent idle", async () => {
    const s = await agentStatus(agentUrl);
    return s.queue === 0 && !s.busy ? s : false;
  });
}

export class ServerApi {
  constructor(
    public url: string,
    private token: string,
  ) {}

  async get(path: string): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    return { status: r.status, body: await r.json().catch(() => null) };
  }

  async doc(uuid: string): Promise<any | undefined> {
    const r = await this.get(`/api/v1/documents/${uuid}`);
    return r.status === 200 ? r.body : undefined;
  }
}

// ---- building a desktop-app folder -------------------------------------------------------

export const PAGE_SAMPLES = ["rmscene__Normal_AB.rm", "rmc__abcd.strokes.rm", "rmscene__Lines_v2.rm", "rmc__dot.stroke.rm", "rmscene__Bold_Heading_Bullet_Normal.rm", "rmc__text_multiple_lines.rm"];

export function sampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(sample(name)));
}

export interface NotebookSpec {
  uuid?: string;
  name: string;
  parent?: string;
  /** Page ids and the sample (or bytes) each page holds; null = no .rm file. */
  pages: { id?: string; sample: string | Uint8Array | null }[];
}

export interface Notebook {
  uuid: string;
  pageIds: string[];
}

export function writeMetadata(root: string, uuid: string, m: { name: string; parent?: string; type?: string; deleted?: boolean; lastModified?: number }): void {
  const meta = {
    deleted: m.deleted ?? false,
    lastModified: String(m.lastModified ?? Date.now()),
    lastOpened: "0",
    lastOpenedPage: 0,
    parent: m.parent ?? "",
    pinned: false,
    type: m.type ?? "DocumentType",
    visibleName: m.name,
    version: 1,
  };
  writeFileSync(join(root, `${uuid}.metadata`), JSON.stringify(meta, null, 4));
}

export function writeContent(root: string, uuid: string, pageIds: string[]): void {
  writeFileSync(join(root, `${uuid}.content`), JSON.stringify({ fileType: "notebook", orientation: "portrait", pageCount: pageIds.length, pages: pageIds }, null, 4));
}

export function writePage(root: string, uuid: string, id: string, data: string | Uint8Array): void {
  mkdirSync(join(root, uuid), { recursive: true });
  writeFileSync(join(root, uuid, `${id}.rm`), typeof data === "string" ? sampleBytes(data) : data);
}

export function writeNotebook(root: string, spec: NotebookSpec): Notebook {
  const uuid = spec.uuid ?? crypto.randomUUID();
  const pageIds = spec.pages.map((p) => p.id ?? crypto.randomUUID());
  mkdirSync(join(root, uuid), { recursive: true });
  spec.pages.forEach((p, i) => {
    if (p.sample !== null) writePage(root, uuid, pageIds[i]!, p.sample);
  });
  writeContent(root, uuid, pageIds);
  writeMetadata(root, uuid, { name: spec.name, ...(spec.parent !== undefined ? { parent: spec.parent } : {}) });
  return { uuid, pageIds };
}

export function writeFolder(root: string, name: string, parent = ""): string {
  const uuid = crypto.randomUUID();
  writeMetadata(root, uuid, { name, parent, type: "CollectionType" });
  writeFileSync(join(root, `${uuid}.content`), "{}");
  return uuid;
}

export function removeItem(root: string, uuid: string): void {
  for (const suffix of ["", ".metadata", ".content", ".pdf", ".pagedata", ".local"]) rmSync(join(root, uuid + suffix), { recursive: true, force: true });
}

/** Copy a folder of the shared samples file by file (the originals are read-only). */
export function copyTree(from: string, to: string): void {
  const { readdirSync, statSync } = require("node:fs") as typeof import("node:fs");
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const s = join(from, name);
    const d = join(to, name);
    if (statSync(s).isDirectory()) copyTree(s, d);
    else writeFileSync(d, readFileSync(s));
  }
}

export function sha(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}
