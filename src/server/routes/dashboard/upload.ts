import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { UploadPage } from "../../../../views/pages/upload.tsx";
import { dashboardHtml } from "../../http.ts";

/** GET /upload — drag-and-drop upload (app.js posts to /api/v1/import). */
export function uploadPage(ctx: AppContext, auth: Auth): Response {
  return dashboardHtml(UploadPage({ header: headerInfo(ctx, auth), maxBytes: ctx.config.maxImportBytes }));
}
