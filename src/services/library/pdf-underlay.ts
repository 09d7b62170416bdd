// The original PDF page under a page of an annotated PDF (OCR input and page PNGs): which page of
// which PDF, loaded from the blob store. Notebook pages, pages inserted on the tablet and PDFs
// whose file has not arrived get none (strokes only).
import type { PdfUnderlay } from "../../render/png-underlay.ts";
import type { PdfPageBoxes } from "../../render/pdf-frame.ts";
import type { Orientation } from "../../render/scene.ts";
import type { Page, Rect } from "../../rm/model.ts";
import type { PageRow } from "../../storage/pages.ts";
import { readOwnedBlob } from "./owned-blobs.ts";
import type { AppContext } from "../context.ts";

/** `<document uuid>.pdf` (the original PDF of a PDF document), at the top of its upload. */
const ORIGINAL_PDF = /(^|\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.pdf$/i;

/** 0-based page of the original PDF a page annotates, or null (notebook page, inserted page). */
export function pdfSourcePage(ctx: AppContext, page: PageRow): number | null {
  if (ctx.store.pageDocumentFileType(page.id) !== "pdf") return null;
  const src = page.source_page ?? page.idx; // as the PDF export: no mapping = same index
  return src >= 0 ? src : null;
}

/**
 * Which PDF (blob hash) and page lie under `page` (cheap: no blob read), or null. A PDF the
 * page's owner has not uploaded is none (strokes only), whoever else holds the same hash.
 */
export function pdfUnderlaySource(ctx: AppContext, page: PageRow): { sha256: string; index: number } | null {
  const index = pdfSourcePage(ctx, page);
  if (index === null) return null;
  const sha256 = originalPdf(ctx, page.document_id, page.user_id);
  return sha256 ? { sha256, index } : null;
}

/** The hash of a document's original PDF when its owner has uploaded it, else null (any file type). */
export function originalPdf(ctx: AppContext, documentId: number, userId: number): string | null {
  const file = ctx.store
    .filesByDocument(documentId)
    .filter((f) => ORIGINAL_PDF.test(f.path))
    .sort((a, b) => a.path.split("/").length - b.path.split("/").length)[0];
  return file && ctx.store.userHasBlob(userId, file.sha256) ? file.sha256 : null;
}

/** The PDF page to draw under `page`, or null when there is none (or its file is missing). */
export async function pdfUnderlayFor(ctx: AppContext, page: PageRow, source = pdfUnderlaySource(ctx, page)): Promise<PdfUnderlay | null> {
  if (!source) return null;
  const pdf = await readOwnedBlob(ctx, page.user_id, source.sha256);
  return pdf ? { pdf, index: source.index } : null;
}

const warned = new Set<string>();

/**
 * For renderPng's onUnderlayError: the page is drawn without its PDF page, and the reason is
 * logged as a warning once per process and reason (e.g. MuPDF unavailable), then at debug level.
 */
export function underlayWarning(ctx: AppContext, pageId: number): (message: string) => void {
  return (message) => {
    const fields = { pageId, error: message };
    if (warned.has(message)) return ctx.log.debug("PDF page not drawn under the strokes", fields);
    if (warned.size < 100) warned.add(message);
    ctx.log.warn("PDF page not drawn under the strokes (strokes only)", fields);
  };
}

/** PDF page boxes by blob hash: a document's pages are rendered one job each, the PDF read once. */
const boxCache = new Map<string, Promise<PdfPageBoxes | null>>();
const BOX_CACHE_SIZE = 8;

/**
 * The frame of `parsed` over its PDF page (display units), for the page's SVG, or null when the
 * page has no PDF page under it (notebook page, inserted page, PDF not uploaded or unreadable).
 */
export async function pdfFrameFor(ctx: AppContext, page: PageRow, parsed: Page, orientation?: Orientation): Promise<{ frame: Rect; ptPerUnit: number } | null> {
  const source = pdfUnderlaySource(ctx, page);
  if (!source) return null;
  // pdf-frame.ts (and so pdf-lib) is loaded on first use only: `serve` starts without it.
  const { pageFrameOverPdf, readPdfPageBoxes } = await import("../../render/pdf-frame.ts");
  let boxes = boxCache.get(source.sha256);
  if (!boxes) {
    boxes = readOwnedBlob(ctx, page.user_id, source.sha256).then((pdf) => (pdf ? readPdfPageBoxes(pdf) : null));
    boxCache.set(source.sha256, boxes);
    if (boxCache.size > BOX_CACHE_SIZE) boxCache.delete(boxCache.keys().next().value!);
  }
  const b = await boxes;
  if (!b) boxCache.delete(source.sha256); // not cached: the file may arrive or be replaced later
  return b ? pageFrameOverPdf(parsed, b, source.index, orientation) : null;
}
