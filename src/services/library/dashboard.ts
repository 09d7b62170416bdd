// View models for the dashboard: plain data assembled from the store (views never touch the
// database). Every read is scoped by the user; someone else's id looks like a missing one.
import { defaultPublicUrl } from "../../config/schema.ts";
import { humanDay, quotaState, type QuotaState } from "../../quota/index.ts";
import { AppError } from "../../errors.ts";
import type { LibraryRow, LibrarySort, PageWithOcrRow } from "../../storage/dashboard.ts";
import type { DocumentRow } from "../../storage/documents.ts";
import type { Auth } from "../accounts/accounts.ts";
import type { AppContext } from "../context.ts";
import { UUID_RE } from "../ids.ts";
import { requireDocument } from "../ownership.ts";
import { purgeCutoff, purgeDueAt } from "./sync.ts";
import { hasPdfPage, thumbDocInfo, thumbKey, thumbUrl, viewerImageUrl, type ThumbDocInfo } from "./thumbnails.ts";
import { originalKind } from "./exports.ts";

export const PAGE_SIZE = 48;
export type QuotaLevel = "ok" | "warn" | "over";

export interface HeaderInfo {
  email: string;
  isAdmin: boolean;
  csrf: string;
  /** resetsOn: the reset day in the quota time zone, e.g. "1 January 2027". */
  quota: { used: number; limit: number | null; level: QuotaLevel; resetsAt: string; resetsOn: string };
}

export function quotaLevel(used: number, limit: number | null): QuotaLevel {
  if (limit === null) return "ok";
  if (used >= limit) return "over";
  return used >= limit * 0.9 ? "warn" : "ok";
}

export function headerInfo(ctx: AppContext, auth: Auth, q: QuotaState = quotaState(ctx, auth.user.id)): HeaderInfo {
  return {
    email: auth.user.email,
    isAdmin: auth.user.is_admin === 1,
    csrf: auth.csrfToken ?? "",
    quota: { used: q.used, limit: q.limit, level: quotaLevel(q.used, q.limit), resetsAt: q.resets_at, resetsOn: humanDay(q.resets_at, ctx.config.quota.timezone) },
  };
}

export interface Crumb {
  uuid: string;
  name: string;
}

/** The folder chain from the root down to (and including) `parent`. */
export function breadcrumbs(ctx: AppContext, userId: number, parent: string): Crumb[] {
  const out: Crumb[] = [];
  let cur = parent;
  for (let i = 0; i < 64 && UUID_RE.test(cur); i++) {
    const f = ctx.store.documentByUuid(userId, cur);
    if (!f || f.deleted_at !== null) break;
    out.unshift({ uuid: f.uuid, name: f.name });
    cur = f.parent;
  }
  return out;
}

export interface LibraryItem {
  uuid: string;
  kind: "folder" | "document";
  name: string;
  pinned: boolean;
  tags: string[];
  pageCount: number;
  lastModified: number | null;
  lastOpened: number | null;
  /** thumb: the first page's thumbnail URL (content-addressed), null while it cannot be drawn. */
  firstPage: { id: string; ready: boolean; thumb: string | null } | null;
}

function tagsOf(d: DocumentRow): string[] {
  try {
    const t = (JSON.parse(d.metadata_json) as { tags?: unknown }).tags;
    return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string").slice(0, 20) : [];
  } catch {
    return [];
  }
}

function libraryItem(ctx: AppContext, r: LibraryRow): LibraryItem {
  let firstPage: LibraryItem["firstPage"] = null;
  if (r.first_page_uuid) {
    const row = ctx.store.pageByUuid(r.user_id, r.id, r.first_page_uuid);
    const key = row ? thumbKey(thumbDocInfo(ctx, r), row) : null;
    firstPage = { id: r.first_page_uuid, ready: key !== null, thumb: key && row ? thumbUrl(r.uuid, row.page_uuid, key) : null };
  }
  return {
    uuid: r.uuid,
    kind: r.type === "CollectionType" ? "folder" : "document",
    name: r.name,
    pinned: r.pinned === 1,
    tags: tagsOf(r),
    pageCount: r.page_count,
    lastModified: r.last_modified,
    lastOpened: r.last_opened,
    firstPage,
  };
}

export interface FolderNode {
  uuid: string;
  name: string;
  children: FolderNode[];
}

/** The user's folders as a tree (trash excluded), capped so a huge tree stays cheap. */
export function folderTree(ctx: AppContext, userId: number, max = 1000): FolderNode[] {
  const rows = ctx.store.foldersByUser(userId).slice(0, max);
  const nodes = new Map(rows.map((r) => [r.uuid, { uuid: r.uuid, name: r.name, children: [] as FolderNode[] }]));
  const roots: FolderNode[] = [];
  for (const r of rows) {
    if (r.parent === "trash") continue;
    const parent = r.parent ? nodes.get(r.parent) : undefined;
    if (r.parent && !parent) continue; // under a trashed or missing folder
    (parent ? parent.children : roots).push(nodes.get(r.uuid)!);
  }
  return roots;
}

