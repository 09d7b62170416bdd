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
  const current = db.prepare<TodoRow, [number, string]>("SELECT * FROM todos WHERE page_id = ? AND source = ? ORDER BY position, id");
  const delOne = db.prepare<unknown, [number]>("DELETE FROM todos WHERE id = ?");
  const updOne = db.prepare<unknown, Record<string, string | number>>(
    `UPDATE todos SET position = $position, text = $text, checked = $checked,
       updated_at = CASE WHEN text IS NOT $text OR checked IS NOT $checked THEN $now ELSE updated_at END
     WHERE id = $id AND (position IS NOT $position OR text IS NOT $text OR checked IS NOT $checked)`,
  );
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
    /**
     * Make a page's todos of one source equal to `items`, keeping each row's id (the change feed
     * and integrations follow todos by id): an item keeps the row with the same text, else the
     * unmatched row at the same position (its text was edited); the rest are inserted or deleted.
     * Nothing is written for an item that did not change.
     */
    replacePageTodos(p: { userId: number; pageId: number; documentId: number; source: string; items: { text: string; checked: boolean }[] }): void {
      const now = Date.now();
      const old = current.all(p.pageId, p.source);
      const used = new Set<number>();
      const rowFor: (TodoRow | undefined)[] = p.items.map((t) => {
        const r = old.find((o) => !used.has(o.id) && o.text === t.text);
        if (r) used.add(r.id);
        return r;
      });
      p.items.forEach((_, i) => {
        if (rowFor[i]) return;
        const r = old.find((o) => !used.has(o.id) && o.position === i);
        if (r) {
          used.add(r.id);
          rowFor[i] = r;
        }
      });
      for (const o of old) if (!used.has(o.id)) delOne.run(o.id);
      p.items.forEach((t, i) => {
        const r = rowFor[i];
        if (r) updOne.run({ id: r.id, position: i, text: t.text, checked: t.checked ? 1 : 0, now });
        else insert.run({ user_id: p.userId, page_id: p.pageId, document_id: p.documentId, source: p.source, position: i, text: t.text, checked: t.checked ? 1 : 0, now });
      });
    },
    todosByUser: (userId: number, f: { checked?: boolean; document?: string; after: number; limit: number }) =>
      list.all({ user_id: userId, checked: f.checked === undefined ? null : f.checked ? 1 : 0, document: f.document ?? null, after: f.after, limit: f.limit }),
  };
}
