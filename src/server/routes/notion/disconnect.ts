import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { disconnect as forget } from "../../../services/notion/notion.ts";

/** DELETE /api/v1/notion — forget the token and sync records (content in Notion stays). */
export function disconnect(ctx: AppContext, auth: Auth) {
  return forget(ctx, auth.user.id);
}
