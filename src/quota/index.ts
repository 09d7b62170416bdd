// The monthly OCR page quota. Months are calendar months in the configured time zone. A page is
// reserved when its OCR job is claimed (in the claim transaction, so two workers can never
// overspend), kept when the OCR succeeds and refunded when it fails for good.
import type { Config } from "../config/schema.ts";
import type { Store } from "../storage/store.ts";

export const DEFAULT_LIMIT_SETTING = "quota.default_pages";
export const LAST_RESET_SETTING = "quota.last_reset_month";

/**
 * What the quota arithmetic uses, and nothing more: its tables and settings, the quota settings,
 * and the clock (the job queue's, so tests can move it). The services' AppContext fits as it is.
 */
export interface QuotaDeps {
  store: Pick<Store, "userQuotaLimit" | "settingValue" | "quotaUsed" | "addQuotaUsage" | "reservationByJob" | "insertReservation" | "deleteReservation" | "setUserQuotaLimit" | "clearUserQuotaLimit" | "putSetting" | "deleteSetting">;
  config: { quota: Config["quota"] };
  queue: { now(): number };
}

export interface QuotaState {
  used: number;
  /** null = unlimited */
  limit: number | null;
  resets_at: string;
  month: string;
}

function parts(ts: number, tz: string) {
  // UTC (the default) needs no time zone data: the first Intl.DateTimeFormat with a timeZone
  // loads ICU's (~40 ms of CPU), which `serve` used to pay at start for the quota month's catch-up.
  if (tz === "UTC") {
    const d = new Date(ts);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }
  const p = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(ts);
  const get = (t: string) => Number(p.find((x) => x.type === t)!.value);
  return { y: get("year"), m: get("month"), d: get("day"), h: get("hour") % 24, mi: get("minute"), s: get("second") };
}

/** 'YYYY-MM' of `ts` in time zone `tz`. */
export function quotaMonth(ts: number, tz: string): string {
  const { y, m } = parts(ts, tz);
  return `${y}-${String(m).padStart(2, "0")}`;
}

function offsetMs(ts: number, tz: string): number {
  const p = parts(ts, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(ts / 1000) * 1000;
}

/** The instant the month after `ts` starts in `tz` (midnight on the 1st, local time). */
export function nextMonthStart(ts: number, tz: string): number {
  const { y, m } = parts(ts, tz);
  const wall = Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1);
  let guess = wall - offsetMs(wall, tz);
  guess = wall - offsetMs(guess, tz);
  return guess;
}

/** The instant midnight starts on day `y-m-d` in `tz`. */
export function dayStart(y: number, m: number, d: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - offsetMs(wall, tz);
  guess = wall - offsetMs(guess, tz);
  return guess;
}

/** The limit that applies to a user: per-user override, else the admin's global one, else config. null = unlimited. */
export function effectiveLimit(ctx: QuotaDeps, userId: number): number | null {
  const own = ctx.store.userQuotaLimit(userId);
  if (own !== undefined) return own;
  const global = ctx.store.settingValue(DEFAULT_LIMIT_SETTING);
  if (global !== null) return global === "unlimited" ? null : Number(global);
  return ctx.config.quota.defaultPages < 0 ? null : ctx.config.quota.defaultPages;
}

export function quotaState(ctx: QuotaDeps, userId: number, now = ctx.queue.now()): QuotaState {
  const tz = ctx.config.quota.timezone;
  const month = quotaMonth(now, tz);
  return { used: ctx.store.quotaUsed(userId, month), limit: effectiveLimit(ctx, userId), resets_at: new Date(nextMonthStart(now, tz)).toISOString(), month };
}

/** Pages left this month (Infinity when unlimited). */
export function remaining(q: QuotaState): number {
  return q.limit === null ? Infinity : Math.max(0, q.limit - q.used);
}

/**
 * Reserve one page for OCR job `jobId` (synchronous: call inside the claim transaction).
 * Idempotent per job (a retried job keeps its reservation). Returns the state after reserving,
 * or null when the quota is exhausted.
 */
export function reservePage(ctx: QuotaDeps, userId: number, jobId: number, pageId: number, now = ctx.queue.now()): QuotaState | null {
  const held = ctx.store.reservationByJob(jobId);
  const q = quotaState(ctx, userId, now);
  if (held) return q;
  if (remaining(q) < 1) return null;
  q.used = ctx.store.addQuotaUsage(userId, q.month, 1);
  ctx.store.insertReservation(jobId, userId, q.month, pageId);
  return q;
}

/** The OCR ran: the reservation is spent (synchronous). */
export function consumeReservation(ctx: QuotaDeps, jobId: number): void {
  ctx.store.deleteReservation(jobId);
}

/** The OCR failed for good (or never ran): give the page back to the month it was taken from. */
export function refundReservation(ctx: QuotaDeps, jobId: number): boolean {
  const r = ctx.store.reservationByJob(jobId);
  if (!r) return false;
  ctx.store.deleteReservation(jobId);
  ctx.store.addQuotaUsage(r.user_id, r.month, -1);
  return true;
}

/** Admin: set a user's limit (null = unlimited, undefined = back to the global default). */
export function setUserLimit(ctx: QuotaDeps, userId: number, limit: number | null | undefined): void {
  if (limit === undefined) ctx.store.clearUserQuotaLimit(userId);
  else ctx.store.setUserQuotaLimit(userId, limit);
}

/** Admin: set the global default (null = unlimited, undefined = back to the config default). */
export function setGlobalLimit(ctx: QuotaDeps, limit: number | null | undefined): void {
  if (limit === undefined) ctx.store.deleteSetting(DEFAULT_LIMIT_SETTING);
  else ctx.store.putSetting(DEFAULT_LIMIT_SETTING, limit === null ? "unlimited" : String(limit));
}

/** A reset instant as people say it, in the quota's time zone: "1 January 2027". */
export function humanDay(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "long", year: "numeric" }).format(d);
  } catch {
    return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" }).format(d);
  }
}
