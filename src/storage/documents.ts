// Documents and folders (reMarkable "CollectionType" items live in the same table), always
// addressed by (user_id, uuid): there is no query here that is not scoped by user.
import type { Database } from "bun:sqlite";
import { searchTermsWriter } from "./search.ts";

export interface DocumentRow {
  id: number;
  user_id: number;
  uuid: string;
  type: "DocumentType" | "CollectionType";
  name: string;
  parent: string;
  file_type: string | null;
  pinned: number;
  tablet_deleted: number;
  last_modified: number | null;
  last_opened: number | null;
  metadata_json: string;
  content_json: string | null;
  page_count: number;
  revision: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  pdf_sha256: string | null;
  pdf_key: string | null;
}

export type DocumentFields = Pick<
  DocumentRow,
  "type" | "name" | "parent" | "file_type" | "pinned" | "tablet_deleted" | "last_modified" | "last_opened" | "metadata_json" | "content_json" | "page_count" | "deleted_at"
>;

export function documentsRepo(db: Database) {
  const addTerms = searchTermsWriter(db);
  const byUuid = db.prepare<DocumentRow, [number, string]>("SELECT * FROM documents WHERE user_id = ? AND uuid = ?");
  const insert = db.prepare<DocumentRow, Record<string, string | number | null>>(
    `INSERT INTO documents (user_id, uuid, type, name, parent, file_type, pinned, tablet_deleted, last_modified, last_opened,
       metadata_json, content_json, page_count, revision, created_at, updated_at, deleted_at)
     VALUES ($user_id, $uuid, $type, $name, $parent, $file_type, $pinned, $tablet_deleted, $last_modified, $last_opened,
       $metadata_json, $content_json, $page_count, 1, $now, $now, $deleted_at) RETURNING *`,
  );
  const update = db.prepare<DocumentRow, Record<string, string | number | null>>(
    `UPDATE documents SET type = $type, name = $name, parent = $parent, file_type = $file_type, pinned = $pinned,
       tablet_deleted = $tablet_deleted, last_modified = $last_modified, last_opened = $last_opened, metadata_json = $metadata_json,
       content_json = $content_json, page_count = $page_count, deleted_at = $deleted_at, revision = revision + 1, updated_at = $now
     WHERE id = $id AND user_id = $user_id RETURNING *`,
  );
  const softDelete = db.prepare<unknown, [number, number, string]>(
    "UPDATE documents SET deleted_at = ?1, revision = revision + 1, updated_at = ?1 WHERE user_id = ?2 AND uuid = ?3 AND deleted_at IS NULL",
  );
  const listByParent = db.prepare<DocumentRow, [number, string]>(
    "SELECT * FROM documents WHERE user_id = ? AND parent = ? AND deleted_at IS NULL ORDER BY type, name COLLATE NOCASE, uuid",
  );
  const listAll = db.prepare<DocumentRow, [number]>(
    "SELECT * FROM documents WHERE user_id = ? AND deleted_at IS NULL ORDER BY type, name COLLATE NOCASE, uuid",
  );
  const listDeleted = db.prepare<DocumentRow, [number]>("SELECT * FROM documents WHERE user_id = ? AND deleted_at IS NOT NULL ORDER BY deleted_at DESC");
  const folders = db.prepare<DocumentRow, [number]>(
    "SELECT * FROM documents WHERE user_id = ? AND type = 'CollectionType' AND deleted_at IS NULL ORDER BY name COLLATE NOCASE, uuid",
  );
  const setPdf = db.prepare<unknown, [string, string, number]>("UPDATE documents SET pdf_sha256 = ?, pdf_key = ? WHERE id = ?");
  const nameById = db.prepare<{ name: string }, [number]>("SELECT name FROM documents WHERE id = ?");
  const uuidById = db.prepare<{ uuid: string }, [number]>("SELECT uuid FROM documents WHERE id = ?");
  const rowById = db.prepare<DocumentRow, [number]>("SELECT * FROM documents WHERE id = ?");
  const purge = db.prepare<{ id: number }, [number]>("DELETE FROM documents WHERE deleted_at IS NOT NULL AND deleted_at <= ? RETURNING id");
  return {
    documentByUuid: (userId: number, uuid: string) => byUuid.get(userId, uuid),
    insertDocument: (userId: number, uuid: string, f: DocumentFields) => (addTerms(f.name), insert.get({ ...f, user_id: userId, uuid, now: Date.now() })!),
    updateDocument: (userId: number, id: number, f: DocumentFields) => (addTerms(f.name), update.get({ ...f, id, user_id: userId, now: Date.now() })!),
    softDeleteDocument: (userId: number, uuid: string, now = Date.now()) => softDelete.run(now, userId, uuid).changes === 1,
    documentsByParent: (userId: number, parent: string) => listByParent.all(userId, parent),
    documentsByUser: (userId: number) => listAll.all(userId),
    deletedDocumentsByUser: (userId: number) => listDeleted.all(userId),
    foldersByUser: (userId: number) => folders.all(userId),
    setDocumentPdf: (id: number, sha256: string, key: string) => setPdf.run(sha256, key, id),
    purgeDeletedDocuments: (before: number) => purge.all(before).length,
    documentUuidById: (id: number): string | null => uuidById.get(id)?.uuid ?? null,
    documentNameById: (id: number): string | null => nameById.get(id)?.name ?? null,
    documentById: (id: number) => rowById.get(id) ?? null,
  };
}
