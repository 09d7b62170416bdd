// Quota notifications at 90 % and 100 %: a row the dashboard and agent show (GET /api/v1/quota,
// GET /api/v1/notifications) and, when SMTP is configured, one email job. Each (user, month,
// threshold) exists once, so each is sent once.
import type { QuotaState } from "../../quota/index.ts";
import type { AppContext } from "../context.ts";

export const NOTIFY_EMAIL = "notify_email";
export const THRESHOLDS = [90, 100] as const;

/**
 * After a page was reserved (synchronous, inside the claim transaction). Only the highest
 * threshold reached is notified (a small limit can pass 90 % and 100 % with one page), with the
 * real share, and never a threshold at or below one already notified this month (a refund can
 * bring the count back under it).
 */
export function checkQuotaThresholds(ctx: AppContext, userId: number, q: QuotaState): void {
  if (q.limit === null || q.limit <= 0) return;
  const limit = q.limit;
  const reached = THRESHOLDS.filter((t) => q.used >= Math.ceil((limit * t) / 100)).at(-1);
  if (reached === undefined) return;
  const notified = ctx.store.highestNotifiedThreshold(userId, "quota", q.month);
  if (notified !== null && notified >= reached) return;
  const percent = Math.min(100, Math.floor((q.used * 100) / limit));
  const message =
    reached === 100
      ? `You have used all ${limit} OCR pages for ${q.month}. New pages are kept and read, newest first, after the quota resets on ${q.resets_at.slice(0, 10)}.`
      : `You have used ${q.used} of ${limit} OCR pages (${percent} %) for ${q.month}. The quota resets on ${q.resets_at.slice(0, 10)}.`;
  const n = ctx.store.insertNotification({ userId, kind: "quota", month: q.month, threshold: reached, message, data: { used: q.used, limit, percent, resets_at: q.resets_at } });
  if (n && ctx.config.smtp.url) ctx.queue.enqueue(NOTIFY_EMAIL, { notificationId: n.id }, { userId, idempotencyKey: `email:notification:${n.id}` });
}

export function listNotifications(ctx: AppContext, userId: number) {
  return {
    items: ctx.store.notificationsByUser(userId, 50).map((n) => ({
      id: n.id,
      kind: n.kind,
      threshold: n.threshold,
      month: n.month,
      message: n.message,
      data: JSON.parse(n.data_json) as unknown,
      createdAt: new Date(n.created_at).toISOString(),
      emailed: n.emailed_at !== null,
    })),
  };
}
