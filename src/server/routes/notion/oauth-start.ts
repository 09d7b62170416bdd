import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { oauthStart as start } from "../../../services/notion/notion.ts";

/** GET /notion/oauth/start — redirect to Notion's authorize page (state bound to this session). */
export function oauthStart(ctx: AppContext, auth: Auth): Response {
  return new Response(null, { status: 302, headers: { location: start(ctx, auth), "cache-control": "no-store" } });
}
