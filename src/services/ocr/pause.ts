// OCR paused for the whole server because the provider rejected the API key (401/403): instead of
// failing every queued page, pages go back to pending_ocr with the reason, without spending an
// attempt or a quota page, and nothing is sent until the server restarts (with a changed key, or
// after the key's permissions were fixed): a restart always tries again. Kept in the settings
// table so every part of the server (and the dashboard) sees the same state; logged once.
import { ocrKeySetting } from "../../ocr/index.ts";
import type { AppContext } from "../context.ts";

export const OCR_PAUSE_SETTING = "ocr.paused";

export interface OcrPause {
  reason: string;
  since: string;
}

export function ocrPause(ctx: AppContext): OcrPause | null {
  const raw = ctx.store.settingValue(OCR_PAUSE_SETTING);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as OcrPause;
  } catch {
    return { reason: raw, since: "" };
  }
}

/** An engine is configured and not paused: pages may be sent. */
export function ocrActive(ctx: AppContext): boolean {
  return ctx.ocr !== null && ocrPause(ctx) === null;
}

/** The line a waiting page carries while OCR is paused. */
export function pausedPageReason(p: OcrPause): string {
  return `OCR paused: ${p.reason}`;
}

/** Pause OCR (synchronous, safe in a transaction). Logs only when it was not paused already. */
export function pauseOcr(ctx: AppContext, reason: string): OcrPause {
  const had = ocrPause(ctx);
  if (had) return had;
  const p = { reason, since: new Date(ctx.queue.now()).toISOString() };
  ctx.store.putSetting(OCR_PAUSE_SETTING, JSON.stringify(p));
  ctx.log.error(`OCR paused for all users: the provider rejected the API key. Pages wait in pending_ocr; set a working key (${ocrKeySetting(ctx.config)}, or _FILE) and restart.`, { reason });
  return p;
}

/** At start-up: a restart tries again (a new key, or the old one with fixed permissions). */
export function clearOcrPause(ctx: AppContext): boolean {
  const had = ocrPause(ctx);
  if (!had) return false;
  ctx.store.deleteSetting(OCR_PAUSE_SETTING);
  ctx.log.info("OCR resumed after a restart; it was paused because the API key was rejected", { reason: had.reason, since: had.since });
  return true;
}
