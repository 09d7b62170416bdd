import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { getPageOcr, requestDocumentOcr, requestHeldOcr, requestPageOcr } from "./request-ocr.ts";

export const ocrRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:ocr", prefix: "/api/v1/documents" })
    .use(authPlugin(ctx))
    .post("/:uuid/ocr", ({ auth, params }) => requestDocumentOcr(ctx, auth, params.uuid), { auth: true, detail: { tags: ["ocr"], summary: "OCR a document's waiting, failed or held pages" } })
    .post("/:uuid/ocr/held", ({ auth, params }) => requestHeldOcr(ctx, auth, params.uuid), {
      auth: true,
      detail: { tags: ["ocr"], summary: "Read the pages held by the initial-sync limit (newest first, within the quota)" },
    })
    .post("/:uuid/pages/:pageId/ocr", ({ auth, params }) => requestPageOcr(ctx, auth, params.uuid, params.pageId), {
      auth: true,
      detail: { tags: ["ocr"], summary: "OCR one waiting or failed page" },
    })
    .get("/:uuid/pages/:pageId/ocr", ({ auth, params }) => getPageOcr(ctx, auth, params.uuid, params.pageId), {
      auth: true,
      detail: { tags: ["ocr"], summary: "A page's OCR state and Markdown" },
    });
