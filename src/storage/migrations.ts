// Append-only, ordered schema migrations embedded in the binary. Never edit a released entry:
// add a new one. Each runs in its own transaction and bumps PRAGMA user_version.
// A database whose user_version is greater than the number of migrations here was written by a
// newer rmirror: we refuse to open it rather than guess.

import type { Database } from "bun:sqlite";

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: "0001 initial schema",
    sql: `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash  TEXT,
  is_admin       INTEGER NOT NULL DEFAULT 0,
  provisioned_by TEXT NOT NULL DEFAULT 'local',
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE device_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER,
  revoked_at   INTEGER
) STRICT;
CREATE INDEX device_tokens_user ON device_tokens(user_id);

CREATE TABLE pairings (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  device_name TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('pending','approved','denied','completed')),
  user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
  token_id    INTEGER REFERENCES device_tokens(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Which user has supplied (or been given, by rendering) which blob. "Missing" is computed per
-- user so the server never reveals whether another user holds some content.
CREATE TABLE user_blobs (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sha256     TEXT NOT NULL REFERENCES blobs(sha256),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, sha256)
) STRICT, WITHOUT ROWID;

CREATE TABLE documents (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  uuid           TEXT NOT NULL,
  type           TEXT NOT NULL CHECK (type IN ('DocumentType','CollectionType')),
  name           TEXT NOT NULL,
  parent         TEXT NOT NULL DEFAULT '',
  file_type      TEXT,
  pinned         INTEGER NOT NULL DEFAULT 0,
  tablet_deleted INTEGER NOT NULL DEFAULT 0,
  last_modified  INTEGER,
  last_opened    INTEGER,
  metadata_json  TEXT NOT NULL,
  content_json   TEXT,
  page_count     INTEGER NOT NULL DEFAULT 0,
  revision       INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  deleted_at     INTEGER,
  pdf_sha256     TEXT,
  pdf_key        TEXT,
  UNIQUE (user_id, uuid)
) STRICT;
CREATE INDEX documents_parent ON documents(user_id, parent);

CREATE TABLE pages (
  id              INTEGER PRIMARY KEY,
  document_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  page_uuid       TEXT NOT NULL,
  idx             INTEGER NOT NULL,
  sha256          TEXT,
  size            INTEGER NOT NULL DEFAULT 0,
  template        TEXT,
  source_page     INTEGER,
  render_status   TEXT NOT NULL CHECK (render_status IN ('pending','awaiting_blob','done','failed','blank')),
  render_error    TEXT,
  rendered_sha256 TEXT,
  svg_sha256      TEXT,
  png_sha256      TEXT,
  png_source      TEXT,
  render_count    INTEGER NOT NULL DEFAULT 0,
  typed_text      TEXT,
  highlights_json TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (document_id, page_uuid)
) STRICT;
CREATE INDEX pages_user_sha ON pages(user_id, sha256);
CREATE INDEX pages_doc_idx ON pages(document_id, idx);

CREATE TABLE document_files (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  size        INTEGER NOT NULL,
  PRIMARY KEY (document_id, path)
) STRICT, WITHOUT ROWID;

CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL,
  payload         TEXT NOT NULL,
  user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
  status          TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
  priority        INTEGER NOT NULL DEFAULT 0,
  run_after       INTEGER NOT NULL,
  lease_until     INTEGER,
  alloc_id        TEXT,
  attempts        INTEGER NOT NULL DEFAULT 0,
  max_attempts    INTEGER NOT NULL,
  last_error      TEXT,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  finished_at     INTEGER
) STRICT;
-- An idempotency key is unique among live jobs: enqueueing it again while one is queued or
-- running is a no-op; once finished, the same key may run again (e.g. a page re-rendered later).
CREATE UNIQUE INDEX jobs_idempotency ON jobs(idempotency_key) WHERE idempotency_key IS NOT NULL AND status IN ('queued','running');
CREATE INDEX jobs_claim ON jobs(kind, status, priority DESC, run_after, id);
CREATE INDEX jobs_user ON jobs(user_id, status);
`,
  },
  {
    name: "0002 ocr, quota, page text, full-text search, todos, notifications",
    sql: `
-- OCR state per page: what the stored OCR text was made from and what is pending.
CREATE TABLE page_ocr (
  page_id         INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status          TEXT NOT NULL CHECK (status IN ('blank','pending_ocr','pending_quota','queued','done','failed')),
  sha256          TEXT NOT NULL,
  engine_key      TEXT NOT NULL,
  done_sha256     TEXT,
  done_engine_key TEXT,
  model           TEXT,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  ms              INTEGER,
  error           TEXT,
  requested_at    INTEGER NOT NULL,
  done_at         INTEGER,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX page_ocr_backlog ON page_ocr(user_id, status, requested_at DESC, page_id DESC);
CREATE INDEX page_ocr_status ON page_ocr(status);

-- Pages used per user per quota month ('YYYY-MM' in the quota time zone).
CREATE TABLE quota_usage (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  month   TEXT NOT NULL,
  used    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, month)
) STRICT, WITHOUT ROWID;
-- One reserved page per OCR job, taken when the job is claimed; refunded when it fails for good.
CREATE TABLE quota_reservations (
  job_id     INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  month      TEXT NOT NULL,
  page_id    INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
-- Per-user limit override; page_limit NULL = unlimited. No row = the global default.
CREATE TABLE quota_limits (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  page_limit INTEGER
) STRICT;

CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  month       TEXT NOT NULL,
  threshold   INTEGER NOT NULL,
  message     TEXT NOT NULL,
  data_json   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  read_at     INTEGER,
  emailed_at  INTEGER,
  email_error TEXT,
  UNIQUE (user_id, kind, month, threshold)
) STRICT;

-- Searchable text of a page, one row per source (OCR, typed text, PDF highlights).
CREATE TABLE page_texts (
  id          INTEGER PRIMARY KEY,
  page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL,
  document_id INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('ocr','typed','highlight')),
  text        TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (page_id, source)
) STRICT;
CREATE INDEX page_texts_doc ON page_texts(document_id);

CREATE TABLE todos (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  document_id INTEGER NOT NULL,
  source      TEXT NOT NULL,
  position    INTEGER NOT NULL,
  text        TEXT NOT NULL,
  checked     INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX todos_user ON todos(user_id, checked, id);
CREATE INDEX todos_page ON todos(page_id, source);

-- Full-text index. rowid = 2*page_texts.id for page text, 2*documents.id+1 for a document or
-- folder name. Kept in step by triggers, so it is always written in the text's transaction.
-- unicode61 with remove_diacritics 2 folds umlauts and accents (Müller = muller); prefix
-- indexes make short prefix queries cheap.
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE TRIGGER page_texts_ai AFTER INSERT ON page_texts BEGIN
  INSERT INTO search_fts(rowid, title, body) VALUES (new.id * 2, '', new.text);
END;
CREATE TRIGGER page_texts_au AFTER UPDATE OF text ON page_texts BEGIN
  DELETE FROM search_fts WHERE rowid = old.id * 2;
  INSERT INTO search_fts(rowid, title, body) VALUES (new.id * 2, '', new.text);
END;
CREATE TRIGGER page_texts_ad AFTER DELETE ON page_texts BEGIN
  DELETE FROM search_fts WHERE rowid = old.id * 2;
END;
CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
  INSERT INTO search_fts(rowid, title, body) VALUES (new.id * 2 + 1, new.name, '');
END;
CREATE TRIGGER documents_fts_au AFTER UPDATE OF name ON documents WHEN new.name IS NOT old.name BEGIN
  DELETE FROM search_fts WHERE rowid = old.id * 2 + 1;
  INSERT INTO search_fts(rowid, title, body) VALUES (new.id * 2 + 1, new.name, '');
END;
CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
  DELETE FROM search_fts WHERE rowid = old.id * 2 + 1;
END;
-- Page text rows do not cascade from documents directly (pages do, and page_texts cascade from
-- pages, which fires page_texts_ad).
INSERT INTO search_fts(rowid, title, body) SELECT id * 2 + 1, name, '' FROM documents;
`,
  },
  {
    name: "0003 render again pages rendered before page text, OCR and search existed",
    sql: `
-- Pages rendered by an older rmirror have no page text, search index or OCR state: queue one
-- render each (the render commit stores typed text and highlights and decides OCR).
INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, idempotency_key, created_at, updated_at)
SELECT 'render_page', json_object('pageId', p.id), p.user_id, 'queued', -1,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 5, 'render:' || p.id || ':' || p.sha256,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM pages p
WHERE p.render_status = 'done' AND p.sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM page_ocr o WHERE o.page_id = p.id)
ON CONFLICT DO NOTHING;
UPDATE pages SET rendered_sha256 = NULL
WHERE render_status = 'done' AND sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM page_ocr o WHERE o.page_id = pages.id);
`,
  },
  {
    name: "0004 notion connections and sync records",
    sql: `
-- One Notion connection per user. The token is stored encrypted (AES-256-GCM, services/notion
-- token box); property ids are recorded at creation so renamed properties keep working.
CREATE TABLE notion_connections (
  user_id         INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  mode            TEXT NOT NULL CHECK (mode IN ('oauth','internal')),
  token_enc       TEXT NOT NULL,
  workspace_id    TEXT,
  workspace_name  TEXT,
  bot_id          TEXT,
  parent_page_id  TEXT,
  database_id     TEXT,
  data_source_id  TEXT,
  property_ids    TEXT,
  todo_database_id    TEXT,
  todo_data_source_id TEXT,
  todo_property_ids   TEXT,
  status          TEXT NOT NULL CHECK (status IN ('needs_parent','ready','error','revoked')),
  last_error      TEXT,
  initial_done    INTEGER NOT NULL DEFAULT 0,
  last_sync_at    INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;

-- OAuth "state" values handed out by /notion/oauth/start: single use, bound to the session.
CREATE TABLE notion_oauth_states (
  state_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  binding    TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;

-- What exists in Notion for what: the source of truth for "update in place, never duplicate".
-- target 'notebook': page_uuid is the document uuid, notion_id the Notion page.
-- target 'page': page_uuid is the reMarkable page id, notion_id its heading block, block_ids
-- the top-level blocks of its text. target 'todo' (optional to-do database): page_uuid is
-- "<page id>#<source>:<position>", notion_id the row in the to-do database.
CREATE TABLE sync_records (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  page_uuid     TEXT NOT NULL,
  target        TEXT NOT NULL CHECK (target IN ('notebook','page','todo')),
  document_uuid TEXT NOT NULL,
  notion_id     TEXT,
  block_ids     TEXT NOT NULL DEFAULT '[]',
  position      INTEGER NOT NULL DEFAULT 0,
  content_hash  TEXT,
  meta_hash     TEXT,
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','synced','deferred','failed','archived')),
  error         TEXT,
  synced_at     INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (user_id, page_uuid, target)
) STRICT;
CREATE INDEX sync_records_doc ON sync_records(user_id, document_uuid, target, position);
`,
  },
  {
    // Notion's OAuth token response carries a rotating refresh token (sealed like the access
    // token; NULL for internal integration tokens and connections made before this).
    name: "0005 notion refresh token",
    sql: `ALTER TABLE notion_connections ADD COLUMN refresh_token_enc TEXT;`,
  },
  {
    name: "0006 job queue that does not age: live-jobs claim index, bounded history, job counts",
    sql: `
-- Claims read only live jobs, in claim order: the partial index matches the claim query's WHERE
-- (status IN ('queued','running')) and ORDER BY (priority DESC, run_after, id) exactly, so a
-- claim neither visits finished jobs nor sorts. It replaces jobs_claim, which held every job.
DROP INDEX jobs_claim;
CREATE INDEX jobs_live ON jobs(kind, priority DESC, run_after, id) WHERE status IN ('queued','running');
-- Finished jobs by user and age: the daily housekeeping deletes those past the retention.
CREATE INDEX jobs_history ON jobs(user_id, finished_at) WHERE status IN ('done','failed','cancelled');
-- The Activity view lists a user's newest jobs (jobs_user serves the status-filtered list).
CREATE INDEX jobs_by_user ON jobs(user_id, id);
UPDATE jobs SET finished_at = updated_at WHERE status IN ('done','failed','cancelled') AND finished_at IS NULL;

-- Jobs per user (0 = jobs of no user), kind and status, kept in step by triggers in the same
-- transaction as the job row: the dashboard and /metrics read these few rows instead of
-- counting the jobs table.
CREATE TABLE job_counts (
  user_id INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  status  TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (user_id, kind, status)
) STRICT, WITHOUT ROWID;
INSERT INTO job_counts (user_id, kind, status, n)
SELECT coalesce(user_id, 0), kind, status, count(*) FROM jobs GROUP BY coalesce(user_id, 0), kind, status;
CREATE TRIGGER jobs_counts_ai AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (user_id, kind, status, n) VALUES (coalesce(new.user_id, 0), new.kind, new.status, 1)
  ON CONFLICT (user_id, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER jobs_counts_au AFTER UPDATE OF status, kind, user_id ON jobs
WHEN new.status IS NOT old.status OR new.kind IS NOT old.kind OR new.user_id IS NOT old.user_id BEGIN
  UPDATE job_counts SET n = n - 1 WHERE user_id = coalesce(old.user_id, 0) AND kind = old.kind AND status = old.status;
  INSERT INTO job_counts (user_id, kind, status, n) VALUES (coalesce(new.user_id, 0), new.kind, new.status, 1)
  ON CONFLICT (user_id, kind, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER jobs_counts_ad AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET n = n - 1 WHERE user_id = coalesce(old.user_id, 0) AND kind = old.kind AND status = old.status;
END;
`,
  },
  {
    name: "0007 blob garbage collection: last use per owner, pins of writes in flight, deletions in progress",
    sql: `
-- When the user last uploaded this blob (or had it rendered for them): garbage collection keeps
-- an unreferenced blob until this is older than the grace period.
ALTER TABLE user_blobs ADD COLUMN used_at INTEGER NOT NULL DEFAULT 0;
UPDATE user_blobs SET used_at = created_at;

-- A blob being written right now (upload, render, import), pinned before its bytes are checked
-- or written and unpinned after its index row is committed: never collected while pinned.
CREATE TABLE blob_pins (
  id         INTEGER PRIMARY KEY,
  sha256     TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX blob_pins_sha ON blob_pins(sha256);

-- A blob garbage collection has unindexed and is deleting from the store. A writer of the same
-- hash waits until the row is gone (then writes the bytes again) instead of trusting them.
CREATE TABLE blob_deletions (
  sha256     TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- "Who owns this hash?" and "is this hash referenced by its owner?" for every kind of reference.
CREATE INDEX user_blobs_sha ON user_blobs(sha256, used_at);
CREATE INDEX pages_svg ON pages(svg_sha256) WHERE svg_sha256 IS NOT NULL;
CREATE INDEX pages_png ON pages(png_sha256) WHERE png_sha256 IS NOT NULL;
CREATE INDEX documents_pdf ON documents(pdf_sha256) WHERE pdf_sha256 IS NOT NULL;
CREATE INDEX document_files_sha ON document_files(sha256);
`,
  },
  {
    name: "0008 why each page was read by OCR: new, changed, requested, re-read",
    sql: `
-- Why the stored OCR text was made (what its quota page went to): 'new' (first version of the
-- page), 'changed' (new strokes), 'requested' ("OCR now"), 'reread' (same strokes, new engine
-- settings). NULL for pages read before this was recorded.
ALTER TABLE page_ocr ADD COLUMN read_reason TEXT CHECK (read_reason IN ('new','changed','requested','reread'));
`,
  },
  {
    name: "0009 Todoist: a connection per user and the task each to-do became",
    sql: `
-- The user's Todoist connection: the API token sealed like Notion tokens, the chosen project.
CREATE TABLE todoist_connections (
  user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_enc    TEXT NOT NULL,
  project_id   TEXT,
  project_name TEXT,
  status       TEXT NOT NULL CHECK (status IN ('needs_project','ready','error','revoked')),
  last_error   TEXT,
  synced_at    INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) STRICT;

-- One row per to-do pushed (or being pushed) to Todoist. The row and its request_id are written
-- BEFORE the task is created, so after a crash the next run finds the task again (by the marker
-- in its description, or Todoist discards the repeated X-Request-Id) instead of creating another.
CREATE TABLE todoist_tasks (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  page_uuid     TEXT NOT NULL,
  document_uuid TEXT NOT NULL,
  item_key      TEXT NOT NULL,
  position      INTEGER NOT NULL,
  text          TEXT NOT NULL,
  checked       INTEGER NOT NULL,
  task_id       TEXT,
  request_id    TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending','synced')),
  updated_at    INTEGER NOT NULL,
  UNIQUE (user_id, page_uuid, item_key)
) STRICT;
`,
  },
  {
    name: "0010 page thumbnails: a small raster per page, cached by what it was drawn from",
    sql: `
-- The page's thumbnail (a few-KB PNG, with the PDF page underneath for annotated PDFs) as a blob,
-- and what it was drawn from (page content, PDF page, orientation, renderer version): reused while
-- that is unchanged, drawn again when it changes.
ALTER TABLE pages ADD COLUMN thumb_sha256 TEXT;
ALTER TABLE pages ADD COLUMN thumb_source TEXT;
CREATE INDEX pages_thumb ON pages(thumb_sha256) WHERE thumb_sha256 IS NOT NULL;
`,
  },
  {
    name: "0011 one-time install codes and agent heartbeats",
    sql: `
-- A one-time code embedded in the install command the Devices page shows (issue 15): bound to the
-- user who minted it, valid 15 minutes, used once (the agent exchanges it for a device token).
-- Only its hash is stored.
CREATE TABLE install_codes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  token_id INTEGER REFERENCES device_tokens(id) ON DELETE SET NULL
);
CREATE INDEX install_codes_expiry ON install_codes(expires_at);
-- The last heartbeat of each agent (one row per device token).
CREATE TABLE agent_heartbeats (
  token_id INTEGER PRIMARY KEY REFERENCES device_tokens(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  received_at INTEGER NOT NULL,
  version TEXT NOT NULL,
  platform TEXT NOT NULL,
  folder TEXT NOT NULL CHECK (folder IN ('ok','missing','unreadable')),
  queue INTEGER NOT NULL,
  last_sync_at INTEGER,
  last_error TEXT,
  stopped INTEGER NOT NULL DEFAULT 0,
  -- when a heartbeat last said the agent was caught up (folder readable, nothing queued, no error)
  in_sync_at INTEGER
);
CREATE INDEX agent_heartbeats_user ON agent_heartbeats(user_id);
`,
  },
  {
    name: "0012 change feed (changes, written by triggers) and webhooks",
    sql: `
-- The change feed (docs/api.md "Change feed"): one row per change to a user's documents/folders,
-- pages, page text (typed, OCR, highlights), todos and notices, written by the triggers below, so
-- always in the transaction of the change itself (a rolled-back change leaves no row; cascades
-- and every writer are covered). AUTOINCREMENT: seq never goes back, even after compaction, and
-- SQLite's single writer makes seq order the commit order. Superseded rows (an older row of the
-- same object) are compacted away; deletions older than the retention are dropped and raise the
-- user's horizon (a cursor below it gets 410 cursor_expired → resync).
CREATE TABLE changes (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('document','page','text','todo','notice')),
  object        TEXT NOT NULL,
  op            TEXT NOT NULL CHECK (op IN ('upsert','delete')),
  event         TEXT NOT NULL,
  ref_id        INTEGER NOT NULL,
  document_uuid TEXT,
  page_uuid     TEXT,
  source        TEXT,
  at            INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_user ON changes(user_id, seq);
CREATE INDEX changes_object ON changes(user_id, kind, object, seq);
CREATE TABLE change_horizons (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL
) STRICT;

CREATE TRIGGER changes_doc_ai AFTER INSERT ON documents WHEN new.deleted_at IS NULL BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, at)
  VALUES (new.user_id, 'document', new.uuid, 'upsert', 'created', new.id, new.uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER changes_doc_au AFTER UPDATE ON documents
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL)
  OR (new.deleted_at IS NULL AND (new.type IS NOT old.type OR new.name IS NOT old.name OR new.parent IS NOT old.parent
    OR new.file_type IS NOT old.file_type OR new.pinned IS NOT old.pinned OR new.tablet_deleted IS NOT old.tablet_deleted
    OR new.last_modified IS NOT old.last_modified OR new.content_json IS NOT old.content_json OR new.page_count IS NOT old.page_count
    OR new.pdf_sha256 IS NOT old.pdf_sha256))
BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, at)
  VALUES (new.user_id, 'document', new.uuid, CASE WHEN new.deleted_at IS NULL THEN 'upsert' ELSE 'delete' END,
    CASE WHEN new.deleted_at IS NOT NULL THEN 'trashed' WHEN old.deleted_at IS NOT NULL THEN 'restored' ELSE 'updated' END,
    new.id, new.uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
-- (Deletes that cascade from a deleted user write nothing: the user's feed goes with them.)
CREATE TRIGGER changes_doc_ad AFTER DELETE ON documents
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM users u WHERE u.id = old.user_id) BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, at)
  VALUES (old.user_id, 'document', old.uuid, 'delete', 'deleted', old.id, old.uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- A notebook back from the trash: its pages, texts and todos are in the library again (their
-- entries read as deleted while it was in the trash), so the feed alone is enough to mirror it.
CREATE TRIGGER changes_doc_restored AFTER UPDATE OF deleted_at ON documents
WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL
BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
  SELECT p.user_id, 'page', new.uuid || '/' || p.page_uuid, 'upsert', 'restored', p.id, new.uuid, p.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p WHERE p.document_id = new.id ORDER BY p.idx, p.id;
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT t.user_id, 'text', new.uuid || '/' || p.page_uuid || '/' || t.source, 'upsert', 'restored', t.id, new.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM page_texts t JOIN pages p ON p.id = t.page_id WHERE t.document_id = new.id ORDER BY t.id;
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT t.user_id, 'todo', CAST(t.id AS TEXT), 'upsert', 'restored', t.id, new.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM todos t JOIN pages p ON p.id = t.page_id WHERE t.document_id = new.id ORDER BY t.id;
END;

-- Children: a delete while the document row exists is written; a cascade from a purged document
-- is covered by the document's own delete (the feed reports children of a gone document as deleted).
CREATE TRIGGER changes_page_ai AFTER INSERT ON pages BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
  SELECT new.user_id, 'page', d.uuid || '/' || new.page_uuid, 'upsert', 'created', new.id, d.uuid, new.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM documents d WHERE d.id = new.document_id;
END;
CREATE TRIGGER changes_page_au AFTER UPDATE ON pages
WHEN new.idx IS NOT old.idx OR new.sha256 IS NOT old.sha256 OR new.template IS NOT old.template
  OR new.source_page IS NOT old.source_page OR new.svg_sha256 IS NOT old.svg_sha256
BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
  SELECT new.user_id, 'page', d.uuid || '/' || new.page_uuid, 'upsert',
    CASE WHEN new.sha256 IS NOT old.sha256 THEN 'content' WHEN new.svg_sha256 IS NOT old.svg_sha256 THEN 'rendered' ELSE 'layout' END,
    new.id, d.uuid, new.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM documents d WHERE d.id = new.document_id;
END;
CREATE TRIGGER changes_page_ad AFTER DELETE ON pages
WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = old.user_id) BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
  SELECT old.user_id, 'page', d.uuid || '/' || old.page_uuid, 'delete', 'deleted', old.id, d.uuid, old.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM documents d WHERE d.id = old.document_id;
END;

CREATE TRIGGER changes_text_ai AFTER INSERT ON page_texts BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || new.source, 'upsert', 'ready', new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_text_au AFTER UPDATE OF text ON page_texts WHEN new.text IS NOT old.text BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || new.source, 'upsert', 'ready', new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_text_ad AFTER DELETE ON page_texts
WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = old.user_id) BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT old.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || old.source, 'delete', 'deleted', old.id, d.uuid, p.page_uuid, old.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = old.page_id;
END;

CREATE TRIGGER changes_todo_ai AFTER INSERT ON todos BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'todo', CAST(new.id AS TEXT), 'upsert', CASE WHEN new.checked THEN 'created_checked' ELSE 'created' END,
    new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_todo_au AFTER UPDATE ON todos WHEN new.text IS NOT old.text OR new.checked IS NOT old.checked BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'todo', CAST(new.id AS TEXT), 'upsert',
    CASE WHEN new.checked AND NOT old.checked THEN 'checked' WHEN old.checked AND NOT new.checked THEN 'unchecked' ELSE 'edited' END,
    new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_todo_ad AFTER DELETE ON todos
WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = old.user_id) BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT old.user_id, 'todo', CAST(old.id AS TEXT), 'delete', 'deleted', old.id, d.uuid, p.page_uuid, old.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = old.page_id;
END;

CREATE TRIGGER changes_notice_ai AFTER INSERT ON notifications BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, at)
  VALUES (new.user_id, 'notice', CAST(new.id AS TEXT), 'upsert', new.kind, new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- What existed before the feed: one entry per live object, so a feed read from the start is a
-- full snapshot.
INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, at)
SELECT user_id, 'document', uuid, 'upsert', 'created', id, uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM documents WHERE deleted_at IS NULL ORDER BY id;
INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
SELECT p.user_id, 'page', d.uuid || '/' || p.page_uuid, 'upsert', 'created', p.id, d.uuid, p.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM pages p JOIN documents d ON d.id = p.document_id ORDER BY p.id;
INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
SELECT t.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || t.source, 'upsert', 'ready', t.id, d.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM page_texts t JOIN pages p ON p.id = t.page_id JOIN documents d ON d.id = p.document_id ORDER BY t.id;
INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
SELECT t.user_id, 'todo', CAST(t.id AS TEXT), 'upsert', 'created', t.id, d.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM todos t JOIN pages p ON p.id = t.page_id JOIN documents d ON d.id = p.document_id ORDER BY t.id;

-- Webhooks: endpoints per user. The secret ("whsec_" + base64) is an HMAC key the server must
-- read to sign, so it is stored as it is (as protected as the database and its backups).
CREATE TABLE webhook_endpoints (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  url          TEXT NOT NULL,
  secret       TEXT NOT NULL,
  events       TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  enabled      INTEGER NOT NULL DEFAULT 1,
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_endpoints_user ON webhook_endpoints(user_id);
-- Where each user's fan-out has read the change feed to (events are derived from the feed).
CREATE TABLE webhook_cursors (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL
) STRICT;
CREATE TABLE webhook_deliveries (
  id           INTEGER PRIMARY KEY,
  endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  event_id     TEXT NOT NULL,
  event_type   TEXT NOT NULL,
  payload      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_status  INTEGER,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (endpoint_id, event_id)
) STRICT;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);

-- A change of a user with an enabled endpoint makes sure a fan-out job is queued, in the same
-- transaction: events cannot be missed across a crash or restart.
CREATE TRIGGER changes_webhook_fanout AFTER INSERT ON changes
WHEN EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.user_id = new.user_id AND w.enabled = 1)
BEGIN
  INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, idempotency_key, created_at, updated_at)
  VALUES ('webhook_fanout', json_object('userId', new.user_id), new.user_id, 'queued', 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 10,
    'webhook-fanout:' || new.user_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  ON CONFLICT DO NOTHING;
END;
`,
  },
  {
    name: "0013 OCR context and cost: per-user vocabulary hint, one row per OCR read",
    sql: `
-- A user's vocabulary hint for OCR (names, jargon), sent with every page and part of the engine key.
CREATE TABLE user_ocr_settings (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  vocabulary TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One row per successful OCR read (what a quota page went to): why, with which engine and model,
-- and its tokens, for "where the quota went" and the estimated cost per month. page_id has no
-- foreign key: a read stays counted when its page is deleted. month: 'YYYY-MM' in the quota time
-- zone at the time of the read.
CREATE TABLE ocr_reads (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  page_id       INTEGER,
  month         TEXT NOT NULL,
  reason        TEXT,
  engine_key    TEXT NOT NULL,
  model         TEXT NOT NULL,
  input_tokens  INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  done_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX ocr_reads_user_month ON ocr_reads(user_id, month);
-- Reads made before this table existed: the last read of each page (its month in UTC).
INSERT INTO ocr_reads (user_id, page_id, month, reason, engine_key, model, input_tokens, output_tokens, done_at)
SELECT user_id, page_id, strftime('%Y-%m', done_at / 1000, 'unixepoch'), read_reason, coalesce(done_engine_key, ''), coalesce(model, ''),
       coalesce(input_tokens, 0), coalesce(output_tokens, 0), done_at
FROM page_ocr WHERE done_at IS NOT NULL;
`,
  },
  {
    name: "0014 search folds ß/ss, æ/ae, œ/oe, ligatures; vocabulary for typo tolerance",
    sql: `
-- The index holds folded text (ß → ss, æ → ae, œ → oe, ø → o, ﬁ → fi …: src/storage/search-text.ts
-- FOLDS, frozen here as of this migration), so "Strasse" finds "Straße" and back. Every fold maps
-- a letter to letters, so token positions match the original text, which is kept in
-- search_content (the external content of search_fts): snippets and highlights show what was
-- written. Deleting from an external-content index takes the values that were indexed, hence
-- FOLD(old...) in the delete commands.
CREATE TABLE search_content (
  id    INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body  TEXT NOT NULL
) STRICT;
INSERT INTO search_content (id, title, body) SELECT rowid, title, body FROM search_fts;
DROP TRIGGER page_texts_ai;
DROP TRIGGER page_texts_au;
DROP TRIGGER page_texts_ad;
DROP TRIGGER documents_fts_ai;
DROP TRIGGER documents_fts_au;
DROP TRIGGER documents_fts_ad;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content = 'search_content', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO search_fts (rowid, title, body) SELECT id, ${FOLD_SEARCH_V1("title")}, ${FOLD_SEARCH_V1("body")} FROM search_content;

CREATE TRIGGER page_texts_ai AFTER INSERT ON page_texts BEGIN
  INSERT INTO search_content (id, title, body) VALUES (new.id * 2, '', new.text);
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2, '', ${FOLD_SEARCH_V1("new.text")});
END;
CREATE TRIGGER page_texts_au AFTER UPDATE OF text ON page_texts BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2, '', ${FOLD_SEARCH_V1("old.text")});
  UPDATE search_content SET body = new.text WHERE id = new.id * 2;
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2, '', ${FOLD_SEARCH_V1("new.text")});
END;
CREATE TRIGGER page_texts_ad AFTER DELETE ON page_texts BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2, '', ${FOLD_SEARCH_V1("old.text")});
  DELETE FROM search_content WHERE id = old.id * 2;
END;
CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
  INSERT INTO search_content (id, title, body) VALUES (new.id * 2 + 1, new.name, '');
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2 + 1, ${FOLD_SEARCH_V1("new.name")}, '');
END;
CREATE TRIGGER documents_fts_au AFTER UPDATE OF name ON documents WHEN new.name IS NOT old.name BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2 + 1, ${FOLD_SEARCH_V1("old.name")}, '');
  UPDATE search_content SET title = new.name WHERE id = new.id * 2 + 1;
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2 + 1, ${FOLD_SEARCH_V1("new.name")}, '');
END;
CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2 + 1, ${FOLD_SEARCH_V1("old.name")}, '');
  DELETE FROM search_content WHERE id = old.id * 2 + 1;
END;

-- Every term the index has held (as the tokenizer made it), for typo tolerance: the words one
-- typo away from a query word are looked up here, and those that exist join the FTS5 query.
-- Kept by the store as text is written (search-text.ts indexTerms); terms are never removed (a
-- stale term only adds an alternative that matches nothing).
CREATE TABLE search_terms (term TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.search_vocab_tmp USING fts5vocab(main, search_fts, row);
INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.search_vocab_tmp WHERE length(term) BETWEEN 3 AND 40;
DROP TABLE temp.search_vocab_tmp;
`,
  },
  {
    name: "0015 page text sources: printed text of PDFs and EPUBs, OCR corrections",
    sql: `
-- Two more sources of page text: 'pdf' (the printed text layer of the page's PDF/EPUB page,
-- extracted in the background) and 'correction' (the user's correction of the OCR text, which
-- replaces it in search, export and Notion while base_sha256 = the page's content hash; when the
-- strokes change it stops applying and is kept until the user keeps or discards it). SQLite cannot
-- change a CHECK constraint, so the table is rebuilt (ids kept: the search index rowid is id * 2).
-- A trigger on documents reads page_texts (the change feed's restore): it goes while the table
-- is swapped (SQLite re-checks triggers on RENAME) and comes back unchanged below.
DROP TRIGGER changes_doc_restored;
CREATE TABLE page_texts_new (
  id          INTEGER PRIMARY KEY,
  page_id     INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL,
  document_id INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('ocr','typed','highlight','pdf','correction')),
  text        TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  base_sha256 TEXT,
  UNIQUE (page_id, source)
) STRICT;
INSERT INTO page_texts_new (id, page_id, user_id, document_id, source, text, updated_at)
SELECT id, page_id, user_id, document_id, source, text, updated_at FROM page_texts;
DROP TABLE page_texts;
ALTER TABLE page_texts_new RENAME TO page_texts;
CREATE INDEX page_texts_doc ON page_texts(document_id);
-- "Has this user corrected any page?": search checks corrections per hit only for such users.
CREATE INDEX page_texts_corrections ON page_texts(user_id) WHERE source = 'correction';
CREATE TRIGGER page_texts_ai AFTER INSERT ON page_texts BEGIN
  INSERT INTO search_content (id, title, body) VALUES (new.id * 2, '', new.text);
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2, '', ${FOLD_SEARCH_V1("new.text")});
END;
CREATE TRIGGER page_texts_au AFTER UPDATE OF text ON page_texts BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2, '', ${FOLD_SEARCH_V1("old.text")});
  UPDATE search_content SET body = new.text WHERE id = new.id * 2;
  INSERT INTO search_fts (rowid, title, body) VALUES (new.id * 2, '', ${FOLD_SEARCH_V1("new.text")});
END;
CREATE TRIGGER page_texts_ad AFTER DELETE ON page_texts BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id * 2, '', ${FOLD_SEARCH_V1("old.text")});
  DELETE FROM search_content WHERE id = old.id * 2;
END;
-- The change feed's triggers on page_texts (migration "change feed") went with the old table: the same again.
CREATE TRIGGER changes_doc_restored AFTER UPDATE OF deleted_at ON documents
WHEN old.deleted_at IS NOT NULL AND new.deleted_at IS NULL
BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, at)
  SELECT p.user_id, 'page', new.uuid || '/' || p.page_uuid, 'upsert', 'restored', p.id, new.uuid, p.page_uuid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p WHERE p.document_id = new.id ORDER BY p.idx, p.id;
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT t.user_id, 'text', new.uuid || '/' || p.page_uuid || '/' || t.source, 'upsert', 'restored', t.id, new.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM page_texts t JOIN pages p ON p.id = t.page_id WHERE t.document_id = new.id ORDER BY t.id;
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT t.user_id, 'todo', CAST(t.id AS TEXT), 'upsert', 'restored', t.id, new.uuid, p.page_uuid, t.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM todos t JOIN pages p ON p.id = t.page_id WHERE t.document_id = new.id ORDER BY t.id;
END;
CREATE TRIGGER changes_text_ai AFTER INSERT ON page_texts BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || new.source, 'upsert', 'ready', new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_text_au AFTER UPDATE OF text ON page_texts WHEN new.text IS NOT old.text BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT new.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || new.source, 'upsert', 'ready', new.id, d.uuid, p.page_uuid, new.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = new.page_id;
END;
CREATE TRIGGER changes_text_ad AFTER DELETE ON page_texts
WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = old.user_id) BEGIN
  INSERT INTO changes (user_id, kind, object, op, event, ref_id, document_uuid, page_uuid, source, at)
  SELECT old.user_id, 'text', d.uuid || '/' || p.page_uuid || '/' || old.source, 'delete', 'deleted', old.id, d.uuid, p.page_uuid, old.source, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = old.page_id;
END;
`,
  },
  {
    name: "0016 choose what syncs: per-computer sync settings; OCR status 'held' (beyond a computer's initial-sync limit)",
    sql: `
-- Per computer (device token): which folders and notebooks its agent syncs, and the initial-sync limit.
CREATE TABLE agent_sync_settings (
  token_id      INTEGER PRIMARY KEY REFERENCES device_tokens(id) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  mode          TEXT NOT NULL CHECK (mode IN ('exclude','include')),
  items_json    TEXT NOT NULL DEFAULT '[]',
  initial_pages INTEGER CHECK (initial_pages IS NULL OR initial_pages >= 0),
  updated_at    INTEGER NOT NULL
) STRICT;

-- page_ocr gains the status 'held' (not read: beyond the initial-sync limit, read on request).
-- SQLite cannot change a CHECK: the table is rebuilt with the same columns and indexes (no
-- trigger or view refers to it).
CREATE TABLE page_ocr_new (
  page_id         INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status          TEXT NOT NULL CHECK (status IN ('blank','pending_ocr','pending_quota','queued','done','failed','held')),
  sha256          TEXT NOT NULL,
  engine_key      TEXT NOT NULL,
  done_sha256     TEXT,
  done_engine_key TEXT,
  model           TEXT,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  ms              INTEGER,
  error           TEXT,
  requested_at    INTEGER NOT NULL,
  done_at         INTEGER,
  updated_at      INTEGER NOT NULL,
  read_reason     TEXT CHECK (read_reason IN ('new','changed','requested','reread'))
) STRICT;
INSERT INTO page_ocr_new (page_id, user_id, status, sha256, engine_key, done_sha256, done_engine_key, model, input_tokens, output_tokens, ms, error, requested_at, done_at, updated_at, read_reason)
SELECT page_id, user_id, status, sha256, engine_key, done_sha256, done_engine_key, model, input_tokens, output_tokens, ms, error, requested_at, done_at, updated_at, read_reason FROM page_ocr;
DROP TABLE page_ocr;
ALTER TABLE page_ocr_new RENAME TO page_ocr;
CREATE INDEX page_ocr_backlog ON page_ocr(user_id, status, requested_at DESC, page_id DESC);
CREATE INDEX page_ocr_status ON page_ocr(status);
`,
  },
  {
    name: "0017 search terms of every length",
    sql: `
-- search_terms also spells out prefix queries now (a query word of 4+ letters becomes the terms
-- that start with it, services/library/search.ts toMatch), so it must hold every term the index
-- has: the store keeps terms of any length from now on, and the terms the index holds that are
-- missing (longer than 40 letters, or split differently by the store than by the tokenizer) are
-- added from the index itself. No trigger or table changes.
CREATE VIRTUAL TABLE temp.search_vocab_tmp USING fts5vocab(main, search_fts, row);
INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.search_vocab_tmp WHERE length(term) >= 3;
DROP TABLE temp.search_vocab_tmp;
`,
  },
];

