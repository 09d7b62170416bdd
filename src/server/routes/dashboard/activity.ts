import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo, liveVersion } from "../../../services/library/dashboard.ts";
import { jobNotRetryable, listJobs, retryJob, type jobView } from "../../../services/library/jobs.ts";
import { requireIntId, UUID_RE } from "../../../services/ids.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { ActivityPage } from "../../../../views/pages/activity.tsx";
import { JobRow, type JobItem } from "../../../../views/partials/job-row.tsx";
import { dashboardHtml } from "../../http.ts";

function target(ctx: AppContext, userId: number, payload: unknown): JobItem["target"] {
  const o = payload as { pageId?: unknown; documentUuid?: unknown } | null;
  if (o && typeof o.pageId === "number") {
    const at = ctx.store.pageLocation(userId, o.pageId);
    return at ? { href: `/documents/${at.uuid}/pages/${at.n}`, label: `${at.name} — page ${at.n}` } : null;
  }
  if (o && typeof o.documentUuid === "string" && UUID_RE.test(o.documentUuid)) {
    const d = ctx.store.documentByUuid(userId, o.documentUuid);
    return d && d.deleted_at === null ? { href: `/documents/${d.uuid}`, label: d.name } : null;
  }
  return null;
}

/** The read reason an OCR job's payload carries (where its quota page goes). */
function readReasonOf(payload: unknown): string | null {
  const r = (payload as { reason?: unknown } | null)?.reason;
  return typeof r === "string" && /^[a-z]{1,20}$/.test(r) ? r : null;
}

function item(ctx: AppContext, userId: number, j: ReturnType<typeof jobView>, resetsOn: string): JobItem {
  const waiting = jobNotRetryable(j.status, j.lastError, resetsOn);
  return {
    waiting,
    retryable: (j.status === "failed" || j.status === "cancelled") && waiting === null,
    id: j.id,
    kind: j.kind,
    status: j.status,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    lastError: j.lastError,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
    target: target(ctx, userId, j.payload),
    readReason: j.kind === "ocr" ? readReasonOf(j.payload) : null,
  };
}

/** GET /activity?status= — recent jobs with errors; failed ones can be retried. */
export function activityPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>): Response {
  const status = query.status === "failed" || query.status === "queued" || query.status === "running" || query.status === "done" ? query.status : undefined;
  const r = listJobs(ctx, auth.user.id, { ...(status ? { status } : {}), limit: 200 });
  const header = headerInfo(ctx, auth);
  return dashboardHtml(
    ActivityPage({ header, jobs: r.jobs.map((j) => item(ctx, auth.user.id, j, header.quota.resetsOn)), counts: r.counts, filter: status ?? "", live: liveVersion(ctx, auth.user.id) }),
  );
}

/** POST /activity/jobs/:id/retry — htmx: run a failed job again; answers the updated row. */
export function retryJobRow(ctx: AppContext, auth: Auth, id: string): Response {
  const j = retryJob(ctx, auth.user.id, requireIntId(id, "job_not_found"));
  return dashboardHtml(render(JobRow({ job: item(ctx, auth.user.id, j, headerInfo(ctx, auth).quota.resetsOn) })));
}
