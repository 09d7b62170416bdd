// Opens the one SQLite database with the house pragmas and runs the embedded migrations.
// Transactions are synchronous: never `await` inside `db.transaction` (bun:sqlite would leave
// the transaction at the first await).

import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { migrate } from "./migrations.ts";

export type { Database };

export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    if (path !== ":memory:") db.run("PRAGMA journal_mode = WAL");
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
