import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listDeviceTokens } from "../../../services/accounts/tokens.ts";

/** GET /api/v1/tokens — the user's device tokens (never the secret values). */
export function listTokens(ctx: AppContext, auth: Auth) {
  return { tokens: listDeviceTokens(ctx, auth.user.id) };
}
