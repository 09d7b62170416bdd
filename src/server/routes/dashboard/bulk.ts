// POST /library/bulk — the library's bulk actions (issue 13 item 15) as a plain form (CSRF field,
// works without JavaScript): `action` = download | ocr | notion, `format` = pdf | rmdoc (download),
// one `doc.<uuid>` field per checked notebook, `back` = the library page to return to. A download
// answers the zip; OCR and Notion queue their work and go back with a notice (`?bulk=…`).
import type { Auth } from "../../../services/accounts/accounts.ts";
import { AppError } from "../../../errors.ts";
import type { AppContext } from "../../../services/context.ts";
import { bulkDownload, ownDocuments, selectedUuids } from "../../../services/library/bulk.ts";
import { resyncDocument } from "../../../services/notion/notion.ts";
import { requestOcr } from "../../../services/ocr/ocr.ts";
import { attachment } from "../documents/downloads.ts";
import { redirect } from "./guard.ts";

export type BulkProblem = "ocr_not_configured" | "ocr_paused" | "quota_exceeded" | "notion_not_connected" | "none_selected";

export interface BulkOutcome {
  action: "ocr" | "notion";
  /** Documents the action was applied to. */
  documents: number;
  /** OCR: pages queued. Notion: notebooks queued. */
  queued: number;
  /** Why it stopped (a known error code), if so. */
  problem: BulkProblem | null;
}

const PROBLEMS = new Set<string>(["ocr_not_configured", "ocr_paused", "quota_exceeded", "notion_not_connected"]);

/** OCR now or sync to Notion for each selected live document; stops at a problem that applies to all (not configured, quota used up). */
export function bulkApply(ctx: AppContext, userId: number, uuids: string[], action: "ocr" | "notion"): BulkOutcome {
  const docs = ownDocuments(ctx, userId, uuids).filter((d) => d.deleted_at === null);
  const out: BulkOutcome = { action, documents: 0, queued: 0, problem: docs.length ? null : "none_selected" };
  for (const d of docs) {
    try {
      if (action === "ocr") out.queued += requestOcr(ctx, userId, d.uuid).queued;
      else if (resyncDocument(ctx, userId, d.uuid).queued) out.queued++;
      out.documents++;
    } catch (e) {
      if (e instanceof AppError && PROBLEMS.has(e.code)) {
        out.problem = e.code as BulkProblem;
        break;
      }
      throw e;
    }
  }
  if (out.queued) ctx.queue.notify();
  return out;
}

/** Only a library page of this server: `/` or `/folders/<uuid>` with its sort/view/page query. */
function backTo(raw: string | undefined): string {
  if (!raw || !/^\/(folders\/[0-9a-f-]{36})?(\?[A-Za-z0-9=&%._-]*)?$/.test(raw)) return "/";
  return raw;
}

function withNotice(back: string, notice: Record<string, string>): string {
  const [path, query = ""] = back.split("?", 2) as [string, string?];
  const q = new URLSearchParams(query);
  for (const k of ["bulk", "docs", "queued", "problem"]) q.delete(k);
  for (const [k, v] of Object.entries(notice)) q.set(k, v);
  return `${path}?${q}`;
}

export async function bulkForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  const form = (body ?? {}) as Record<string, string>;
  const back = backTo(form.back);
  const action = form.action;
  if (action !== "download" && action !== "ocr" && action !== "notion") throw new AppError("bad_request", "Choose Download, OCR now or Sync to Notion.");
  const uuids = selectedUuids(form);
  if (!uuids.length) return redirect(withNotice(back, { bulk: action, problem: "none_selected" }));
  if (action === "download") {
    const format = form.format === "rmdoc" ? "rmdoc" : "pdf";
    const z = await bulkDownload(ctx, auth.user.id, uuids, format);
    return new Response(z.bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/zip", "content-disposition": attachment(z.name), "cache-control": "no-store" } });
  }
  const r = bulkApply(ctx, auth.user.id, uuids, action);
  return redirect(withNotice(back, { bulk: action, docs: String(r.documents), queued: String(r.queued), ...(r.problem ? { problem: r.problem } : {}) }));
}
