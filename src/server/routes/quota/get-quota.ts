import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { quotaSummary } from "../../../services/ocr/ocr.ts";

/** GET /api/v1/quota — this month's OCR usage, limit, reset time, OCR page states, hint. */
export function getQuota(ctx: AppContext, auth: Auth) {
  return quotaSummary(ctx, auth.user.id);
}
