import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { initialLimitFor } from "../../../services/agent/sync-settings.ts";
import { putBatch as batch } from "../../../services/library/sync.ts";
import type { BatchInput } from "../../../services/library/sync-schema.ts";

/** PUT /api/v1/documents — many documents in one request (one transaction each). */
export function putBatch(ctx: AppContext, auth: Auth, body: BatchInput) {
  return batch(ctx, auth.user.id, body, { initialLimit: initialLimitFor(ctx, auth.tokenId) });
}
