// The change feed (GET /api/v1/changes): every change to a user's notebooks and folders, pages,
// page text (typed, OCR, highlights), todos and notices, in commit order, resumable by an opaque
// cursor. Entries are written by SQLite triggers in the transaction of the change (see
// src/storage/changes.ts); this module reads them, keeps only the latest entry per object and
// attaches the object's current state and content hash (docs/api.md "Change feed").
import { createHash } from "node:crypto";
import { AppError } from "../../errors.ts";
import type { ChangeRow } from "../../storage/changes.ts";
import type { Store } from "../../storage/store.ts";
import type { AppContext } from "../context.ts";

export const CHANGES_DEFAULT_LIMIT = 100;
export const CHANGES_MAX_LIMIT = 1000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Opaque cursor: "c1." + the seq in base 36 (clients must not rely on the format). */
export function encodeCursor(seq: number): string {
  return `c1.${seq.toString(36)}`;
}

export function decodeCursor(cursor: string): number {
  const m = /^c1\.([0-9a-z]{1,11})$/.exec(cursor);
  const seq = m ? parseInt(m[1]!, 36) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) throw new AppError("bad_cursor");
  return seq;
}

export interface ChangeEntry {
  cursor: string;
  kind: ChangeRow["kind"];
  op: "upsert" | "delete";
  /** What happened (created, updated, trashed, checked, …): informative; `op` is the contract. */
  event: string;
  at: string;
  document: string | null;
  page: string | null;
  /** For kind "text": typed, ocr or highlight; for todos: where the checkbox was found. */
  source: string | null;
  /** For kind "todo" and "notice": the object's id. */
  id: number | null;
  /** sha256 of the object's current content (null for deletions). */
  hash: string | null;
  /** The object's current state (null for deletions). */
  data: Record<string, unknown> | null;
}

/** The current state and content hash of one changed object, or null when it is gone. */
export function resolveChange(store: Store, userId: number, c: ChangeRow): { hash: string; data: Record<string, unknown> } | null {
  switch (c.kind) {
    case "document": {
      const d = store.changedDocument(userId, c.ref_id);
      if (!d || d.deleted_at !== null) return null;
      let tags: unknown = [];
      try {
        tags = (JSON.parse(d.content_json ?? "{}") as { tags?: unknown }).tags ?? [];
      } catch {
        /* unreadable content: no tags */
      }
      const data = {
        type: d.type === "CollectionType" ? "folder" : "notebook",
        name: d.name,
        parent: d.parent,
        fileType: d.file_type,
        pinned: d.pinned === 1,
        tabletDeleted: d.tablet_deleted === 1,
        lastModified: d.last_modified === null ? null : new Date(d.last_modified).toISOString(),
        pageCount: d.page_count,
        pdfSha256: d.pdf_sha256,
        tags,
        revision: d.revision,
      };
      const { revision: _r, ...content } = data;
      return { hash: sha256(JSON.stringify(content)), data };
    }
    case "page": {
      const p = store.changedPage(userId, c.ref_id);
      if (!p) return null;
      const data = { idx: p.idx, sha256: p.sha256, svgSha256: p.svg_sha256, template: p.template, sourcePage: p.source_page };
      return { hash: sha256(JSON.stringify(data)), data };
    }
    case "text": {
      const t = store.changedText(userId, c.ref_id);
      if (!t) return null;
      return { hash: sha256(t.text), data: { source: t.source, text: t.text } };
    }
    case "todo": {
      const t = store.changedTodo(userId, c.ref_id);
      if (!t) return null;
      const data = { text: t.text, checked: t.checked === 1, position: t.position, source: t.source };
      return { hash: sha256(JSON.stringify([t.text, t.checked === 1])), data };
    }
    case "notice": {
      const n = store.changedNotice(userId, c.ref_id);
      if (!n) return null;
      let extra: unknown = {};
      try {
        extra = JSON.parse(n.data_json);
      } catch {
        /* keep {} */
      }
      const data = { kind: n.kind, month: n.month, threshold: n.threshold, message: n.message, data: extra, createdAt: new Date(n.created_at).toISOString() };
      return { hash: sha256(JSON.stringify(data)), data };
    }
  }
}

export function changeEntry(store: Store, userId: number, c: ChangeRow): ChangeEntry {
  const state = c.op === "upsert" ? resolveChange(store, userId, c) : null;
  return {
    cursor: encodeCursor(c.seq),
    kind: c.kind,
    op: state ? "upsert" : "delete",
    event: state ? c.event : c.op === "delete" ? c.event : "deleted",
    at: new Date(c.at).toISOString(),
    document: c.document_uuid,
    page: c.page_uuid,
    source: c.source,
    id: c.kind === "todo" || c.kind === "notice" ? c.ref_id : null,
    hash: state?.hash ?? null,
    data: state?.data ?? null,
  };
}

export interface ChangesQuery {
  cursor?: string;
  limit?: string;
}

/**
 * GET /api/v1/changes?cursor=&limit= — the latest entry of every object changed after the cursor,
 * in commit order. `cursor` in the answer resumes after the last entry; `more` says whether to
 * call again now. Read in one transaction: one consistent snapshot.
 */
export function listChanges(ctx: AppContext, userId: number, q: ChangesQuery) {
  if (q.limit !== undefined && (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > CHANGES_MAX_LIMIT))
    throw new AppError("bad_request", `limit must be 1–${CHANGES_MAX_LIMIT}.`);
  const limit = q.limit ? Number(q.limit) : CHANGES_DEFAULT_LIMIT;
  const after = q.cursor ? decodeCursor(q.cursor) : 0;
  return ctx.store.tx(() => {
    const head = ctx.store.changeHead(userId);
    if (q.cursor && after < ctx.store.changeHorizon(userId)) throw new AppError("cursor_expired");
    const rows = ctx.store.latestChangesAfter(userId, after, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const changes = page.map((c) => changeEntry(ctx.store, userId, c));
    // Past the last entry returned, or (nothing more) the head: superseded entries are not read again.
    const next = more ? page.at(-1)!.seq : Math.max(after, head);
    return { changes, cursor: encodeCursor(next), more };
  });
}

/**
 * Housekeeping: drop superseded entries (an object's older entries; never past a webhook
 * fan-out's cursor, so no event is lost) and, after RMIRROR_CHANGES_KEEP_DAYS, deletions and
 * entries of objects that are gone (raising the user's horizon: older cursors get 410). In
 * batches, yielding between them. Returns how many entries were dropped.
 */
export async function compactChanges(ctx: AppContext, now = Date.now(), o: { batch?: number; signal?: AbortSignal } = {}): Promise<number> {
  const batch = o.batch ?? 2000;
  let dropped = 0;
  for (const step of [() => ctx.store.compactSupersededChanges(batch), () => ctx.store.expireChanges(now - ctx.config.changes.keepDays * 86_400_000, batch)]) {
    for (;;) {
      if (o.signal?.aborted) return dropped;
      const n = step();
      dropped += n;
      if (n < batch) break;
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  return dropped;
}
