// The job status view for the API (scoped by user).
import { AppError } from "../../errors.ts";
import type { JobRow } from "../../storage/jobs.ts";
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
