import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo, trashData } from "../../../services/library/dashboard.ts";
import { TrashPage } from "../../../../views/pages/trash.tsx";
import { dashboardHtml } from "../../http.ts";

/** GET /trash — items in the tablet's trash and deleted ones within the grace period (read-only, paginated). */
export function trashPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>): Response {
  return dashboardHtml(TrashPage({ header: headerInfo(ctx, auth), data: trashData(ctx, auth.user.id, query) }));
}
