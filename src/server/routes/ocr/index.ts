import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { getPageOcr, requestDocumentOcr, requestPageOcr } from "./request-ocr.ts";

export const ocrRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:ocr", prefix: "/api/v1/documents" })
    .use(authPlugin(ctx))
    .post("/:uuid/ocr", ({ auth, params }) => requestDocumentOcr(ctx, auth, params.uuid), { auth: true, detail: { tags: ["ocr"], summary: "OCR a document's waiting or failed pages" } })
    .post("/:uuid/pages/:pageId/ocr", ({ auth, params }) => requestPageOcr(ctx, auth, params.uuid, params.pageId), {
      auth: true,
      detail: { tags: ["ocr"], summary: "OCR one waiting or failed page" },
    })
    .get("/:uuid/pages/:pageId/ocr", ({ auth, params }) => getPageOcr(ctx, auth, params.uuid, params.pageId), {
      auth: true,
      detail: { tags: ["ocr"], summary: "A page's OCR state and Markdown" },
    });
