// The printed text of PDF and EPUB pages (issue 13 item 2): the text layer of the page's page in
// the original file, extracted with MuPDF in a background job (pdf_text, one per document) and
// stored as page text of source 'pdf', so search finds it like handwriting. Ingest never waits for
// it: the job is queued when a document's pages or files change and when its original file
// arrives. The worker is src/jobs/workers/pdf-text.ts.
import type { DocumentRow } from "../../storage/documents.ts";
import type { AppContext } from "../context.ts";
import { readOwnedBlob } from "./owned-blobs.ts";

export const PDF_TEXT = "pdf_text";

export interface PdfTextPayload {
  documentId: number;
}

export function parsePdfTextPayload(p: unknown): PdfTextPayload {
  const id = (p as { documentId?: unknown } | null)?.documentId;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw new Error("pdf_text payload needs a positive integer documentId");
  return { documentId: id };
}

/** `<document uuid>.pdf` / `.epub`: the original file of a PDF or EPUB document. */
const ORIGINAL = /(^|\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(pdf|epub)$/i;

/**
 * The file whose pages the document's pages show: the PDF (for an EPUB, the PDF the tablet made of
 * it, when present), else the EPUB itself (MuPDF lays it out; its pages may differ from the
 * tablet's). Null for notebooks and when the owner has not uploaded the file.
 */
function textSource(ctx: AppContext, doc: DocumentRow): { sha256: string; type: "pdf" | "epub" } | null {
  if (doc.file_type !== "pdf" && doc.file_type !== "epub") return null;
  const files = ctx.store
    .filesByDocument(doc.id)
    .map((f) => ({ f, m: ORIGINAL.exec(f.path) }))
    .filter((x) => x.m)
    .sort((a, b) => (a.m![2]!.toLowerCase() === "pdf" ? 0 : 1) - (b.m![2]!.toLowerCase() === "pdf" ? 0 : 1) || a.f.path.split("/").length - b.f.path.split("/").length);
  const pick = files[0];
  if (!pick || !ctx.store.userHasBlob(doc.user_id, pick.f.sha256)) return null;
  return { sha256: pick.f.sha256, type: pick.m![2]!.toLowerCase() as "pdf" | "epub" };
}

/**
 * Queue the extraction for a document when it has an original file the owner uploaded (synchronous;
 * safe inside a transaction). Coalesced per document, file and page layout.
 */
export function enqueuePdfText(ctx: AppContext, userId: number, documentId: number): boolean {
  const doc = ctx.store.documentById(documentId);
  if (!doc || doc.user_id !== userId) return false;
  const src = textSource(ctx, doc);
  if (!src) return false;
  const layout = ctx.store.pagesByDocument(documentId).map((p) => `${p.id}:${p.source_page ?? p.idx}`).join(",");
  const sig = new Bun.CryptoHasher("sha256").update(layout).digest("hex").slice(0, 16);
  return ctx.queue.enqueue(PDF_TEXT, { documentId } satisfies PdfTextPayload, { userId, idempotencyKey: `pdftext:${documentId}:${src.sha256}:${sig}` }).created;
}

/** Queue extraction for the user's documents whose original file has just arrived. */
export function enqueuePdfTextForBlob(ctx: AppContext, userId: number, sha256: string): void {
  for (const id of ctx.store.documentIdsWithFile(userId, sha256)) enqueuePdfText(ctx, userId, id);
}

/**
 * Extract the printed text of every page of the document; returns the commit that stores it (run
 * in the job's completion transaction). Pages outside the file (inserted on the tablet) get none.
 */
export async function extractPdfText(ctx: AppContext, payload: PdfTextPayload): Promise<(() => void) | void> {
  const doc = ctx.store.documentById(payload.documentId);
  if (!doc) return;
  const src = textSource(ctx, doc);
  const bytes = src ? await readOwnedBlob(ctx, doc.user_id, src.sha256) : null;
  const texts = new Map<number, string | null>();
  const pages = ctx.store.pagesByDocument(doc.id);
  if (src && bytes) {
    // MuPDF (and its embedded WASM) is loaded on first use only: a server without PDFs never pays for it.
    const { loadMupdf } = await import("../../render/png-underlay.ts");
    const mupdf = await loadMupdf();
    const file = mupdf.Document.openDocument(bytes, src.type === "pdf" ? "application/pdf" : "application/epub+zip");
    try {
      const n = file.countPages();
      for (const p of pages) {
        const i = p.source_page ?? p.idx;
        if (i < 0 || i >= n) {
          texts.set(p.id, null);
          continue;
        }
        const page = file.loadPage(i);
        try {
          const st = page.toStructuredText("preserve-whitespace");
          texts.set(p.id, tidy(st.asText()));
          st.destroy();
        } finally {
          page.destroy();
        }
      }
    } finally {
      file.destroy();
    }
  } else for (const p of pages) texts.set(p.id, null);
  return () => {
    for (const p of ctx.store.pagesByDocument(doc.id)) {
      if (!texts.has(p.id)) continue; // added since: its own job follows
      ctx.store.putPageText({ pageId: p.id, userId: p.user_id, documentId: doc.id, source: "pdf", text: texts.get(p.id) ?? null });
    }
  };
}

/** Trailing spaces off, runs of blank lines to one, words hyphenated across a line joined. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, "\n")
    .replace(/(\p{Ll})-\n(\p{Ll})/gu, "$1$2")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
