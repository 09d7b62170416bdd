// The search page: filters as plain form fields, results with highlighted snippets, paging.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { SearchHits, type SearchHit } from "../partials/search-results.tsx";

export interface SearchPageProps {
  header: HeaderInfo;
  q: Record<string, string>;
  folders: { uuid: string; name: string }[];
  result: { items: SearchHit[]; nextOffset: number | null; offset: number; ms: number } | null;
  error: string | null;
}

export function SearchPage(p: SearchPageProps): string {
  const q = p.q;
  const sel = (a: string | undefined, b: string) => (a === b ? true : undefined);
  return render(
    <Layout title={q.q ? `Search: ${q.q}` : "Search"} header={p.header} active="search" q={q.q ?? ""}>
      <h1>Search</h1>
      <form id="search-form" method="get" action="/search" class="filters">
        <label>
          Words <input type="search" name="q" value={q.q ?? ""} required />
        </label>
        <label>
          Folder
          <select name="folder">
            <option value="">Any</option>
            {p.folders.map((f) => (
              <option value={f.uuid} selected={sel(q.folder, f.uuid)} safe>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag <input type="text" name="tag" value={q.tag ?? ""} />
        </label>
        <label>
          Source
          <select name="source">
            <option value="">Any</option>
            <option value="ocr" selected={sel(q.source, "ocr")}>
              Handwriting
            </option>
            <option value="typed" selected={sel(q.source, "typed")}>
              Typed text
            </option>
            <option value="highlight" selected={sel(q.source, "highlight")}>
              Highlights
            </option>
            <option value="pdf" selected={sel(q.source, "pdf")}>
              Printed text (PDF, EPUB)
            </option>
            <option value="name" selected={sel(q.source, "name")}>
              Names
            </option>
          </select>
        </label>
        <label>
          From <input type="date" name="from" value={q.from ?? ""} />
        </label>
        <label>
          To <input type="date" name="to" value={q.to ?? ""} />
        </label>
        <button type="submit">Search</button>
      </form>
      {p.error ? (
        <p class="err" role="alert" safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      <section id="search-page-results" aria-label="Results">
        {p.result ? (
          p.result.items.length ? (
            <>
              <SearchHits items={p.result.items} />
              {p.result.nextOffset !== null ? (
                <nav aria-label="Pagination" class="pager">
                  <a rel="next" href={`/search?${new URLSearchParams({ ...q, offset: String(p.result.nextOffset) })}`}>
                    More results →
                  </a>
                </nav>
              ) : (
                ""
              )}
            </>
          ) : (
            <p>No matches.</p>
          )
        ) : (
          ""
        )}
      </section>
    </Layout>
  );
}
