// sync_records: what exists in Notion for which notebook or page (UNIQUE user/page/target), so a
// sync updates in place and never duplicates. Always scoped by user.
import type { Database } from "bun:sqlite";

export type SyncTarget = "notebook" | "page" | "todo";
export type SyncStatus = "pending" | "synced" | "deferred" | "failed" | "archived";

export interface SyncRecordRow {
  id: number;
  user_id: number;
  page_uuid: string;
  target: SyncTarget;
  document_uuid: string;
  notion_id: string | null;
  block_ids: string;
  position: number;
  content_hash: string | null;
  meta_hash: string | null;
  status: SyncStatus;
  error: string | null;
  synced_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SyncRecordInput {
  userId: number;
  pageUuid: string;
  target: SyncTarget;
  documentUuid: string;
  notionId: string | null;
  blockIds?: string[];
  position?: number;
  contentHash?: string | null;
  metaHash?: string | null;
  status: SyncStatus;
  error?: string | null;
}

export function syncRecordsRepo(db: Database) {
  const get = db.prepare<SyncRecordRow, [number, string, string]>("SELECT * FROM sync_records WHERE user_id = ? AND page_uuid = ? AND target = ?");
  const pagesOf = db.prepare<SyncRecordRow, [number, string]>("SELECT * FROM sync_records WHERE user_id = ? AND document_uuid = ? AND target = 'page' ORDER BY position, id");
  const todosOf = db.prepare<SyncRecordRow, [number, string]>("SELECT * FROM sync_records WHERE user_id = ? AND document_uuid = ? AND target = 'todo' ORDER BY position, id");
  const notebooks = db.prepare<SyncRecordRow, [number]>("SELECT * FROM sync_records WHERE user_id = ? AND target = 'notebook' ORDER BY id");
  const upsert = db.prepare<SyncRecordRow, Record<string, string | number | null>>(
    `INSERT INTO sync_records (user_id, page_uuid, target, document_uuid, notion_id, block_ids, position, content_hash, meta_hash, status, error, synced_at, created_at, updated_at)
     VALUES ($user_id, $page_uuid, $target, $document_uuid, $notion_id, $block_ids, $position, $content_hash, $meta_hash, $status, $error, $synced_at, $now, $now)
     ON CONFLICT (user_id, page_uuid, target) DO UPDATE SET document_uuid = excluded.document_uuid, notion_id = excluded.notion_id,
       block_ids = excluded.block_ids, position = excluded.position, content_hash = excluded.content_hash, meta_hash = excluded.meta_hash,
       status = excluded.status, error = excluded.error, synced_at = coalesce(excluded.synced_at, sync_records.synced_at), updated_at = excluded.updated_at
     RETURNING *`,
  );
  const setStatus = db.prepare<unknown, [string, string | null, number, number, string, string]>(
    "UPDATE sync_records SET status = ?, error = ?, updated_at = ? WHERE user_id = ? AND page_uuid = ? AND target = ?",
  );
  const del = db.prepare<unknown, [number, string, string]>("DELETE FROM sync_records WHERE user_id = ? AND page_uuid = ? AND target = ?");
  const delDocPages = db.prepare<unknown, [number, string]>("DELETE FROM sync_records WHERE user_id = ? AND document_uuid = ? AND target = 'page'");
  const delUser = db.prepare<unknown, [number]>("DELETE FROM sync_records WHERE user_id = ?");
  const counts = db.prepare<{ status: string; n: number }, [number]>("SELECT status, count(*) AS n FROM sync_records WHERE user_id = ? AND target = 'notebook' GROUP BY status");
  return {
    syncRecord: (userId: number, pageUuid: string, target: SyncTarget) => get.get(userId, pageUuid, target),
    pageSyncRecords: (userId: number, documentUuid: string) => pagesOf.all(userId, documentUuid),
    todoSyncRecords: (userId: number, documentUuid: string) => todosOf.all(userId, documentUuid),
    notebookSyncRecords: (userId: number) => notebooks.all(userId),
    upsertSyncRecord: (r: SyncRecordInput) =>
      upsert.get({
        user_id: r.userId,
        page_uuid: r.pageUuid,
        target: r.target,
        document_uuid: r.documentUuid,
        notion_id: r.notionId,
        block_ids: JSON.stringify(r.blockIds ?? []),
        position: r.position ?? 0,
        content_hash: r.contentHash ?? null,
        meta_hash: r.metaHash ?? null,
        status: r.status,
        error: r.error ?? null,
        synced_at: r.status === "synced" ? Date.now() : null,
        now: Date.now(),
      })!,
    setSyncRecordStatus: (userId: number, pageUuid: string, target: SyncTarget, status: SyncStatus, error: string | null) =>
      setStatus.run(status, error, Date.now(), userId, pageUuid, target).changes === 1,
    deleteSyncRecord: (userId: number, pageUuid: string, target: SyncTarget) => del.run(userId, pageUuid, target),
    deletePageSyncRecords: (userId: number, documentUuid: string) => delDocPages.run(userId, documentUuid),
    deleteUserSyncRecords: (userId: number) => delUser.run(userId),
    syncRecordCounts: (userId: number) => counts.all(userId),
  };
}
