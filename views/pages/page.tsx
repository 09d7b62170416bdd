// One page: the rendered SVG (zoom buttons, click to toggle fit-width) beside its text, with
// previous/next links (keys ← → and k j in app.js).
import type { HeaderInfo, PageData } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { PageText } from "../partials/page-text.tsx";

export function PageView(p: { header: HeaderInfo; data: PageData; ocrActive: boolean }): string {
  const d = p.data;
  const base = `/documents/${d.doc.uuid}/pages`;
  return render(
    <Layout title={`${d.doc.name} — page ${d.page.n}`} header={p.header} active="library">
      <nav aria-label="Breadcrumb" class="crumbs">
        <ol>
          <li>
            <a href="/">Library</a>
          </li>
          {d.removed ? (
            <li>
              <a href="/trash">Trash</a>
            </li>
          ) : (
            ""
          )}
          <li>
            <a href={`/documents/${d.doc.uuid}`} safe>
              {d.doc.name}
            </a>
          </li>
          <li aria-current="page" safe>{`Page ${d.page.n} of ${d.doc.pageCount}`}</li>
        </ol>
      </nav>
      <nav aria-label="Pages" class="pager">
        {d.page.n > 1 ? (
          <a rel="prev" href={`${base}/${d.page.n - 1}`} aria-keyshortcuts="ArrowLeft k">
            ← Previous
          </a>
        ) : (
          <span class="muted">← Previous</span>
        )}
        <span safe>{`Page ${d.page.n} of ${d.doc.pageCount}`}</span>
        {d.page.n < d.doc.pageCount ? (
          <a rel="next" href={`${base}/${d.page.n + 1}`} aria-keyshortcuts="ArrowRight j">
            Next →
          </a>
        ) : (
          <span class="muted">Next →</span>
        )}
      </nav>
      <div class="page-layout">
        <figure class="page-figure">
          <div class="zoom-controls" role="group" aria-label="Zoom">
            <button type="button" data-zoom="out" aria-label="Zoom out">
              −
            </button>
            <button type="button" data-zoom="fit" aria-label="Fit width">
              Fit
            </button>
            <button type="button" data-zoom="in" aria-label="Zoom in">
              +
            </button>
            {d.page.ready && d.page.status !== "blank" ? (
              <span class="page-downloads">
                <span class="muted">Download page:</span>{" "}
                <a href={`/api/v1/documents/${d.doc.uuid}/pages/${encodeURIComponent(d.page.id)}/png?longEdge=2048&download=1`} download="" data-download="page-png">
                  PNG
                </a>{" "}
                <a href={`/api/v1/documents/${d.doc.uuid}/pages/${encodeURIComponent(d.page.id)}/svg?download=1`} download="" data-download="page-svg">
                  SVG
                </a>
              </span>
            ) : (
              ""
            )}
          </div>
          <div class="page-scroll">
            {d.page.image ? (
              <img id="page-image" class="fit" src={d.page.image} alt={`Page ${d.page.n}`} />
            ) : (
              <p id="page-image" class="thumb-placeholder">
                Not rendered yet.
              </p>
            )}
          </div>
        </figure>
        <PageText data={d} ocrActive={p.ocrActive} />
      </div>
    </Layout>
  );
}
