import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentSyncState, resyncDocument as resync } from "../../../services/notion/notion.ts";

/** GET /api/v1/notion/documents/:uuid — a notebook's Notion sync state and last error. */
export function getDocumentSync(ctx: AppContext, auth: Auth, uuid: string) {
  return documentSyncState(ctx, auth.user.id, uuid);
}

/** POST /api/v1/notion/documents/:uuid/sync — rebuild one notebook's Notion page now. */
export function resyncDocument(ctx: AppContext, auth: Auth, uuid: string) {
  return resync(ctx, auth.user.id, uuid);
}
