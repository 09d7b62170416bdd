// The server side of the sync protocol (DESIGN.md §3).
// PUT document: validate everything first, then one synchronous transaction upserts the
// document, its pages and files and enqueues render jobs for pages whose content hash changed.
// The answer lists the hashes this user has not uploaded yet. A metadata-only change touches
// one row and enqueues nothing.
import { AppError } from "../../errors.ts";
import { enqueueTodoistSync } from "../todoist/todoist-sync.ts";
import type { DocumentFields, DocumentRow } from "../../storage/documents.ts";
import type { PageRow, RenderStatus } from "../../storage/pages.ts";
import type { AppContext } from "../context.ts";
import { requirePageId, requireSha256, requireUuid, UUID_RE } from "../ids.ts";
import type { BatchInput, DocumentInput } from "./sync-schema.ts";
import { enqueuePdfText } from "./pdf-text.ts";
import { enqueueRender } from "./render-page.ts";
import { enqueueNotionSyncForDocument } from "../notion/notion-sync.ts";

export interface PutResult {
  uuid: string;
  revision: number;
  changed: boolean;
  created: boolean;
  missing: string[];
  pages: { total: number; queued: number };
}

interface CleanPage {
  id: string;
  idx: number;
  sha256: string | null;
  size: number;
  template: string | null;
  sourcePage: number | null;
}

/** Largest epoch ms a Date can hold (year 275760); beyond it nothing can show or store the time. */
const MAX_EPOCH_MS = 8.64e15;

/** A metadata time as epoch ms: absent or not a number → null; a number outside the dates → bad_timestamp. */
function toEpoch(v: number | string | undefined, field: string): number | null {
  if (v === undefined) return null;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n)) return null;
  if (n < 0 || n > MAX_EPOCH_MS) throw new AppError("bad_timestamp", undefined, { field, value: String(v).slice(0, 40) });
  return Math.trunc(n);
}

export const MAX_NAME_CHARS = 1024;
// Invisible characters with no place in a notebook name: C0/C1 controls (NUL included) and the
// bidi embedding/override/isolate controls that make "gpj.exe" read as "exe.jpg". Stripped (not
// refused) so a name typed on the tablet always syncs; tabs and line breaks become spaces.
const NAME_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A document/folder name or tag as stored and shown: controls stripped, at most 1,024 characters. */
export function cleanName(raw: string, what = "name"): string {
  const n = raw.replace(/[\t\n\r]+/g, " ").replace(NAME_CONTROLS, "").trim();
  if (n.length > MAX_NAME_CHARS) throw new AppError("bad_name", `The ${what} is longer than ${MAX_NAME_CHARS} characters.`, { length: n.length, max: MAX_NAME_CHARS });
  return n;
}

/** A relative path inside a document: no absolute paths, no "..", no backslashes or controls. */
export function checkFilePath(p: string): string {
  if (p.startsWith("/") || p.includes("\\") || p.includes("\0") || /[\u0000-\u001f]/.test(p)) throw new AppError("bad_file_path", undefined, { path: p.slice(0, 200) });
  const parts = p.split("/");
  if (parts.some((s) => s === "" || s === "." || s === "..")) throw new AppError("bad_file_path", undefined, { path: p.slice(0, 200) });
  return p;
}

/** Most pages one document may have (a 2,000-page annotated PDF is large; 10,000 leaves room). */
export const MAX_DOCUMENT_PAGES = 10_000;
/** Most files one document may list (a PDF, its sidecars and per-page highlight files). */
export const MAX_DOCUMENT_FILES = 2 * MAX_DOCUMENT_PAGES + 100;

/**
 * Item caps on one document's input, cheap enough to run on the raw parsed JSON before schema
 * validation (the route's body parser does) and again here for every document of a batch.
 */
