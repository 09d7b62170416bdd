import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listPages as list } from "../../../services/library/library.ts";

/** GET /api/v1/documents/:uuid/pages — pages in order with render status and typed text. */
export function listPages(ctx: AppContext, auth: Auth, uuid: string) {
  return { pages: list(ctx, auth.user.id, uuid) };
}
