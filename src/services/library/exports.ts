// Derived outputs rendered on demand and cached as blobs: page PNG, document PDF, Markdown.
// PNG: keyed by the page hash and options; PDF: keyed by the hashes of everything it is made of.
import type { renderPng as RenderPng } from "../../render/png.ts";
import type { renderPdf as RenderPdf } from "../../render/pdf.ts";
import { AppError } from "../../errors.ts";
import { loadParsedPage, pageOrientation } from "./render-page.ts";
import { storeBytes } from "./blobs.ts";
import { readOwnedBlob, streamOwnedBlob } from "./owned-blobs.ts";
import { pdfUnderlayFor, pdfUnderlaySource, underlayWarning } from "./pdf-underlay.ts";
import { emptyPage } from "./thumbnails.ts";
import type { AppContext } from "../context.ts";
import { readableFileName } from "./library.ts";
import { requireDocument, requirePage } from "../ownership.ts";
import { isRmFormatError } from "../../rm/errors.ts";
import { renderMarkdown } from "../../render/markdown.ts";
import { parseContent } from "../../rm/content.ts";
import type { Page } from "../../rm/model.ts";
import { sha256Hex } from "../../blobs/store.ts";
import type { DocumentRow } from "../../storage/documents.ts";
import type { PageRow } from "../../storage/pages.ts";
import { purgeCutoff } from "./sync.ts";

export interface PngQuery {
  longEdge: number;
  grayscale: boolean;
  text: boolean;
}

/**
 * The long edges a page PNG is rendered at. A requested size is rounded up to the next one (at
 * most the largest), so each page has a few cached variants at most, not one per pixel size.
 */
export const PNG_LONG_EDGES = [256, 512, 1024, 1568, 2048, 4000] as const;

/** The smallest fixed long edge at least `requested` (the largest for anything above it). */
export function snapLongEdge(requested: number): number {
  return PNG_LONG_EDGES.find((e) => e >= requested) ?? PNG_LONG_EDGES.at(-1)!;
}

export function parsePngQuery(q: Record<string, string | undefined>): PngQuery {
  const edge = q.width ?? q.longEdge;
  let longEdge = 1568;
  if (edge !== undefined) {
    if (!/^\d{1,5}$/.test(edge) || Number(edge) < 16 || Number(edge) > 4000) throw new AppError("bad_request", "longEdge must be an integer between 16 and 4000.");
    longEdge = snapLongEdge(Number(edge));
  }
  const flag = (v: string | undefined, d: boolean) => (v === undefined ? d : v === "1" || v === "true");
  return { longEdge, grayscale: flag(q.grayscale, false), text: flag(q.text, true) };
}

export async function pagePng(ctx: AppContext, userId: number, uuid: string, pageId: string, q: PngQuery): Promise<Blob | ReadableStream<Uint8Array>> {
  downloadableDocument(ctx, userId, uuid); // trashed and recently deleted documents too
  const { page } = requirePage(ctx, userId, uuid, pageId, true);
  if (page.render_status === "failed") throw new AppError("render_failed", page.render_error ?? undefined);
  // Annotated PDFs: the original PDF page underneath (keyed by the PDF's hash and page); a PDF
  // page without strokes is that page alone.
  const under = pdfUnderlaySource(ctx, page);
  if (!page.sha256 && !under) throw new AppError("not_ready", "The page is blank.", { status: page.render_status });
  const orientation = await pageOrientation(ctx, page);
  const source = `${page.sha256}:${q.longEdge}:${q.grayscale ? 1 : 0}:${q.text ? 1 : 0}${under ? `:${under.sha256}:${under.index}` : ""}${orientation === "landscape" ? ":landscape" : ""}`;
  if (page.png_source === source && page.png_sha256) {
    const cached = await streamOwnedBlob(ctx, userId, page.png_sha256);
    if (cached) return cached;
  }
  let parsed: Page | null = page.sha256 ? null : emptyPage();
  try {
    parsed ??= await loadParsedPage(ctx, page);
  } catch (e) {
    if (isRmFormatError(e)) throw new AppError("render_failed", e.message);
    throw e;
  }
  if (!parsed) throw new AppError("not_ready", "The page's file has not been uploaded yet.", { status: "awaiting_blob" });
  const underlay = under ? await pdfUnderlayFor(ctx, page, under) : null;
  let degraded = false; // drawn without its PDF page: served, not cached
  const warn = underlayWarning(ctx, page.id);
  const onUnderlayError = (m: string) => {
    degraded = true;
    warn(m);
  };
  // resvg (a WASM module) is loaded on the first PNG, not when serve starts.
  const renderPng: typeof RenderPng = (await import("../../render/png.ts")).renderPng;
  let png: Uint8Array;
  try {
    png = await renderPng(parsed, {
      longEdge: q.longEdge,
      grayscale: q.grayscale,
      text: q.text,
      ...(orientation ? { orientation } : {}),
      ...(underlay ? { underlay, onUnderlayError } : {}),
    });
  } catch (e) {
    // This page's failure (e.g. a degenerate page size resvg refuses), not the server's.
    throw new AppError("render_failed", `The page could not be drawn as PNG: ${(e as Error)?.message ?? String(e)}`);
  }
  if (degraded) return new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" });
  const sha = await storeBytes(ctx, userId, png);
  ctx.store.setPagePng(page.id, sha, source);
  return new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" });
}

