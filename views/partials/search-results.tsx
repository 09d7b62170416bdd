// Search hits: each opens the page at the hit. Snippets come from services/library/search.ts markSnippet:
// the text is HTML-escaped first, then only the hit markers become <mark> elements.
import { formatDate } from "./modal.tsx";

export interface SearchHit {
  kind: "page" | "document" | "folder";
  source: string;
  document: { uuid: string; name: string; lastModified: string | null };
  page: { id: string; idx: number; ready?: boolean } | null;
  /** Already escaped, with <mark> around the hits. */
  snippet: string;
  /** The page's thumbnail URL (page hits that can be shown). */
  thumb?: string | null;
  /** The page's words that matched (the page view marks them). */
  words?: string[];
  /** Found through a word one typo away from the query. */
  typo?: boolean;
}

/** How a text source is named for people. */
export const SOURCE_LABEL: Record<string, string> = { ocr: "handwriting", typed: "typed", highlight: "highlight", pdf: "printed text", name: "name" };

export function hitHref(h: SearchHit): string {
  if (h.kind === "folder") return `/folders/${h.document.uuid}`;
  if (!h.page) return `/documents/${h.document.uuid}`;
  const hl = h.words?.length ? `?${new URLSearchParams({ hl: h.words.join(" ") })}` : "";
  return `/documents/${h.document.uuid}/pages/${h.page.idx + 1}${hl}`;
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
              <span class="badge" safe>{SOURCE_LABEL[h.source] ?? h.source}</span>
              {h.typo ? <span class="badge typo">close match</span> : ""}
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
