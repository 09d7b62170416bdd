import type { Auth } from "../../../services/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentMarkdown as md } from "../../../services/exports.ts";

/** GET /api/v1/documents/:uuid/markdown — typed text and highlights as Markdown. */
export async function documentMarkdown(ctx: AppContext, auth: Auth, uuid: string): Promise<Response> {
  const { name, text } = await md(ctx, auth.user.id, uuid);
  return new Response(text, {
    headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(name)}`, "x-content-type-options": "nosniff" },
  });
}
