// OCR state per page (page_ocr): what the stored OCR text was made from and what is pending.
import type { Database } from "bun:sqlite";

/** `held`: not read because the page was beyond its computer's initial-sync limit; read on request. */
export type OcrStatus = "blank" | "pending_ocr" | "pending_quota" | "queued" | "done" | "failed" | "held";

export interface PageOcrRow {
  page_id: number;
  user_id: number;
  status: OcrStatus;
  sha256: string;
  engine_key: string;
  done_sha256: string | null;
  done_engine_key: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  ms: number | null;
  error: string | null;
  requested_at: number;
  done_at: number | null;
  updated_at: number;
  /** Why the stored text was read (null: read before this was recorded). */
  read_reason: OcrReadReason | null;
}

export type OcrReadReason = "new" | "changed" | "requested" | "reread";

export function pageOcrRepo(db: Database) {
  const byPage = db.prepare<PageOcrRow, [number]>("SELECT * FROM page_ocr WHERE page_id = ?");
  const upsert = db.prepare<unknown, Record<string, string | number | null>>(
    `INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, error, requested_at, updated_at)
     VALUES ($page_id, $user_id, $status, $sha256, $engine_key, NULL, $requested_at, $now)
     ON CONFLICT (page_id) DO UPDATE SET status = excluded.status, sha256 = excluded.sha256, engine_key = excluded.engine_key,
       error = NULL, requested_at = CASE WHEN page_ocr.sha256 = excluded.sha256 THEN page_ocr.requested_at ELSE excluded.requested_at END,
       updated_at = excluded.updated_at`,
  );
  const hold = db.prepare<unknown, [number, number, string, number, number]>(
    `INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, requested_at, updated_at) VALUES (?, ?, 'held', ?, '', ?, ?)
     ON CONFLICT (page_id) DO NOTHING`,
  );
  const setStatus = db.prepare<unknown, [string, string | null, number, number]>("UPDATE page_ocr SET status = ?, error = ?, updated_at = ? WHERE page_id = ?");
  const setDone = db.prepare<unknown, Record<string, string | number | null>>(
    `UPDATE page_ocr SET status = 'done', error = NULL, done_sha256 = $sha256, done_engine_key = $engine_key, model = $model,
       input_tokens = $input_tokens, output_tokens = $output_tokens, ms = $ms, read_reason = $read_reason, done_at = $now, updated_at = $now
     WHERE page_id = $page_id AND sha256 = $sha256`,
  );
  const backlog = db.prepare<PageOcrRow, [number, string, number]>(
    "SELECT * FROM page_ocr WHERE user_id = ? AND status = ? ORDER BY requested_at DESC, page_id DESC LIMIT ?",
  );
  const usersWith = db.prepare<{ user_id: number }, [string]>("SELECT DISTINCT user_id FROM page_ocr WHERE status = ?");
  const counts = db.prepare<{ status: string; n: number }, [number]>("SELECT status, count(*) AS n FROM page_ocr WHERE user_id = ? GROUP BY status");
  const tokens = db.prepare<{ input: number | null; output: number | null }, [number]>(
    "SELECT sum(input_tokens) AS input, sum(output_tokens) AS output FROM page_ocr WHERE user_id = ?",
  );
  const fileType = db.prepare<{ file_type: string | null }, [number]>(
    "SELECT d.file_type FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?",
  );
  const previousText = db.prepare<{ text: string }, [number]>(
    `SELECT t.text FROM pages cur JOIN pages prev ON prev.document_id = cur.document_id AND prev.idx < cur.idx
       JOIN page_texts t ON t.page_id = prev.id AND t.source IN ('ocr', 'typed')
     WHERE cur.id = ? ORDER BY prev.idx DESC, t.source = 'ocr' DESC LIMIT 1`,
  );
  const rereadable = db.prepare<PageOcrRow, [number, number | null, number | null]>(
    `SELECT o.* FROM page_ocr o JOIN pages p ON p.id = o.page_id JOIN documents d ON d.id = p.document_id
     WHERE o.user_id = ?1 AND o.status = 'done' AND o.done_sha256 = o.sha256 AND p.sha256 = o.sha256 AND d.deleted_at IS NULL
       AND (?2 IS NULL OR p.document_id = ?2) AND (?3 IS NULL OR o.requested_at >= ?3)
     ORDER BY o.requested_at DESC, o.page_id DESC`,
  );
  const queuedRunAfter = db.prepare<{ t: number | null }, [string, string]>("SELECT min(run_after) AS t FROM jobs WHERE idempotency_key >= ? AND idempotency_key < ? AND status = 'queued'");
  return {
    /** When the page's queued OCR job may run (the settle delay's end), or null. */
    ocrQueuedRunAfter: (pageId: number): number | null => queuedRunAfter.get(`ocr:${pageId}:`, `ocr:${pageId};`)?.t ?? null,
    /**
     * Pages whose current strokes were read (what a re-read can read again), newest first; of one
     * document and/or changed since `since` (ms) when given. Documents deleted on the tablet are left out.
     */
    rereadablePages: (userId: number, documentId: number | null, since: number | null) => rereadable.all(userId, documentId, since),
    /** The text of the page before this one in its document (OCR, else typed; undefined when none). */
    previousPageText: (pageId: number) => previousText.get(pageId)?.text,
    /** The file type of a page's document ("pdf" = annotated PDF: OCR reads only the handwriting). */
    pageDocumentFileType: (pageId: number) => fileType.get(pageId)?.file_type ?? null,
    pageOcrByPage: (pageId: number) => byPage.get(pageId),
    /**
     * Set the wanted state for a page at content `sha256`. `requestedAt` (when the content last
     * changed; the backlog is read newest first) is kept while the hash is unchanged.
     */
    upsertPageOcr: (p: { pageId: number; userId: number; status: string; sha256: string; engineKey: string; requestedAt?: number }, now = Date.now()) =>
      upsert.run({ page_id: p.pageId, user_id: p.userId, status: p.status, sha256: p.sha256, engine_key: p.engineKey, requested_at: p.requestedAt ?? now, now }),
    /**
     * A new page beyond its computer's initial-sync limit: OCR is held for this content (the
     * render keeps it held while the hash is unchanged; a changed page is read as usual).
     */
    holdPageOcr: (pageId: number, userId: number, sha256: string, requestedAt = Date.now()) => hold.run(pageId, userId, sha256, requestedAt, Date.now()),
    setPageOcrStatus: (pageId: number, status: string, error: string | null = null) => setStatus.run(status, error, Date.now(), pageId),
    /** Record a finished OCR; only applies while the row still wants the hash that was read. */
    setPageOcrDone: (pageId: number, r: { sha256: string; engineKey: string; model: string; inputTokens: number; outputTokens: number; ms: number; reason: OcrReadReason | null }) =>
      setDone.run({ page_id: pageId, sha256: r.sha256, engine_key: r.engineKey, model: r.model, input_tokens: r.inputTokens, output_tokens: r.outputTokens, ms: r.ms, read_reason: r.reason, now: Date.now() }).changes === 1,
    /** Newest first. */
    pageOcrBacklog: (userId: number, status: string, limit: number) => backlog.all(userId, status, limit),
    usersWithOcrStatus: (status: string) => usersWith.all(status).map((r) => r.user_id),
    pageOcrCounts: (userId: number) => counts.all(userId),
    pageOcrTokens: (userId: number) => tokens.get(userId)!,
  };
}
