// Opens the one SQLite database with the house pragmas and runs the embedded migrations.
// Transactions are synchronous: never `await` inside `db.transaction` (bun:sqlite would leave
// the transaction at the first await).

import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { migrate } from "./migrations.ts";

export type { Database };

/** How much of the database file is read through a memory map (SQLite caps it at its compile-time maximum). */
export const MMAP_BYTES = 2 ** 31;

export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    if (path !== ":memory:") db.run("PRAGMA journal_mode = WAL");
    // Read the file through a memory map (up to SQLite's limit, 2 GB by default) instead of a
    // read() per page into the 2 MB page cache: a search at 500,000 pages touches thousands of
    // index and table pages, and copying them in took half its time (issue 18). The mapped pages
    // are the OS's file cache (shared, reclaimable), not memory of the process's own.
    if (path !== ":memory:") db.run(`PRAGMA mmap_size = ${MMAP_BYTES}`);
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** `SELECT 1` round trip for /healthz. */
export function pingDatabase(db: Database): void {
  db.query("SELECT 1").get();
}
