import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo, pageData } from "../../../services/library/dashboard.ts";
import { ocrActive } from "../../../services/ocr/pause.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { PageView } from "../../../../views/pages/page.tsx";
import { PageText } from "../../../../views/partials/page-text.tsx";
import { dashboardHtml } from "../../http.ts";

/** GET /documents/:uuid/pages/:n — one page (1-based) beside its text. */
export function pagePage(ctx: AppContext, auth: Auth, uuid: string, n: string): Response {
  return dashboardHtml(PageView({ header: headerInfo(ctx, auth), data: pageData(ctx, auth.user.id, uuid, n, true), ocrActive: ocrActive(ctx) }));
}

/** GET /documents/:uuid/pages/:n/status — the text panel fragment (polls while busy). */
export function pageStatusFragment(ctx: AppContext, auth: Auth, uuid: string, n: string): Response {
  return dashboardHtml(render(PageText({ data: pageData(ctx, auth.user.id, uuid, n, true), ocrActive: ocrActive(ctx) })));
}
