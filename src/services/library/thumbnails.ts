// Page thumbnails (issue 13 items 1 and 5): a small raster image per page (an indexed PNG of a few
// KB, with the original PDF page underneath for annotated PDFs), drawn once and kept as a blob,
// served at a content-addressed URL that browsers may cache forever.
//
// The URL carries a key made of everything the picture depends on that the database knows
// without reading a blob: the renderer version, the page's content hash (none for a page without
// strokes), the original PDF and which of its pages lies under this one, and the document's
// `.content` (its orientation). An edit changes the key, so the dashboard links a new URL at once.
// The stored blob is keyed by what it was actually drawn from (the orientation read from
// `.content`, not its hash): a `.content` that changes without turning the page reuses it.
import { AppError } from "../../errors.ts";
import type { renderThumbnail as RenderThumbnail } from "../../render/png.ts";
import { THUMB_LONG_EDGE, THUMB_RENDERER } from "../../render/thumb-version.ts";
import { sha256Hex } from "../../blobs/store.ts";
import { isRmFormatError } from "../../rm/errors.ts";
import type { Page } from "../../rm/model.ts";
import type { PageRow } from "../../storage/pages.ts";
import type { AppContext } from "../context.ts";
import { requirePage } from "../ownership.ts";
import { storeBytes } from "./blobs.ts";
import { streamOwnedBlob } from "./owned-blobs.ts";
import { originalPdf, pdfUnderlayFor, underlayWarning } from "./pdf-underlay.ts";
import { loadParsedPage, pageOrientation } from "./render-page.ts";

/** What a document's thumbnails depend on besides each page (read once per document). */
export interface ThumbDocInfo {
  uuid: string;
  fileType: string | null;
  /** The original PDF (owner uploaded it) of a PDF document, else null. */
  pdf: string | null;
  /** Hash of the `.content` file (orientation), or null. */
  content: string | null;
}

export function thumbDocInfo(ctx: AppContext, doc: { id: number; uuid: string; user_id: number; file_type: string | null }): ThumbDocInfo {
  const content = ctx.store.filesByDocument(doc.id).find((f) => f.path.endsWith(".content"))?.sha256 ?? null;
  return { uuid: doc.uuid, fileType: doc.file_type, pdf: doc.file_type === "pdf" ? originalPdf(ctx, doc.id, doc.user_id) : null, content };
}

/** 0-based page of the original PDF under `page` (PDF documents; same index when unmapped), else null. */
export function pdfPageIndex(info: ThumbDocInfo, page: PageRow): number | null {
  if (info.fileType !== "pdf") return null;
  const src = page.source_page ?? page.idx;
  return src >= 0 ? src : null;
}

/** The page shows a page of a PDF (whether or not it has ink): it is never "blank". */
export function hasPdfPage(info: ThumbDocInfo, page: PageRow): boolean {
  return pdfPageIndex(info, page) !== null;
}

/** The page can be drawn now (rendered, or known to have no strokes). */
export function pageDrawable(page: PageRow): boolean {
  return page.render_status === "blank" || (page.render_status === "done" && page.rendered_sha256 === page.sha256);
}

/** The page's thumbnail key, or null while it cannot be drawn. */
export function thumbKey(info: ThumbDocInfo, page: PageRow): string | null {
  if (!pageDrawable(page)) return null;
  const index = pdfPageIndex(info, page);
  const under = info.pdf && index !== null ? [info.pdf, index] : null;
  return sha256Hex(JSON.stringify([THUMB_RENDERER, THUMB_LONG_EDGE, page.sha256, under, info.content])).slice(0, 32);
}

export function thumbUrl(docUuid: string, pageUuid: string, key: string): string {
  return `/api/v1/documents/${docUuid}/pages/${encodeURIComponent(pageUuid)}/thumb/${key}.png`;
}

/**
 * Where the page viewer gets the page: the PNG with the PDF page underneath for pages of a PDF
 * whose file is here, else the SVG of the strokes. The key in the query changes with the content.
 */
export function viewerImageUrl(info: ThumbDocInfo, page: PageRow, key: string): string {
  const base = `/api/v1/documents/${info.uuid}/pages/${encodeURIComponent(page.page_uuid)}`;
  return info.pdf && pdfPageIndex(info, page) !== null ? `${base}/png?longEdge=2048&v=${key}` : `${base}/svg?v=${key}`;
}

/** A page of no strokes (pages without a file, or whose strokes were all erased), as the PDF export draws it. */
export function emptyPage(): Page {
  return { version: 0, frame: "topleft", box: { x: 0, y: 0, w: 1404, h: 1872 }, device: "rm2", layers: [], stats: { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 } };
}

/**
 * Thumbnail URLs for search hits (null for document/folder hits and pages not drawable yet), in
 * the order given; only the user's own pages.
 */
