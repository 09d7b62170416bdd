import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { BatchInputSchema, DocumentInputSchema } from "../../../services/library/sync-schema.ts";
import { checkItemCounts } from "../../../services/library/sync.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { BODY_LIMITS, jsonBody } from "../../body.ts";
import { deleteDocument } from "./delete-document.ts";
import { documentMarkdown } from "./document-markdown.ts";
import { documentPdf } from "./document-pdf.ts";
import { documentOriginalRoute, documentRmdocRoute } from "./downloads.ts";
import { getDocument } from "./get-document.ts";
import { listDocuments } from "./list-documents.ts";
import { listPages } from "./list-pages.ts";
import { pageMarkdown } from "./page-markdown.ts";
import { pagePng } from "./page-png.ts";
import { pageSvg } from "./page-svg.ts";
import { pageThumb } from "./page-thumb.ts";
import { putBatch } from "./put-batch.ts";
import { putDocument } from "./put-document.ts";

export const documentRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:documents", prefix: "/api/v1/documents" })
    .use(authPlugin(ctx))
    .put("/", ({ auth, body }) => putBatch(ctx, auth, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx), maxBytes: BODY_LIMITS.syncJsonBytes }),
      body: BatchInputSchema,
      detail: { tags: ["sync"], summary: "Batch upsert: many documents, one transaction each" },
    })
    .put("/:uuid", ({ auth, params, body }) => putDocument(ctx, auth, params.uuid, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx), maxBytes: BODY_LIMITS.syncJsonBytes, check: checkItemCounts }),
      body: DocumentInputSchema,
      detail: { tags: ["sync"], summary: "Upsert a document (metadata, page list, file list); answers the missing blob hashes" },
    })
    .get("/", ({ auth, query }) => listDocuments(ctx, auth, query), { auth: true, detail: { tags: ["library"], summary: "List documents and folders" } })
    .get("/:uuid", ({ auth, params }) => getDocument(ctx, auth, params.uuid), { auth: true, detail: { tags: ["library"], summary: "A document with its pages and files" } })
    .delete("/:uuid", ({ auth, params }) => deleteDocument(ctx, auth, params.uuid), { auth: true, detail: { tags: ["sync"], summary: "Soft-delete a document" } })
    .get("/:uuid/pages", ({ auth, params }) => listPages(ctx, auth, params.uuid), { auth: true, detail: { tags: ["library"], summary: "Pages with render status" } })
    .get("/:uuid/pages/:pageId/svg", ({ auth, params, query }) => pageSvg(ctx, auth, params.uuid, params.pageId, query), {
      auth: true,
      detail: { tags: ["library"], summary: "Rendered page (SVG)" },
    })
    .get("/:uuid/pages/:pageId/png", ({ auth, params, query }) => pagePng(ctx, auth, params.uuid, params.pageId, query), {
      auth: true,
      detail: { tags: ["library"], summary: "Rendered page (PNG, cached)" },
    })
    .get("/:uuid/pages/:pageId/markdown", ({ auth, params }) => pageMarkdown(ctx, auth, params.uuid, params.pageId), {
      auth: true,
      detail: { tags: ["library"], summary: "One page's typed text, handwriting (OCR) and highlights as Markdown" },
    })
    .get("/:uuid/pages/:pageId/thumb/:file", ({ auth, params, request }) => pageThumb(ctx, auth, params.uuid, params.pageId, params.file, request), {
      auth: true,
      detail: { tags: ["library"], summary: "Page thumbnail (small PNG, PDF page underneath; content-addressed, cached for a year)" },
    })
    .get("/:uuid/pdf", ({ auth, params }) => documentPdf(ctx, auth, params.uuid), { auth: true, detail: { tags: ["library"], summary: "Document as PDF (cached)" } })
    .get("/:uuid/original", ({ auth, params }) => documentOriginalRoute(ctx, auth, params.uuid), {
      auth: true,
      detail: { tags: ["library"], summary: "The original PDF or EPUB, as uploaded (also in the trash or deleted within the grace period)" },
    })
    .get("/:uuid/rmdoc", ({ auth, params }) => documentRmdocRoute(ctx, auth, params.uuid), {
      auth: true,
      detail: { tags: ["library"], summary: "The document as .rmdoc (zip of its files, as the desktop app exports)" },
    })
    .get("/:uuid/markdown", ({ auth, params, request }) => documentMarkdown(ctx, auth, params.uuid, request), {
      auth: true,
      detail: { tags: ["library"], summary: "Typed text, handwriting (OCR) and highlights as Markdown" },
    });
