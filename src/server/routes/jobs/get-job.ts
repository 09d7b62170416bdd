import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { requireIntId } from "../../../services/ids.ts";
import { getJob as get, retryJob as retry } from "../../../services/library/jobs.ts";

/** GET /api/v1/jobs/:id */
export function getJob(ctx: AppContext, auth: Auth, id: string) {
  return get(ctx, auth.user.id, requireIntId(id, "job_not_found"));
}

/** POST /api/v1/jobs/:id/retry — run a failed job again. */
export function retryJob(ctx: AppContext, auth: Auth, id: string) {
  return retry(ctx, auth.user.id, requireIntId(id, "job_not_found"));
}
