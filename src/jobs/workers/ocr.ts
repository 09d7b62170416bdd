// OCR job: one page's strokes (grayscale PNG, long edge 1568, no typed text; annotated PDFs with
// their PDF page underneath) to Markdown through the configured engine. The quota page is reserved by the claim guard, inside the claim
// transaction; it is kept on success and refunded on final failure. 429/529 honour retry-after
// and a provider outage (5xx, connection refused) backs off, neither spending an attempt; a
// rejected input or an answer that is not a transcription (cut off, refused, empty) fails at once
// with the reason on the page; a rejected key pauses OCR for the whole server (src/services/ocr/pause.ts)
// and the page waits in pending_ocr with its quota page given back.
import { OcrKeyRejected, OcrRateLimited, OcrRejected } from "../../ocr/engine.ts";
import { readKey, settingsPart } from "../../ocr/key.ts";
import { consumeReservation, quotaMonth, refundReservation, reservePage } from "../../quota/index.ts";
import { isRmFormatError } from "../../rm/errors.ts";
import type { AppContext } from "../../services/context.ts";
import { checkQuotaThresholds } from "../../services/ocr/notifications.ts";
import { ocrPause, pausedPageReason, pauseOcr } from "../../services/ocr/pause.ts";
import { OCR, pageOcrContext, parseOcrPayload, type OcrPayload } from "../../services/ocr/ocr.ts";
import { pdfUnderlayFor, underlayWarning } from "../../services/library/pdf-underlay.ts";
import { extractTodos } from "../../services/library/todos.ts";
import { enqueueNotionSyncForPage } from "../../services/notion/notion-sync.ts";
import { enqueueTodoistSync } from "../../services/todoist/todoist-sync.ts";
import { PermanentError, RetryAfter } from "../errors.ts";
import type { JobRow } from "../queue.ts";
import type { Worker } from "../runner.ts";
import { loadParsedPage, pageOrientation } from "../../services/library/render-page.ts";

export { OCR };

export const OCR_LONG_EDGE = 1568;

/**
 * Runs in the claim transaction: skip stale or already-done work without touching the quota,
 * else reserve one page; when the quota is used up the page waits in pending_quota.
 */
export function ocrClaimGuard(ctx: AppContext) {
  return (job: JobRow): string | null => {
    let p: OcrPayload;
    try {
      p = parseOcrPayload(JSON.parse(job.payload));
    } catch {
      return null; // the runner fails it as a bad payload
    }
    const page = ctx.store.pageById(p.pageId);
    const o = ctx.store.pageOcrByPage(p.pageId);
    if (!page || !o || page.sha256 !== p.sha256 || o.sha256 !== p.sha256) return "stale: the page changed or was deleted";
    // A duplicate of work already done (a re-read is asked for on purpose and always runs).
    if (o.done_sha256 === p.sha256 && settingsPart(o.done_engine_key) === p.engineKey && !p.force) {
      ctx.store.setPageOcrStatus(p.pageId, "done");
      return "already read with these settings";
    }
    const paused = ocrPause(ctx);
    if (paused) {
      ctx.store.setPageOcrStatus(p.pageId, "pending_ocr", pausedPageReason(paused));
      return "deferred: OCR is paused (the API key was rejected)";
    }
    const q = reservePage(ctx, page.user_id, job.id, page.id);
    if (!q) {
      ctx.store.setPageOcrStatus(p.pageId, "pending_quota");
      return "deferred: monthly OCR quota used up";
    }
    checkQuotaThresholds(ctx, page.user_id, q);
    return null;
  };
}