export function checkItemCounts(input: unknown): void {
  if (!input || typeof input !== "object") return;
  const { pages, files } = input as { pages?: unknown; files?: unknown };
  if (Array.isArray(pages) && pages.length > MAX_DOCUMENT_PAGES)
    throw new AppError("too_many_pages", `A document may have at most ${MAX_DOCUMENT_PAGES} pages.`, { max: MAX_DOCUMENT_PAGES, got: pages.length });
  if (Array.isArray(files) && files.length > MAX_DOCUMENT_FILES)
    throw new AppError("too_many_files", `A document may list at most ${MAX_DOCUMENT_FILES} files.`, { max: MAX_DOCUMENT_FILES, got: files.length });
}

interface Validated {
  uuid: string;
  fields: DocumentFields;
  pages: CleanPage[];
  files: { path: string; sha256: string; size: number }[];
}

function validate(ctx: AppContext, rawUuid: string, input: DocumentInput): Validated {
  const uuid = requireUuid(rawUuid);
  checkItemCounts(input);
  const m = input.metadata;
  const parent = m.parent.toLowerCase();
  if (parent !== "" && parent !== "trash" && !UUID_RE.test(parent)) throw new AppError("bad_parent", undefined, { parent: m.parent.slice(0, 80) });
  if (parent === uuid) throw new AppError("bad_parent", "A document cannot be its own parent.");
  const max = ctx.config.maxBlobBytes;
  const pagesIn = input.pages ?? [];
  const ids = new Set<string>();
  const idxs = new Set<number>();
  const pages: CleanPage[] = [];
  for (const [i, p] of pagesIn.entries()) {
    const id = requirePageId(p.id);
    if (ids.has(id)) throw new AppError("bad_page_list", `Page id ${id} appears twice.`, { index: i });
    if (idxs.has(p.idx)) throw new AppError("bad_page_list", `Two pages have position ${p.idx}.`, { index: i });
    if (p.idx >= pagesIn.length) throw new AppError("bad_page_list", `Page position ${p.idx} is beyond the page count ${pagesIn.length}.`, { index: i });
    ids.add(id);
    idxs.add(p.idx);
    if (p.sha256 !== null) requireSha256(p.sha256, `pages[${i}].sha256`);
    if (p.size > max) throw new AppError("too_large", `Page ${id} is larger than ${max} bytes.`, { index: i });
    pages.push({ id, idx: p.idx, sha256: p.sha256, size: p.sha256 === null ? 0 : p.size, template: p.template ?? null, sourcePage: p.sourcePage ?? null });
  }
  const files: Validated["files"] = [];
  const paths = new Set<string>();
  for (const [i, f] of (input.files ?? []).entries()) {
    const path = checkFilePath(f.path);
    if (paths.has(path)) throw new AppError("bad_file_path", `File ${path} appears twice.`, { index: i });
    paths.add(path);
    requireSha256(f.sha256, `files[${i}].sha256`);
    if (f.size > max) throw new AppError("too_large", `File ${path} is larger than ${max} bytes.`, { index: i });
    files.push({ path, sha256: f.sha256, size: f.size });
  }
  const isFolder = m.type === "CollectionType";
  const name = cleanName(m.visibleName) || (isFolder ? "Untitled folder" : "Untitled");
  const tags = (input.tags ?? []).map((t) => cleanName(t, "tag")).filter(Boolean);
  return {
    uuid,
    pages,
    files,
    fields: {
      type: m.type,
      name,
      parent,
      file_type: isFolder ? null : (input.fileType ?? "notebook"),
      pinned: m.pinned ? 1 : 0,
      tablet_deleted: m.deleted ? 1 : 0,
      last_modified: toEpoch(m.lastModified, "metadata.lastModified"),
      last_opened: toEpoch(m.lastOpened, "metadata.lastOpened"),
      metadata_json: JSON.stringify({ ...m, visibleName: name, tags }),
      content_json: null,
      page_count: pages.length,
      deleted_at: null,
    },
  };
}

function sameFields(a: DocumentRow, b: DocumentFields): boolean {
  return (
    a.type === b.type &&
    a.name === b.name &&
    a.parent === b.parent &&
    a.file_type === b.file_type &&
    a.pinned === b.pinned &&
    a.tablet_deleted === b.tablet_deleted &&
    a.last_modified === b.last_modified &&
    a.last_opened === b.last_opened &&
    a.metadata_json === b.metadata_json &&
    a.page_count === b.page_count &&
    (a.deleted_at === null) === (b.deleted_at === null)
  );
}

