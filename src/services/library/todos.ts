// Todo items: Markdown checkboxes (`- [ ]`, `- [x]`) in a page's OCR or typed text.
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";

const CHECKBOX = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.+?)\s*$/;

export function extractTodos(markdown: string): { text: string; checked: boolean }[] {
  const out: { text: string; checked: boolean }[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    const m = CHECKBOX.exec(line);
    if (m) out.push({ text: m[2]!.slice(0, 2000), checked: m[1] !== " " });
  }
  return out;
}

export interface TodoQuery {
  checked?: string;
  document?: string;
  after?: string;
  limit?: string;
}

/** GET /api/v1/todos?checked=&document=&after=&limit= — keyset-paginated by id. */
export function listTodos(ctx: AppContext, userId: number, q: TodoQuery) {
  const bad = (m: string) => new AppError("bad_request", m);
  let checked: boolean | undefined;
  if (q.checked !== undefined) {
    if (!["true", "false", "1", "0"].includes(q.checked)) throw bad("checked must be true or false.");
    checked = q.checked === "true" || q.checked === "1";
  }
  if (q.after !== undefined && !/^\d{1,15}$/.test(q.after)) throw bad("after must be a todo id.");
  if (q.limit !== undefined && (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > 500)) throw bad("limit must be 1–500.");
  const limit = q.limit ? Number(q.limit) : 100;
  const rows = ctx.store.todosByUser(userId, { ...(checked !== undefined ? { checked } : {}), ...(q.document ? { document: q.document } : {}), after: q.after ? Number(q.after) : 0, limit: limit + 1 });
  const items = rows.slice(0, limit).map((t) => ({
    id: t.id,
    text: t.text,
    checked: t.checked === 1,
    source: t.source,
    document: { uuid: t.document_uuid, name: t.document_name },
    page: { id: t.page_uuid, idx: t.page_idx },
    updatedAt: new Date(t.updated_at).toISOString(),
  }));
  return { items, next: rows.length > limit ? String(items.at(-1)!.id) : null };
}
