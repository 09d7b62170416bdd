import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { oauthCallback as finish } from "../../../services/notion/notion.ts";
import { AppError } from "../../errors.ts";

/**
 * GET /notion/oauth/callback?code=&state= — Notion sends the browser back here. A browser goes on
 * to the settings page (with the error code when it failed); an API client (Accept:
 * application/json) gets the status or the error.
 */
export async function oauthCallback(ctx: AppContext, auth: Auth, request: Request, query: { code?: string | undefined; state?: string | undefined; error?: string | undefined }): Promise<Response> {
  const wantsJson = (request.headers.get("accept") ?? "").includes("application/json");
  const go = (location: string) => new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
  try {
    const status = await finish(ctx, auth, query);
    return wantsJson ? Response.json(status) : go("/settings/notion?connected=1");
  } catch (e) {
    if (wantsJson || !(e instanceof AppError) || e.status >= 500) throw e;
    return go(`/settings/notion?error=${e.code}`);
  }
}