export interface PutOptions {
  /**
   * The sending computer's initial-sync limit (choose what syncs): when the document is new to the
   * server, only its newest N pages with strokes are read by OCR; the others are held (read on
   * request). Newest = last in page order: the server has nothing better when the PUT arrives (the
   * .content blob with cPages' per-page `modifed` comes after it, and that field is optional), and
   * on the tablet new pages go at the end. Pages added or changed later are read as usual.
   */
  initialLimit?: number | null;
}

/**
 * Pages of a new document beyond the initial-sync limit: all with strokes but the last `limit` in
 * page order, each with its rank from the newest (0), so "read the rest" goes newest first.
 */
export function heldPageIds(pages: readonly { id: string; idx: number; sha256: string | null }[], limit: number | null | undefined): Map<string, number> {
  if (!limit || limit < 1) return new Map();
  const withInk = pages.filter((p) => p.sha256 !== null).sort((a, b) => b.idx - a.idx);
  return new Map(withInk.slice(limit).map((p, rank) => [p.id, rank]));
}

/** Upsert one document in one transaction. Throws AppError before writing anything on bad input. */
export function putDocument(ctx: AppContext, userId: number, rawUuid: string, input: DocumentInput, opts: PutOptions = {}): PutResult {
  const v = validate(ctx, rawUuid, input);
  const s = ctx.store;
  return s.tx(() => {
    const existing = s.documentByUuid(userId, v.uuid);
    // Tablet deletion → server tombstone (purged after the grace period); un-deletion clears it.
    v.fields.deleted_at = v.fields.tablet_deleted ? (existing?.deleted_at ?? Date.now()) : null;
    // No modification time in the metadata (old rmapi zips have no .metadata at all): dated when
    // the server first received the document, and kept so, rather than 1970-01-01.
    if (!v.fields.last_modified) v.fields.last_modified = existing?.last_modified || Date.now();
    let changed = !existing;
    let doc: DocumentRow;
    if (!existing) doc = s.insertDocument(userId, v.uuid, v.fields);
    else doc = existing;

    let queued = 0;
    const held = existing ? new Map<string, number>() : heldPageIds(v.pages, opts.initialLimit);
    const heldAt = Date.now();
    // Pages: match by page id; content change → re-render; order/template change → metadata only.
    const old = new Map<string, PageRow>(s.pagesByDocument(doc.id).map((p) => [p.page_uuid, p]));
    const want = new Set(v.pages.map((p) => p.id));
    for (const [id, row] of old) {
      if (!want.has(id)) {
        s.deletePage(row.id);
        changed = true;
      }
    }
    for (const p of v.pages) {
      const row = old.get(p.id);
      const status: RenderStatus = p.sha256 === null ? "blank" : s.userHasBlob(userId, p.sha256) ? "pending" : "awaiting_blob";
      if (!row) {
        const inserted = s.insertPage({ documentId: doc.id, userId, pageUuid: p.id, idx: p.idx, sha256: p.sha256, size: p.size, template: p.template, sourcePage: p.sourcePage, status });
        const rank = held.get(p.id);
        // Older pages get earlier request times: a read of the held pages goes newest first.
        if (rank !== undefined) s.holdPageOcr(inserted.id, userId, p.sha256!, heldAt - rank - 1);
        if (status === "pending" && enqueueRender(ctx, userId, inserted.id, p.sha256!)) queued++;
        changed = true;
        continue;
      }
      if (row.idx !== p.idx || row.template !== p.template || row.source_page !== p.sourcePage) {
        s.updatePageLayout(row.id, p.idx, p.template, p.sourcePage);
        changed = true;
      }
      if (row.sha256 !== p.sha256) {
        s.updatePageContent(row.id, p.sha256, p.size, status);
        if (status === "pending" && enqueueRender(ctx, userId, row.id, p.sha256!)) queued++;
        changed = true;
      }
    }
    // Files: replace the set.
    const oldFiles = new Map(s.filesByDocument(doc.id).map((f) => [f.path, f]));
    for (const f of v.files) {
      const o = oldFiles.get(f.path);
      oldFiles.delete(f.path);
      if (o && o.sha256 === f.sha256 && o.size === f.size) continue;
      s.upsertDocumentFile(doc.id, f.path, f.sha256, f.size);
      changed = true;
    }
    for (const path of oldFiles.keys()) {
      s.deleteDocumentFile(doc.id, path);
      changed = true;
    }
    if (existing && (!sameFields(existing, v.fields) || changed)) {
      doc = s.updateDocument(userId, doc.id, v.fields);
      changed = true;
    }
    if (changed) {
      enqueueNotionSyncForDocument(ctx, userId, doc);
      if (existing && existing.parent !== doc.parent && (existing.parent === "trash" || doc.parent === "trash")) enqueueTodoistSync(ctx, userId); // to-dos of a trashed notebook go, of a restored one come back
    }
    if (changed) enqueuePdfText(ctx, userId, doc.id); // coalesced: only a new file or page layout queues work
    const hashes = [...v.pages.flatMap((p) => (p.sha256 ? [p.sha256] : [])), ...v.files.map((f) => f.sha256)];
    return {
      uuid: v.uuid,
      revision: doc.revision,
      changed,
      created: !existing,
      missing: s.missingForUser(userId, hashes),
      pages: { total: v.pages.length, queued },
    };
  });
}

