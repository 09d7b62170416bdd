// Full-text search over everything a user wrote, typed or highlighted, and document/folder names.
// The user's words become an FTS5 query of quoted prefix terms (all must match), so no query
// syntax can be injected; diacritics are folded by the tokenizer on both sides (Müller = muller),
// and ß/ss, æ/ae, œ/oe, ligatures … by search-text.ts fold (the index holds folded text too).
// When the exact words find fewer than TYPO_BELOW hits, words one typo away that the index holds
// (search_terms) are tried as well, and those hits follow the exact ones.
import { AppError } from "../../errors.ts";
import { fold, MIN_TYPO_LEN, oneTypoAway } from "../../storage/search-text.ts";
import type { SearchHitRow } from "../../storage/search.ts";
import type { AppContext } from "../context.ts";
import { UUID_RE } from "../ids.ts";

export const SOURCES = ["ocr", "typed", "highlight", "pdf", "name"] as const;
const MAX_TERMS = 16;
/**
 * Above this many matching rows, BM25-scoring every match costs more than the latency budget
 * (≈ 0.5 µs per row plus the joins), and a word in that many pages carries almost no IDF weight
 * anyway: such queries list the newest matching text first instead (`order: "recent"`).
 */
export const RANK_CAP = 8_000;

export interface SearchQuery {
  q?: string;
  folder?: string;
  tag?: string;
  source?: string;
  from?: string;
  to?: string;
  limit?: string;
  offset?: string;
}

/** Exact matching "finds little" below this many hits: then words one typo away are tried too. */
export const TYPO_BELOW = 5;
/** At most this many typo alternatives per query word (the closest the index holds). */
const MAX_TYPO_ALTERNATIVES = 12;

function queryWords(text: string): string[] {
  return (fold(text.normalize("NFC")).match(/[\p{L}\p{N}\p{M}_]+/gu) ?? []).slice(0, MAX_TERMS);
}

/** A query word as the tokenizer makes it (folded, accents removed, lowercase), as search_terms holds terms. */
const termKey = (w: string) => w.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();

/**
 * At most this many index terms spell out a query word's prefix (`"plan"*` → `"plan" OR "plans"`);
 * a word with more keeps FTS5's own prefix search.
 */
export const MAX_PREFIX_TERMS = 64;
/** Shorter words keep FTS5's prefix search: the index has prefix indexes for 2 and 3 letters. */
const MIN_SPELLED_PREFIX = 4;

/**
 * The FTS5 MATCH expression for free text (every word, as a prefix), or null when it has no
 * searchable word.
 *
 * With `prefixTerms` (the terms of the index that start with a word, search_terms; null when there
 * are more than MAX_PREFIX_TERMS) a word of 4+ letters is spelled out as the index terms it is a
 * prefix of, which matches the same rows: FTS5 answers a prefix that has no prefix index by
 * merging the whole document list of every term it covers before the first row (for a word on
 * most pages, 10–30 ms at 500,000 pages, and again for the count and for BM25's IDF), while exact
 * terms are read lazily and skipped through when ANDed with a rarer word.
 */
export function toMatch(text: string, prefixTerms?: (key: string) => string[] | null): string | null {
  const words = queryWords(text);
  if (!words.length) return null;
  const parts = words.map((w) => wordMatch(w, prefixTerms));
  // FTS5 needs an explicit AND before a parenthesised group.
  return parts.join(parts.some((p) => p.startsWith("(")) ? " AND " : " ");
}

/** One query word as a MATCH term: `"word"*`, or the index terms it is a prefix of (see toMatch). */
function wordMatch(w: string, prefixTerms?: (key: string) => string[] | null): string {
  const key = termKey(w);
  if (!prefixTerms || [...key].length < MIN_SPELLED_PREFIX || !/^[\p{L}\p{N}]+$/u.test(key)) return `"${w}"*`;
  const spelled = prefixTerms(key);
  if (!spelled?.length) return `"${w}"*`;
  return spelled.length === 1 ? `"${spelled[0]}"` : `(${spelled.map((s) => `"${s}"`).join(" OR ")})`;
}

