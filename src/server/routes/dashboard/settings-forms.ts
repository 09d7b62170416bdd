// POST handlers of the settings forms (plain forms with the `csrf` field; post-redirect-get).
import { changePassword, createUser, type Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { savePriceTable } from "../../../services/ocr/cost.ts";
import { drainBacklog, setOcrVocabulary } from "../../../services/ocr/ocr.ts";
import { setGlobalLimit, setUserLimit } from "../../../quota/index.ts";
import { AppError } from "../../errors.ts";
import { redirect, requireAdmin } from "./guard.ts";
import { settingsPage } from "./settings.ts";

const str = (body: unknown, k: string): string => {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" ? v : "";
};

/** Re-show the settings page with a user-facing error (4xx), rethrow anything else. */
async function orError(ctx: AppContext, auth: Auth, fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.status < 500 && e.code !== "forbidden" && e.code !== "csrf_failed") return settingsPage(ctx, auth, {}, e.message, e.status);
    throw e;
  }
}

/** "12" → 12, "unlimited" → null, "default" / "" → undefined (no override). */
function parseLimit(v: string): number | null | undefined {
  const s = v.trim().toLowerCase();
  if (s === "" || s === "default") return undefined;
  if (s === "unlimited") return null;
  if (!/^\d{1,8}$/.test(s)) throw new AppError("bad_request", "The limit must be a number of pages, “unlimited” or “default”.");
  return Number(s);
}

/** POST /settings/password — change the password; other sessions end, device tokens too when ticked. */
export function changePasswordForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  return orError(ctx, auth, async () => {
    const r = await changePassword(ctx, auth.user.id, str(body, "current") || null, str(body, "password"), {
      keepSessionHash: auth.sessionHash,
      revokeDeviceTokens: str(body, "revoke_devices") === "1",
    });
    return redirect(`/settings?done=${r.revokedDeviceTokens > 0 ? "password-devices" : "password"}`);
  });
}

/** POST /settings/users (admin) — add a user. */
export function addUserForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  requireAdmin(auth);
  return orError(ctx, auth, async () => {
    await createUser(ctx, str(body, "email"), str(body, "password"), str(body, "admin") === "1");
    return redirect("/settings?done=user#admin");
  });
}

/** POST /settings/users/:id/quota (admin) — one user's monthly limit. */
export function userQuotaForm(ctx: AppContext, auth: Auth, id: string, body: unknown): Promise<Response> {
  requireAdmin(auth);
  return orError(ctx, auth, () => {
    const userId = /^\d{1,15}$/.test(id) ? Number(id) : 0;
    if (!userId || !ctx.store.userById(userId)) throw new AppError("user_not_found");
    setUserLimit(ctx, userId, parseLimit(str(body, "limit")));
    drainBacklog(ctx, userId);
    ctx.queue.notify();
    return redirect("/settings?done=quota#admin");
  });
}

/** POST /settings/quota (admin) — the default monthly limit. */
export function globalQuotaForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  requireAdmin(auth);
  return orError(ctx, auth, () => {
    setGlobalLimit(ctx, parseLimit(str(body, "limit")));
    for (const u of ctx.store.listUsers()) drainBacklog(ctx, u.id);
    ctx.queue.notify();
    return redirect("/settings?done=quota#admin");
  });
}

/** POST /settings/ocr — the user's OCR vocabulary hint (names, jargon); bounded; part of the engine key. */
export function ocrVocabularyForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  return orError(ctx, auth, () => {
    setOcrVocabulary(ctx, auth.user.id, str(body, "vocabulary"));
    return redirect("/settings?done=vocabulary#ocr");
  });
}

/** POST /settings/ocr-prices (admin) — the price table for the cost estimate; empty restores the defaults. */
export function ocrPricesForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  requireAdmin(auth);
  return orError(ctx, auth, () => {
    savePriceTable(ctx, str(body, "prices"));
    return redirect("/settings?done=prices#ocr-prices");
  });
}
