import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageThumbnail } from "../../../services/library/thumbnails.ts";

/**
 * GET /api/v1/documents/:uuid/pages/:pageId/thumb/:key.png — the page's small raster thumbnail
 * (PDF page underneath for annotated PDFs). The key changes whenever the picture would, so the
 * answer is cached for a year and never revalidated (private: it is the user's own notes); an
 * outdated key is redirected to the current URL.
 */
export async function pageThumb(ctx: AppContext, auth: Auth, uuid: string, pageId: string, file: string, request: Request): Promise<Response> {
  const r = await pageThumbnail(ctx, auth.user.id, uuid, pageId, file);
  if (r.kind === "moved") return new Response(null, { status: 307, headers: { location: r.location, "cache-control": "no-store" } });
  const etag = `"${file.slice(0, -4)}"`;
  const headers: Record<string, string> = r.cacheable
    ? { "content-type": "image/png", "cache-control": "private, max-age=31536000, immutable", etag, "x-content-type-options": "nosniff" }
    : { "content-type": "image/png", "cache-control": "no-store", "x-content-type-options": "nosniff" };
  const match = request.headers.get("if-none-match");
  if (r.cacheable && match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
    if (r.body instanceof ReadableStream) await r.body.cancel().catch(() => {});
    return new Response(null, { status: 304, headers });
  }
  return new Response(r.body, { headers });
}
