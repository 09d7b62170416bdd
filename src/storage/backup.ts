// SQL for `rmirror backup` / `rmirror restore`: a consistent online copy of the database
// (VACUUM INTO works from any connection while others write in WAL mode), its integrity check,
// and the blob index the copy refers to.
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { schemaVersion } from "./migrations.ts";

export interface BackupCounts {
  users: number;
  documents: number;
  pages: number;
  blobs: number;
  blobBytes: number;
}

/** Open an existing database without running migrations (backup must never change the live schema). */
export function openExistingDatabase(path: string, readonly = false): Database {
  if (!existsSync(path)) throw new Error(`storage: no database at ${path}`);
  const db = readonly ? new Database(path, { readonly: true, strict: true }) : new Database(path, { readwrite: true, create: false, strict: true });
  db.run("PRAGMA busy_timeout = 15000");
  return db;
}

/** A transactionally consistent copy of `db` written to `dest` (which must not exist). */
export function vacuumInto(db: Database, dest: string): void {
  db.run("VACUUM INTO ?", [dest]);
}

/** `PRAGMA integrity_check`: ["ok"] for a sound database, else the problems found. */
export function integrityCheck(db: Database): string[] {
  return db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all().map((r) => r.integrity_check);
}

export function databaseSchemaVersion(db: Database): number {
  return schemaVersion(db);
}

export function backupCounts(db: Database): BackupCounts {
  const one = (sql: string) => (db.query<{ n: number | null }, []>(sql).get()?.n ?? 0);
  return {
    users: one("SELECT count(*) AS n FROM users"),
    documents: one("SELECT count(*) AS n FROM documents"),
    pages: one("SELECT count(*) AS n FROM pages"),
    blobs: one("SELECT count(*) AS n FROM blobs"),
    blobBytes: one("SELECT coalesce(sum(size), 0) AS n FROM blobs"),
  };
}

/** Every blob the database refers to, in hash order (iterated, not loaded at once). */
export function* indexedBlobs(db: Database): Generator<{ sha256: string; size: number }> {
  yield* db.query<{ sha256: string; size: number }, []>("SELECT sha256, size FROM blobs ORDER BY sha256").iterate();
}