/** The search fold of migration "search folds", frozen (search-text.ts FOLDS may grow; this must not change). */
function FOLD_SEARCH_V1(expr: string): string {
  const folds: [string, string][] = [
    ["ß", "ss"], ["ẞ", "ss"], ["æ", "ae"], ["Æ", "ae"], ["ǽ", "ae"], ["Ǽ", "ae"], ["œ", "oe"], ["Œ", "oe"], ["ø", "o"], ["Ø", "o"],
    ["ǿ", "o"], ["Ǿ", "o"], ["ł", "l"], ["Ł", "l"], ["ŀ", "l"], ["Ŀ", "l"], ["đ", "d"], ["Đ", "d"], ["ð", "d"], ["Ð", "d"],
    ["þ", "th"], ["Þ", "th"], ["ı", "i"], ["ĳ", "ij"], ["Ĳ", "ij"], ["ſ", "s"], ["ﬀ", "ff"], ["ﬁ", "fi"], ["ﬂ", "fl"], ["ﬃ", "ffi"],
    ["ﬄ", "ffl"], ["ﬅ", "st"], ["ﬆ", "st"],
  ];
  return folds.reduce((e, [from, to]) => `replace(${e}, '${from}', '${to}')`, expr);
}

export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";
  constructor(readonly found: number, readonly known: number) {
    super(
      `storage: database schema version ${found} is newer than this rmirror understands (${known}): the data directory was used by a newer rmirror. ` +
        `Upgrade rmirror (downgrades are refused so your data stays intact; nothing was changed), or restore a backup made by this version.`,
    );
  }
}

export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** Apply pending migrations in order, each in its own transaction. Returns how many ran. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  if (current > migrations.length) throw new SchemaTooNewError(current, migrations.length);
  let ran = 0;
  for (let v = current; v < migrations.length; v++) {
    const m = migrations[v]!;
    db.transaction(() => {
      db.run(m.sql);
      db.run(`PRAGMA user_version = ${v + 1}`);
    })();
    ran++;
  }
  return ran;
}
