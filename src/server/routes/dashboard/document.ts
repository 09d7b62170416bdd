import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { documentData, headerInfo } from "../../../services/library/dashboard.ts";
import { notionPanelData } from "../../../services/notion/notion.ts";
import { requestOcr } from "../../../services/ocr/ocr.ts";
import { ocrActive } from "../../../services/ocr/pause.ts";
import { rereadPages } from "../../../services/ocr/reread.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { DocumentPage } from "../../../../views/pages/document.tsx";
import { NotionPanel } from "../../../../views/partials/notion-status.tsx";
import { OcrNotice, PageGrid } from "../../../../views/partials/page-grid.tsx";
import { dashboardHtml } from "../../http.ts";

/** GET /documents/:uuid — the document's pages with status badges and downloads (read-only when trashed or deleted). */
export function documentPage(ctx: AppContext, auth: Auth, uuid: string): Response {
  const doc = documentData(ctx, auth.user.id, uuid, true);
  const integrations = doc.removed?.state === "deleted" ? undefined : NotionPanel({ data: notionPanelData(ctx, auth.user.id, doc.uuid) });
  return dashboardHtml(DocumentPage({ header: headerInfo(ctx, auth), doc, integrations, ocrActive: ocrActive(ctx) }));
}

/** GET /documents/:uuid/notion — fragment: the Notion panel (reloads after Sync now / Resync). */
export function documentNotion(ctx: AppContext, auth: Auth, uuid: string): Response {
  documentData(ctx, auth.user.id, uuid);
  return dashboardHtml(render(NotionPanel({ data: notionPanelData(ctx, auth.user.id, uuid) })));
}

/** POST /documents/:uuid/ocr — htmx: OCR every waiting or failed page; answers the page grid (402 → quota modal). */
export function documentOcr(ctx: AppContext, auth: Auth, uuid: string): Response {
  documentData(ctx, auth.user.id, uuid);
  requestOcr(ctx, auth.user.id, uuid);
  ctx.queue.notify();
  return dashboardHtml(render(PageGrid({ doc: documentData(ctx, auth.user.id, uuid) })));
}

/** POST /documents/:uuid/ocr-held — htmx: read the pages held by the initial-sync limit, within the quota (402 → quota modal). */
export function documentHeldOcr(ctx: AppContext, auth: Auth, uuid: string): Response {
  documentData(ctx, auth.user.id, uuid);
  requestOcr(ctx, auth.user.id, uuid, undefined, { onlyHeld: true });
  ctx.queue.notify();
  return dashboardHtml(render(PageGrid({ doc: documentData(ctx, auth.user.id, uuid) })));
}

/** GET /documents/:uuid/status — the page grid fragment (polls itself only while pages are busy). */
export function documentStatus(ctx: AppContext, auth: Auth, uuid: string): Response {
  return dashboardHtml(render(PageGrid({ doc: documentData(ctx, auth.user.id, uuid, true) })));
}

/**
 * POST /documents/:uuid/reread — htmx: read every read page of the document again with the
 * current engine settings, newest first, as far as the quota reaches (read_reason 're-read').
 * Answers the page grid and, out of band, a notice that says what was queued and what the quota
 * left out.
 */
export function documentReread(ctx: AppContext, auth: Auth, uuid: string): Response {
  documentData(ctx, auth.user.id, uuid);
  const r = rereadPages(ctx, auth.user.id, { documentUuid: uuid, all: true });
  if (r.queued) ctx.queue.notify();
  const grid = render(PageGrid({ doc: documentData(ctx, auth.user.id, uuid) }));
  return dashboardHtml(grid + render(OcrNotice({ message: r.message, kind: r.short > 0 ? "warn" : "ok", oob: true, data: { queued: r.queued, short: r.short } })));
}
