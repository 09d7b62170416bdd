import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { getDocument as get } from "../../../services/library/library.ts";

/** GET /api/v1/documents/:uuid — metadata, pages with render status, files. */
export function getDocument(ctx: AppContext, auth: Auth, uuid: string) {
  return get(ctx, auth.user.id, uuid);
}
