import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { connectInternalToken } from "../../../services/notion/notion.ts";

/** POST /api/v1/notion/token {token} — internal integration mode; answers with the pages shared with it. */
export function connectToken(ctx: AppContext, auth: Auth, body: { token: string }) {
  return connectInternalToken(ctx, auth.user.id, body.token);
}
