import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentMarkdownKey, documentMarkdown as md } from "../../../services/library/exports.ts";

/**
 * GET /api/v1/documents/:uuid/markdown — typed text, handwriting (OCR) and highlights as Markdown.
 * The ETag covers every page file and OCR text, so a cached copy is revalidated (304) and
 * replaced as soon as anything changes.
 */
export async function documentMarkdown(ctx: AppContext, auth: Auth, uuid: string, request: Request): Promise<Response> {
  const etag = `"md-${documentMarkdownKey(ctx, auth.user.id, uuid).slice(0, 32)}"`;
  const cache = { etag, "cache-control": "private, no-cache" };
  const match = request.headers.get("if-none-match");
  if (match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return new Response(null, { status: 304, headers: cache });
  const { name, text } = await md(ctx, auth.user.id, uuid);
  return new Response(text, {
    headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(name)}`, "x-content-type-options": "nosniff", ...cache },
  });
}