export function hitThumbs(ctx: AppContext, userId: number, hits: { document: { uuid: string }; page: { id: string } | null }[]): (string | null)[] {
  const docs = new Map<string, { id: number; info: ThumbDocInfo } | null>();
  return hits.map((h) => {
    if (!h.page) return null;
    let d = docs.get(h.document.uuid);
    if (d === undefined) {
      const row = ctx.store.documentByUuid(userId, h.document.uuid);
      d = row ? { id: row.id, info: thumbDocInfo(ctx, row) } : null;
      docs.set(h.document.uuid, d);
    }
    if (!d) return null;
    const page = ctx.store.pageByUuid(userId, d.id, h.page.id);
    const key = page ? thumbKey(d.info, page) : null;
    return key ? thumbUrl(h.document.uuid, h.page.id, key) : null;
  });
}

/**
 * Cache-Control for a page image asked for with `?v=<key>` (the dashboard's viewer URL): a year,
 * immutable, when the key is the page's current one (the URL changes with the page); else the
 * short default (`v` absent, or from before an edit).
 */
export function pageImageCaching(ctx: AppContext, userId: number, uuid: string, pageId: string, v: string | undefined, fallback: string): string {
  if (!v || !/^[0-9a-f]{32}$/.test(v)) return fallback;
  const { doc, page } = requirePage(ctx, userId, uuid, pageId, true);
  return thumbKey(thumbDocInfo(ctx, doc), page) === v ? "private, max-age=31536000, immutable" : fallback;
}

export type ThumbResult = { kind: "image"; body: Blob | ReadableStream<Uint8Array>; cacheable: boolean } | { kind: "moved"; location: string };

/**
 * GET …/pages/:pageId/thumb/:key.png. A key that is not the page's current one answers "moved"
 * to the current URL (an old page of HTML asking), never other bytes under the old URL.
 */
export async function pageThumbnail(ctx: AppContext, userId: number, uuid: string, pageId: string, file: string): Promise<ThumbResult> {
  const { doc, page } = requirePage(ctx, userId, uuid, pageId, true);
  const m = /^([0-9a-f]{32})\.png$/.exec(file);
  if (!m) throw new AppError("route_not_found");
  if (page.render_status === "failed") throw new AppError("render_failed", page.render_error ?? undefined, { status: page.render_status });
  const info = thumbDocInfo(ctx, doc);
  const key = thumbKey(info, page);
  if (!key) throw new AppError("not_ready", undefined, { status: page.render_status });
  if (key !== m[1]) return { kind: "moved", location: thumbUrl(doc.uuid, page.page_uuid, key) };

  const orientation = await pageOrientation(ctx, page);
  const index = pdfPageIndex(info, page);
  const under = info.pdf && index !== null ? { sha256: info.pdf, index } : null;
  const source = JSON.stringify([THUMB_RENDERER, THUMB_LONG_EDGE, page.sha256, under, orientation ?? null]);
  if (page.thumb_source === source && page.thumb_sha256) {
    const cached = await streamOwnedBlob(ctx, userId, page.thumb_sha256);
    if (cached) return { kind: "image", body: cached, cacheable: true };
  }
  // Requests for the same picture while it is being drawn (a grid and a search dropdown) share one drawing.
  const flight = `${page.id}\n${source}`;
  let drawing = inFlight.get(flight);
  if (!drawing) {
    drawing = drawThumbnail(ctx, userId, page, source, under, orientation).finally(() => inFlight.delete(flight));
    inFlight.set(flight, drawing);
  }
  const { png, cacheable } = await drawing;
  return { kind: "image", body: new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" }), cacheable };
}

const inFlight = new Map<string, Promise<{ png: Uint8Array; cacheable: boolean }>>();

async function drawThumbnail(
  ctx: AppContext,
  userId: number,
  page: PageRow,
  source: string,
  under: { sha256: string; index: number } | null,
  orientation: "portrait" | "landscape" | undefined,
): Promise<{ png: Uint8Array; cacheable: boolean }> {
  let parsed: Page | null = null;
  if (page.sha256) {
    try {
      parsed = await loadParsedPage(ctx, page);
    } catch (e) {
      if (isRmFormatError(e)) throw new AppError("render_failed", e.message);
      throw e;
    }
    if (!parsed && page.render_status !== "blank") throw new AppError("not_ready", "The page's file has not been uploaded yet.", { status: "awaiting_blob" });
  }
  const underlay = under ? await pdfUnderlayFor(ctx, page, under) : null;
  let degraded = false; // drawn without its PDF page: served, neither stored nor cached
  const warn = underlayWarning(ctx, page.id);
  // resvg and MuPDF (WASM) are loaded on the first thumbnail, not when serve starts.
  const renderThumbnail: typeof RenderThumbnail = (await import("../../render/png.ts")).renderThumbnail;
  let png: Uint8Array;
  try {
    png = await renderThumbnail(parsed ?? emptyPage(), {
      longEdge: THUMB_LONG_EDGE,
      ...(orientation ? { orientation } : {}),
      ...(underlay
        ? {
            underlay,
            onUnderlayError: (msg: string) => {
              degraded = true;
              warn(msg);
            },
          }
        : {}),
    });
  } catch (e) {
    throw new AppError("render_failed", `The page could not be drawn: ${(e as Error)?.message ?? String(e)}`);
  }
  if (!degraded) {
    const sha = await storeBytes(ctx, userId, png);
    ctx.store.setPageThumb(page.id, sha, source);
  }
  return { png, cacheable: !degraded };
}
