import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { createDeviceToken } from "../../../services/accounts/tokens.ts";

/** POST /api/v1/tokens — create a named device token; the value is shown in this response only. */
export function createToken(ctx: AppContext, auth: Auth, body: { name: string }): Response {
  const { token, record } = createDeviceToken(ctx, auth.user.id, body.name);
  return Response.json({ token, record }, { status: 201 });
}
