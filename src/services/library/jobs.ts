// The job status view for the API (scoped by user).
import { AppError } from "../../errors.ts";
import type { JobHistoryMark, JobRow } from "../../storage/jobs.ts";
import type { AppContext } from "../context.ts";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function jobView(j: JobRow) {
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    priority: j.priority,
    attempts: j.attempts,
    maxAttempts: j.max_attempts,
    lastError: j.last_error,
    runAfter: iso(j.run_after),
    createdAt: iso(j.created_at),
    finishedAt: iso(j.finished_at),
    payload: JSON.parse(j.payload) as unknown,
  };
}

/**
 * Why a cancelled job did not run, for people, and when its work happens instead; null when the
 * job simply failed (those can be retried). A job the claim guard set aside (quota used up, OCR
 * paused, page changed, already read) cannot succeed by retrying it: the work is queued again by
 * itself (quota reset, a working API key) or is not needed.
 */
export function jobNotRetryable(status: string, lastError: string | null, quotaResetsOn: string): { reason: string; when: string } | null {
  if (status !== "cancelled" || !lastError) return null;
  if (lastError.startsWith("deferred: monthly OCR quota"))
    return { reason: "Waiting for OCR quota: this month's quota is used up.", when: `Runs by itself when the quota resets on ${quotaResetsOn}.` };
  if (lastError.startsWith("deferred: OCR is paused"))
    return { reason: "OCR is paused: the API key was rejected.", when: "Runs by itself once a working API key is set (see Quota)." };
  if (lastError.startsWith("stale:")) return { reason: "Skipped: the page changed or was deleted before it was read.", when: "Its newest version is read instead." };
  if (lastError.startsWith("already read")) return { reason: "Skipped: this page was already read with these settings.", when: "Nothing left to do." };
  return null;
}

const STATUSES = new Set(["queued", "running", "done", "failed", "cancelled"]);

export function listJobs(ctx: AppContext, userId: number, f: { status?: string; kind?: string; limit?: number }) {
  if (f.status !== undefined && !STATUSES.has(f.status)) throw new AppError("bad_request", "status must be one of queued, running, done, failed, cancelled.");
  const limit = Math.min(Math.max(1, f.limit ?? 100), 1000);
  const counts: Record<string, Record<string, number>> = {};
  for (const c of ctx.store.jobCountsByUser(userId)) (counts[c.kind] ??= {})[c.status] = c.n;
  return { counts, jobs: ctx.store.jobsByUser(userId, { ...f, limit }).map(jobView) };
}

export function getJob(ctx: AppContext, userId: number, id: number) {
  const j = ctx.store.jobById(id);
  if (!j || j.user_id !== userId) throw new AppError("job_not_found");
  return jobView(j);
}

export function retryJob(ctx: AppContext, userId: number, id: number) {
  const j = ctx.store.jobById(id);
  if (!j || j.user_id !== userId) throw new AppError("job_not_found");
  if (!ctx.store.retryJob(userId, id)) throw new AppError("job_not_retryable");
  ctx.queue.notify();
  return jobView(ctx.store.jobById(id)!);
}

/**
 * Delete job history past the retention (daily housekeeping): finished, failed and cancelled
 * jobs older than `jobs.keepDays`, and beyond the newest `jobs.keepPerUser` of each user. Live
 * jobs are never touched; the outcome of a failed job stays on its domain row (page render/OCR
 * status with the reason). Deletes in small batches and yields between them, so a large backlog
 * (the first run after an upgrade) never holds the write lock or the event loop for long.
 */
export async function purgeJobHistory(ctx: AppContext, now = Date.now(), o: { batch?: number; signal?: AbortSignal } = {}): Promise<number> {
  const { keepDays, keepPerUser } = ctx.config.jobs;
  const batch = o.batch ?? 2000;
  const byAge: JobHistoryMark = { finished_at: now - keepDays * 86_400_000, id: 0 };
  let deleted = 0;
  for (const owner of ctx.store.jobHistoryOwners()) {
    // Everything before the older of: the age cutoff, the keepPerUser-th newest job (kept itself).
    const byCount = keepPerUser === 0 ? { finished_at: Number.MAX_SAFE_INTEGER, id: 0 } : ctx.store.jobHistoryKeepFrom(owner, keepPerUser);
    const before = byCount && (byCount.finished_at > byAge.finished_at || (byCount.finished_at === byAge.finished_at && byCount.id > byAge.id)) ? byCount : byAge;
    for (;;) {
      if (o.signal?.aborted) return deleted;
      const n = ctx.store.deleteJobHistory(owner, before, batch);
      deleted += n;
      if (n < batch) break;
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  return deleted;
}
