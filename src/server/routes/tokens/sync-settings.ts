import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { requireIntId } from "../../../services/ids.ts";
import { saveSyncSettings, userTokenSyncSettings, type SyncMode } from "../../../services/agent/sync-settings.ts";

/** GET /api/v1/tokens/:id/sync-settings — what this computer's agent syncs. */
export function getTokenSyncSettings(ctx: AppContext, auth: Auth, id: string) {
  return { settings: userTokenSyncSettings(ctx, auth.user.id, requireIntId(id, "token_not_found")) };
}

/** PUT /api/v1/tokens/:id/sync-settings — set them; the agent applies them with its next heartbeat. */
export function putTokenSyncSettings(ctx: AppContext, auth: Auth, id: string, body: { mode: SyncMode; items: string[]; initialPages: number | null }) {
  return { settings: saveSyncSettings(ctx, auth.user.id, requireIntId(id, "token_not_found"), body) };
}
