// The durable job queue's SQL. The queue logic (claim, fencing, backoff) is in src/jobs/queue.ts;
// this file only holds statements. Claiming runs inside one transaction opened by the caller.
import type { Database } from "bun:sqlite";

export type JobStatus = "queued" | "running" | "done" | "failed" | "cancelled";

export interface JobRow {
  id: number;
  kind: string;
  payload: string;
  user_id: number | null;
  status: JobStatus;
  priority: number;
  run_after: number;
  lease_until: number | null;
  alloc_id: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A position in a user's job history, ordered by (finished_at, id). */
export interface JobHistoryMark {
  finished_at: number;
  id: number;
}

const FINISHED = "status IN ('done','failed','cancelled')";

/**
 * Statements whose query plans matter as the job history grows (test/server/job-history.test.ts
 * checks them with EXPLAIN QUERY PLAN): claims read the partial index jobs_live (live jobs only,
 * in claim order), counts read job_counts (kept in step by triggers), lists walk an index in id
 * order, history deletion walks jobs_history.
 */
export const JOBS_SQL = {
  claimable: `SELECT * FROM jobs
     WHERE kind = ?1 AND status IN ('queued','running')
       AND CASE status WHEN 'queued' THEN run_after <= ?2 ELSE lease_until < ?2 END
     ORDER BY priority DESC, run_after, id LIMIT ?3 OFFSET ?4`,
  byUser: `SELECT * FROM jobs WHERE user_id = $user_id AND ($kind IS NULL OR kind = $kind) ORDER BY id DESC LIMIT $limit`,
  byUserStatus: `SELECT * FROM jobs WHERE user_id = $user_id AND status = $status AND ($kind IS NULL OR kind = $kind) ORDER BY id DESC LIMIT $limit`,
  countsByUser: "SELECT kind, status, n FROM job_counts WHERE user_id = ? AND n > 0 ORDER BY kind, status",
  counts: "SELECT kind, status, sum(n) AS n FROM job_counts GROUP BY kind, status HAVING sum(n) > 0 ORDER BY kind, status",
  nextRunAfter: "SELECT min(CASE WHEN status = 'queued' THEN run_after ELSE lease_until END) AS t FROM jobs WHERE status IN ('queued','running')",
  historyOwners: `SELECT DISTINCT user_id FROM job_counts WHERE status IN ('done','failed','cancelled') AND n > 0`,
  historyKeepFrom: `SELECT finished_at, id FROM jobs WHERE user_id IS ?1 AND ${FINISHED} ORDER BY finished_at DESC, id DESC LIMIT 1 OFFSET ?2`,
  deleteHistory: `DELETE FROM jobs WHERE id IN (
     SELECT id FROM jobs WHERE user_id IS ?1 AND ${FINISHED} AND (finished_at, id) < (?2, ?3)
       AND NOT EXISTS (SELECT 1 FROM quota_reservations r WHERE r.job_id = jobs.id)
     LIMIT ?4)`,
} as const;

export function jobsRepo(db: Database) {
  const insert = db.prepare<JobRow, Record<string, string | number | null>>(
    `INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, idempotency_key, created_at, updated_at)
     VALUES ($kind, $payload, $user_id, 'queued', $priority, $run_after, $max_attempts, $idempotency_key, $now, $now)
     ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL AND status IN ('queued','running') DO NOTHING
     RETURNING *`,
  );
  const push = db.prepare<JobRow, [string, number, number, number, string]>(
    `UPDATE jobs SET payload = ?1, run_after = ?2, priority = max(priority, ?3), updated_at = ?4
     WHERE idempotency_key = ?5 AND status = 'queued' RETURNING *`,
  );
  const liveByKey = db.prepare<JobRow, [string]>("SELECT * FROM jobs WHERE idempotency_key = ? AND status IN ('queued','running')");
  const byId = db.prepare<JobRow, [number]>("SELECT * FROM jobs WHERE id = ?");
  const claimable = db.prepare<JobRow, [string, number, number, number]>(JOBS_SQL.claimable);
  const markRunning = db.prepare<JobRow, [string, number, number, number]>(
    `UPDATE jobs SET status = 'running', alloc_id = ?1, lease_until = ?2, attempts = attempts + 1, updated_at = ?3
     WHERE id = ?4 RETURNING *`,
  );
  const finish = db.prepare<unknown, [string, string | null, number, number, string]>(
    `UPDATE jobs SET status = ?1, last_error = ?2, finished_at = ?3, lease_until = NULL, updated_at = ?3
     WHERE id = ?4 AND alloc_id = ?5 AND status = 'running'`,
  );
  const failExpired = db.prepare<unknown, [string, number, number]>(
    `UPDATE jobs SET status = 'failed', last_error = ?1, finished_at = ?2, lease_until = NULL, updated_at = ?2 WHERE id = ?3`,
  );
  const requeue = db.prepare<unknown, [number, string | null, number, number, number, string]>(
    `UPDATE jobs SET status = 'queued', run_after = ?1, last_error = ?2, attempts = attempts - ?3, lease_until = NULL, updated_at = ?4
     WHERE id = ?5 AND alloc_id = ?6 AND status = 'running'`,
  );
  const extend = db.prepare<unknown, [number, number, string]>(
    "UPDATE jobs SET lease_until = ?1 WHERE id = ?2 AND alloc_id = ?3 AND status = 'running'",
  );
  const recoverRunning = db.prepare<unknown, [number]>(
    "UPDATE jobs SET status = 'queued', lease_until = NULL, run_after = ?1, updated_at = ?1 WHERE status = 'running'",
  );
  const retry = db.prepare<unknown, [number, number, number]>(
    `UPDATE jobs SET status = 'queued', attempts = 0, run_after = ?1, last_error = NULL, finished_at = NULL, updated_at = ?1
     WHERE id = ?2 AND user_id = ?3 AND status IN ('failed','cancelled')
       AND (idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs j2 WHERE j2.idempotency_key = jobs.idempotency_key AND j2.status IN ('queued','running')))`,
  );
  const byUser = db.prepare<JobRow, Record<string, string | number | null>>(JOBS_SQL.byUser);
  const byUserStatus = db.prepare<JobRow, Record<string, string | number | null>>(JOBS_SQL.byUserStatus);
  const counts = db.prepare<{ kind: string; status: string; n: number }, [number]>(JOBS_SQL.countsByUser);
  const allCounts = db.prepare<{ kind: string; status: string; n: number }, []>(JOBS_SQL.counts);
  const nextRunAfter = db.prepare<{ t: number | null }, []>(JOBS_SQL.nextRunAfter);
  const historyOwners = db.prepare<{ user_id: number }, []>(JOBS_SQL.historyOwners);
  const historyKeepFrom = db.prepare<{ finished_at: number; id: number }, [number | null, number]>(JOBS_SQL.historyKeepFrom);
  const deleteHistory = db.prepare<unknown, [number | null, number, number, number]>(JOBS_SQL.deleteHistory);
  return {
    /** Insert, or return null when a live job with the same idempotency key exists. */
    insertJob: (j: { kind: string; payload: string; userId: number | null; priority: number; runAfter: number; maxAttempts: number; idempotencyKey: string | null }) =>
      insert.get({
        kind: j.kind,
        payload: j.payload,
        user_id: j.userId,
        priority: j.priority,
        run_after: j.runAfter,
        max_attempts: j.maxAttempts,
        idempotency_key: j.idempotencyKey,
        now: Date.now(),
      }),
    liveJobByKey: (key: string) => liveByKey.get(key),
    /** Rewrite the queued (not running) job holding `key`: new payload and run time. Null when none is queued. */
    pushQueuedJob: (key: string, payload: string, runAfter: number, priority: number, now = Date.now()) => push.get(payload, runAfter, priority, now, key),
    jobById: (id: number) => byId.get(id),
    claimableJobs: (kind: string, now: number, limit: number, offset = 0) => claimable.all(kind, now, limit, offset),
    markJobRunning: (id: number, allocId: string, leaseUntil: number, now: number) => markRunning.get(allocId, leaseUntil, now, id)!,
    /** Fenced: only the holder of `allocId` can finish the job. */
    finishJob: (id: number, allocId: string, status: "done" | "failed" | "cancelled", error: string | null, now = Date.now()) =>
      finish.run(status, error, now, id, allocId).changes === 1,
    failJob: (id: number, error: string, now = Date.now()) => failExpired.run(error, now, id),
    /** Fenced requeue; `refund` = 1 gives the attempt back (RetryAfter). */
    requeueJob: (id: number, allocId: string, runAfter: number, error: string | null, refund: 0 | 1, now = Date.now()) =>
      requeue.run(runAfter, error, refund, now, id, allocId).changes === 1,
    extendJobLease: (id: number, allocId: string, leaseUntil: number) => extend.run(leaseUntil, id, allocId).changes === 1,
    recoverRunningJobs: (now = Date.now()) => recoverRunning.run(now).changes,
    retryJob: (userId: number, id: number, now = Date.now()) => retry.run(now, id, userId).changes === 1,
    /** A user's newest jobs, optionally of one status and/or kind (newest first). */
    jobsByUser: (userId: number, f: { status?: string; kind?: string; limit: number }) =>
      f.status === undefined
        ? byUser.all({ user_id: userId, kind: f.kind ?? null, limit: f.limit })
        : byUserStatus.all({ user_id: userId, status: f.status, kind: f.kind ?? null, limit: f.limit }),
    jobCountsByUser: (userId: number) => counts.all(userId),
    jobCounts: () => allCounts.all(),
    nextJobTime: () => nextRunAfter.get()?.t ?? null,
    /** Owners of finished jobs (null = jobs of no user), from the counts table. */
    jobHistoryOwners: () => historyOwners.all().map((r) => (r.user_id === 0 ? null : r.user_id)),
    /** (finished_at, id) of the owner's `keep`-th newest finished job, or null when it has fewer. */
    jobHistoryKeepFrom: (userId: number | null, keep: number): JobHistoryMark | null => historyKeepFrom.get(userId, keep - 1) ?? null,
    /**
     * Delete up to `limit` finished jobs of one owner that come before `before` in (finished_at,
     * id) order; jobs a quota reservation still names are kept. Returns how many were deleted.
     */
    deleteJobHistory: (userId: number | null, before: JobHistoryMark, limit: number) => deleteHistory.run(userId, before.finished_at, before.id, limit).changes,
  };
}
