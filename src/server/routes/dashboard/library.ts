import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo, libraryData, liveVersion } from "../../../services/library/dashboard.ts";
import { LibraryPage } from "../../../../views/pages/library.tsx";
import { dashboardHtml } from "../../http.ts";
import { staleSync } from "../../../services/agent/heartbeats.ts";

/** GET / and GET /folders/:uuid — the library (paginated; pinned first; grid or list). */
export function libraryPage(ctx: AppContext, auth: Auth, folder: string | null, query: Record<string, string | undefined>): Response {
  const data = libraryData(ctx, auth.user.id, folder, query);
  return dashboardHtml(LibraryPage({ header: headerInfo(ctx, auth), data, serverUrl: ctx.config.publicUrl, staleSync: staleSync(ctx, auth.user.id), live: liveVersion(ctx, auth.user.id) }));
}
