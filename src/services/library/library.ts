// Reading API: folders, documents, pages with status, page SVG. Every read is scoped by user:
// an id that belongs to someone else is indistinguishable from one that does not exist.
import { AppError } from "../../errors.ts";
import type { DocumentRow } from "../../storage/documents.ts";
import type { PageRow } from "../../storage/pages.ts";
import { streamOwnedBlob } from "./owned-blobs.ts";
import type { AppContext } from "../context.ts";
import { UUID_RE } from "../ids.ts";
import { requireDocument, requirePage } from "../ownership.ts";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function documentSummary(d: DocumentRow) {
  const meta = JSON.parse(d.metadata_json) as { tags?: string[]; createdTime?: string };
  const created = meta.createdTime && /^\d{1,15}$/.test(meta.createdTime) && Number(meta.createdTime) > 0 ? Number(meta.createdTime) : d.created_at;
  return {
    uuid: d.uuid,
    type: d.type === "CollectionType" ? ("folder" as const) : ("document" as const),
    name: d.name,
    parent: d.parent,
    fileType: d.file_type,
    pinned: d.pinned === 1,
    inTrash: d.parent === "trash",
    deleted: d.deleted_at !== null,
    tags: meta.tags ?? [],
    pageCount: d.page_count,
    revision: d.revision,
    lastModified: iso(d.last_modified),
    /** When the tablet created it (newer firmware says so), else when this server first saw it. */
    created: iso(created),
    lastOpened: iso(d.last_opened),
    updatedAt: iso(d.updated_at),
    deletedAt: iso(d.deleted_at),
  };
}

export function pageSummary(p: PageRow) {
  return {
    id: p.page_uuid,
    idx: p.idx,
    sha256: p.sha256,
    size: p.size,
    template: p.template,
    sourcePage: p.source_page,
    renderStatus: p.render_status,
    renderError: p.render_error,
    typedText: p.typed_text,
    highlights: p.highlights_json ? (JSON.parse(p.highlights_json) as unknown[]) : [],
  };
}

export interface ListFilter {
  parent?: string;
  /** "exclude" (default: not in trash), "only" (trash), "include" */
  trash?: "exclude" | "only" | "include";
  deleted?: boolean;
}

export function listDocuments(ctx: AppContext, userId: number, f: ListFilter = {}) {
  if (f.deleted) return ctx.store.deletedDocumentsByUser(userId).map(documentSummary);
  let rows: DocumentRow[];
  if (f.parent !== undefined) {
    const parent = f.parent === "root" ? "" : f.parent.toLowerCase();
    if (parent !== "" && parent !== "trash" && !UUID_RE.test(parent)) throw new AppError("bad_parent");
    rows = ctx.store.documentsByParent(userId, parent);
  } else rows = ctx.store.documentsByUser(userId);
  const trash = f.trash ?? (f.parent === "trash" ? "only" : "exclude");
  if (trash === "exclude") rows = rows.filter((d) => d.parent !== "trash");
  if (trash === "only") rows = rows.filter((d) => d.parent === "trash");
  return rows.map(documentSummary);
}

export function listFolders(ctx: AppContext, userId: number) {
  return ctx.store.foldersByUser(userId).map((d) => ({ uuid: d.uuid, name: d.name, parent: d.parent, inTrash: d.parent === "trash" }));
}

export function getDocument(ctx: AppContext, userId: number, rawUuid: string) {
  const doc = requireDocument(ctx, userId, rawUuid, true);
  return {
    ...documentSummary(doc),
    pages: ctx.store.pagesByDocument(doc.id).map(pageSummary),
    files: ctx.store.filesByDocument(doc.id).map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
  };
}

export function listPages(ctx: AppContext, userId: number, rawUuid: string) {
  const doc = requireDocument(ctx, userId, rawUuid);
  return ctx.store.pagesByDocument(doc.id).map(pageSummary);
}

function notReady(p: PageRow): AppError {
  if (p.render_status === "failed") return new AppError("render_failed", p.render_error ?? undefined, { status: p.render_status });
  return new AppError("not_ready", undefined, { status: p.render_status });
}

/** A page's SVG; also for documents deleted on the tablet but not purged yet (the dashboard's Trash shows them read-only). */
export async function pageSvg(ctx: AppContext, userId: number, rawUuid: string, rawPageId: string): Promise<Blob | ReadableStream<Uint8Array>> {
  const { page } = requirePage(ctx, userId, rawUuid, rawPageId, true);
  if (page.render_status === "blank") return new Blob([blankSvg()], { type: "image/svg+xml" });
  if (page.render_status !== "done" || !page.svg_sha256 || page.rendered_sha256 !== page.sha256) throw notReady(page);
  const blob = await streamOwnedBlob(ctx, userId, page.svg_sha256);
  if (!blob) throw new AppError("not_ready", "The rendered page is missing from storage.", { status: "missing" });
  return blob;
}

function blankSvg(): string {
  return '<svg xmlns="http://www.w3.org/2000/svg" width="1404" height="1872" viewBox="0 0 1404 1872"><rect width="1404" height="1872" fill="#fff"/></svg>';
}

/** A blob the user owns; another user's bytes with the same hash are "unknown" (404) alike. */
export async function downloadBlob(ctx: AppContext, userId: number, sha256: string): Promise<Blob | ReadableStream<Uint8Array>> {
  const body = await streamOwnedBlob(ctx, userId, sha256);
  if (!body) throw new AppError("unknown_blob");
  return body;
}

export function readableFileName(name: string, ext: string): string {
  const safe = name.replace(/[^\p{L}\p{N} ._()-]+/gu, "_").trim().slice(0, 120) || "document";
  return `${safe}.${ext}`;
}
