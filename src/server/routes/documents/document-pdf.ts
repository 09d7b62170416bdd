import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentPdf as pdf } from "../../../services/library/exports.ts";

/** GET /api/v1/documents/:uuid/pdf — the whole document as PDF (original PDF underneath). */
export async function documentPdf(ctx: AppContext, auth: Auth, uuid: string): Promise<Response> {
  const { name, body } = await pdf(ctx, auth.user.id, uuid);
  return new Response(body, {
    headers: { "content-type": "application/pdf", "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`, "cache-control": "private, no-cache" },
  });
}
