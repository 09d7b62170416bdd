// Issue 15, choose what syncs: the migration that adds the OCR status 'held' rebuilds page_ocr
// (SQLite cannot change a CHECK). A database from before keeps every OCR row as it was, with its
// indexes, and accepts 'held' afterwards; the per-computer settings table follows its token.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { MIGRATIONS, migrate } from "../../src/storage/migrations.ts";

const dir = mkdtempSync(join(tmpdir(), "rmirror-held-mig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("page_ocr rows survive the rebuild; 'held' is accepted after it, not before; settings go with their token", () => {
  const at = MIGRATIONS.findIndex((m) => m.name.includes("OCR status 'held'"));
  expect(at).toBeGreaterThan(0);
  const db = new Database(join(dir, "a.db"), { create: true, strict: true });
  db.run("PRAGMA foreign_keys = ON"); // as openDatabase has it
  migrate(db, MIGRATIONS.slice(0, at));
  db.run("INSERT INTO users (id, email, created_at) VALUES (1, 'a@example.com', 1)");
  db.run("INSERT INTO device_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (7, 1, 'Mac', 'h', 'rmt_', 1)");
  db.run("INSERT INTO documents (id, user_id, uuid, type, name, metadata_json, created_at, updated_at) VALUES (1, 1, 'u', 'DocumentType', 'N', '{}', 1, 1)");
  for (const id of [1, 2]) db.run(`INSERT INTO pages (id, document_id, user_id, page_uuid, idx, sha256, render_status, created_at, updated_at) VALUES (${id}, 1, 1, 'p${id}', ${id}, 's${id}', 'done', 1, 1)`);
  db.run(
    "INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, done_sha256, model, input_tokens, output_tokens, requested_at, done_at, updated_at, read_reason) VALUES (1, 1, 'done', 's1', 'k', 's1', 'm', 10, 20, 5, 6, 7, 'new')",
  );
  expect(() => db.run("INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, requested_at, updated_at) VALUES (2, 1, 'held', 's2', '', 1, 1)")).toThrow();

  migrate(db);
  expect(db.query("SELECT page_id, status, done_sha256, model, input_tokens, output_tokens, requested_at, done_at, read_reason FROM page_ocr").all()).toEqual([
    { page_id: 1, status: "done", done_sha256: "s1", model: "m", input_tokens: 10, output_tokens: 20, requested_at: 5, done_at: 6, read_reason: "new" },
  ]);
  db.run("INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, requested_at, updated_at) VALUES (2, 1, 'held', 's2', '', 1, 1)");
  const indexes = (db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'page_ocr' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  expect(indexes).toEqual(["page_ocr_backlog", "page_ocr_status"]);
  // A page deleted takes its OCR row along (the foreign key survived the rebuild).
  db.run("DELETE FROM pages WHERE id = 2");
  expect(db.query("SELECT count(*) AS n FROM page_ocr").get()).toEqual({ n: 1 });

  db.run("INSERT INTO agent_sync_settings (token_id, user_id, mode, items_json, initial_pages, updated_at) VALUES (7, 1, 'include', '[\"Work\"]', 20, 1)");
  expect(() => db.run("INSERT INTO agent_sync_settings (token_id, user_id, mode, updated_at) VALUES (7, 1, 'all', 1)")).toThrow();
  db.run("DELETE FROM device_tokens WHERE id = 7");
  expect(db.query("SELECT count(*) AS n FROM agent_sync_settings").get()).toEqual({ n: 0 });
  db.close();
});
