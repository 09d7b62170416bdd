import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { pageData } from "../../../services/library/dashboard.ts";
import { requestOcr } from "../../../services/ocr/ocr.ts";
import { ocrActive } from "../../../services/ocr/pause.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { PageText } from "../../../../views/partials/page-text.tsx";
import { dashboardHtml } from "../../http.ts";

/** POST /documents/:uuid/pages/:n/ocr — retry (or request) OCR of one page; 402 → quota modal. */
export function retryPageOcr(ctx: AppContext, auth: Auth, uuid: string, n: string): Response {
  const before = pageData(ctx, auth.user.id, uuid, n);
  requestOcr(ctx, auth.user.id, uuid, before.page.id);
  ctx.queue.notify();
  return dashboardHtml(render(PageText({ data: pageData(ctx, auth.user.id, uuid, n), ocrActive: ocrActive(ctx) })));
}
