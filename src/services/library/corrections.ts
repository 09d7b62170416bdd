// The user's correction of a page's OCR text (issue 13 item 14). It is stored beside the machine
// text (page_texts source 'correction', with the page content it was made for) and, while it
// applies, replaces the OCR text everywhere it is read: search, the page view, the Markdown
// export, Notion (store.pageTexts). When the page's strokes change, the new machine text applies
// again and the correction is kept for the user to keep (it then applies to the new content) or
// discard.
import { AppError } from "../../errors.ts";
import type { PageRow } from "../../storage/pages.ts";
import type { AppContext } from "../context.ts";
import { requireDocument } from "../ownership.ts";
import { enqueueNotionSyncForDocument } from "../notion/notion-sync.ts";

/** Longest correction accepted (characters): far more than a handwritten page holds. */
export const MAX_CORRECTION = 100_000;

function pageAt(ctx: AppContext, userId: number, uuid: string, rawN: string) {
  const doc = requireDocument(ctx, userId, uuid);
  const n = /^\d{1,6}$/.test(rawN) ? Number(rawN) : 0;
  const page = ctx.store.pagesByDocument(doc.id).find((p) => p.idx === n - 1);
  if (!page) throw new AppError("page_not_found");
  return { doc, page };
}

function changed(ctx: AppContext, userId: number, doc: { uuid: string; type: string }, page: PageRow) {
  ctx.log.debug("OCR correction changed", { pageId: page.id });
  enqueueNotionSyncForDocument(ctx, userId, doc);
}

/** Save the correction of page `n` (1-based); an empty text removes it (the OCR text applies). */
export function saveCorrection(ctx: AppContext, userId: number, uuid: string, n: string, text: string): void {
  const normalized = text.replace(/\r\n?/g, "\n");
  if (normalized.length > MAX_CORRECTION) throw new AppError("bad_request", `The corrected text is longer than ${MAX_CORRECTION.toLocaleString("en")} characters.`);
  const { doc, page } = pageAt(ctx, userId, uuid, n);
  ctx.store.tx(() => {
    if (!normalized.trim()) ctx.store.deletePageCorrection(page.id);
    else ctx.store.putPageCorrection({ pageId: page.id, userId, documentId: doc.id, text: normalized, baseSha256: page.sha256 });
    changed(ctx, userId, doc, page);
  });
}

/** The page changed since the correction: keep it (it applies to the current content again). */
export function keepCorrection(ctx: AppContext, userId: number, uuid: string, n: string): void {
  const { doc, page } = pageAt(ctx, userId, uuid, n);
  ctx.store.tx(() => {
    if (!ctx.store.rebasePageCorrection(page.id, page.sha256)) throw new AppError("page_not_found", "This page has no correction.");
    changed(ctx, userId, doc, page);
  });
}

/** Drop the correction: the machine text applies. */
export function discardCorrection(ctx: AppContext, userId: number, uuid: string, n: string): void {
  const { doc, page } = pageAt(ctx, userId, uuid, n);
  ctx.store.tx(() => {
    if (ctx.store.deletePageCorrection(page.id)) changed(ctx, userId, doc, page);
  });
}
