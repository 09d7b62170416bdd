import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageSvg as svg } from "../../../services/library/library.ts";
import { pageImageCaching } from "../../../services/library/thumbnails.ts";
import { pageDownloadName } from "../../../services/library/exports.ts";
import { attachment } from "./downloads.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/svg?v=&download=1 (v: the page's current key → cached for a year; download: as a file named after the document and page) */
export async function pageSvg(ctx: AppContext, auth: Auth, uuid: string, pageId: string, q: Record<string, string | undefined> = {}): Promise<Response> {
  const body = await svg(ctx, auth.user.id, uuid, pageId);
  const download: Record<string, string> = q.download === "1" ? { "content-disposition": attachment(pageDownloadName(ctx, auth.user.id, uuid, pageId, "svg")) } : {};
  return new Response(body, {
    headers: {
      "content-type": "image/svg+xml",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
      "cache-control": pageImageCaching(ctx, auth.user.id, uuid, pageId, q.v, "private, max-age=60"),
      ...download,
    },
  });
}
