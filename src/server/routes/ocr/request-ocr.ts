import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageOcr, requestOcr as request } from "../../../services/ocr/ocr.ts";

/** POST /api/v1/documents/:uuid/ocr — OCR the document's waiting/failed pages (402 when the quota is used up). */
export function requestDocumentOcr(ctx: AppContext, auth: Auth, uuid: string) {
  return request(ctx, auth.user.id, uuid);
}

/** POST /api/v1/documents/:uuid/ocr/held — read the pages beyond the initial-sync limit (402 when the quota is used up). */
export function requestHeldOcr(ctx: AppContext, auth: Auth, uuid: string) {
  return request(ctx, auth.user.id, uuid, undefined, { onlyHeld: true });
}

/** POST /api/v1/documents/:uuid/pages/:pageId/ocr — OCR one waiting/failed page (402 when the quota is used up). */
export function requestPageOcr(ctx: AppContext, auth: Auth, uuid: string, pageId: string) {
  return request(ctx, auth.user.id, uuid, pageId);
}

/** GET /api/v1/documents/:uuid/pages/:pageId/ocr — OCR state, Markdown, tokens, time taken. */
export function getPageOcr(ctx: AppContext, auth: Auth, uuid: string, pageId: string) {
  return pageOcr(ctx, auth.user.id, uuid, pageId);
}
