// The text beside a page: OCR Markdown (rendered safely), typed text, highlights, the OCR status
// with a Retry button for failed pages. Polls itself while the page renders or waits for OCR.
import type { PageData } from "../../src/services/library/dashboard.ts";
import { markdownToSafeHtml } from "./markdown.ts";
import { formatTime } from "./modal.tsx";
import { StatusBadge } from "./page-grid.tsx";

const READ_REASON: Record<string, string> = { new: "as a new page", changed: "because its strokes changed", requested: "when asked for (OCR now)", reread: "again on request (re-read)" };

/** `ocrActive`: an OCR engine is configured and not paused ("Run OCR now" can work). */
export function PageText(p: { data: PageData; ocrActive: boolean }) {
  const d = p.data;
  const base = `/documents/${d.doc.uuid}/pages/${d.page.n}`;
  const poll = d.poll !== null ? { "hx-get": `${base}/status`, "hx-trigger": `every ${d.poll}s`, "hx-swap": "outerHTML" } : {};
  const safeMarkdownHtml = d.markdown ? markdownToSafeHtml(d.markdown) : "";
  // Typed text is Markdown too (headings, bold, lists): shown formatted, like the OCR text.
  const safeTypedHtml = d.typedText ? markdownToSafeHtml(d.typedText) : "";
  // Without a working engine "Run OCR now" could only fail: a waiting page says how to set OCR up.
  const setup = !p.ocrActive && d.page.status === "pending_ocr";
  const retry = !d.deleted && !setup && (d.page.status === "failed" || d.page.status === "pending_quota" || d.page.status === "pending_ocr" || d.page.status === "settling" || d.page.status === "held");
  const settling = d.page.status === "settling";
  return (
    <section id="page-text" aria-label="Page text" data-page-status={d.page.status} data-polling={d.poll !== null ? "1" : "0"} {...poll}>
      <p class="status">
        <StatusBadge status={d.page.status} readAt={d.page.readAt} />
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
            {d.page.status === "failed" ? "Retry OCR" : settling ? "Read now" : "Run OCR now"}
          </button>
        ) : (
          ""
        )}
      </p>
      {d.correction?.stale ? <CorrectionConflict data={d} base={base} /> : ""}
      {d.markdown ? (
        <article class="text-block" id="ocr-block" data-corrected={d.correction && !d.correction.stale ? "1" : "0"}>
          <header>
            <h2>Handwriting (OCR)</h2>
            {d.correction && !d.correction.stale ? <span class="badge corrected">corrected by you</span> : ""}
            <button type="button" data-copy="#ocr-text">
              Copy
            </button>
          </header>
          <div id="ocr-text" class="markdown">
            {safeMarkdownHtml}
          </div>
          {d.ocrRead ? (
            <p class="muted" data-read-reason={d.ocrRead.reason ?? "unknown"} safe>
              {`Read ${READ_REASON[d.ocrRead.reason ?? ""] ?? ""}${d.ocrRead.model ? ` by ${d.ocrRead.model}` : ""}`.replace(/^Read $/, "Read")}
            </p>
          ) : (
            ""
          )}
          {d.deleted || d.correction?.stale ? "" : <CorrectionForm data={d} base={base} />}
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
      {settling ? (
        <p class="hint" data-settling="1" safe>
          {`The handwriting is read once the page has stopped changing, at ${formatTime(d.page.readAt)}${d.markdown ? "; until then the text of the previous version is shown" : ""}. “Read now” does not wait.`}
        </p>
      ) : !d.markdown && !d.typedText && !d.highlights && !d.printedText ? (
        <p class="muted">No text on this page yet.</p>
      ) : (
        ""
      )}
    </section>
  );
}

/** Correct the OCR text: a form in a disclosure, saved with htmx (CSRF header from the body). */
function CorrectionForm(p: { data: PageData; base: string }) {
  const d = p.data;
  return (
    <details class="correction">
      <summary>Correct the text</summary>
      <form hx-post={`${p.base}/correction`} hx-target="#page-text" hx-swap="outerHTML">
        <label for="correction-text">Corrected text (Markdown). Kept until the page's handwriting changes.</label>
        <textarea id="correction-text" name="text" rows="12" safe>
          {d.markdown ?? ""}
        </textarea>
        <p class="actions">
          <button type="submit" data-action="save-correction">
            Save correction
          </button>
          {d.correction ? (
            <button type="button" data-action="discard-correction" hx-post={`${p.base}/correction/discard`} hx-target="#page-text" hx-swap="outerHTML">
              Back to the machine text
            </button>
          ) : (
            ""
          )}
        </p>
      </form>
    </details>
  );
}

/** The page changed after the user corrected it: both texts, keep or discard. */
function CorrectionConflict(p: { data: PageData; base: string }) {
  const c = p.data.correction!;
  const safeOld = markdownToSafeHtml(c.text);
  const safeNew = c.machine ? markdownToSafeHtml(c.machine) : "";
  return (
    <article class="text-block conflict" id="correction-conflict" role="group" aria-label="Your correction and the new text">
      <header>
        <h2>The page changed after you corrected its text</h2>
      </header>
      <p class="hint">The new handwriting was read again. Keep your correction, or use the new machine text.</p>
      <div class="both">
        <section aria-label="Your correction">
          <h3>Your correction</h3>
          <div id="correction-old" class="markdown">
            {safeOld}
          </div>
        </section>
        <section aria-label="New machine text">
          <h3>New machine text</h3>
          <div id="correction-new" class="markdown">
            {c.machine ? safeNew : <p class="muted">Not read yet.</p>}
          </div>
        </section>
      </div>
      <p class="actions">
        <button type="button" data-action="keep-correction" hx-post={`${p.base}/correction/keep`} hx-target="#page-text" hx-swap="outerHTML">
          Keep my correction
        </button>
        <button type="button" data-action="discard-correction" hx-post={`${p.base}/correction/discard`} hx-target="#page-text" hx-swap="outerHTML">
          Use the new text
        </button>
      </p>
    </article>
  );
}