export type BatchItemResult = ({ ok: true } & PutResult) | { ok: false; uuid: string; error: { code: string; message: string; details?: Record<string, unknown> } };

/** Many documents in one request; each is its own transaction, so one bad item spoils nothing else. */
export function putBatch(ctx: AppContext, userId: number, input: BatchInput, opts: PutOptions = {}): { results: BatchItemResult[]; missing: string[] } {
  if (input.documents.length > ctx.config.maxBatchDocuments)
    throw new AppError("batch_too_large", `At most ${ctx.config.maxBatchDocuments} documents per batch.`, { max: ctx.config.maxBatchDocuments });
  const results: BatchItemResult[] = [];
  const missing = new Set<string>();
  for (const d of input.documents) {
    try {
      const { uuid, ...doc } = d;
      const r = putDocument(ctx, userId, uuid, doc, opts);
      r.missing.forEach((h) => missing.add(h));
      results.push({ ok: true, ...r });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      results.push({ ok: false, uuid: d.uuid, error: e.toJSON().error });
    }
  }
  return { results, missing: [...missing] };
}

/** The agent saw the files vanish: soft-delete (kept for the grace period, undone by a later PUT). */
export function deleteDocument(ctx: AppContext, userId: number, rawUuid: string): { uuid: string; deleted: boolean } {
  const uuid = requireUuid(rawUuid);
  const doc = ctx.store.documentByUuid(userId, uuid);
  if (!doc) throw new AppError("document_not_found");
  ctx.store.tx(() => {
    ctx.store.softDeleteDocument(userId, uuid);
    enqueueNotionSyncForDocument(ctx, userId, doc);
    enqueueTodoistSync(ctx, userId);
  });
  return { uuid, deleted: true };
}

const DAY_MS = 86_400_000;

/** Documents deleted at or before this instant are purged by `purgeDeleted` (the grace period). */
export function purgeCutoff(ctx: AppContext, now = Date.now()): number {
  return now - ctx.config.trashGraceDays * DAY_MS;
}

/** When a document deleted at `deletedAt` becomes due for purging (the daily housekeeping removes it then). */
export function purgeDueAt(ctx: AppContext, deletedAt: number): number {
  return deletedAt + ctx.config.trashGraceDays * DAY_MS;
}

/** Remove documents deleted longer than the grace period ago (their pages and files cascade). */
export function purgeDeleted(ctx: AppContext, now = Date.now()): number {
  return ctx.store.purgeDeletedDocuments(purgeCutoff(ctx, now));
}
