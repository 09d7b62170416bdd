// Per-user OCR settings (the vocabulary hint) and the ledger of OCR reads (one row per successful
// read: why, engine, model, tokens), for "where the quota went" and the cost estimate per month.
import type { Database } from "bun:sqlite";

export interface OcrReadSum {
  reason: string | null;
  engine_key: string;
  model: string;
  pages: number;
  input_tokens: number;
  output_tokens: number;
}

export function ocrReadsRepo(db: Database) {
  const vocab = db.prepare<{ vocabulary: string }, [number]>("SELECT vocabulary FROM user_ocr_settings WHERE user_id = ?");
  const putVocab = db.prepare<unknown, [number, string, number]>(
    "INSERT INTO user_ocr_settings (user_id, vocabulary, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO UPDATE SET vocabulary = ?2, updated_at = ?3",
  );
  const delVocab = db.prepare<unknown, [number]>("DELETE FROM user_ocr_settings WHERE user_id = ?");
  const insertRead = db.prepare<unknown, Record<string, string | number | null>>(
    `INSERT INTO ocr_reads (user_id, page_id, month, reason, engine_key, model, input_tokens, output_tokens, done_at)
     VALUES ($user_id, $page_id, $month, $reason, $engine_key, $model, $input_tokens, $output_tokens, $done_at)`,
  );
  const sums = db.prepare<OcrReadSum, [number, string]>(
    `SELECT reason, engine_key, model, count(*) AS pages, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
     FROM ocr_reads WHERE user_id = ? AND month = ? GROUP BY reason, engine_key, model ORDER BY pages DESC`,
  );
  return {
    /** The user's OCR vocabulary hint ("" when none). */
    ocrVocabulary: (userId: number): string => vocab.get(userId)?.vocabulary ?? "",
    setOcrVocabulary: (userId: number, text: string) => (text ? putVocab.run(userId, text, Date.now()) : delVocab.run(userId)),
    recordOcrRead: (r: { userId: number; pageId: number; month: string; reason: string | null; engineKey: string; model: string; inputTokens: number; outputTokens: number }, now = Date.now()) =>
      insertRead.run({ user_id: r.userId, page_id: r.pageId, month: r.month, reason: r.reason, engine_key: r.engineKey, model: r.model, input_tokens: r.inputTokens, output_tokens: r.outputTokens, done_at: now }),
    /** A user's reads in one quota month, summed per reason, engine key and model. */
    ocrReadSums: (userId: number, month: string) => sums.all(userId, month),
  };
}
