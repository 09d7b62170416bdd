import { changePassword, type Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";

/**
 * POST /api/v1/auth/password — change the signed-in user's password. Other sessions end; device
 * tokens are revoked when `revokeDeviceTokens` is true. A device token may not change the password
 * (a stolen agent token must not become the account).
 */
export async function changePasswordApi(ctx: AppContext, auth: Auth, body: { current?: string; password: string; revokeDeviceTokens?: boolean }) {
  if (auth.via === "token") throw new AppError("forbidden", "Sign in to change the password; a device token cannot.");
  const r = await changePassword(ctx, auth.user.id, body.current ?? null, body.password, { keepSessionHash: auth.sessionHash, revokeDeviceTokens: body.revokeDeviceTokens === true });
  return { ok: true, revokedDeviceTokens: r.revokedDeviceTokens };
}