// ---------------------------------------------------------------------------------------------
// Whole-document exports

async function parsedPages(ctx: AppContext, doc: DocumentRow) {
  const rows = ctx.store.pagesByDocument(doc.id);
  const out: { row: PageRow; page: Page | null }[] = [];
  for (const row of rows) {
    let page: Page | null = null;
    try {
      page = await loadParsedPage(ctx, row);
    } catch (e) {
      if (!isRmFormatError(e)) throw e; // a corrupt page exports as blank; its row says "failed"
    }
    out.push({ row, page });
  }
  return out;
}

async function fileBytes(ctx: AppContext, doc: DocumentRow, suffix: string): Promise<{ sha256: string; bytes: Uint8Array } | null> {
  const f = ctx.store.filesByDocument(doc.id).find((x) => x.path === `${doc.uuid}${suffix}` || x.path.endsWith(`/${doc.uuid}${suffix}`));
  if (!f) return null;
  const bytes = await readOwnedBlob(ctx, doc.user_id, f.sha256);
  return bytes ? { sha256: f.sha256, bytes } : null;
}

/** The document as PDF (original PDF underneath for annotated PDFs), cached by content. */
export async function documentPdf(ctx: AppContext, userId: number, uuid: string): Promise<{ name: string; body: Blob | ReadableStream<Uint8Array> }> {
  const doc = downloadableDocument(ctx, userId, uuid);
  const rows = ctx.store.pagesByDocument(doc.id);
  const pdfFile = ctx.store.filesByDocument(doc.id).find((x) => x.path.endsWith(`${doc.uuid}.pdf`));
  const contentFile = ctx.store.filesByDocument(doc.id).find((x) => x.path.endsWith(`${doc.uuid}.content`));
  // Only what the user has uploaded goes in (and in the key: an upload later makes a new PDF).
  const mine = (sha: string | null | undefined) => (sha && ctx.store.userHasBlob(userId, sha) ? sha : null);
  const key = sha256Hex(JSON.stringify({ v: 2, name: doc.name, pages: rows.map((r) => [mine(r.sha256), r.source_page]), pdf: mine(pdfFile?.sha256), content: mine(contentFile?.sha256) }));
  const name = readableFileName(doc.name, "pdf");
  if (doc.pdf_key === key && doc.pdf_sha256) {
    const cached = await streamOwnedBlob(ctx, userId, doc.pdf_sha256);
    if (cached) return { name, body: cached };
  }
  const pages = await parsedPages(ctx, doc);
  const background = doc.file_type === "pdf" ? await fileBytes(ctx, doc, ".pdf") : null;
  let orientation: "portrait" | "landscape" | undefined;
  const content = await fileBytes(ctx, doc, ".content");
  if (content) {
    try {
      orientation = parseContent(content.bytes, `${doc.uuid}.content`).orientation;
    } catch {
      orientation = undefined;
    }
  }
  // pdf-lib (with its fonts and zlib, ~0.7 MB of JavaScript) is loaded on the first PDF export, not when serve starts.
  const renderPdf: typeof RenderPdf = (await import("../../render/pdf.ts")).renderPdf;
  let pdf: Uint8Array;
  try {
    pdf = await renderPdf({
      title: doc.name,
      pages: pages.map((p) => ({ page: p.page, sourcePage: p.row.source_page ?? (doc.file_type === "pdf" ? p.row.idx : null) })),
      ...(background ? { background: background.bytes } : {}),
      ...(orientation ? { orientation } : {}),
    });
  } catch (e) {
    throw new AppError("render_failed", `The PDF could not be produced: ${(e as Error).message}`);
  }
  const sha = await storeBytes(ctx, userId, pdf);
  ctx.store.setDocumentPdf(doc.id, sha, key);
  return { name, body: new Blob([pdf as Uint8Array<ArrayBuffer>], { type: "application/pdf" }) };
}

