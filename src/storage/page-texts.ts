// Searchable page text, one row per source. Triggers (migration 0002) keep search_fts in step,
// so the index is always written in the same transaction as the text.
import type { Database } from "bun:sqlite";
import { searchTermsWriter } from "./search.ts";

/**
 * ocr: handwriting read by the OCR engine; typed: the tablet's typed text; highlight: highlighted
 * PDF/EPUB text; pdf: the printed text layer of the page's PDF/EPUB page; correction: the user's
 * correction of the OCR text (see effectivePageTexts).
 */
export type TextSource = "ocr" | "typed" | "highlight" | "pdf" | "correction";

export interface PageTextRow {
  id: number;
  page_id: number;
  user_id: number;
  document_id: number;
  source: TextSource;
  text: string;
  updated_at: number;
  /** correction rows: the page content (pages.sha256) the correction was made for. */
  base_sha256: string | null;
}

export function pageTextsRepo(db: Database) {
  const upsert = db.prepare<unknown, Record<string, string | number>>(
    `INSERT INTO page_texts (page_id, user_id, document_id, source, text, updated_at) VALUES ($page_id, $user_id, $document_id, $source, $text, $now)
     ON CONFLICT (page_id, source) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at WHERE text IS NOT excluded.text`,
  );
  const addTerms = searchTermsWriter(db);
  const del = db.prepare<unknown, [number, string]>("DELETE FROM page_texts WHERE page_id = ? AND source = ?");
  const byPage = db.prepare<PageTextRow, [number]>("SELECT * FROM page_texts WHERE page_id = ? ORDER BY source");
  return {
    /** Store (or, for empty text, remove) one source's text of a page. */
    putPageText(p: { pageId: number; userId: number; documentId: number; source: TextSource; text: string | null }): void {
      if (!p.text || !p.text.trim()) del.run(p.pageId, p.source);
      else if (upsert.run({ page_id: p.pageId, user_id: p.userId, document_id: p.documentId, source: p.source, text: p.text, now: Date.now() }).changes) addTerms(p.text);
    },
    pageTexts: (pageId: number) => byPage.all(pageId),
  };
}
