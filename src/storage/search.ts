// Full-text search over search_fts (page text and document/folder names), scoped to one user.
// A user's OCR correction replaces the OCR text while it applies (made for the page's current
// content): the machine text is skipped then, the correction reported as source 'ocr'.
// Hits are marked with U+E000/U+E001 so the caller can escape the text and then add <mark>.
import type { Database } from "bun:sqlite";
import { indexTerms } from "./search-text.ts";

/** Remember the terms of `text` in search_terms (the vocabulary typo tolerance looks words up in). */
export function searchTermsWriter(db: Database) {
  const add = db.prepare<unknown, [string]>("INSERT OR IGNORE INTO search_terms (term) VALUES (?)");
  return (text: string | null | undefined) => {
    if (text) for (const t of indexTerms(text)) add.run(t);
  };
}

export interface SearchHitRow {
  rid: number;
  score: number;
  snip: string;
  title_hl: string;
  source: string | null;
  /** An OCR hit in the user's correction of the text. */
  corrected: number | null;
  page_id: number | null;
  page_uuid: string | null;
  page_idx: number | null;
  page_render_status: string | null;
  document_uuid: string;
  document_name: string;
  document_type: string;
  parent: string;
  last_modified: number | null;
}

export interface SearchFilter {
  userId: number;
  match: string;
  source?: string | null;
  folder?: string | null;
  tag?: string | null;
  from?: number | null;
  to?: number | null;
  limit: number;
  offset: number;
}

