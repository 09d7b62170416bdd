// Drains the outbox: for each due document, read its manifest, skip it when the server already
// has exactly that state, else send it (batched `PUT /api/v1/documents`, then `PUT /api/v1/blobs`
// for each hash the server says is missing; `DELETE` for documents that are gone). A row leaves
// the outbox only after the server confirmed everything, so a crash or an outage loses nothing,
// and content addressing means a retry never uploads a page twice.
// Failures: server unreachable/5xx/429 → the whole queue waits (exponential backoff with jitter,
// capped; no attempt spent); the server refuses a document → parked with its error at once;
// a local read error (corrupt or half-written file) → retried with backoff, parked after
// `maxAttempts`. A parked row is un-parked by the next change to its files or by "retry".
import { sha256Hex } from "../src/blobs/store.ts";
import type { Logger } from "../src/log.ts";
import type { Manifest, ManifestReader } from "./manifest.ts";
import type { Outbox, OutboxRow } from "./outbox.ts";

export interface UploaderOptions {
  server: string;
  token: string;
  batchSize?: number;
  blobConcurrency?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  localRetryBaseMs?: number;
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

export type Connection = "idle" | "online" | "offline" | "unauthorized";

/** The server could not be reached or is failing: wait and retry everything later. */
export class ServerUnavailable extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

class RequestRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(failures: number, baseMs: number, capMs: number, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export class Uploader {
  readonly opts: Required<UploaderOptions>;
  connection: Connection = "idle";
  lastError: string | undefined;
  lastSyncAt: number | undefined;
  retryAt = 0;
  private serverFailures = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  busy = false;
  private dirty = false;
  private rowsSinceIdle = 0;

  constructor(
    private outbox: Outbox,
    private reader: ManifestReader,
    opts: UploaderOptions,
    private log: Logger,
  ) {
    this.opts = {
      batchSize: 50,
      blobConcurrency: 4,
      backoffBaseMs: 1000,
      backoffCapMs: 5 * 60_000,
      localRetryBaseMs: 1000,
      maxAttempts: 5,
      requestTimeoutMs: 60_000,
      ...opts,
      server: opts.server.replace(/\/+$/, ""),
    };
  }

  get paused(): boolean {
    return this.outbox.getState("paused") === "1";
  }

  setPaused(p: boolean): void {
    this.outbox.setState("paused", p ? "1" : "0");
    this.kick();
  }

  /** Something was queued (or un-paused): look at the outbox now. */
  kick(): void {
    this.wake?.();
  }

  /** Retry now instead of waiting for the backoff (status page, tests). */
  retryNow(): void {
    this.retryAt = 0;
    this.kick();
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.running;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      if (this.paused) {
        await this.sleep(60_000);
        continue;
      }
      if (now < this.retryAt) {
        await this.sleep(this.retryAt - now);
        continue;
      }
      const rows = this.outbox.due(this.opts.batchSize, now);
      if (rows.length === 0) {
        // Idle again after work: give the file buffers back to the OS (keeps the idle RSS low).
        if (this.dirty) {
          this.dirty = false;
          Bun.gc(true);
          // After a big pass (initial sync, a rescan that found work) also let JavaScriptCore drop
          // its compiled code and shrink its heap (measured: 61 → 57 MB idle after a 10,000-page
          // sync, bench/agent.ts). Not after every edit: the code would be compiled again each time.
          if (this.rowsSinceIdle >= this.opts.batchSize) (Bun as { shrink?: () => void }).shrink?.();
          this.rowsSinceIdle = 0;
        }
        const next = this.outbox.nextDue();
        await this.sleep(next === undefined ? 60_000 : next - now);
        continue;
      }
      this.busy = true;
      this.dirty = true;
      this.rowsSinceIdle += rows.length;
      try {
        await this.pass(rows);
        this.serverFailures = 0;
        if (this.connection !== "online") this.log.info("server reachable", { server: this.opts.server });
        this.connection = "online";
        this.lastError = undefined;
      } catch (e) {
        if (e instanceof ServerUnavailable) {
          this.serverFailures++;
          const wait = e.retryAfterMs ?? backoffMs(this.serverFailures, this.opts.backoffBaseMs, this.opts.backoffCapMs);
          this.retryAt = Date.now() + wait;
          this.connection = e.status === 401 || e.status === 403 ? "unauthorized" : "offline";
          this.lastError = e.message;
          this.log.warn("server unavailable, will retry", { error: e.message, retryInMs: wait, failures: this.serverFailures });
        } else {
          // A bug or an unexpected local failure: do not spin; retry the batch later.
          this.lastError = (e as Error).message;
          this.log.error("upload pass failed", { error: (e as Error).message });
          for (const r of rows) this.outbox.fail(r.uuid, r.gen, (e as Error).message, Date.now() + this.opts.localRetryBaseMs);
        }
      } finally {
        this.busy = false;
        // A batch reads and parses many files: collect fully between batches (measured: a lower peak
        // and a lower RSS after a big initial sync than an eden collection, at no cost in sync time).
        Bun.gc(true);
      }
    }
  }

  /** One pass over a batch of due rows. Throws ServerUnavailable to pause everything. */
  async pass(rows: OutboxRow[]): Promise<void> {
    const puts: { row: OutboxRow; m: Extract<Manifest, { kind: "put" }> }[] = [];
    const deletes: OutboxRow[] = [];
    // A batch lists the source folder once instead of once per document (a big library's rescan
    // listed 1,500 entries × 500 documents). A file that appears after this listing is a change
    // the watcher (or the next rescan) queues again, as it was when it appeared after a document's
    // own listing; one that vanished since is skipped.
    const topLevel = rows.length > 1 ? await this.reader.listTop().catch(() => undefined) : undefined;
    for (const row of rows) {
      const m = await this.reader.read(row.uuid, topLevel);
      switch (m.kind) {
        case "put": {
          this.outbox.deleteWaiting(row.uuid);
          if (this.outbox.synced(row.uuid)?.hash === m.hash) this.outbox.done(row.uuid, row.gen);
          else puts.push({ row, m });
          break;
        }
        case "absent":
          this.outbox.deleteWaiting(row.uuid);
          if (this.outbox.synced(row.uuid)) deletes.push(row);
          else this.outbox.done(row.uuid, row.gen);
          break;
        case "not_downloaded":
          if (!this.outbox.waitingUuids().includes(row.uuid)) this.log.info("not downloaded by the desktop app yet; not uploaded", { uuid: row.uuid, name: m.name, reason: m.reason });
          this.outbox.setWaiting(row.uuid, m.name, m.reason);
          this.outbox.done(row.uuid, row.gen);
          break;
        case "excluded":
          this.outbox.done(row.uuid, row.gen);
          break;
        case "error":
          this.localFailure(row, m.error);
          break;
      }
    }
    for (const row of deletes) {
      await this.request("DELETE", `/api/v1/documents/${row.uuid}`).catch((e) => {
        if (e instanceof RequestRefused && e.status === 404) return;
        throw e;
      });
      this.outbox.deleteSynced(row.uuid);
      this.outbox.done(row.uuid, row.gen);
      this.outbox.bump("deletes");
      this.lastSyncAt = Date.now();
      this.log.info("deleted on server", { uuid: row.uuid });
    }
    if (puts.length) await this.sendPuts(puts);
  }

  private localFailure(row: OutboxRow, error: string): void {
    if (row.attempts + 1 >= this.opts.maxAttempts) {
      this.outbox.park(row.uuid, row.gen, error);
      this.log.error("document parked", { name: this.outbox.synced(row.uuid)?.name, uuid: row.uuid, error, attempts: row.attempts + 1 });
    } else {
      const wait = backoffMs(row.attempts + 1, this.opts.localRetryBaseMs, this.opts.backoffCapMs);
      this.outbox.fail(row.uuid, row.gen, error, Date.now() + wait);
      this.log.warn("document not readable yet, will retry", { name: this.outbox.synced(row.uuid)?.name, uuid: row.uuid, error, retryInMs: wait });
    }
  }

  private async sendPuts(puts: { row: OutboxRow; m: Extract<Manifest, { kind: "put" }> }[]): Promise<void> {
    // Folders first so a document's parent exists by the time it arrives.
    puts.sort((a, b) => Number(b.m.isFolder) - Number(a.m.isFolder));
    const body = JSON.stringify({ documents: puts.map(({ m }) => ({ uuid: m.uuid, ...m.item.input })) });
    const res = (await this.request("PUT", "/api/v1/documents", body, "application/json").catch((e) => {
      // Larger than the server's body limit for sync requests (a batch of big PDFs): send it in halves.
      if (e instanceof RequestRefused && e.status === 413 && puts.length > 1) return null;
      if (e instanceof RequestRefused && e.status === 413) {
        const { row, m } = puts[0]!;
        this.outbox.park(row.uuid, row.gen, `server refused the document: ${e.message}`);
        this.log.error("document parked", { uuid: row.uuid, name: m.name, error: e.message });
        return "parked";
      }
      if (e instanceof RequestRefused) throw new ServerUnavailable(`batch refused: ${e.message}`, e.status);
      throw e;
    })) as { results: ({ ok: true; missing: string[] } | { ok: false; uuid: string; error: { code: string; message: string } })[] } | null | "parked";
    if (res === "parked") return;
    if (res === null) {
      const half = Math.ceil(puts.length / 2);
      await this.sendPuts(puts.slice(0, half));
      await this.sendPuts(puts.slice(half));
      return;
    }
    const sent = new Set<string>();
    for (const [i, r] of res.results.entries()) {
      const { row, m } = puts[i]!;
      if (!r.ok) {
        const error = `server refused the document: ${r.error.code}: ${r.error.message}`;
        this.outbox.park(row.uuid, row.gen, error);
        this.log.error("document parked", { uuid: row.uuid, name: m.name, error });
        continue;
      }
      let changedMeanwhile = false;
      const todo = r.missing.filter((sha) => !sent.has(sha));
      try {
        await pool(todo, this.opts.blobConcurrency, async (sha) => {
        const read = m.item.blobs.get(sha);
        if (!read) return;
        const bytes = await read().catch(() => undefined);
        if (!bytes || sha256Hex(bytes) !== sha) {
          changedMeanwhile = true; // written again since it was hashed: the next pass sends the new version
          return;
        }
        await this.request("PUT", `/api/v1/blobs/${sha}`, bytes as Uint8Array<ArrayBuffer>, "application/octet-stream");
        sent.add(sha);
        this.outbox.bump("blobs");
        this.outbox.bump("bytes", bytes.byteLength);
        });
      } catch (e) {
        if (!(e instanceof RequestRefused)) throw e;
        const error = `server refused a file: ${e.message}`;
        this.outbox.park(row.uuid, row.gen, error);
        this.log.error("document parked", { uuid: row.uuid, name: m.name, error });
        continue;
      }
      if (changedMeanwhile) {
        this.reader.forget(row.uuid);
        this.outbox.defer(row.uuid, Date.now() + this.opts.localRetryBaseMs / 4);
        this.log.info("file changed while uploading; sending again", { uuid: row.uuid });
        continue;
      }
      this.outbox.setSynced({ uuid: m.uuid, hash: m.hash, name: m.name, is_folder: m.isFolder ? 1 : 0, pages: m.pages });
      this.outbox.done(row.uuid, row.gen);
      this.outbox.bump(m.isFolder ? "folders" : "documents");
      this.lastSyncAt = Date.now();
      this.outbox.setState("lastSyncAt", String(this.lastSyncAt));
      this.log.info("synced", { uuid: m.uuid, name: m.name, blobs: todo.length });
    }
  }

  /** One API call. Network errors, 5xx and 429 become ServerUnavailable; other 4xx RequestRefused. */
  async request(method: string, path: string, body?: BodyInit, type?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.server}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.opts.token}`, ...(type ? { "content-type": type } : {}) },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
    } catch (e) {
      throw new ServerUnavailable(`${method} ${path}: ${(e as Error).message}`);
    }
    const text = await res.text().catch(() => "");
    let data: any = {};
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { error: { code: "bad_response", message: text.slice(0, 200) } };
    }
    if (res.ok) return data;
    const msg = `${method} ${path}: HTTP ${res.status} ${data?.error?.code ?? ""} ${data?.error?.message ?? ""}`.trim();
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      const ra = Number(res.headers.get("retry-after"));
      throw new ServerUnavailable(msg, res.status, Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, this.opts.backoffCapMs) : undefined);
    }
    if (res.status === 401 || res.status === 403) throw new ServerUnavailable(`${msg} (is the agent paired? run 'rmirror agent login')`, res.status);
    throw new RequestRefused(msg, res.status, data?.error?.code ?? "");
  }
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < items.length) await fn(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