export function ocrWorker(ctx: AppContext): Worker<OcrPayload> {
  return {
    kind: OCR,
    concurrency: ctx.config.ocr.concurrency,
    parse: parseOcrPayload,
    async run({ job, payload, signal }) {
      const refund = () => {
        refundReservation(ctx, job.id);
      };
      const page = ctx.store.pageById(payload.pageId);
      if (!page || page.sha256 !== payload.sha256) return refund;
      const engine = ctx.ocr;
      // No engine, or OCR was paused while this job was claimed: the page waits, its quota page is given back.
      const wait = (reason: string | null) => () => {
        refundReservation(ctx, job.id);
        const o = ctx.store.pageOcrByPage(page.id);
        if (o?.sha256 === payload.sha256) ctx.store.setPageOcrStatus(page.id, "pending_ocr", reason);
      };
      if (!engine) return wait(null);
      const pausedBefore = ocrPause(ctx);
      if (pausedBefore) return wait(pausedPageReason(pausedBefore));
      let parsed;
      try {
        parsed = await loadParsedPage(ctx, page);
      } catch (e) {
        if (isRmFormatError(e)) throw new PermanentError(`unreadable page: ${e.message}`);
        throw e;
      }
      if (!parsed) return refund;
      const annotatedPdf = ctx.store.pageDocumentFileType(page.id) === "pdf";
      // Annotated PDFs: the original PDF page underneath (the prompt asks for the handwriting only).
      const underlay = annotatedPdf ? await pdfUnderlayFor(ctx, page) : null;
      const orientation = await pageOrientation(ctx, page);
      // resvg (a WASM module) is loaded with the first page to read, not when serve starts.
      const { renderPng } = await import("../../render/png.ts");
      let png: Uint8Array;
      try {
        png = await renderPng(parsed, {
          longEdge: OCR_LONG_EDGE,
          grayscale: true,
          text: false,
          highlights: false,
          ...(orientation ? { orientation } : {}),
          ...(underlay ? { underlay, onUnderlayError: underlayWarning(ctx, page.id) } : {}),
        });
      } catch (e) {
        throw new PermanentError(`page could not be drawn as PNG: ${e instanceof Error ? e.message : String(e)}`);
      }
      // Context as it is now (the previous page may have been read since this job was queued); the
      // key recorded with the text says exactly what was sent.
      const context = pageOcrContext(ctx, page);
      const key = readKey(engine.key, context);
      let r;
      try {
        r = await engine.recognize({ png, annotatedPdf, signal, context });
      } catch (e) {
        if (e instanceof OcrRateLimited) throw new RetryAfter(e.ms, e.message);
        if (e instanceof OcrRejected) throw new PermanentError(e.message);
        if (e instanceof OcrKeyRejected) {
          // Not this page's fault, and no other page can be read either: pause, and this page waits.
          const reason = e.message;
          return () => {
            const p = pauseOcr(ctx, reason);
            wait(pausedPageReason(p))();
          };
        }
        throw e;
      }
      return () => {
        // The ledger: what this quota page went to (the month it was taken from), with its tokens
        // for the cost estimate; also when the page changed meanwhile (the page was still spent).
        const month = ctx.store.reservationByJob(job.id)?.month ?? quotaMonth(ctx.queue.now(), ctx.config.quota.timezone);
        ctx.store.recordOcrRead({ userId: page.user_id, pageId: page.id, month, reason: payload.reason ?? null, engineKey: key, model: r.model, inputTokens: r.inputTokens, outputTokens: r.outputTokens });
        consumeReservation(ctx, job.id);
        const now = ctx.store.pageById(page.id);
        if (now?.sha256 !== payload.sha256) return; // edited meanwhile: a newer job will read it
        ctx.store.putPageText({ pageId: page.id, userId: page.user_id, documentId: page.document_id, source: "ocr", text: r.markdown });
        ctx.store.replacePageTodos({ userId: page.user_id, pageId: page.id, documentId: page.document_id, source: "ocr", items: extractTodos(r.markdown) });
        ctx.store.setPageOcrDone(page.id, { sha256: payload.sha256, engineKey: key, model: r.model, inputTokens: r.inputTokens, outputTokens: r.outputTokens, ms: r.ms, reason: payload.reason ?? null });
        enqueueNotionSyncForPage(ctx, page);
        enqueueTodoistSync(ctx, page.user_id);
      };
    },
    onFinalFailure(payload, reason, job) {
      refundReservation(ctx, job.id);
      const o = ctx.store.pageOcrByPage(payload.pageId);
      if (o && o.sha256 === payload.sha256) ctx.store.setPageOcrStatus(payload.pageId, "failed", reason.slice(0, 2000));
    },
  };
}
