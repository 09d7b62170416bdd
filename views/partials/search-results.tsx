// Search hits: each opens the page at the hit. Snippets come from services/library/search.ts markSnippet:
// the text is HTML-escaped first, then only the hit markers become <mark> elements.
import { formatDate } from "./modal.tsx";

export interface SearchHit {
  kind: "page" | "document" | "folder";
  source: string;
  document: { uuid: string; name: string; lastModified: string | null };
  page: { id: string; idx: number } | null;
  /** Already escaped, with <mark> around the hits. */
  snippet: string;
  /** The page's thumbnail URL (page hits that can be shown). */
  thumb?: string | null;
}

export function hitHref(h: SearchHit): string {
  if (h.kind === "folder") return `/folders/${h.document.uuid}`;
  return h.page ? `/documents/${h.document.uuid}/pages/${h.page.idx + 1}` : `/documents/${h.document.uuid}`;
}

export function SearchHits(p: { items: SearchHit[]; id?: string }) {
  return (
    <ol class="hits" id={p.id}>
      {p.items.map((h) => {
        const safeSnippet = h.snippet;
        return (
          <li class="hit" data-source={h.source}>
            <a href={hitHref(h)}>
              {h.thumb ? <img class="hit-thumb" src={h.thumb} alt="" loading="lazy" decoding="async" width="48" height="64" /> : ""}
              <span class="hit-title" safe>
                {h.page ? `${h.document.name} — page ${h.page.idx + 1}` : h.document.name}
              </span>
              <span class="badge" safe>{h.source}</span>
            </a>
            <p class="snippet">{safeSnippet}</p>
            <span class="meta" safe>
              {formatDate(h.document.lastModified)}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** The header dropdown: a few hits and a link to the full results. */
export function SearchDropdown(p: { q: string; items: SearchHit[]; more: boolean }) {
  if (!p.q.trim()) return "";
  return (
    <div class="dropdown" role="region" aria-label="Search results">
      {p.items.length ? <SearchHits items={p.items} /> : <p class="muted">No matches.</p>}
      <a class="all-results" href={`/search?${new URLSearchParams({ q: p.q })}`}>
        {p.more ? "All results →" : "Open search →"}
      </a>
    </div>
  );
}
