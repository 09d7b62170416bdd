// A document: breadcrumbs, downloads, the live page grid. `integrations` is a slot for other
// features (e.g. the Notion sync status) rendered by their own partials.
import type { DocumentData, HeaderInfo, Removed } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { Breadcrumbs } from "../partials/breadcrumbs.tsx";
import { formatDate } from "../partials/modal.tsx";
import { OcrNotice, PageGrid } from "../partials/page-grid.tsx";

/** Trashed or deleted on the tablet: read-only here; restoring happens on the tablet. */
export function RemovedNotice(p: { removed: Removed }) {
  const r = p.removed;
  return (
    <p id="removed-notice" class="notice" role="status" data-trash-state={r.state}>
      {r.state === "deleted" ? (
        <span safe>{`Deleted on your tablet; kept read-only until ${r.purgeOn ?? "—"}, then removed from this server.`}</span>
      ) : (
        <span>In your tablet's trash.</span>
      )}{" "}
      To keep it, restore it on your tablet; it comes back here at the next sync. <a href="/trash">Trash</a>
    </p>
  );
}

export function DocumentPage(p: { header: HeaderInfo; doc: DocumentData; integrations?: JSX.Element; ocrActive?: boolean }): string {
  const d = p.doc;
  const read = d.pages.filter((pg) => pg.status === "done").length;
  const held = d.pages.filter((pg) => pg.status === "held").length;
  const safeIntegrations = p.integrations ?? "";
  return render(
    <Layout title={d.name} header={p.header} active="library">
      <Breadcrumbs crumbs={d.crumbs} current={d.name} trash={d.removed !== null} />
      <h1 safe>{d.name}</h1>
      {d.removed ? <RemovedNotice removed={d.removed} /> : ""}
      <p class="meta">
        <span safe>{`${d.pages.length} page${d.pages.length === 1 ? "" : "s"} · modified ${formatDate(d.lastModified)}`}</span>
        {d.tags.map((t) => (
          <span class="tag" safe>
            {t}
          </span>
        ))}
      </p>
      {/* Downloads: also for documents in the trash or deleted (until they are purged). */}
      <p class="actions" id="downloads">
        <a class="button" href={`/api/v1/documents/${d.uuid}/pdf`} download="" data-download="pdf">
          Download PDF
        </a>
        {d.original ? (
          <a class="button" href={`/api/v1/documents/${d.uuid}/original`} download="" data-download="original" data-original={d.original}>
            {d.original === "pdf" ? "Original PDF" : "Original EPUB"}
          </a>
        ) : (
          ""
        )}
        <a class="button" href={`/api/v1/documents/${d.uuid}/rmdoc`} download="" data-download="rmdoc" title="For the reMarkable desktop app (File › Import)">
          .rmdoc
        </a>
        <a class="button" href={`/api/v1/documents/${d.uuid}/markdown`} data-download="markdown">
          Markdown
        </a>
      </p>
      {d.removed?.state !== "deleted" && d.pages.some((pg) => pg.status === "failed" || pg.status === "pending_quota" || pg.status === "pending_ocr") ? (
        <p>
          <button type="button" data-action="ocr-document" hx-post={`/documents/${d.uuid}/ocr`} hx-target="#pages" hx-swap="outerHTML">
            OCR waiting and failed pages
          </button>
        </p>
      ) : (
        ""
      )}
      {d.removed?.state !== "deleted" && held > 0 ? (
        <p id="held-pages" data-held={String(held)}>
          <span safe>{`${held} page${held === 1 ? " was" : "s were"} not read: beyond the initial-sync limit of the computer this notebook came from (its newest pages were read first). `}</span>
          <button
            type="button"
            data-action="read-held"
            hx-post={`/documents/${d.uuid}/ocr-held`}
            hx-target="#pages"
            hx-swap="outerHTML"
            hx-confirm={`Read the remaining ${held} page${held === 1 ? "" : "s"}? Each costs one page of your monthly OCR quota (newest first, as far as the quota reaches).`}
            safe
          >
            {`Read the remaining ${held} page${held === 1 ? "" : "s"}`}
          </button>
        </p>
      ) : (
        ""
      )}
      {d.removed?.state !== "deleted" && p.ocrActive && read > 0 ? (
        <p>
          <button
            type="button"
            data-action="reread-document"
            hx-post={`/documents/${d.uuid}/reread`}
            hx-target="#pages"
            hx-swap="outerHTML"
            hx-confirm={`Read the ${read} read page${read === 1 ? "" : "s"} of this notebook again with the current OCR settings? Each costs one page of your monthly OCR quota.`}
          >
            Re-read handwriting
          </button>
        </p>
      ) : (
        ""
      )}
      <OcrNotice />
      <div id="integrations-slot">{safeIntegrations}</div>
      <PageGrid doc={d} />
    </Layout>
  );
}