export interface LibraryData {
  tree: FolderNode[];
  folder: Crumb | null;
  crumbs: Crumb[];
  items: LibraryItem[];
  total: number;
  page: number;
  pages: number;
  sort: LibrarySort;
  view: "grid" | "list";
  /** The user has nothing at all yet (show how to connect an agent or upload). */
  empty: boolean;
  /** Items on the Trash page (tablet trash + deleted, still within the grace period). */
  trashCount: number;
  /** The folder shown is in the tablet's trash (itself or a folder above it). */
  inTrash: boolean;
}

const SORTS = new Set<LibrarySort>(["modified", "opened", "name"]);

export function libraryData(ctx: AppContext, userId: number, folderUuid: string | null, q: Record<string, string | undefined>): LibraryData {
  let parent = "";
  let folder: Crumb | null = null;
  if (folderUuid !== null) {
    const f = requireDocument(ctx, userId, folderUuid);
    if (f.type !== "CollectionType") throw new AppError("document_not_found");
    parent = f.uuid;
    folder = { uuid: f.uuid, name: f.name };
  }
  const sort: LibrarySort = SORTS.has(q.sort as LibrarySort) ? (q.sort as LibrarySort) : "modified";
  const view = q.view === "list" ? "list" : "grid";
  const total = ctx.store.libraryCount(userId, parent);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(pages, /^\d{1,6}$/.test(q.page ?? "") ? Math.max(1, Number(q.page)) : 1);
  const items = ctx.store.libraryListing(userId, parent, sort, PAGE_SIZE, (page - 1) * PAGE_SIZE).map((r) => libraryItem(ctx, r));
  const empty = folderUuid === null && total === 0 && ctx.store.libraryCount(userId, "trash") === 0;
  const trashCount = ctx.store.trashCount(userId, purgeCutoff(ctx));
  const crumbs = folder ? breadcrumbs(ctx, userId, parent) : [];
  const inTrash = crumbs.length > 0 && ctx.store.documentByUuid(userId, crumbs[0]!.uuid)?.parent === "trash";
  return { tree: folderTree(ctx, userId), folder, crumbs, items, total, page, pages, sort, view, empty, trashCount, inTrash };
}

export interface TrashItem extends LibraryItem {
  /** "trash": in the tablet's trash (kept while it stays there); "deleted": deleted on the tablet, purged later. */
  state: "trash" | "deleted";
  /** Deleted items: when the tombstone was written and when the purge is due (ISO) with its day in words. */
  deletedAt: string | null;
  purgeAt: string | null;
  purgeOn: string | null;
  /** The row can be opened (deleted folders cannot: their listing is gone). */
  href: string | null;
}

export interface TrashData {
  items: TrashItem[];
  total: number;
  page: number;
  pages: number;
  graceDays: number;
}

/** GET /trash: what the tablet trashed or deleted, with the purge day for deleted ones. */
export function trashData(ctx: AppContext, userId: number, q: Record<string, string | undefined>, now = Date.now()): TrashData {
  const cutoff = purgeCutoff(ctx, now);
  const total = ctx.store.trashCount(userId, cutoff);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(pages, /^\d{1,6}$/.test(q.page ?? "") ? Math.max(1, Number(q.page)) : 1);
  const items = ctx.store.trashListing(userId, cutoff, PAGE_SIZE, (page - 1) * PAGE_SIZE).map((r): TrashItem => {
    const base = libraryItem(ctx, r);
    const deleted = r.deleted_at !== null;
    const due = deleted ? new Date(purgeDueAt(ctx, r.deleted_at!)).toISOString() : null;
    const href = base.kind === "folder" ? (deleted ? null : `/folders/${r.uuid}`) : `/documents/${r.uuid}`;
    return {
      ...base,
      state: deleted ? "deleted" : "trash",
      deletedAt: deleted ? new Date(r.deleted_at!).toISOString() : null,
      purgeAt: due,
      purgeOn: due ? humanDay(due, ctx.config.quota.timezone) : null,
      href,
    };
  });
  return { items, total, page, pages, graceDays: ctx.config.trashGraceDays };
}

/** Why a document is not in the library: in the tablet's trash (itself or a folder above it), or deleted. */
export interface Removed {
  state: "trash" | "deleted";
  purgeAt: string | null;
  purgeOn: string | null;
}

