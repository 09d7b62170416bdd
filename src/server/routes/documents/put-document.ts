import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { initialLimitFor } from "../../../services/agent/sync-settings.ts";
import { putDocument as put } from "../../../services/library/sync.ts";
import type { DocumentInput } from "../../../services/library/sync-schema.ts";

/** PUT /api/v1/documents/:uuid — upsert metadata, pages and files; answers the missing hashes. */
export function putDocument(ctx: AppContext, auth: Auth, uuid: string, body: DocumentInput) {
  return put(ctx, auth.user.id, uuid, body, { initialLimit: initialLimitFor(ctx, auth.tokenId) });
}
