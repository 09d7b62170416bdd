// A document's pages with their status badges. While a page renders or waits in the OCR queue the
// grid polls itself every 2 s (outerHTML swap); once nothing is busy it is returned without the
// trigger, which stops the polling.
import type { DocumentData, PageItem, PageStatus } from "../../src/services/library/dashboard.ts";

export const STATUS_LABEL: Record<PageStatus, string> = {
  rendering: "rendering…",
  render_failed: "render failed",
  blank: "blank",
  pdf: "PDF page",
  typed: "typed",
  done: "done",
  queued: "OCR queued…",
  pending_ocr: "OCR waiting (not configured or paused)",
  pending_quota: "OCR pending (quota)",
  failed: "OCR failed",
};

export function StatusBadge(p: { status: PageStatus }) {
  return (
    <span class={`badge ${p.status}`} data-status={p.status} safe>
      {STATUS_LABEL[p.status]}
    </span>
  );
}

function Thumb(p: { uuid: string; page: PageItem }) {
  if (!p.page.thumb)
    return (
      <span class="thumb-placeholder" aria-hidden="true">
        …
      </span>
    );
  return <img src={p.page.thumb} alt={`Page ${p.page.n}`} loading="lazy" decoding="async" width="156" height="208" />;
}

export function PageGrid(p: { doc: DocumentData }) {
  const d = p.doc;
  const poll = d.busy ? { "hx-get": `/documents/${d.uuid}/status`, "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {};
  return (
    <section id="pages" aria-label="Pages" data-polling={d.busy ? "1" : "0"} {...poll}>
      {d.pages.length === 0 ? <p>This document has no pages.</p> : ""}
      <ol class="grid">
        {d.pages.map((pg) => (
          <li class="page-thumb" data-page-status={pg.status} data-page-id={pg.id}>
            <a href={`/documents/${d.uuid}/pages/${pg.n}`}>
              <Thumb uuid={d.uuid} page={pg} />
              <span class="name" safe>{`Page ${pg.n}`}</span>
            </a>
            <StatusBadge status={pg.status} />
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The line above the grid that says what an OCR action did (swapped out of band after Re-read). */
export function OcrNotice(p: { message?: string; kind?: "ok" | "warn"; oob?: boolean; data?: { queued: number; short: number } }) {
  return (
    <p
      id="ocr-notice"
      class={p.message ? `card ${p.kind === "warn" ? "warn" : "ok"}` : ""}
      role="status"
      aria-live="polite"
      {...(p.oob ? { "hx-swap-oob": "true" } : {})}
      {...(p.data ? { "data-queued": String(p.data.queued), "data-short": String(p.data.short) } : {})}
      safe
    >
      {p.message ?? ""}
    </p>
  );
}
