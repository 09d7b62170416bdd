import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { drainBacklog } from "../../../services/ocr/ocr.ts";
import { effectiveLimit, setGlobalLimit, setUserLimit } from "../../../quota/index.ts";
import { AppError } from "../../errors.ts";

/** `limit`: a page count, "unlimited", or "default" (remove the override). */
export type LimitInput = { limit: number | "unlimited" | "default" };

function toLimit(v: LimitInput["limit"]): number | null | undefined {
  if (v === "default") return undefined;
  if (v === "unlimited") return null;
  return v;
}

/** PUT /api/v1/quota/users/:id (admin) — one user's monthly OCR page limit. */
export function setUserQuota(ctx: AppContext, _auth: Auth, id: string, body: LimitInput) {
  const userId = /^\d{1,15}$/.test(id) ? Number(id) : 0;
  if (!userId || !ctx.store.userById(userId)) throw new AppError("user_not_found");
  setUserLimit(ctx, userId, toLimit(body.limit));
  const queued = drainBacklog(ctx, userId);
  return { userId, limit: effectiveLimit(ctx, userId), queued };
}

/** PUT /api/v1/quota/default (admin) — the limit for every user without their own. */
export function setDefaultQuota(ctx: AppContext, _auth: Auth, body: LimitInput) {
  setGlobalLimit(ctx, toLimit(body.limit));
  let queued = 0;
  for (const u of ctx.store.listUsers()) queued += drainBacklog(ctx, u.id);
  return { limit: toLimit(body.limit) ?? (body.limit === "unlimited" ? null : ctx.config.quota.defaultPages < 0 ? null : ctx.config.quota.defaultPages), queued };
}
