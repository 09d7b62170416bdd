// A document's pages with their status badges. While a page renders or waits in the OCR queue the
// grid polls itself (every 2 s; every 5 s while pages only settle, every minute when the next read
// is more than 15 minutes away; outerHTML swap); once nothing is in progress it is returned
// without the trigger, which stops the polling.
import type { DocumentData, PageItem, PageStatus } from "../../src/services/library/dashboard.ts";
import { formatTime } from "./modal.tsx";

export const STATUS_LABEL: Record<PageStatus, string> = {
  rendering: "rendering…",
  render_failed: "render failed",
  blank: "blank",
  pdf: "PDF page",
  typed: "typed",
  done: "done",
  queued: "OCR queued…",
  settling: "settling",
  pending_ocr: "OCR waiting (not configured or paused)",
  pending_quota: "OCR pending (quota)",
  failed: "OCR failed",
  held: "not read: beyond the initial-sync limit",
};

/** A page waiting for the settle delay: "settling · read at 2026-03-10 09:15 UTC". */
export function settlingLabel(readAt: number | null): string {
  return readAt === null ? "settling" : `settling · read at ${formatTime(readAt)}`;
}

export function StatusBadge(p: { status: PageStatus; readAt?: number | null }) {
  const readAt = p.status === "settling" ? (p.readAt ?? null) : null;
  return (
    <span
      class={`badge ${p.status}`}
      data-status={p.status}
      {...(readAt !== null ? { "data-read-at": new Date(readAt).toISOString(), title: "Read once the page has stopped changing (RMIRROR_OCR_SETTLE_SECONDS)" } : {})}
      safe
    >
      {p.status === "settling" ? settlingLabel(readAt) : STATUS_LABEL[p.status]}
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
  const poll = d.poll !== null ? { "hx-get": `/documents/${d.uuid}/status`, "hx-trigger": `every ${d.poll}s`, "hx-swap": "outerHTML" } : {};
  return (
    <section id="pages" aria-label="Pages" data-polling={d.poll !== null ? "1" : "0"} {...poll}>
      {d.pages.length === 0 ? <p>This document has no pages.</p> : ""}
      <ol class="grid">
        {d.pages.map((pg) => (
          <li class="page-thumb" data-page-status={pg.status} data-page-id={pg.id}>
            <a href={`/documents/${d.uuid}/pages/${pg.n}`}>
              <Thumb uuid={d.uuid} page={pg} />
              <span class="name" safe>{`Page ${pg.n}`}</span>
            </a>
            <StatusBadge status={pg.status} readAt={pg.readAt} />
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
