import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { liveVersion } from "../../../services/library/dashboard.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { LIVE_EVENT, LivePoller } from "../../../../views/partials/live.tsx";
import { dashboardHtml } from "../../http.ts";

/**
 * GET /live?v= — htmx poll: 204 while the user's jobs and documents are as in `v`; else the
 * poller with the new fingerprint and `HX-Trigger: rmirror-live` (live regions reload).
 */
export function liveFragment(ctx: AppContext, auth: Auth, v: string | undefined): Response {
  const now = liveVersion(ctx, auth.user.id);
  if (v === now) return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  return dashboardHtml(render(LivePoller({ version: now })), 200, { "hx-trigger": LIVE_EVENT });
}
