import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { requireIntId } from "../../../services/ids.ts";
import { revokeDeviceToken } from "../../../services/accounts/tokens.ts";

/** DELETE /api/v1/tokens/:id — revoke one of the user's tokens. */
export function revokeToken(ctx: AppContext, auth: Auth, id: string) {
  return { token: revokeDeviceToken(ctx, auth.user.id, requireIntId(id, "token_not_found")) };
}
