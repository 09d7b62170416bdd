// Checkbox items found in a page's OCR or typed text.
import type { Database } from "bun:sqlite";

export interface TodoRow {
  id: number;
  user_id: number;
  page_id: number;
  document_id: number;
  source: string;
  position: number;
  text: string;
  checked: number;
  updated_at: number;
}

export interface TodoListRow extends TodoRow {
  document_uuid: string;
  document_name: string;
  page_uuid: string;
  page_idx: number;
}

export function todosRepo(db: Database) {
  const del = db.prepare<unknown, [number, string]>("DELETE FROM todos WHERE page_id = ? AND source = ?");
  const insert = db.prepare<unknown, Record<string, string | number>>(
    `INSERT INTO todos (user_id, page_id, document_id, source, position, text, checked, updated_at)
     VALUES ($user_id, $page_id, $document_id, $source, $position, $text, $checked, $now)`,
  );
  const list = db.prepare<TodoListRow, Record<string, string | number | null>>(
    `SELECT t.*, d.uuid AS document_uuid, d.name AS document_name, p.page_uuid, p.idx AS page_idx
     FROM todos t JOIN pages p ON p.id = t.page_id JOIN documents d ON d.id = t.document_id
     WHERE t.user_id = $user_id AND d.deleted_at IS NULL AND ($checked IS NULL OR t.checked = $checked)
       AND ($document IS NULL OR d.uuid = $document) AND t.id > $after
     ORDER BY t.id LIMIT $limit`,
  );
  return {
    replacePageTodos(p: { userId: number; pageId: number; documentId: number; source: string; items: { text: string; checked: boolean }[] }): void {
      del.run(p.pageId, p.source);
      const now = Date.now();
      p.items.forEach((t, i) =>
        insert.run({ user_id: p.userId, page_id: p.pageId, document_id: p.documentId, source: p.source, position: i, text: t.text, checked: t.checked ? 1 : 0, now }),
      );
    },
    todosByUser: (userId: number, f: { checked?: boolean; document?: string; after: number; limit: number }) =>
      list.all({ user_id: userId, checked: f.checked === undefined ? null : f.checked ? 1 : 0, document: f.document ?? null, after: f.after, limit: f.limit }),
  };
}
