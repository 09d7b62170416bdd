import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listNotifications as list } from "../../../services/ocr/notifications.ts";

/** GET /api/v1/notifications — quota notifications (90 %, 100 %), newest first. */
export function listNotifications(ctx: AppContext, auth: Auth) {
  return list(ctx, auth.user.id);
}