/**
 * The MATCH expression for "each word, or a word one typo away from it that the index holds",
 * without the exact hits (they are listed first); null when no word has such a neighbour.
 * `known` says which of the given candidate terms exist (search_terms); `prefixTerms` spells out
 * the words themselves as in toMatch.
 */
export function toTypoMatch(text: string, known: (terms: string[]) => string[], prefixTerms?: (key: string) => string[] | null): string | null {
  const words = queryWords(text);
  let any = false;
  const parts = words.map((w) => {
    const own = wordMatch(w, prefixTerms);
    const key = termKey(w).replace(/_/g, "");
    if ([...key].length < MIN_TYPO_LEN) return own;
    const near = known(oneTypoAway(key)).slice(0, MAX_TYPO_ALTERNATIVES);
    if (!near.length) return own;
    any = true;
    return `(${own} OR ${near.map((t) => `"${t}"`).join(" OR ")})`;
  });
  if (!any) return null;
  // FTS5 needs an explicit AND before a parenthesised group.
  return `(${parts.join(" AND ")}) NOT (${toMatch(text, prefixTerms)})`;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const M = "[\\uE000\\uE001]*"; // hit markers may sit anywhere in the syntax
const LINE_SYNTAX: [RegExp, string][] = [
  [new RegExp(`^(\\s*${M})#{1,6}[ \\t]+`), "$1"], // heading hashes
  [new RegExp(`^(\\s*${M})(?:>[ \\t]?)+`), "$1"], // quotes
  [new RegExp(`^(\\s*${M})[-*+][ \\t]+${M}\\[${M}[xX]${M}\\][ \\t]*`), "$1☑ "], // done checkbox
  [new RegExp(`^(\\s*${M})[-*+][ \\t]+${M}\\[${M}[ ]${M}\\][ \\t]*`), "$1☐ "], // open checkbox
  [new RegExp(`^(\\s*${M})[-*+][ \\t]+`), "$1"], // bullet
  [/^\s*(?:[-*_][ \t]*){3,}$/, ""], // rule
];

/**
 * Markdown syntax in a snippet → plain text (before escaping): heading hashes, quote and list
 * markers go, checkboxes become ☐/☑, emphasis/code markers and link targets are dropped, lines
 * are joined. The U+E000/U+E001 hit markers are kept.
 */
export function plainSnippet(s: string): string {
  return s
    .split(/\r?\n/)
    .map((line) => {
      let l = line;
      for (const [re, to] of LINE_SYNTAX) l = l.replace(re, to);
      return l
        .replace(/!?\[([^\]\n]*)\]\([^)\s]*\)/g, "$1") // [text](url) → text
        .replace(/(\*\*|__|~~|`)/g, "") // strong, strikethrough, code
        .replace(/(^|[\s(\uE000])[*_](?=[^\s*_])/g, "$1") // opening single emphasis
        .replace(/([^\s*_])[*_](?=$|[\s).,;:!?\uE001])/g, "$1") // closing single emphasis
        .trim();
    })
    .filter((l) => l !== "")
    .join(" · ");
}

/** Escape HTML, then turn the U+E000/U+E001 hit markers into <mark>…</mark>. */
export function markSnippet(s: string): string {
  let open = false;
  // Markers stay balanced even when plainSnippet dropped one of a pair.
  const out = s.replace(/[&<>"']/g, (c) => ESC[c]!).replace(/[\uE000\uE001]/g, (m) => {
    if (m === "\uE000") return open ? "" : ((open = true), "<mark>");
    return open ? ((open = false), "</mark>") : "";
  });
  return open ? `${out}</mark>` : out;
}

/** The distinct words between hit markers in a snippet, in order (at most 8). */
export function markedWords(snip: string): string[] {
  const out = new Set<string>();
  for (const m of snip.matchAll(/\uE000([^\uE000\uE001]+)\uE001/g)) {
    const w = m[1]!.trim();
    if (w) out.add(w);
    if (out.size >= 8) break;
  }
  return [...out];
}

function parseDate(v: string | undefined, name: string): number | null {
  if (v === undefined || v === "") return null;
  const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new AppError("bad_request", `${name} must be an ISO date or epoch milliseconds.`);
  return t;
}

function parseIntParam(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined || v === "") return def;
  if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) throw new AppError("bad_request", `${name} must be an integer between ${min} and ${max}.`);
  return Number(v);
}

/** GET /api/v1/search?q=&folder=&tag=&source=&from=&to=&limit=&offset= */
export function search(ctx: AppContext, userId: number, q: SearchQuery) {
  const text = (q.q ?? "").trim();
  if (!text) throw new AppError("bad_request", "q is required.");
  if (text.length > 500) throw new AppError("bad_request", "q is longer than 500 characters.");
  const prefixTerms = (key: string) => ctx.store.searchTermsWithPrefix(key, MAX_PREFIX_TERMS);
  const match = toMatch(text, prefixTerms);
  const limit = parseIntParam(q.limit, "limit", 20, 1, 100);
  const offset = parseIntParam(q.offset, "offset", 0, 0, 10_000);
  if (q.source !== undefined && q.source !== "" && !(SOURCES as readonly string[]).includes(q.source))
    throw new AppError("bad_request", `source must be one of ${SOURCES.join(", ")}.`);
  if (q.folder !== undefined && q.folder !== "" && !UUID_RE.test(q.folder)) throw new AppError("bad_uuid");
  const from = parseDate(q.from, "from");
  const to = parseDate(q.to, "to");
  if (!match) return { query: text, order: "rank" as const, items: [], limit, offset, nextOffset: null, ms: 0 };
  const t0 = performance.now();
  const orderOf = (m: string) => (ctx.store.countMatches(m, RANK_CAP) >= RANK_CAP ? ("recent" as const) : ("rank" as const));
  const order = orderOf(match);
  const run = (m: string, o: "rank" | "recent", lim: number, off: number) =>
    ctx.store.searchText({ userId, match: m, source: q.source || null, folder: q.folder || null, tag: q.tag || null, from, to, limit: lim, offset: off }, o);
  let rows: (SearchHitRow & { typo?: true })[] = run(match, order, limit + 1, offset);
  if (rows.length <= limit) {
    // The exact hits end on this page. If they are few, words one typo away follow them (the
    // same decision on every page: it depends only on how many exact hits there are).
    const exactTotal = rows.length || offset === 0 ? offset + rows.length : run(match, order, TYPO_BELOW, 0).length;
    const typo = exactTotal < TYPO_BELOW ? toTypoMatch(text, (t) => ctx.store.knownSearchTerms(t), prefixTerms) : null;
    if (typo) {
      const more = run(typo, orderOf(typo), limit + 1 - rows.length, Math.max(0, offset - exactTotal));
      rows = [...rows, ...more.map((r) => ({ ...r, typo: true as const }))];
    }
  }
  const items = rows.slice(0, limit).map((r) => {
    const isPage = r.page_id !== null;
    return {
      kind: isPage ? ("page" as const) : r.document_type === "CollectionType" ? ("folder" as const) : ("document" as const),
      source: (r.source ?? "name") as (typeof SOURCES)[number],
      score: Math.round(-r.score * 1000) / 1000,
      document: { uuid: r.document_uuid, name: r.document_name, parent: r.parent, lastModified: r.last_modified === null ? null : new Date(r.last_modified).toISOString() },
      page: isPage ? { id: r.page_uuid!, idx: r.page_idx!, ready: r.page_render_status === "done" } : null,
      snippet: markSnippet(isPage ? plainSnippet(r.snip) : r.title_hl),
      /** The words of the page's text that matched, as written there (the page view marks them). */
      words: isPage ? markedWords(r.snip) : [],
      /** Found through a word one typo away from what was asked (listed after the exact hits). */
      typo: r.typo === true,
    };
  });
  return { query: text, order, items, limit, offset, nextOffset: rows.length > limit ? offset + limit : null, ms: Math.round((performance.now() - t0) * 10) / 10 };
}
