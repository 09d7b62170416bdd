import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { listFolders } from "../../../services/library/library.ts";
import { search, type SearchQuery } from "../../../services/library/search.ts";
import { hitThumbs } from "../../../services/library/thumbnails.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { SearchPage } from "../../../../views/pages/search.tsx";
import { SearchDropdown } from "../../../../views/partials/search-results.tsx";
import { AppError } from "../../errors.ts";
import { dashboardHtml } from "../../http.ts";

/** Page hits with their page's thumbnail (the PDF page under the ink for annotated PDFs). */
function withThumbs<T extends { document: { uuid: string }; page: { id: string } | null }>(ctx: AppContext, auth: Auth, items: T[]): (T & { thumb: string | null })[] {
  const thumbs = hitThumbs(ctx, auth.user.id, items);
  return items.map((h, i) => ({ ...h, thumb: thumbs[i] ?? null }));
}

const FIELDS = ["q", "folder", "tag", "source", "from", "to", "offset"] as const;

/**
 * GET /search — the results page; an htmx request from the header box (HX-Target: search-results)
 * gets only the dropdown fragment.
 */
export function searchPage(ctx: AppContext, auth: Auth, request: Request, query: Record<string, string | undefined>): Response {
  const q: Record<string, string> = {};
  for (const f of FIELDS) if (query[f]) q[f] = query[f]!;
  const text = (q.q ?? "").trim();
  if (request.headers.get("hx-request") === "true" && request.headers.get("hx-target") === "search-results") {
    if (!text) return dashboardHtml("");
    let r;
    try {
      r = search(ctx, auth.user.id, { q: text, limit: "8" });
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return dashboardHtml("");
      throw e;
    }
    return dashboardHtml(render(SearchDropdown({ q: text, items: withThumbs(ctx, auth, r.items), more: r.nextOffset !== null })));
  }
  let result = null;
  let error: string | null = null;
  if (text) {
    try {
      const r = search(ctx, auth.user.id, { ...q, q: text, limit: "20" } as SearchQuery);
      result = { ...r, items: withThumbs(ctx, auth, r.items) };
    } catch (e) {
      if (!(e instanceof AppError) || e.status !== 400) throw e;
      error = e.message;
    }
  }
  return dashboardHtml(SearchPage({ header: headerInfo(ctx, auth), q, folders: listFolders(ctx, auth.user.id).filter((f) => !f.inTrash), result, error }), error ? 400 : 200);
}