/**
 * The document's validator for the Markdown export: everything the text is made of (name, page
 * files and order, each page's OCR text). Changes whenever any of it changes, e.g. new OCR text.
 */
export function documentMarkdownKey(ctx: AppContext, userId: number, uuid: string): string {
  const doc = downloadableDocument(ctx, userId, uuid);
  const rows = ctx.store.pagesByDocument(doc.id);
  const ocr = rows.map((r) => sha256Hex(ocrText(ctx, r.id) ?? ""));
  const mine = (r: PageRow) => r.sha256 !== null && ctx.store.userHasBlob(userId, r.sha256);
  return sha256Hex(JSON.stringify({ v: 4, name: doc.name, tags: documentTags(doc), pages: rows.map((r, i) => [r.page_uuid, r.sha256, mine(r), ocr[i]]) }));
}

/** The document's tags as the tablet stores them (.content `tags[].name`, .metadata `tags[]`); bad JSON → none. */
function documentTags(doc: DocumentRow): string[] {
  const out: string[] = [];
  const read = (json: string | null, pick: (t: unknown) => unknown) => {
    try {
      const tags = json ? (JSON.parse(json) as { tags?: unknown }).tags : undefined;
      if (Array.isArray(tags)) for (const t of tags) {
        const name = pick(t);
        if (typeof name === "string" && name.trim()) out.push(name);
      }
    } catch {
      // unreadable JSON: no tags
    }
  };
  read(doc.content_json, (t) => (t && typeof t === "object" ? (t as { name?: unknown }).name : undefined));
  read(doc.metadata_json, (t) => t);
  return out;
}

function ocrText(ctx: AppContext, pageId: number): string | null {
  return ctx.store.pageTexts(pageId).find((t) => t.source === "ocr")?.text ?? null;
}

/** Typed text, handwriting (OCR Markdown) and highlights of every page as Markdown, in page order. */
export async function documentMarkdown(ctx: AppContext, userId: number, uuid: string): Promise<{ name: string; text: string; key: string }> {
  const key = documentMarkdownKey(ctx, userId, uuid);
  const doc = downloadableDocument(ctx, userId, uuid);
  const pages = await parsedPages(ctx, doc);
  return { name: readableFileName(doc.name, "md"), key, text: renderMarkdown({ title: doc.name, tags: documentTags(doc), pages: pages.map((p) => ({ page: p.page, ocr: ocrText(ctx, p.row.id) })) }) };
}

/** One page's typed text, handwriting (OCR Markdown) and highlights as Markdown (for assistants and plugins). */
export async function pageMarkdown(ctx: AppContext, userId: number, uuid: string, pageId: string): Promise<{ document: string; idx: number; text: string }> {
  const { doc, page: row } = requirePage(ctx, userId, uuid, pageId);
  let page: Page | null = null;
  try {
    page = await loadParsedPage(ctx, row);
  } catch (e) {
    if (!isRmFormatError(e)) throw e; // a corrupt page has no text; its row says "failed"
  }
  return { document: doc.name, idx: row.idx, text: renderMarkdown({ title: "", pages: [{ page, ocr: ocrText(ctx, row.id) }] }) };
}

// ---------------------------------------------------------------------------------------------
// Downloads (issue 13 item 13): the original PDF/EPUB and the document as `.rmdoc`, also for a
// document in the tablet's trash or deleted within the grace period (read-only, until purged).

/** The user's document for a download: live, in the trash, or deleted less than the grace period ago. */
export function downloadableDocument(ctx: AppContext, userId: number, uuid: string): DocumentRow {
  const doc = requireDocument(ctx, userId, uuid, true);
  if (doc.deleted_at !== null && doc.deleted_at <= purgeCutoff(ctx)) throw new AppError("document_not_found");
  if (doc.type === "CollectionType") throw new AppError("document_not_found", "Folders have nothing to download.");
  return doc;
}

const ORIGINAL_TYPES = { pdf: "application/pdf", epub: "application/epub+zip" } as const;

/** Which original file the document has (`pdf` or `epub`), if any: for the download links. */
export function originalKind(ctx: AppContext, doc: DocumentRow): "pdf" | "epub" | null {
  const files = ctx.store.filesByDocument(doc.id);
  for (const ext of ["pdf", "epub"] as const) if (files.some((f) => relativeToDocument(doc.uuid, f.path) === `${doc.uuid}.${ext}`)) return ext;
  return null;
}

