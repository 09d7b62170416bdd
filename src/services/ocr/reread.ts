// Re-reading pages on request (`rmirror ocr reread`, the dashboard's Re-read): pages whose current
// strokes were read already are read again with the current engine settings, newest first, as far
// as this month's quota reaches (read_reason 'reread'). Nothing else re-reads a page: a new engine,
// model or vocabulary hint applies to pages read from then on.
import { settingsPart } from "../../ocr/key.ts";
import { humanDay, quotaState, remaining } from "../../quota/index.ts";
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { requireDocument } from "../ownership.ts";
import { currentEngineKey, enqueueOcr } from "./ocr.ts";
import { ocrPause, pausedPageReason } from "./pause.ts";

export interface RereadOptions {
  /** Only this document (its UUID). */
  documentUuid?: string;
  /** Only pages whose strokes last changed at or after this instant (ms). */
  since?: number;
  /**
   * false (the CLI's default): only pages read with other settings than the current ones (another
   * engine, model, prompt or vocabulary hint), so running it again after a quota reset continues
   * where it stopped. true (the dashboard's per-document Re-read, `--all`): every read page.
   */
  all?: boolean;
}

export interface RereadResult {
  /** Pages that would be re-read. */
  candidates: number;
  /** Queued now (newest first). */
  queued: number;
  /** Left out because this month's quota is short. */
  short: number;
  quota: { used: number; limit: number | null; remaining: number | null; resets_at: string; resets_on: string };
  /** One sentence for people (CLI, dashboard). */
  message: string;
}

export function rereadPages(ctx: AppContext, userId: number, opts: RereadOptions = {}): RereadResult {
  const documentId = opts.documentUuid !== undefined ? requireDocument(ctx, userId, opts.documentUuid).id : null;
  if (!ctx.ocr) throw new AppError("ocr_not_configured", "OCR is not configured on this server: set an OCR engine and its API key.");
  const paused = ocrPause(ctx);
  if (paused) throw new AppError("ocr_paused", `${pausedPageReason(paused)}. The server administrator has to set a working key and restart.`);
  return ctx.store.tx(() => {
    const key = currentEngineKey(ctx, userId);
    const rows = ctx.store.rereadablePages(userId, documentId, opts.since ?? null).filter((o) => opts.all || settingsPart(o.done_engine_key) !== key);
    const q = quotaState(ctx, userId);
    // Pages already queued take their quota page when they are read: a re-read never takes it
    // from them (new handwriting first).
    const waiting = ctx.store.pageOcrCounts(userId).find((c) => c.status === "queued")?.n ?? 0;
    const left = Math.max(0, remaining(q) - waiting);
    const take = rows.slice(0, Math.min(rows.length, left));
    let queued = 0;
    // Newest first: rising priority in this order, so the newest is claimed first.
    take.forEach((o, i) => {
      if (enqueueOcr(ctx, userId, o.page_id, o.sha256, take.length - i, { reason: "reread", force: true })) queued++;
    });
    const after = quotaState(ctx, userId);
    const resetsOn = humanDay(after.resets_at, ctx.config.quota.timezone);
    const short = rows.length - take.length;
    const pages = (n: number) => `${n} page${n === 1 ? "" : "s"}`;
    let message: string;
    if (rows.length === 0) message = opts.all ? "No read pages to re-read." : "Nothing to re-read: every read page was read with the current engine settings.";
    else if (take.length === 0)
      message = `Nothing re-read: the monthly OCR quota is used up (${after.used} of ${after.limit} pages${waiting ? `, the rest kept for ${pages(waiting)} already waiting to be read` : ""}); ${pages(rows.length)} would need one page each. The quota resets on ${resetsOn}.`;
    else if (short > 0) message = `Re-reading ${take.length} of ${pages(rows.length)} (newest first); the other ${short} do not fit this month's quota (${pages(take.length)} of ${after.limit} left${waiting ? ` after ${pages(waiting)} already waiting to be read` : ""}). Re-read them after the quota resets on ${resetsOn}.`;
    else message = `Re-reading ${pages(take.length)} (one quota page each).`;
    return {
      candidates: rows.length,
      queued,
      short,
      quota: { used: after.used, limit: after.limit, remaining: after.limit === null ? null : Math.max(0, after.limit - after.used), resets_at: after.resets_at, resets_on: resetsOn },
      message,
    };
  });
}