export function searchRepo(db: Database) {
  const SNIP = "snippet(search_fts, 1, char(57344), char(57345), '…', 16)";
  const HL = "highlight(search_fts, 0, char(57344), char(57345))";
  // What a hit is: its text row (pt; none for a name) and document (d), the user's, not deleted,
  // and of the filters asked for. A correction applies while it was made for the page's current
  // content; the OCR text it corrects is skipped then.
  const joins = (rid: string, pages: boolean) => `
     LEFT JOIN page_texts pt ON ${rid} % 2 = 0 AND pt.id = ${rid} / 2${pages ? "\n     LEFT JOIN pages p ON p.id = pt.page_id" : ""}
     JOIN documents d ON d.id = (CASE WHEN ${rid} % 2 = 0 THEN pt.document_id ELSE (${rid} - 1) / 2 END)`;
  const scope = `WHERE search_fts MATCH $match AND d.user_id = $user_id AND d.deleted_at IS NULL
       AND (pt.source IS NULL OR CASE pt.source
         WHEN 'correction' THEN pt.base_sha256 IS (SELECT sha256 FROM pages WHERE id = pt.page_id)
         WHEN 'ocr' THEN $corrections = 0 OR NOT EXISTS (SELECT 1 FROM page_texts c JOIN pages cp ON cp.id = c.page_id WHERE c.page_id = pt.page_id AND c.source = 'correction' AND c.base_sha256 IS cp.sha256)
         ELSE 1 END)
       AND ($source IS NULL OR coalesce(CASE pt.source WHEN 'correction' THEN 'ocr' ELSE pt.source END, 'name') = $source)
       AND ($folder IS NULL OR d.parent = $folder)
       AND ($from IS NULL OR coalesce(d.last_modified, d.updated_at) >= $from)
       AND ($to IS NULL OR coalesce(d.last_modified, d.updated_at) < $to)
       AND ($tag IS NULL
         OR EXISTS (SELECT 1 FROM json_each(d.metadata_json, '$.tags') je WHERE je.type = 'text' AND lower(je.value) = lower($tag))
         OR EXISTS (SELECT 1 FROM json_each(d.content_json, '$.tags') je WHERE lower(je.value ->> '$.name') = lower($tag)))`;
  const hitColumns = `CASE pt.source WHEN 'correction' THEN 'ocr' ELSE pt.source END AS source, pt.source = 'correction' AS corrected,
       pt.page_id AS page_id, p.page_uuid AS page_uuid, p.idx AS page_idx, p.render_status AS page_render_status,
       d.uuid AS document_uuid, d.name AS document_name, d.type AS document_type, d.parent AS parent, d.last_modified AS last_modified`;
  type Params = Record<string, string | number | null>;
  // Newest text first: streams in rowid order and stops at the page (used when a query matches
  // so many rows that scoring them all is slow), so every column is computed for the page only.
  const recent = db.prepare<SearchHitRow, Params>(
    `SELECT f.rowid AS rid, bm25(search_fts, 4.0, 1.0) AS score, ${SNIP} AS snip, ${HL} AS title_hl, ${hitColumns}
     FROM search_fts f ${joins("f.rowid", true)} ${scope} ORDER BY f.rowid DESC LIMIT $limit OFFSET $offset`,
  );
  // Ranked by BM25: every match is scored and sorted, so only what the ranking needs is computed
  // for each (SQLite computes all result columns of every row before it sorts); the page's hits
  // then get their columns and snippets (one more pass over the index, limited to their rowids).
  const ranked = db.prepare<{ rid: number; score: number }, Params>(
    `SELECT f.rowid AS rid, bm25(search_fts, 4.0, 1.0) AS score FROM search_fts f ${joins("f.rowid", false)} ${scope} ORDER BY score, f.rowid LIMIT $limit OFFSET $offset`,
  );
  const hitsOf = db.prepare<Omit<SearchHitRow, "score" | "snip" | "title_hl">, { rids: string }>(
    `SELECT h.rid AS rid, ${hitColumns} FROM (SELECT value AS rid FROM json_each($rids)) h ${joins("h.rid", true)}`,
  );
  const snippetsOf = db.prepare<{ rid: number; snip: string; title_hl: string }, { match: string; rids: string; lo: number; hi: number }>(
    `SELECT rowid AS rid, ${SNIP} AS snip, ${HL} AS title_hl FROM search_fts
     WHERE search_fts MATCH $match AND rowid BETWEEN $lo AND $hi AND +rowid IN (SELECT value FROM json_each($rids))`,
  );
  const knownTerms = new Map<number, ReturnType<typeof db.prepare<{ term: string }, string[]>>>();
  const hasCorrections = db.prepare<{ n: number }, [number]>("SELECT count(*) AS n FROM (SELECT 1 FROM page_texts WHERE user_id = ? AND source = 'correction' LIMIT 1)");
  // Terms are compared as UTF-8 bytes: every term that starts with the key sorts below key + U+10FFFF.
  const withPrefix = db.prepare<{ term: string }, [string, number]>("SELECT term FROM search_terms WHERE term >= ?1 AND term < ?1 || char(1114111) ORDER BY term LIMIT ?2");
  const count = db.prepare<{ n: number }, [string, number]>("SELECT count(*) AS n FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)");
  return {
    /** Which of `terms` the index has held (search_terms). */
    knownSearchTerms(terms: string[]): string[] {
      const out: string[] = [];
      for (let i = 0; i < terms.length; i += 512) {
        const chunk = terms.slice(i, i + 512);
        // A few statement sizes (padded with a repeated term), not one statement per list length.
        const size = [32, 128, 512].find((n) => n >= chunk.length)!;
        while (chunk.length < size) chunk.push(chunk[0]!);
        let q = knownTerms.get(size);
        if (!q) knownTerms.set(size, (q = db.prepare(`SELECT term FROM search_terms WHERE term IN (${chunk.map(() => "?").join(",")})`)));
        for (const r of q.all(...chunk)) out.push(r.term);
      }
      return out;
    },
    /**
     * The terms the index has held that start with `key` (itself included), or null when there
     * are more than `max`. search_terms holds every term of 3+ letters ever indexed (stale ones
     * only match nothing), so the list spells out the prefix query `"key"*`.
     */
    searchTermsWithPrefix(key: string, max: number): string[] | null {
      const rows = withPrefix.all(key, max + 1);
      return rows.length > max ? null : rows.map((r) => r.term);
    },
    /** Rows matching `match` (all users), counted up to `cap`. */
    countMatches: (match: string, cap: number) => count.get(match, cap)!.n,
    searchText: (f: SearchFilter, order: "rank" | "recent" = "rank"): SearchHitRow[] => {
      const params = {
        match: f.match,
        user_id: f.userId,
        corrections: hasCorrections.get(f.userId)!.n,
        source: f.source ?? null,
        folder: f.folder ?? null,
        tag: f.tag ?? null,
        from: f.from ?? null,
        to: f.to ?? null,
        limit: f.limit,
        offset: f.offset,
      };
      if (order === "recent") return recent.all(params);
      // One read transaction: the page's columns and snippets come from the snapshot that was ranked.
      return db.transaction(() => {
        const top = ranked.all(params);
        if (!top.length) return [];
        const rids = JSON.stringify(top.map((r) => r.rid));
        const hits = new Map(hitsOf.all({ rids }).map((h) => [h.rid, h]));
        const snips = new Map(snippetsOf.all({ match: f.match, rids, lo: Math.min(...top.map((r) => r.rid)), hi: Math.max(...top.map((r) => r.rid)) }).map((x) => [x.rid, x]));
        return top.flatMap((r) => {
          const h = hits.get(r.rid);
          const sn = snips.get(r.rid);
          return h && sn ? [{ ...h, rid: r.rid, score: r.score, snip: sn.snip, title_hl: sn.title_hl }] : [];
        });
      })();
    },
  };
}
