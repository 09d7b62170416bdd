import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listChanges as list, type ChangesQuery } from "../../../services/integrations/changes.ts";

/** GET /api/v1/changes?cursor=&limit= */
export function listChanges(ctx: AppContext, auth: Auth, q: ChangesQuery) {
  return list(ctx, auth.user.id, q);
}
