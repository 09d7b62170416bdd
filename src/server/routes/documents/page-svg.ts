import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageSvg as svg } from "../../../services/library/library.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/svg */
export async function pageSvg(ctx: AppContext, auth: Auth, uuid: string, pageId: string): Promise<Response> {
  const body = await svg(ctx, auth.user.id, uuid, pageId);
  return new Response(body, {
    headers: {
      "content-type": "image/svg+xml",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
      "cache-control": "private, max-age=60",
    },
  });
}
