// A document: breadcrumbs, downloads, the live page grid. `integrations` is a slot for other
// features (e.g. the Notion sync status) rendered by their own partials.
import type { DocumentData, HeaderInfo } from "../../src/services/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { Breadcrumbs } from "../partials/breadcrumbs.tsx";
import { formatDate } from "../partials/modal.tsx";
import { PageGrid } from "../partials/page-grid.tsx";

export function DocumentPage(p: { header: HeaderInfo; doc: DocumentData; integrations?: JSX.Element }): string {
  const d = p.doc;
  const safeIntegrations = p.integrations ?? "";
  return render(
    <Layout title={d.name} header={p.header} active="library">
      <Breadcrumbs crumbs={d.crumbs} current={d.name} />
      <h1 safe>{d.name}</h1>
      <p class="meta">
        <span safe>{`${d.pages.length} page${d.pages.length === 1 ? "" : "s"} · modified ${formatDate(d.lastModified)}`}</span>
        {d.tags.map((t) => (
          <span class="tag" safe>
            {t}
          </span>
        ))}
      </p>
      <p class="actions">
        <a class="button" href={`/api/v1/documents/${d.uuid}/pdf`} download="" data-download="pdf">
          Download PDF
        </a>
        <a class="button" href={`/api/v1/documents/${d.uuid}/markdown`} data-download="markdown">
          Markdown
        </a>
      </p>
      {d.pages.some((pg) => pg.status === "failed" || pg.status === "pending_quota" || pg.status === "pending_ocr") ? (
        <p>
          <button type="button" data-action="ocr-document" hx-post={`/documents/${d.uuid}/ocr`} hx-target="#pages" hx-swap="outerHTML">
            OCR waiting and failed pages
          </button>
        </p>
      ) : (
        ""
      )}
      <div id="integrations-slot">{safeIntegrations}</div>
      <PageGrid doc={d} />
    </Layout>
  );
}