/** The original PDF or EPUB the document was made from, as uploaded (404 for notebooks). */
export async function documentOriginal(ctx: AppContext, userId: number, uuid: string): Promise<{ name: string; type: string; body: Blob | ReadableStream<Uint8Array> }> {
  const doc = downloadableDocument(ctx, userId, uuid);
  const kind = originalKind(ctx, doc);
  const f = kind ? ctx.store.filesByDocument(doc.id).find((x) => relativeToDocument(doc.uuid, x.path) === `${doc.uuid}.${kind}`) : undefined;
  const body = f && kind ? await streamOwnedBlob(ctx, userId, f.sha256) : null;
  if (!kind || !body) throw new AppError("document_not_found", "This document has no original PDF or EPUB.");
  return { name: readableFileName(doc.name, kind), type: ORIGINAL_TYPES[kind], body };
}

/** A stored file path from `<uuid>` on (the agent may send a leading folder), or null when it is not under the document. */
function relativeToDocument(uuid: string, path: string): string | null {
  const at = path.indexOf(uuid);
  if (at < 0 || (at > 0 && path[at - 1] !== "/")) return null;
  return path.slice(at);
}

/**
 * The document's files as the desktop app exports them (`.rmdoc`: a zip of `<uuid>.metadata`,
 * `<uuid>.content`, `<uuid>/<page>.rm`, the original `.pdf`/`.epub`, `.pagedata` and the other
 * sidecars), from what the user uploaded. Pages whose bytes never arrived are left out.
 */
export async function rmdocEntries(ctx: AppContext, doc: DocumentRow): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  const enc = new TextEncoder();
  let metadata: Record<string, unknown> = {};
  try {
    metadata = JSON.parse(doc.metadata_json) as Record<string, unknown>;
  } catch {
    /* keep the minimum below */
  }
  delete metadata.tags; // tags travel in .content on the tablet
  out[`${doc.uuid}.metadata`] = enc.encode(JSON.stringify({ ...metadata, visibleName: doc.name, type: doc.type, parent: doc.parent }, null, 4));
  for (const f of ctx.store.filesByDocument(doc.id)) {
    const rel = relativeToDocument(doc.uuid, f.path);
    if (!rel || rel === `${doc.uuid}.metadata`) continue;
    const bytes = await readOwnedBlob(ctx, doc.user_id, f.sha256);
    if (bytes) out[rel] = bytes;
  }
  const pages = ctx.store.pagesByDocument(doc.id);
  // Synced without a .content file (an old client): the page list is what the tablet needs.
  if (!out[`${doc.uuid}.content`])
    out[`${doc.uuid}.content`] = enc.encode(
      doc.content_json ?? JSON.stringify({ fileType: doc.file_type ?? "notebook", formatVersion: 1, orientation: "portrait", pageCount: pages.length, pages: pages.map((p) => p.page_uuid) }, null, 4),
    );
  for (const p of pages) {
    if (!p.sha256) continue;
    const bytes = await readOwnedBlob(ctx, doc.user_id, p.sha256);
    if (bytes) out[`${doc.uuid}/${p.page_uuid}.rm`] = bytes;
  }
  return out;
}

/** Entries that are compressed already (PDF, EPUB, images) are stored, the rest deflated. */
export function zipEntries(entries: Record<string, Uint8Array>): Uint8Array {
  const z: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [name, bytes] of Object.entries(entries)) z[name] = [bytes, { level: /\.(pdf|epub|jpe?g|png|zip)$/i.test(name) ? 0 : 6 }];
  // fflate is evaluated on first use, not when `serve` starts (src/rm/container/zip-entry.ts says why).
  return (require("fflate") as typeof import("fflate")).zipSync(z);
}

/** The document as a `.rmdoc` archive (the reMarkable desktop app imports it back). */
export async function documentRmdoc(ctx: AppContext, userId: number, uuid: string): Promise<{ name: string; bytes: Uint8Array }> {
  const doc = downloadableDocument(ctx, userId, uuid);
  return { name: readableFileName(doc.name, "rmdoc"), bytes: zipEntries(await rmdocEntries(ctx, doc)) };
}

/** "<document> - page N.<ext>" for a page download (N = 1-based position). */
export function pageDownloadName(ctx: AppContext, userId: number, uuid: string, pageId: string, ext: "png" | "svg"): string {
  const { doc, page } = requirePage(ctx, userId, uuid, pageId, true);
  const n = ctx.store.pagesByDocument(doc.id).findIndex((p) => p.id === page.id) + 1;
  return readableFileName(`${doc.name} - page ${n}`, ext);
}
