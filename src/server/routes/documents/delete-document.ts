import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { deleteDocument as del } from "../../../services/library/sync.ts";

/** DELETE /api/v1/documents/:uuid — soft delete (purged after the grace period; a later PUT restores). */
export function deleteDocument(ctx: AppContext, auth: Auth, uuid: string) {
  return del(ctx, auth.user.id, uuid);
}
