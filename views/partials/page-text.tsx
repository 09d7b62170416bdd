// The text beside a page: OCR Markdown (rendered safely), typed text, highlights, the OCR status
// with a Retry button for failed pages. Polls itself while the page renders or waits for OCR.
import type { PageData } from "../../src/services/library/dashboard.ts";
import { markdownToSafeHtml } from "./markdown.ts";
import { StatusBadge } from "./page-grid.tsx";

/** `ocrActive`: an OCR engine is configured and not paused ("Run OCR now" can work). */
export function PageText(p: { data: PageData; ocrActive: boolean }) {
  const d = p.data;
  const base = `/documents/${d.doc.uuid}/pages/${d.page.n}`;
  const poll = d.busy ? { "hx-get": `${base}/status`, "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {};
  const safeMarkdownHtml = d.markdown ? markdownToSafeHtml(d.markdown) : "";
  // Typed text is Markdown too (headings, bold, lists): shown formatted, like the OCR text.
  const safeTypedHtml = d.typedText ? markdownToSafeHtml(d.typedText) : "";
  // Without a working engine "Run OCR now" could only fail: a waiting page says how to set OCR up.
  const setup = !p.ocrActive && d.page.status === "pending_ocr";
  const retry = !d.deleted && !setup && (d.page.status === "failed" || d.page.status === "pending_quota" || d.page.status === "pending_ocr");
  return (
    <section id="page-text" aria-label="Page text" data-page-status={d.page.status} data-polling={d.busy ? "1" : "0"} {...poll}>
      <p class="status">
        <StatusBadge status={d.page.status} />
        {d.page.error && (d.page.status === "failed" || d.page.status === "render_failed") ? (
          <span class="err" safe>
            {d.page.error}
          </span>
        ) : (
          ""
        )}
        {setup ? (
          <span class="hint" data-ocr-setup="1">
            Handwriting is read once an OCR engine is set up: see <a href="/quota">OCR quota</a>.
          </span>
        ) : (
          ""
        )}
        {retry ? (
          <button type="button" data-action="retry-ocr" hx-post={`${base}/ocr`} hx-target="#page-text" hx-swap="outerHTML">
            {d.page.status === "failed" ? "Retry OCR" : "Run OCR now"}
          </button>
        ) : (
          ""
        )}
      </p>
      {d.markdown ? (
        <article class="text-block">
          <header>
            <h2>Handwriting (OCR)</h2>
            <button type="button" data-copy="#ocr-text">
              Copy
            </button>
          </header>
          <div id="ocr-text" class="markdown">
            {safeMarkdownHtml}
          </div>
        </article>
      ) : (
        ""
      )}
      {d.typedText ? (
        <article class="text-block">
          <header>
            <h2>Typed text</h2>
            <button type="button" data-copy="#typed-text">
              Copy
            </button>
          </header>
          <div id="typed-text" class="markdown">
            {safeTypedHtml}
          </div>
        </article>
      ) : (
        ""
      )}
      {d.highlights ? (
        <article class="text-block">
          <header>
            <h2>Highlights</h2>
            <button type="button" data-copy="#highlights">
              Copy
            </button>
          </header>
          <pre id="highlights" safe>
            {d.highlights}
          </pre>
        </article>
      ) : (
        ""
      )}
      {d.printedText ? (
        <article class="text-block">
          <header>
            <h2>Printed text</h2>
            <button type="button" data-copy="#printed-text">
              Copy
            </button>
          </header>
          <pre id="printed-text" class="printed" safe>
            {d.printedText}
          </pre>
        </article>
      ) : (
        ""
      )}
      {!d.markdown && !d.typedText && !d.highlights && !d.printedText ? <p class="muted">No text on this page yet.</p> : ""}
    </section>
  );
}
