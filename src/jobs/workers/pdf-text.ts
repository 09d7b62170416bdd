// pdf_text job: the printed text layer of a PDF/EPUB document's pages, made searchable
// (services/library/pdf-text.ts). One at a time: MuPDF work is CPU-bound and ingest comes first.
import type { AppContext } from "../../services/context.ts";
import { extractPdfText, parsePdfTextPayload, PDF_TEXT, type PdfTextPayload } from "../../services/library/pdf-text.ts";
import type { Worker } from "../runner.ts";

export function pdfTextWorker(ctx: AppContext): Worker<PdfTextPayload> {
  return {
    kind: PDF_TEXT,
    concurrency: 1,
    parse: parsePdfTextPayload,
    run: ({ payload }) => extractPdfText(ctx, payload),
  };
}
