// Render job: parse a page's .rm blob, render SVG (stored as a derived blob), extract typed text
// and highlights into the page row. Enqueued only when a page's content hash changes; the result
// is committed (fenced) only while the page still has the hash that was rendered.
import { isRmFormatError } from "../../rm/errors.ts";
import type { Page, Rect } from "../../rm/model.ts";
import { renderSvg } from "../../render/svg.ts";
import type { AppContext } from "../../services/context.ts";
import { storeBytes } from "../../services/library/blobs.ts";
import { pdfFrameFor } from "../../services/library/pdf-underlay.ts";
import { loadParsedPage, pageOrientation, parseRenderPagePayload, RENDER_PAGE, type RenderPagePayload } from "../../services/library/render-page.ts";
import { PermanentError } from "../errors.ts";
import type { Worker } from "../runner.ts";
import { textToMarkdown } from "../../render/markdown.ts";
import { pageHighlights } from "./extract.ts";
import { hasInk, onPageRendered } from "../../services/ocr/ocr.ts";
import { enqueueNotionSyncForPage } from "../../services/notion/notion-sync.ts";

export function renderPageWorker(ctx: AppContext): Worker<RenderPagePayload> {
  return {
    kind: RENDER_PAGE,
    concurrency: ctx.config.jobs.renderConcurrency,
    parse: parseRenderPagePayload,
    async run({ payload }) {
      const page = ctx.store.pageById(payload.pageId);
      if (!page || !page.sha256) return; // page deleted or now blank: nothing to render
      if (page.render_status === "done" && page.rendered_sha256 === page.sha256) return;
      const sha = page.sha256;
      let parsed: Page | null;
      try {
        parsed = await loadParsedPage(ctx, page);
      } catch (e) {
        if (isRmFormatError(e)) throw new PermanentError(`unreadable page: ${e.message}`);
        throw e;
      }
      if (!parsed) {
        return () => {
          const now = ctx.store.pageById(page.id);
          if (now?.sha256 === sha) ctx.store.setPageStatus(page.id, "awaiting_blob");
        };
      }
      const orientation = await pageOrientation(ctx, page);
      // Over a PDF page the SVG takes the PDF page's frame, as the PDF and PNG do (issue 12 item 5).
      const frame = await pdfFrameFor(ctx, page, parsed, orientation).catch(() => null);
      const drawn = drawPage(parsed, orientation, frame);
      const svgSha = await storeBytes(ctx, page.user_id, new TextEncoder().encode(drawn.svg));
      const { typedText, highlights, ink } = drawn;
      return () => {
        const applied = ctx.store.setPageRendered(page.id, {
          sha256: sha,
          svgSha256: svgSha,
          typedText,
          highlightsJson: highlights.length ? JSON.stringify(highlights) : null,
        });
        // Same transaction: page text (and its search index), todos, and the OCR decision.
        if (applied) {
          onPageRendered(ctx, page, { sha256: sha, ink, typedText, highlights: highlights.map((h) => h.text) });
          enqueueNotionSyncForPage(ctx, page);
        }
      };
    },
    onFinalFailure({ pageId }, reason) {
      ctx.store.setPageStatus(pageId, "failed", reason.slice(0, 2000));
    },
  };
}

/**
 * Everything the job computes from the parsed page. A failure here is the page's own (nothing
 * else is touched): a permanent error with the reason, so the page shows "failed" and no retry
 * repeats it.
 */
function drawPage(parsed: Page, orientation: "portrait" | "landscape" | undefined, frame: { frame: Rect; ptPerUnit: number } | null) {
  try {
    return {
      svg: renderSvg(parsed, { ...(orientation ? { orientation } : {}), ...(frame ?? {}) }),
      typedText: textToMarkdown(parsed).join("\n\n").trim() || null,
      highlights: pageHighlights(parsed),
      ink: hasInk(parsed),
    };
  } catch (e) {
    throw new PermanentError(`page could not be drawn: ${e instanceof Error ? e.message : String(e)}`);
  }
}
