// The change feed (table `changes`, written by the triggers of migration "change feed"): reads for
// GET /api/v1/changes, the state of each changed object, and compaction. Every query is scoped by
// user. Writes happen only in triggers, so always in the transaction of the change itself.
import type { Database } from "bun:sqlite";
import type { DocumentRow } from "./documents.ts";
import type { NotificationRow } from "./notifications.ts";
import type { PageTextRow } from "./page-texts.ts";
import type { TodoRow } from "./todos.ts";

export type ChangeKind = "document" | "page" | "text" | "todo" | "notice";

export interface ChangeRow {
  seq: number;
  user_id: number;
  kind: ChangeKind;
  object: string;
  op: "upsert" | "delete";
  event: string;
  ref_id: number;
  document_uuid: string | null;
  page_uuid: string | null;
  source: string | null;
  at: number;
}

export type ChangedDocument = Pick<
  DocumentRow,
  "uuid" | "type" | "name" | "parent" | "file_type" | "pinned" | "tablet_deleted" | "last_modified" | "content_json" | "page_count" | "pdf_sha256" | "revision" | "deleted_at"
>;
export interface ChangedPage {
  page_uuid: string;
  document_uuid: string;
  idx: number;
  sha256: string | null;
  svg_sha256: string | null;
  template: string | null;
  source_page: number | null;
}
export type ChangedText = Pick<PageTextRow, "source" | "text">;
export type ChangedTodo = Pick<TodoRow, "text" | "checked" | "position" | "source">;
export type ChangedNotice = Pick<NotificationRow, "kind" | "month" | "threshold" | "message" | "data_json" | "created_at">;

/** Statements whose plans matter as the feed grows. */
export const CHANGES_SQL = {
  /** The latest entry of each object changed after a cursor (superseded entries are skipped). */
  latestAfter: `SELECT c.* FROM changes c
     WHERE c.user_id = ?1 AND c.seq > ?2
       AND NOT EXISTS (SELECT 1 FROM changes n WHERE n.user_id = c.user_id AND n.kind = c.kind AND n.object = c.object AND n.seq > c.seq)
     ORDER BY c.seq LIMIT ?3`,
  /** Every entry after a cursor (webhook fan-out: each change is an event). */
  allAfter: "SELECT * FROM changes WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
  /** Superseded entries at or below a bound (per user: the webhook fan-out's cursor, if any). */
  superseded: `DELETE FROM changes WHERE seq IN (
     SELECT c.seq FROM changes c
     WHERE c.seq <= coalesce((SELECT w.seq FROM webhook_cursors w WHERE w.user_id = c.user_id), c.seq)
       AND EXISTS (SELECT 1 FROM changes n WHERE n.user_id = c.user_id AND n.kind = c.kind AND n.object = c.object AND n.seq > c.seq)
     LIMIT ?1)`,
  /**
   * Entries older than the retention that no cursor needs for the current state: deletions, and
   * entries of objects that are gone (or whose notebook is in the trash or purged).
   */
  expired: `SELECT c.seq, c.user_id FROM changes c
     WHERE c.at < ?1
       AND c.seq <= coalesce((SELECT w.seq FROM webhook_cursors w WHERE w.user_id = c.user_id), c.seq)
       AND (c.op = 'delete' OR CASE c.kind
         WHEN 'document' THEN NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = c.ref_id AND d.deleted_at IS NULL)
         WHEN 'page' THEN NOT EXISTS (SELECT 1 FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = c.ref_id AND d.deleted_at IS NULL)
         WHEN 'text' THEN NOT EXISTS (SELECT 1 FROM page_texts t JOIN documents d ON d.id = t.document_id WHERE t.id = c.ref_id AND d.deleted_at IS NULL)
         WHEN 'todo' THEN NOT EXISTS (SELECT 1 FROM todos t JOIN documents d ON d.id = t.document_id WHERE t.id = c.ref_id AND d.deleted_at IS NULL)
         ELSE 1 END)
     LIMIT ?2`,
} as const;

