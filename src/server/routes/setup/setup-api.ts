import { publicUser, setupAdmin } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";

/** POST /api/v1/setup — create the first admin while the server has no users. */
export async function setupApi(ctx: AppContext, body: { email: string; password: string }) {
  return { user: publicUser(await setupAdmin(ctx, body.email, body.password)) };
}
