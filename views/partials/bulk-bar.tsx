// Bulk actions on the library (issue 13 item 15): a plain form (CSRF field) around the bar and the
// listing. public/app.js gives every notebook (`.doc-card[data-doc-uuid]`, grid or list) its
// checkbox `doc.<uuid>` — 48 of them in the HTML would cost the page's byte budget — and shows the
// bar (hidden until then), counts the selection and disables the buttons while nothing is ticked.
import type { PropsWithChildren } from "@kitajs/html";

export interface BulkNotice {
  action: "download" | "ocr" | "notion";
  documents: number;
  queued: number;
  problem: "ocr_not_configured" | "ocr_paused" | "quota_exceeded" | "notion_not_connected" | "none_selected" | null;
}

const PROBLEM_TEXT: Record<NonNullable<BulkNotice["problem"]>, string> = {
  none_selected: "Select one or more notebooks first (the box on each card).",
  ocr_not_configured: "OCR is not set up on this server: the Quota page says what to do.",
  ocr_paused: "OCR is paused: the OCR provider rejected the server's API key.",
  quota_exceeded: "This month's OCR quota is used up: the pages are read when it resets (see Quota).",
  notion_not_connected: "Notion is not connected: connect it under Settings › Notion, then try again.",
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The sentence after a bulk action (numbers and known codes only). */
export function bulkNoticeText(n: BulkNotice): string {
  const done =
    n.action === "ocr"
      ? n.documents === 0
        ? ""
        : n.queued === 0
          ? `Nothing to read in ${plural(n.documents, "notebook", "notebooks")}: no page is waiting for OCR.`
          : `OCR queued for ${plural(n.queued, "page", "pages")} in ${plural(n.documents, "notebook", "notebooks")}.`
      : n.action === "notion"
        ? n.documents === 0
          ? ""
          : `Sync to Notion queued for ${plural(n.queued, "notebook", "notebooks")}.`
        : "";
  return [done, n.problem ? PROBLEM_TEXT[n.problem] : ""].filter(Boolean).join(" ");
}

/** The bar of bulk actions; `children` (the listing with its boxes) go inside the same form. */
export function BulkForm(p: PropsWithChildren<{ csrf: string; back: string; ocrActive: boolean; notice: BulkNotice | null }>) {
  const text = p.notice ? bulkNoticeText(p.notice) : "";
  return (
    <>
      {text ? (
        <p id="bulk-notice" class={`notice${p.notice?.problem ? " warn" : ""}`} role="status" data-bulk-problem={p.notice?.problem ?? undefined} safe>
          {text}
        </p>
      ) : (
        ""
      )}
      <form id="bulk-form" method="post" action="/library/bulk">
        <div class="bulk-bar" role="group" aria-label="Selected notebooks" hidden>
          <input type="hidden" name="csrf" value={p.csrf} />
          <input type="hidden" name="back" value={p.back} />
          <label class="select-all">
            <input type="checkbox" id="bulk-all" /> Select all
          </label>
          <output id="bulk-count" aria-live="polite">
            Select notebooks for:
          </output>
          <span class="bulk-download">
            <button type="submit" name="action" value="download" data-action="bulk-download">
              Download (zip)
            </button>
            <select name="format" aria-label="Download as">
              <option value="pdf">as PDF</option>
              <option value="rmdoc">as .rmdoc</option>
            </select>
          </span>
          {p.ocrActive ? (
            <button type="submit" name="action" value="ocr" data-action="bulk-ocr">
              OCR now
            </button>
          ) : (
            ""
          )}
          <button type="submit" name="action" value="notion" data-action="bulk-notion">
            Sync to Notion
          </button>
        </div>
        {p.children}
      </form>
    </>
  );
}
