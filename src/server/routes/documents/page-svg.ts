import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageSvg as svg } from "../../../services/library/library.ts";
import { pageImageCaching } from "../../../services/library/thumbnails.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/svg?v= (v: the page's current key → cached for a year) */
export async function pageSvg(ctx: AppContext, auth: Auth, uuid: string, pageId: string, v?: string): Promise<Response> {
  const body = await svg(ctx, auth.user.id, uuid, pageId);
  return new Response(body, {
    headers: {
      "content-type": "image/svg+xml",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
      "cache-control": pageImageCaching(ctx, auth.user.id, uuid, pageId, v, "private, max-age=60"),
    },
  });
}
