// A full error page for browsers (htmx requests get views/partials/modal.tsx, API clients JSON).
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { BareLayout, Layout } from "../layouts/layout.tsx";
import { quotaSentence, type QuotaInfo } from "../partials/modal.tsx";

/** With `header` (a signed-in user) the page keeps the dashboard's header: navigation, search, account. */
export function ErrorPage(p: { status: number; code: string; message: string; quota?: QuotaInfo | undefined; header?: HeaderInfo | undefined }): string {
  const title = p.status === 402 ? "Monthly OCR quota reached" : p.status === 404 ? "Not found" : p.status === 403 ? "Not allowed" : "Error";
  const body = (
    <section class="error-page" data-error-code={p.code}>
      {p.quota ? (
        <p safe>{quotaSentence(p.quota)}</p>
      ) : (
        <p class="err" safe>
          {p.message}
        </p>
      )}
      <p>
        <a href="/">Back to the library</a>
      </p>
    </section>
  );
  if (!p.header) return BareLayout({ title, children: body });
  return Layout({
    title,
    header: p.header,
    children: (
      <>
        <h1>{title}</h1>
        {body}
      </>
    ),
  });
}
