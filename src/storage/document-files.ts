import type { Database } from "bun:sqlite";

export interface DocumentFileRow {
  document_id: number;
  path: string;
  sha256: string;
  size: number;
}

export function documentFilesRepo(db: Database) {
  const byDoc = db.prepare<DocumentFileRow, [number]>("SELECT * FROM document_files WHERE document_id = ? ORDER BY path");
  const upsert = db.prepare<unknown, [number, string, string, number]>(
    "INSERT INTO document_files (document_id, path, sha256, size) VALUES (?, ?, ?, ?) ON CONFLICT (document_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size",
  );
  const del = db.prepare<unknown, [number, string]>("DELETE FROM document_files WHERE document_id = ? AND path = ?");
  const docsWithFile = db.prepare<{ id: number }, [number, string]>(
    "SELECT DISTINCT d.id FROM document_files f JOIN documents d ON d.id = f.document_id WHERE d.user_id = ? AND f.sha256 = ?",
  );
  return {
    /** The user's documents that hold a file with these bytes. */
    documentIdsWithFile: (userId: number, sha256: string) => docsWithFile.all(userId, sha256).map((r) => r.id),
    filesByDocument: (documentId: number) => byDoc.all(documentId),
    upsertDocumentFile: (documentId: number, path: string, sha256: string, size: number) => upsert.run(documentId, path, sha256, size),
    deleteDocumentFile: (documentId: number, path: string) => del.run(documentId, path),
  };
}
