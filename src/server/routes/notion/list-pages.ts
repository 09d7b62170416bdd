import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listParentPages } from "../../../services/notion/notion.ts";

/** GET /api/v1/notion/pages?q= — pages shared with the integration (candidate parents). */
export function listPages(ctx: AppContext, auth: Auth, query: { q?: string }) {
  return listParentPages(ctx, auth.user.id, query.q ?? "");
}
