import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageMarkdown as md } from "../../../services/library/exports.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/markdown — one page's typed text, handwriting (OCR) and highlights. */
export async function pageMarkdown(ctx: AppContext, auth: Auth, uuid: string, pageId: string): Promise<Response> {
  const { text } = await md(ctx, auth.user.id, uuid, pageId);
  return new Response(text, { headers: { "content-type": "text/markdown; charset=utf-8", "cache-control": "private, no-cache", "x-content-type-options": "nosniff" } });
}
