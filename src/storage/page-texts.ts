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
  const byPage = db.prepare<PageTextRow & { page_sha: string | null }, [number]>(
    "SELECT pt.*, p.sha256 AS page_sha FROM page_texts pt JOIN pages p ON p.id = pt.page_id WHERE pt.page_id = ? ORDER BY pt.source",
  );
  const putCorr = db.prepare<unknown, Record<string, string | number | null>>(
    `INSERT INTO page_texts (page_id, user_id, document_id, source, text, updated_at, base_sha256)
     VALUES ($page_id, $user_id, $document_id, 'correction', $text, $now, $base)
     ON CONFLICT (page_id, source) DO UPDATE SET text = excluded.text, base_sha256 = excluded.base_sha256, updated_at = excluded.updated_at`,
  );
  const rebase = db.prepare<unknown, [string | null, number, number]>(
    "UPDATE page_texts SET base_sha256 = ?, updated_at = ? WHERE page_id = ? AND source = 'correction'",
  );
  return {
    /** Store (or, for empty text, remove) one source's text of a page. */
    putPageText(p: { pageId: number; userId: number; documentId: number; source: TextSource; text: string | null }): void {
      if (!p.text || !p.text.trim()) del.run(p.pageId, p.source);
      else if (upsert.run({ page_id: p.pageId, user_id: p.userId, document_id: p.documentId, source: p.source, text: p.text, now: Date.now() }).changes) addTerms(p.text);
    },
    /**
     * A page's text by source, as everything that reads it (page view, export, Notion, OCR API)
     * should see it: while the user's OCR correction applies (made for the page's current
     * content), it is the 'ocr' text. Correction rows themselves are not listed (pageCorrection).
     */
    pageTexts(pageId: number): PageTextRow[] {
      const rows = byPage.all(pageId);
      const c = rows.find((r) => r.source === "correction");
      const out: PageTextRow[] = rows.filter((r) => r.source !== "correction").map(({ page_sha: _, ...r }) => r);
      if (c && c.base_sha256 === c.page_sha) {
        const o = out.find((r) => r.source === "ocr");
        if (o) Object.assign(o, { text: c.text, updated_at: Math.max(o.updated_at, c.updated_at) });
        else out.push({ ...c, source: "ocr" });
      }
      return out.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    },
    /** The machine-made texts only (OCR as the engine read it), without any correction. */
    machinePageTexts: (pageId: number): PageTextRow[] => byPage.all(pageId).filter((r) => r.source !== "correction").map(({ page_sha: _, ...r }) => r),
    /** The user's correction of a page's OCR text; `applies`: made for the page's current content. */
    pageCorrection(pageId: number): { text: string; updatedAt: number; applies: boolean } | null {
      const c = byPage.all(pageId).find((r) => r.source === "correction");
      return c ? { text: c.text, updatedAt: c.updated_at, applies: c.base_sha256 === c.page_sha } : null;
    },
    /** Store the user's correction, made for page content `baseSha256`. */
    putPageCorrection: (p: { pageId: number; userId: number; documentId: number; text: string; baseSha256: string | null }) => {
      putCorr.run({ page_id: p.pageId, user_id: p.userId, document_id: p.documentId, text: p.text, now: Date.now(), base: p.baseSha256 });
      addTerms(p.text);
    },
    /** Make the correction apply to page content `baseSha256` (the user keeps it after a change). */
    rebasePageCorrection: (pageId: number, baseSha256: string | null) => rebase.run(baseSha256, Date.now(), pageId).changes === 1,
    deletePageCorrection: (pageId: number) => del.run(pageId, "correction").changes === 1,
  };
}
