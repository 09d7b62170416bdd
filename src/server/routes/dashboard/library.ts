import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo, libraryData, liveVersion } from "../../../services/library/dashboard.ts";
import { ocrActive } from "../../../services/ocr/pause.ts";
import { LibraryPage } from "../../../../views/pages/library.tsx";
import type { BulkNotice } from "../../../../views/partials/bulk-bar.tsx";
import { dashboardHtml } from "../../http.ts";
import { staleSync } from "../../../services/agent/heartbeats.ts";

/** GET / and GET /folders/:uuid — the library (paginated; pinned first; grid or list). */
export function libraryPage(ctx: AppContext, auth: Auth, folder: string | null, query: Record<string, string | undefined>): Response {
  const data = libraryData(ctx, auth.user.id, folder, query);
  return dashboardHtml(LibraryPage({ header: headerInfo(ctx, auth), data, serverUrl: ctx.config.publicUrl, staleSync: staleSync(ctx, auth.user.id), live: liveVersion(ctx, auth.user.id), ocrActive: ocrActive(ctx), bulk: bulkNotice(query) }));
}

const PROBLEMS = new Set(["ocr_not_configured", "ocr_paused", "quota_exceeded", "notion_not_connected", "none_selected"]);

/** After POST /library/bulk: `?bulk=ocr|notion|download&docs=N&queued=N&problem=code` (numbers and known codes only). */
function bulkNotice(q: Record<string, string | undefined>): BulkNotice | null {
  const action = q.bulk;
  if (action !== "ocr" && action !== "notion" && action !== "download") return null;
  const num = (v: string | undefined) => (v && /^\d{1,6}$/.test(v) ? Number(v) : 0);
  const problem = q.problem && PROBLEMS.has(q.problem) ? (q.problem as BulkNotice["problem"]) : null;
  return { action, documents: num(q.docs), queued: num(q.queued), problem };
}