function removedState(ctx: AppContext, userId: number, d: DocumentRow, crumbs: Crumb[]): Removed | null {
  if (d.deleted_at !== null) {
    const due = new Date(purgeDueAt(ctx, d.deleted_at)).toISOString();
    return { state: "deleted", purgeAt: due, purgeOn: humanDay(due, ctx.config.quota.timezone) };
  }
  const top = crumbs.length ? ctx.store.documentByUuid(userId, crumbs[0]!.uuid)?.parent : d.parent;
  return top === "trash" ? { state: "trash", purgeAt: null, purgeOn: null } : null;
}

/**
 * What the dashboard shows for a page: the render state first, then the OCR state. "typed": no
 * handwriting to read, but typed text or highlights (OCR says "blank" there, which misleads).
 * "settling": OCR is queued but waits until the page has stopped changing (the settle delay) or
 * for the provider's retry-after; `readAt` says when it is read. "held": not read, beyond its
 * computer's initial-sync limit (read on request).
 */
export type PageStatus = "rendering" | "render_failed" | "blank" | "pdf" | "typed" | "done" | "queued" | "settling" | "pending_ocr" | "pending_quota" | "failed" | "held";
const BUSY = new Set<PageStatus>(["rendering", "queued", "settling"]);

/** How often a view polls: every 2 s while pages render or are read; while pages only settle, every 5 s when one is read within 15 minutes, else every minute. */
export const POLL_BUSY_SECONDS = 2;
export const POLL_SETTLING_SECONDS = 5;
export const POLL_SETTLING_FAR_SECONDS = 60;
export const SETTLING_NEAR_MS = 15 * 60_000;

export function pageStatus(p: PageWithOcrRow, pdfPage = false, now = Date.now()): PageStatus {
  const s = inkStatus(p, now);
  // A page of a PDF shows the printed page: never "blank" (no ink, or no handwriting to read).
  return s === "blank" && pdfPage ? "pdf" : s;
}

function inkStatus(p: PageWithOcrRow, now: number): PageStatus {
  if (p.render_status === "pending" || p.render_status === "awaiting_blob") return "rendering";
  if (p.render_status === "failed") return "render_failed";
  if (p.render_status === "blank") return p.has_text ? "typed" : "blank";
  if (p.ocr_status === "blank" && p.has_text) return "typed";
  switch (p.ocr_status) {
    case "queued":
      return p.ocr_run_after !== null && p.ocr_run_after > now ? "settling" : "queued";
    case "pending_ocr":
    case "pending_quota":
    case "failed":
    case "blank":
    case "held":
      return p.ocr_status;
    default:
      return "done";
  }
}

export interface PageItem {
  n: number;
  id: string;
  status: PageStatus;
  error: string | null;
  /** The page can be shown. */
  ready: boolean;
  /** Its thumbnail (content-addressed URL) and the image the page viewer shows (PNG with the PDF page underneath for PDFs, else SVG); null while not ready. */
  thumb: string | null;
  image: string | null;
  /** Settling: when the page is read (ms). */
  readAt: number | null;
}

function pageItem(info: ThumbDocInfo, p: PageWithOcrRow, i: number, now: number): PageItem {
  const status = pageStatus(p, hasPdfPage(info, p), now);
  const key = thumbKey(info, p);
  return {
    n: i + 1,
    id: p.page_uuid,
    status,
    error: p.render_error ?? p.ocr_error,
    ready: key !== null,
    thumb: key ? thumbUrl(info.uuid, p.page_uuid, key) : null,
    image: key ? viewerImageUrl(info, p, key) : null,
    readAt: status === "settling" ? p.ocr_run_after : null,
  };
}

/** Seconds between polls for these pages, or null when nothing is in progress (no polling). */
export function pollSeconds(pages: PageItem[], now: number): number | null {
  if (pages.some((p) => p.status === "rendering" || p.status === "queued")) return POLL_BUSY_SECONDS;
  const next = Math.min(...pages.filter((p) => p.status === "settling").map((p) => p.readAt ?? now));
  if (!Number.isFinite(next)) return null;
  return next - now <= SETTLING_NEAR_MS ? POLL_SETTLING_SECONDS : POLL_SETTLING_FAR_SECONDS;
}

export interface DocumentData {
  uuid: string;
  name: string;
  tags: string[];
  crumbs: Crumb[];
  pages: PageItem[];
  busy: boolean;
  /** Seconds between polls (null: nothing in progress). */
  poll: number | null;
  lastModified: number | null;
  /** Set when the document is in the tablet's trash or deleted (read-only, shown from /trash). */
  removed: Removed | null;
  /** The original file the document was made from, when it has one (download link). */
  original: "pdf" | "epub" | null;
}

/**
 * The document view. `viewDeleted`: read-only GETs also show documents deleted on the tablet
 * (still within the grace period); actions (OCR, Notion) keep refusing them.
 */
