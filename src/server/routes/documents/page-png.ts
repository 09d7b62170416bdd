import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pagePng as png, parsePngQuery } from "../../../services/library/exports.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/png?longEdge=&grayscale=&text= */
export async function pagePng(ctx: AppContext, auth: Auth, uuid: string, pageId: string, q: Record<string, string | undefined>): Promise<Response> {
  const body = await png(ctx, auth.user.id, uuid, pageId, parsePngQuery(q));
  return new Response(body, { headers: { "content-type": "image/png", "cache-control": "private, max-age=60" } });
}
