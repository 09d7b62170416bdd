import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { syncNow as run } from "../../../services/notion/notion.ts";

/** POST /api/v1/notion/sync — sync the whole library now. */
export function syncNow(ctx: AppContext, auth: Auth) {
  return run(ctx, auth.user.id);
}
