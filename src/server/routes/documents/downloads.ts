import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentOriginal, documentRmdoc } from "../../../services/library/exports.ts";

/** `attachment` with the UTF-8 file name (RFC 6266 / 5987). */
export function attachment(name: string): string {
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** GET /api/v1/documents/:uuid/original — the PDF or EPUB the document was made from (404 for notebooks). */
export async function documentOriginalRoute(ctx: AppContext, auth: Auth, uuid: string): Promise<Response> {
  const o = await documentOriginal(ctx, auth.user.id, uuid);
  return new Response(o.body, { headers: { "content-type": o.type, "content-disposition": attachment(o.name), "cache-control": "private, no-cache", "x-content-type-options": "nosniff" } });
}

/** GET /api/v1/documents/:uuid/rmdoc — the document as a `.rmdoc` archive (the desktop app's export). */
export async function documentRmdocRoute(ctx: AppContext, auth: Auth, uuid: string): Promise<Response> {
  const r = await documentRmdoc(ctx, auth.user.id, uuid);
  return new Response(r.bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/zip", "content-disposition": attachment(r.name), "cache-control": "private, no-cache" } });
}
