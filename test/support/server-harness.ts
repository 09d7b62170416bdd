// Test harness for the server: a real context (temp dir, real SQLite with real migrations, disk
// or S3 blob store), the real Elysia app driven in-process with app.handle, and the real runner.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobStore } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { createRunner } from "../../src/composition/workers.ts";
import type { JobRunner } from "../../src/jobs/runner.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { createApp, type App } from "../../src/server/app.ts";
import { createContext } from "../../src/composition/context.ts";
import type { AppContext } from "../../src/services/context.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { sha256Hex } from "../../src/blobs/store.ts";
import type { DocumentInput } from "../../src/services/library/sync-schema.ts";

export interface Harness {
  ctx: AppContext;
  app: App;
  runner: JobRunner;
  dir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  overrides?: Record<string, string | number | boolean | undefined>;
  blobs?: BlobStore;
  /** Start the job runner (default false: tests call runner.idle() or drive the queue). */
  jobs?: boolean;
  log?: Logger;
  /** Clock for the job queue and the quota month. (OCR reads pages at once unless a test sets ocr.settleSeconds.) */
  now?: () => number;
}

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "rmirror-test-"));
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent", "jobs.pollMs": 20, "ocr.settleSeconds": 0, ...opts.overrides } });
  const ctx = createContext(config, { log: opts.log ?? silentLogger, ...(opts.blobs ? { blobs: opts.blobs } : {}), ...(opts.now ? { now: opts.now } : {}) });
  const runner = createRunner(ctx);
  if (opts.jobs) runner.start();
  const app = createApp(ctx);
  return {
    ctx,
    app,
    runner,
    dir,
    async close() {
      await runner.stop();
      ctx.store.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: number;
  email: string;
  token: string;
}

/** A user (no password: no argon2 cost) with a device token. */
export async function addUser(h: Harness, email: string, admin = false): Promise<TestUser> {
  const u = await createUser(h.ctx, email, null, admin);
  const { token } = createDeviceToken(h.ctx, u.id, "test device");
  return { id: u.id, email: u.email, token };
}

/** A dashboard user (with a password) signed in through the login API: its session cookie. */
export async function webSession(h: Harness, email: string): Promise<string> {
  const password = "a long enough password";
  await createUser(h.ctx, email, password, false);
  const login = await call(h, "POST", "/api/v1/auth/login", { json: { email, password } });
  return (login.headers.get("set-cookie") ?? "").split(";")[0]!;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export function call(h: Harness, method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: BodyInit | undefined = o.body;
  if (o.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(o.json);
  }
  return h.app.handle(new Request(`http://localhost${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
}

export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 300)}`);
  }
}

export function uuid(): string {
  return crypto.randomUUID();
}

export interface BuiltDoc {
  uuid: string;
  input: DocumentInput;
  blobs: Map<string, Uint8Array>;
}

/** A notebook document from page byte arrays (null = blank page) and extra files. */
export function buildDoc(pages: (Uint8Array | null)[], opts: { name?: string; parent?: string; uuid?: string; files?: Record<string, Uint8Array>; pageIds?: string[] } = {}): BuiltDoc {
  const id = opts.uuid ?? uuid();
  const blobs = new Map<string, Uint8Array>();
  const input: DocumentInput = {
    metadata: { visibleName: opts.name ?? "Notebook", type: "DocumentType", parent: opts.parent ?? "", lastModified: "1700000000000" },
    fileType: "notebook",
    pages: pages.map((b, i) => {
      const sha = b ? sha256Hex(b) : null;
      if (b && sha) blobs.set(sha, b);
      return { id: opts.pageIds?.[i] ?? uuid(), idx: i, sha256: sha, size: b?.byteLength ?? 0 };
    }),
    files: Object.entries(opts.files ?? {}).map(([name, b]) => {
      const sha = sha256Hex(b);
      blobs.set(sha, b);
      return { path: `${id}${name}`, sha256: sha, size: b.byteLength };
    }),
  };
  return { uuid: id, input, blobs };
}

/** PUT the document, upload what is missing; returns the first PUT's answer. */
export async function syncDoc(h: Harness, token: string, d: BuiltDoc): Promise<any> {
  const res = await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token, json: d.input });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`PUT document: ${res.status} ${JSON.stringify(body)}`);
  for (const sha of body.missing as string[]) {
    const r = await call(h, "PUT", `/api/v1/blobs/${sha}`, { token, body: d.blobs.get(sha)! as Uint8Array<ArrayBuffer> });
    if (r.status !== 200) throw new Error(`PUT blob: ${r.status} ${await r.text()}`);
  }
  return body;
}