export function changesRepo(db: Database) {
  const latestAfter = db.prepare<ChangeRow, [number, number, number]>(CHANGES_SQL.latestAfter);
  const allAfter = db.prepare<ChangeRow, [number, number, number]>(CHANGES_SQL.allAfter);
  const head = db.prepare<{ seq: number | null }, [number]>("SELECT max(seq) AS seq FROM changes WHERE user_id = ?");
  const horizon = db.prepare<{ seq: number }, [number]>("SELECT seq FROM change_horizons WHERE user_id = ?");
  const raiseHorizon = db.prepare<unknown, [number, number]>(
    "INSERT INTO change_horizons (user_id, seq) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET seq = max(seq, excluded.seq)",
  );
  const superseded = db.prepare<unknown, [number]>(CHANGES_SQL.superseded);
  const expired = db.prepare<{ seq: number; user_id: number }, [number, number]>(CHANGES_SQL.expired);
  const delSeq = db.prepare<unknown, [number]>("DELETE FROM changes WHERE seq = ?");
  const doc = db.prepare<ChangedDocument, [number, number]>(
    `SELECT uuid, type, name, parent, file_type, pinned, tablet_deleted, last_modified, content_json, page_count, pdf_sha256, revision, deleted_at
     FROM documents WHERE id = ? AND user_id = ?`,
  );
  const page = db.prepare<ChangedPage, [number, number]>(
    `SELECT p.page_uuid, d.uuid AS document_uuid, p.idx, p.sha256, p.svg_sha256, p.template, p.source_page
     FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = ? AND p.user_id = ? AND d.deleted_at IS NULL`,
  );
  // Objects of a notebook in the trash read as deleted (the notebook's own entry says "trashed").
  const text = db.prepare<ChangedText, [number, number]>(
    "SELECT t.source, t.text FROM page_texts t JOIN documents d ON d.id = t.document_id WHERE t.id = ? AND t.user_id = ? AND d.deleted_at IS NULL",
  );
  const todo = db.prepare<ChangedTodo, [number, number]>(
    "SELECT t.text, t.checked, t.position, t.source FROM todos t JOIN documents d ON d.id = t.document_id WHERE t.id = ? AND t.user_id = ? AND d.deleted_at IS NULL",
  );
  const notice = db.prepare<ChangedNotice, [number, number]>(
    "SELECT kind, month, threshold, message, data_json, created_at FROM notifications WHERE id = ? AND user_id = ?",
  );
  return {
    /** The latest entry per object after `afterSeq`, oldest first. */
    latestChangesAfter: (userId: number, afterSeq: number, limit: number) => latestAfter.all(userId, afterSeq, limit),
    /** Every entry after `afterSeq`, oldest first. */
    changesAfter: (userId: number, afterSeq: number, limit: number) => allAfter.all(userId, afterSeq, limit),
    changeHead: (userId: number): number => head.get(userId)?.seq ?? 0,
    /** Cursors below this seq are expired (deletions they would need were dropped). */
    changeHorizon: (userId: number): number => horizon.get(userId)?.seq ?? 0,
    changedDocument: (userId: number, id: number) => doc.get(id, userId) ?? null,
    changedPage: (userId: number, id: number) => page.get(id, userId) ?? null,
    changedText: (userId: number, id: number) => text.get(id, userId) ?? null,
    changedTodo: (userId: number, id: number) => todo.get(id, userId) ?? null,
    changedNotice: (userId: number, id: number) => notice.get(id, userId) ?? null,
    /** Drop up to `limit` superseded entries (never past a webhook fan-out's cursor). Returns how many. */
    compactSupersededChanges: (limit: number): number => superseded.run(limit).changes,
    /**
     * Drop up to `limit` deletions older than `before` (and entries of objects whose document was
     * purged), raising each user's horizon past them. Returns how many.
     */
    expireChanges: (before: number, limit: number): number =>
      db.transaction(() => {
        const rows = expired.all(before, limit);
        for (const r of rows) {
          delSeq.run(r.seq);
          raiseHorizon.run(r.user_id, r.seq);
        }
        return rows.length;
      })(),
  };
}
