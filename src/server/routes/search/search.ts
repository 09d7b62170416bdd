import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { search as run, type SearchQuery } from "../../../services/library/search.ts";

/** GET /api/v1/search?q=&folder=&tag=&source=&from=&to=&limit=&offset= */
export function search(ctx: AppContext, auth: Auth, q: SearchQuery) {
  return run(ctx, auth.user.id, q);
}
