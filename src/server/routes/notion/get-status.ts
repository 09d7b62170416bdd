import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { notionStatus } from "../../../services/notion/notion.ts";

/** GET /api/v1/notion — connection, workspace, database, last error, notebook sync counts. */
export function getStatus(ctx: AppContext, auth: Auth) {
  return notionStatus(ctx, auth.user.id);
}
