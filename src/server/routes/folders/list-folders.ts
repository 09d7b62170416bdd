import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listFolders as list } from "../../../services/library/library.ts";

/** GET /api/v1/folders — every folder (flat, with parent) so a client can build the tree. */
export function listFolders(ctx: AppContext, auth: Auth) {
  return { folders: list(ctx, auth.user.id) };
}
