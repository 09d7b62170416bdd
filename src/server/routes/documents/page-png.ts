import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageDownloadName, pagePng as png, parsePngQuery } from "../../../services/library/exports.ts";
import { pageImageCaching } from "../../../services/library/thumbnails.ts";
import { attachment } from "./downloads.ts";

/** GET /api/v1/documents/:uuid/pages/:pageId/png?longEdge=&grayscale=&text=&v=&download=1 (v: the page's current key → cached for a year; download: as a file) */
export async function pagePng(ctx: AppContext, auth: Auth, uuid: string, pageId: string, q: Record<string, string | undefined>): Promise<Response> {
  const body = await png(ctx, auth.user.id, uuid, pageId, parsePngQuery(q));
  const download: Record<string, string> = q.download === "1" ? { "content-disposition": attachment(pageDownloadName(ctx, auth.user.id, uuid, pageId, "png")) } : {};
  return new Response(body, { headers: { "content-type": "image/png", "cache-control": pageImageCaching(ctx, auth.user.id, uuid, pageId, q.v, "private, max-age=60"), ...download } });
}
