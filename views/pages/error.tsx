// A full error page for browsers (htmx requests get views/partials/modal.tsx, API clients JSON).
import { BareLayout } from "../layouts/layout.tsx";
import { quotaSentence, type QuotaInfo } from "../partials/modal.tsx";

export function ErrorPage(p: { status: number; code: string; message: string; quota?: QuotaInfo | undefined }): string {
  const title = p.status === 402 ? "Monthly OCR quota reached" : p.status === 404 ? "Not found" : p.status === 403 ? "Not allowed" : "Error";
  return BareLayout({
    title,
    children: (
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
    ),
  });
}
