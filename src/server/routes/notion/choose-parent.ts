import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { chooseParent as choose } from "../../../services/notion/notion.ts";

/** PUT /api/v1/notion/parent {pageId} | {databaseId} — where the database lives; starts the first sync. */
export function chooseParent(ctx: AppContext, auth: Auth, body: { pageId?: string; databaseId?: string }) {
  return choose(ctx, auth.user.id, body);
}
