import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { discardCorrection, keepCorrection, saveCorrection } from "../../../services/library/corrections.ts";
import { pageData } from "../../../services/library/dashboard.ts";
import { ocrActive } from "../../../services/ocr/pause.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { PageText } from "../../../../views/partials/page-text.tsx";
import { dashboardHtml } from "../../http.ts";

const panel = (ctx: AppContext, auth: Auth, uuid: string, n: string) =>
  dashboardHtml(render(PageText({ data: pageData(ctx, auth.user.id, uuid, n), ocrActive: ocrActive(ctx) })));

/** POST /documents/:uuid/pages/:n/correction (text=…) — save the user's correction of the OCR text. */
export function saveCorrectionForm(ctx: AppContext, auth: Auth, uuid: string, n: string, body: unknown): Response {
  const text = body && typeof body === "object" ? (body as Record<string, unknown>).text : undefined;
  saveCorrection(ctx, auth.user.id, uuid, n, typeof text === "string" ? text : "");
  return panel(ctx, auth, uuid, n);
}

/** POST /documents/:uuid/pages/:n/correction/keep — keep a correction after the page changed. */
export function keepCorrectionForm(ctx: AppContext, auth: Auth, uuid: string, n: string): Response {
  keepCorrection(ctx, auth.user.id, uuid, n);
  return panel(ctx, auth, uuid, n);
}

/** POST /documents/:uuid/pages/:n/correction/discard — drop the correction (the OCR text applies). */
export function discardCorrectionForm(ctx: AppContext, auth: Auth, uuid: string, n: string): Response {
  discardCorrection(ctx, auth.user.id, uuid, n);
  return panel(ctx, auth, uuid, n);
}