export function documentData(ctx: AppContext, userId: number, uuid: string, viewDeleted = false): DocumentData {
  const d = requireDocument(ctx, userId, uuid, viewDeleted);
  if (d.type === "CollectionType") throw new AppError("document_not_found");
  const info = thumbDocInfo(ctx, d);
  const now = ctx.queue.now();
  const pages = ctx.store.pagesWithOcr(userId, d.id).map((p, i) => pageItem(info, p, i, now));
  const crumbs = breadcrumbs(ctx, userId, d.parent);
  return { uuid: d.uuid, name: d.name, tags: tagsOf(d), crumbs, pages, busy: pages.some((p) => BUSY.has(p.status)), poll: pollSeconds(pages, now), lastModified: d.last_modified, removed: removedState(ctx, userId, d, crumbs), original: originalKind(ctx, d) };
}

export interface PageData {
  doc: { uuid: string; name: string; pageCount: number };
  page: PageItem;
  busy: boolean;
  /** Seconds between polls (null: nothing in progress). */
  poll: number | null;
  /** The stored OCR text: why it was read and by which model (null before it was read or recorded). */
  ocrRead: { reason: string | null; model: string | null } | null;
  markdown: string | null;
  typedText: string | null;
  highlights: string | null;
  /** The printed text of the page's PDF/EPUB page. */
  printedText: string | null;
  /**
   * The user's correction of the OCR text (`markdown` is it while it applies). `stale`: the page
   * changed since; `machine` is then the new OCR text and the user keeps or discards.
   */
  correction: { text: string; stale: boolean; machine: string | null } | null;
  /** The document was deleted on the tablet (read-only: no OCR actions). */
  deleted: boolean;
  /** In the tablet's trash or deleted (the breadcrumb goes through Trash). */
  removed: boolean;
}

export function pageData(ctx: AppContext, userId: number, uuid: string, rawN: string, viewDeleted = false): PageData {
  const d = requireDocument(ctx, userId, uuid, viewDeleted);
  const n = /^\d{1,6}$/.test(rawN) ? Number(rawN) : 0;
  const row = n >= 1 ? ctx.store.pageWithOcrAt(userId, d.id, n - 1) : undefined;
  if (!row) throw new AppError("page_not_found");
  const now = ctx.queue.now();
  const page = pageItem(thumbDocInfo(ctx, d), row, n - 1, now);
  const texts = Object.fromEntries(ctx.store.pageTexts(row.id).map((t) => [t.source, t.text]));
  return {
    doc: { uuid: d.uuid, name: d.name, pageCount: ctx.store.documentPageCount(d.id) },
    page,
    busy: BUSY.has(page.status),
    poll: pollSeconds([page], now),
    ocrRead: (() => {
      const o = ctx.store.pageOcrByPage(row.id);
      return o?.done_at ? { reason: o.read_reason, model: o.model } : null;
    })(),
    markdown: texts.ocr ?? null,
    typedText: texts.typed ?? null,
    highlights: texts.highlight ?? null,
    printedText: texts.pdf ?? null,
    correction: correctionOf(ctx, row.id),
    deleted: d.deleted_at !== null,
    removed: removedState(ctx, userId, d, breadcrumbs(ctx, userId, d.parent)) !== null,
  };
}

function correctionOf(ctx: AppContext, pageId: number): PageData["correction"] {
  const c = ctx.store.pageCorrection(pageId);
  if (!c) return null;
  return { text: c.text, stale: !c.applies, machine: ctx.store.machinePageTexts(pageId).find((t) => t.source === "ocr")?.text ?? null };
}

/** The page row behind /documents/:uuid/pages/:n (for actions). */
export function pageIdAt(ctx: AppContext, userId: number, uuid: string, rawN: string): string {
  return pageData(ctx, userId, uuid, rawN).page.id;
}

/**
 * The server URL for `rmirror agent login --server …`: the configured public URL when one was
 * set, else the origin the browser used (the default is the bind address, e.g. port 0 in tests or
 * 127.0.0.1 behind a proxy).
 */
export function agentServerUrl(ctx: AppContext, request: Request): string {
  const c = ctx.config;
  if (c.publicUrl !== defaultPublicUrl(c.host, c.port)) return c.publicUrl;
  try {
    const u = new URL(request.url);
    if ((u.protocol === "http:" || u.protocol === "https:") && u.host) return u.origin;
  } catch {
    // fall through
  }
  return c.publicUrl;
}

/** A short fingerprint of the user's jobs and documents for live updates (GET /live). */
export function liveVersion(ctx: AppContext, userId: number): string {
  return Bun.hash(ctx.store.liveState(userId)).toString(36);
}
