// The agent's durable state in its own SQLite file (`~/.rmirror/agent.db`): the outbox of
// documents to check and send, the last state the server confirmed for each document, the
// documents waiting for the desktop app to download them, and a few counters. All of the
// agent's SQL lives here. The outbox holds one row per document (changes coalesce): the files on
// disk are the payload, read when the row is sent, so a restart never sends a stale version.
import { Database } from "bun:sqlite";
import type { CachedHash, FileHashCache } from "./manifest.ts";

const MIGRATIONS: string[] = [
  `CREATE TABLE outbox (
     uuid TEXT PRIMARY KEY,
     gen INTEGER NOT NULL DEFAULT 1,
     enqueued_at INTEGER NOT NULL,
     next_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     parked_at INTEGER
   );
   CREATE INDEX outbox_due ON outbox (parked_at, next_at);
   CREATE TABLE synced (
     uuid TEXT PRIMARY KEY,
     hash TEXT NOT NULL,
     name TEXT NOT NULL,
     is_folder INTEGER NOT NULL,
     pages INTEGER NOT NULL,
     synced_at INTEGER NOT NULL
   );
   CREATE TABLE waiting (
     uuid TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     reason TEXT NOT NULL,
     seen_at INTEGER NOT NULL
   );
   CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // The source folder's file hashes (agent/manifest.ts): on disk rather than in a map in memory, so
  // the agent's memory does not grow with the library and a restart re-reads no unchanged file.
  `CREATE TABLE file_hashes (
     path TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     ctime_ms REAL NOT NULL,
     sha256 TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export interface OutboxRow {
  uuid: string;
  gen: number;
  enqueued_at: number;
  next_at: number;
  attempts: number;
  last_error: string | null;
  parked_at: number | null;
}

export interface SyncedRow {
  uuid: string;
  hash: string;
  name: string;
  is_folder: number;
  pages: number;
  synced_at: number;
}

export interface WaitingRow {
  uuid: string;
  name: string;
  reason: string;
  seen_at: number;
}

export function openAgentDb(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA busy_timeout = 5000");
  if (path !== ":memory:") db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  // A small page cache (SQLite's default is 2 MB): the file-hash lookups during a big scan would fill
  // it and keep it; the OS caches the file anyway.
  db.run("PRAGMA cache_size = -512");
  const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(`agent: ${path} was written by a newer rmirror (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.run(MIGRATIONS[v]!);
      db.run(`PRAGMA user_version = ${v + 1}`);
    })();
  }
  return db;
}

export class Outbox {
  readonly db: Database;
  private q;

  constructor(path: string) {
    this.db = openAgentDb(path);
    const db = this.db;
    this.q = {
      enqueue: db.query(
        `INSERT INTO outbox (uuid, enqueued_at, next_at) VALUES ($uuid, $now, $now)
         ON CONFLICT (uuid) DO UPDATE SET gen = gen + 1, next_at = min(next_at, $now), attempts = 0, last_error = NULL, parked_at = NULL`,
      ),
      enqueueSoft: db.query(`INSERT INTO outbox (uuid, enqueued_at, next_at) VALUES ($uuid, $now, $now) ON CONFLICT (uuid) DO NOTHING`),
      due: db.query(`SELECT * FROM outbox WHERE parked_at IS NULL AND next_at <= $now ORDER BY next_at, enqueued_at LIMIT $limit`),
      nextDue: db.query(`SELECT min(next_at) AS t FROM outbox WHERE parked_at IS NULL`),
      done: db.query(`DELETE FROM outbox WHERE uuid = $uuid AND gen = $gen`),
      fail: db.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $error, next_at = $next WHERE uuid = $uuid AND gen = $gen`),
      defer: db.query(`UPDATE outbox SET next_at = $next WHERE uuid = $uuid`),
      park: db.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $error, parked_at = $now WHERE uuid = $uuid AND gen = $gen`),
      retry: db.query(`UPDATE outbox SET parked_at = NULL, attempts = 0, next_at = $now WHERE uuid = $uuid`),
      retryAll: db.query(`UPDATE outbox SET parked_at = NULL, attempts = 0, next_at = $now WHERE parked_at IS NOT NULL`),
      pending: db.query(`SELECT count(*) AS n FROM outbox WHERE parked_at IS NULL`),
      parked: db.query(`SELECT * FROM outbox WHERE parked_at IS NOT NULL ORDER BY parked_at`),
      failing: db.query(`SELECT * FROM outbox WHERE parked_at IS NULL AND last_error IS NOT NULL ORDER BY next_at LIMIT 50`),
      row: db.query(`SELECT * FROM outbox WHERE uuid = $uuid`),
      synced: db.query(`SELECT * FROM synced WHERE uuid = $uuid`),
      syncedUuids: db.query(`SELECT uuid FROM synced`),
      syncedCount: db.query(`SELECT count(*) AS n FROM synced`),
      setSynced: db.query(
        `INSERT INTO synced (uuid, hash, name, is_folder, pages, synced_at) VALUES ($uuid, $hash, $name, $is_folder, $pages, $now)
         ON CONFLICT (uuid) DO UPDATE SET hash = excluded.hash, name = excluded.name, is_folder = excluded.is_folder, pages = excluded.pages, synced_at = excluded.synced_at`,
      ),
      deleteSynced: db.query(`DELETE FROM synced WHERE uuid = $uuid`),
      setWaiting: db.query(
        `INSERT INTO waiting (uuid, name, reason, seen_at) VALUES ($uuid, $name, $reason, $now)
         ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, reason = excluded.reason, seen_at = excluded.seen_at`,
      ),
      deleteWaiting: db.query(`DELETE FROM waiting WHERE uuid = $uuid`),
      waiting: db.query(`SELECT * FROM waiting ORDER BY name`),
      waitingUuids: db.query(`SELECT uuid FROM waiting`),
      fileHash: db.query(`SELECT size, mtime_ms, ctime_ms, sha256 FROM file_hashes WHERE path = $path`),
      setFileHash: db.query(
        `INSERT INTO file_hashes (path, size, mtime_ms, ctime_ms, sha256) VALUES ($path, $size, $mtime, $ctime, $sha256)
         ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, ctime_ms = excluded.ctime_ms, sha256 = excluded.sha256`,
      ),
      // '~' sorts after '.', '/' and '\\': every `<uuid>.…` and `<uuid>/…` path, through the primary key.
      forgetFileHashes: db.query(`DELETE FROM file_hashes WHERE path > $uuid AND path < $uuid || '~'`),
      fileHashCount: db.query(`SELECT count(*) AS n FROM file_hashes`),
      clearFileHashes: db.query(`DELETE FROM file_hashes`),
      getState: db.query(`SELECT value FROM state WHERE key = $key`),
      setState: db.query(`INSERT INTO state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    };
  }

  /** A document changed on disk: (re)queue it now, reset its attempts and un-park it. */
  enqueue(uuids: Iterable<string>, now = Date.now()): void {
    this.db.transaction(() => {
      for (const uuid of uuids) this.q.enqueue.run({ uuid, now });
    })();
  }

  /** A rescan asks for a check: queue documents that are not queued yet; parked ones stay parked. */
  enqueueIfAbsent(uuids: Iterable<string>, now = Date.now()): void {
    this.db.transaction(() => {
      for (const uuid of uuids) this.q.enqueueSoft.run({ uuid, now });
    })();
  }

  due(limit: number, now = Date.now()): OutboxRow[] {
    return this.q.due.all({ now, limit }) as OutboxRow[];
  }

  /** When the next queued row becomes due (undefined when nothing is queued). */
  nextDue(): number | undefined {
    return (this.q.nextDue.get() as { t: number | null }).t ?? undefined;
  }

  /** Finished; a row re-queued meanwhile (newer gen) stays for another pass. */
  done(uuid: string, gen: number): void {
    this.q.done.run({ uuid, gen });
  }

  fail(uuid: string, gen: number, error: string, next: number): void {
    this.q.fail.run({ uuid, gen, error, next });
  }

  defer(uuid: string, next: number): void {
    this.q.defer.run({ uuid, next });
  }

  park(uuid: string, gen: number, error: string, now = Date.now()): void {
    this.q.park.run({ uuid, gen, error, now });
  }

  retry(uuid: string, now = Date.now()): void {
    this.q.retry.run({ uuid, now });
  }

  retryAll(now = Date.now()): void {
    this.q.retryAll.run({ now });
  }

  row(uuid: string): OutboxRow | undefined {
    return (this.q.row.get({ uuid }) as OutboxRow | null) ?? undefined;
  }

  pendingCount(): number {
    return (this.q.pending.get() as { n: number }).n;
  }

  parked(): OutboxRow[] {
    return this.q.parked.all() as OutboxRow[];
  }

  failing(): OutboxRow[] {
    return this.q.failing.all() as OutboxRow[];
  }

  synced(uuid: string): SyncedRow | undefined {
    return (this.q.synced.get({ uuid }) as SyncedRow | null) ?? undefined;
  }

  syncedUuids(): string[] {
    return (this.q.syncedUuids.all() as { uuid: string }[]).map((r) => r.uuid);
  }

  syncedCount(): number {
    return (this.q.syncedCount.get() as { n: number }).n;
  }

  setSynced(row: Omit<SyncedRow, "synced_at">, now = Date.now()): void {
    this.q.setSynced.run({ ...row, now });
  }

  deleteSynced(uuid: string): void {
    this.q.deleteSynced.run({ uuid });
  }

  setWaiting(uuid: string, name: string, reason: string, now = Date.now()): void {
    this.q.setWaiting.run({ uuid, name, reason, now });
  }

  deleteWaiting(uuid: string): void {
    this.q.deleteWaiting.run({ uuid });
  }

  waiting(): WaitingRow[] {
    return this.q.waiting.all() as WaitingRow[];
  }

  waitingUuids(): string[] {
    return (this.q.waitingUuids.all() as { uuid: string }[]).map((r) => r.uuid);
  }

  getState(key: string): string | undefined {
    return (this.q.getState.get({ key }) as { value: string } | null)?.value;
  }

  setState(key: string, value: string): void {
    this.q.setState.run({ key, value });
  }

  /**
   * The file-hash cache of the source folder `root` (for ManifestReader), kept in this database.
   * Another folder than last time starts it empty: paths are relative to the folder.
   */
  fileHashes(root: string): FileHashCache {
    if (this.getState("fileHashesRoot") !== root) {
      this.db.transaction(() => {
        this.q.clearFileHashes.run();
        this.setState("fileHashesRoot", root);
      })();
    }
    const q = this.q;
    return {
      get(path: string): CachedHash | undefined {
        const r = q.fileHash.get({ path }) as { size: number; mtime_ms: number; ctime_ms: number; sha256: string } | null;
        return r ? { size: r.size, mtimeMs: r.mtime_ms, ctimeMs: r.ctime_ms, sha256: r.sha256 } : undefined;
      },
      set(path: string, e: CachedHash): void {
        q.setFileHash.run({ path, size: e.size, mtime: e.mtimeMs, ctime: e.ctimeMs, sha256: e.sha256 });
      },
      forget(uuid: string): void {
        q.forgetFileHashes.run({ uuid });
      },
    };
  }

  fileHashCount(): number {
    return (this.q.fileHashCount.get() as { n: number }).n;
  }

  /** Add to a persisted counter (uploads, bytes, …). */
  bump(key: string, by = 1): void {
    this.setState(key, String(Number(this.getState(key) ?? 0) + by));
  }

  counter(key: string): number {
    return Number(this.getState(key) ?? 0);
  }

  close(): void {
    this.db.close();
  }
}
