import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listJobs as list } from "../../../services/library/jobs.ts";

/** GET /api/v1/jobs?status=&kind=&limit= — counts per kind/status and recent jobs. */
export function listJobs(ctx: AppContext, auth: Auth, q: Record<string, string | undefined>) {
  const limit = q.limit !== undefined && /^\d{1,5}$/.test(q.limit) ? Number(q.limit) : undefined;
  return list(ctx, auth.user.id, { ...(q.status ? { status: q.status } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(limit ? { limit } : {}) });
}
