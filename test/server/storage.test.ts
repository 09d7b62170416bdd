import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/db.ts";
import { MIGRATIONS, migrate, schemaVersion, SchemaTooNewError } from "../../src/storage/migrations.ts";
import { createStore } from "../../src/storage/store.ts";

const dir = mkdtempSync(join(tmpdir(), "rmirror-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("opens with the house pragmas and runs every migration", () => {
  const db = openDatabase(join(dir, "a.db"));
  const p = (name: string) => Object.values(db.query(`PRAGMA ${name}`).get() as object)[0];
  expect(p("journal_mode")).toBe("wal");
  expect(p("foreign_keys")).toBe(1);
  expect(p("synchronous")).toBe(1); // NORMAL
  expect(p("busy_timeout")).toBe(5000);
  expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  expect(migrate(db)).toBe(0); // idempotent
  db.close();
});

test("refuses a database written by a newer rmirror", () => {
  const path = join(dir, "newer.db");
  const db = new Database(path);
  db.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  expect(() => openDatabase(path)).toThrow(SchemaTooNewError);
});

test("migrations are append-only: each runs in its own transaction and a failure leaves the previous version", () => {
  const db = new Database(":memory:");
  const broken = [...MIGRATIONS, { name: "9999 broken", sql: "CREATE TABLE ok_table (x INTEGER); SELECT * FROM no_such_table;" }];
  expect(() => migrate(db, broken)).toThrow();
  expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'ok_table'").get()).toBeNull();
  // The released migrations' names are frozen (edit = new entry).
  expect(MIGRATIONS.map((m) => m.name).slice(0, 2)).toEqual(["0001 initial schema", "0002 ocr, quota, page text, full-text search, todos, notifications"]);
});

test("store.tx refuses async functions (bun:sqlite would leave the transaction at the first await)", () => {
  const store = createStore(openDatabase(":memory:"));
  expect(() => store.tx((async () => 1) as unknown as () => number)).toThrow(/synchronous/);
});

test("the store prepares each statement on its first use, not at start (issue 18: serve's start prepared ~250)", () => {
  const db = openDatabase(":memory:");
  let prepared = 0;
  for (const m of ["prepare", "query"] as const) {
    const real = (db[m] as (...a: unknown[]) => unknown).bind(db);
    (db as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => (prepared++, real(...a));
  }
  const store = createStore(db);
  expect(prepared).toBe(0);
  // The statements work as prepared ones.
  expect(store.settingValue("k")).toBeNull();
  store.putSetting("k", "v");
  expect(store.settingValue("k")).toBe("v");
  expect(prepared).toBeGreaterThan(0);
  const before = prepared;
  store.putSetting("k", "w");
  expect(store.settingValue("k")).toBe("w");
  expect(prepared).toBe(before); // prepared once, then reused
  const u = store.insertUser({ email: "lazy@y.z", passwordHash: null, isAdmin: false });
  expect(store.userById(u.id)?.email).toBe("lazy@y.z");
});

test("foreign keys cascade: deleting a user removes their documents and pages", () => {
  const store = createStore(openDatabase(":memory:"));
  const u = store.insertUser({ email: "x@y.z", passwordHash: null, isAdmin: false });
  const d = store.insertDocument(u.id, crypto.randomUUID(), {
    type: "DocumentType", name: "n", parent: "", file_type: "notebook", pinned: 0, tablet_deleted: 0, last_modified: null, last_opened: null,
    metadata_json: "{}", content_json: null, page_count: 1, deleted_at: null,
  });
  store.insertPage({ documentId: d.id, userId: u.id, pageUuid: "p", idx: 0, sha256: null, size: 0, template: null, sourcePage: null, status: "blank" });
  store.db.run("DELETE FROM users WHERE id = ?", [u.id]);
  expect(store.db.query("SELECT count(*) AS n FROM pages").get()).toEqual({ n: 0 });
  expect(store.db.query("SELECT count(*) AS n FROM documents").get()).toEqual({ n: 0 });
});
