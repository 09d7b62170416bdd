// The durable job queue: the database is the queue, this module is its only writer.
// - enqueue: synchronous, so it can run inside the caller's domain transaction (atomic with the
//   upsert that caused it); an idempotency key is unique among live (queued/running) jobs.
// - claim: one transaction selects due jobs (or running jobs whose lease expired: a crashed
//   worker) and stamps each with a fresh allocation id (the fencing token) and a lease.
// - complete/fail/retryAfter are fenced on the allocation id: a worker that lost its lease can
//   no longer finish the job or apply its domain writes (they run in the same transaction).
import type { Logger } from "../log.ts";
import { silentLogger } from "../log.ts";
import type { JobRow } from "../storage/jobs.ts";
import type { Store } from "../storage/store.ts";

export type { JobRow };

export interface EnqueueOptions {
  userId?: number | null;
  priority?: number;
  runAfter?: number;
  idempotencyKey?: string | null;
  maxAttempts?: number;
  /**
   * With an idempotency key that a *queued* job holds: replace that job's payload and run time
   * (a newer version of the same work; run_after may move later or earlier) instead of doing nothing.
   */
  replaceQueued?: boolean;
}

export interface QueueOptions {
  leaseMs: number;
  maxAttempts: number;
  /** Backoff base and cap for failed attempts (ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  log?: Logger;
  now?: () => number;
}

/**
 * Runs inside the claim transaction for each job of its kind (e.g. atomic quota reservation).
 * Returns null to run the job, or a reason to cancel it instead (its domain writes, such as
 * marking the page as deferred, happen in the same transaction).
 */
export type ClaimGuard = (job: JobRow) => string | null;

/** Synchronous domain write run in the same transaction as a job's final failure. */
export type FinalFailureHandler = (job: JobRow, reason: string) => void;

export class JobQueue {
  private readonly listeners = new Set<() => void>();
  private readonly finalFailure = new Map<string, FinalFailureHandler>();
  private readonly claimGuards = new Map<string, ClaimGuard>();
  readonly leaseMs: number;
  readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly log: Logger;
  readonly now: () => number;

  constructor(readonly store: Store, opts: QueueOptions) {
    this.leaseMs = opts.leaseMs;
    this.maxAttempts = opts.maxAttempts;
    this.backoffBaseMs = opts.backoffBaseMs ?? 1000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 10 * 60_000;
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  /** Called (asynchronously) after anything is enqueued, so an idle runner wakes up. */
  onEnqueue(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Wake listeners (the runner) after a job was made due outside enqueue (e.g. a manual retry). */
  notify(): void {
    if (this.listeners.size) queueMicrotask(() => this.listeners.forEach((l) => l()));
  }

  onFinalFailure(kind: string, fn: FinalFailureHandler): void {
    this.finalFailure.set(kind, fn);
  }

  onClaim(kind: string, fn: ClaimGuard): void {
    this.claimGuards.set(kind, fn);
  }

  /**
   * Add a job. Synchronous (safe inside a transaction). With an idempotency key that a live job
   * already holds, returns that job and inserts nothing.
   */
  enqueue(kind: string, payload: unknown, opts: EnqueueOptions = {}): { job: JobRow; created: boolean } {
    const key = opts.idempotencyKey ?? null;
    const row = this.store.insertJob({
      kind,
      payload: JSON.stringify(payload),
      userId: opts.userId ?? null,
      priority: opts.priority ?? 0,
      runAfter: opts.runAfter ?? this.now(),
      maxAttempts: opts.maxAttempts ?? this.maxAttempts,
      idempotencyKey: key,
    });
    if (row) {
      this.notify();
      return { job: row, created: true };
    }
    if (opts.replaceQueued) {
      const pushed = this.store.pushQueuedJob(key!, JSON.stringify(payload), opts.runAfter ?? this.now(), opts.priority ?? 0);
      if (pushed) {
        this.notify();
        return { job: pushed, created: false };
      }
    }
    return { job: this.store.liveJobByKey(key!)!, created: false };
  }

  /**
   * Claim up to `limit` due jobs of `kind`. Jobs whose lease expired with no attempts left are
   * failed for good here (their final-failure handler runs in the same transaction).
   */
  claim(kind: string, limit: number): JobRow[] {
    if (limit <= 0) return [];
    return this.store.tx(() => {
      const now = this.now();
      const out: JobRow[] = [];
      let offset = 0;
      while (out.length < limit) {
        const batch = this.store.claimableJobs(kind, now, limit - out.length, offset);
        if (!batch.length) break;
        for (const j of batch) {
          if (j.status === "running" && j.attempts >= j.max_attempts) {
            const reason = `lease expired after ${j.attempts} attempt(s)${j.last_error ? `; last error: ${j.last_error}` : ""}`;
            this.store.failJob(j.id, reason, now);
            this.finalFailure.get(j.kind)?.(j, reason);
            this.log.warn("job failed: lease expired", { job: j.id, kind: j.kind });
            continue;
          }
          const running = this.store.markJobRunning(j.id, crypto.randomUUID(), now + this.leaseMs, now);
          const cancel = this.claimGuards.get(j.kind)?.(running) ?? null;
          if (cancel !== null) {
            this.store.finishJob(running.id, running.alloc_id!, "cancelled", cancel, now);
            continue;
          }
          out.push(running);
        }
      }
      return out;
    });
  }

  /**
   * Mark done, applying `commit` (synchronous domain writes) in the same transaction, only if
   * this allocation still holds the job. Returns false when the lease was lost (nothing written).
   */
  complete(job: JobRow, commit?: () => void): boolean {
    return this.store.tx(() => {
      if (!this.store.finishJob(job.id, job.alloc_id!, "done", null, this.now())) return false;
      commit?.();
      return true;
    });
  }

  /**
   * Record a failed attempt: requeue with exponential backoff and jitter, or fail for good when
   * attempts are spent or `permanent`. Returns what happened ("lost" = no longer ours).
   */
  fail(job: JobRow, error: string, permanent = false): "retry" | "failed" | "lost" {
    return this.store.tx(() => {
      const now = this.now();
      if (permanent || job.attempts >= job.max_attempts) {
        if (!this.store.finishJob(job.id, job.alloc_id!, "failed", error, now)) return "lost";
        this.finalFailure.get(job.kind)?.(job, error);
        return "failed";
      }
      const delay = this.backoff(job.attempts);
      return this.store.requeueJob(job.id, job.alloc_id!, now + delay, error, 0, now) ? "retry" : "lost";
    });
  }

  /** Requeue after `ms` without spending the attempt. */
  retryAfter(job: JobRow, ms: number, reason: string | null = null): boolean {
    const now = this.now();
    return this.store.requeueJob(job.id, job.alloc_id!, now + Math.max(0, ms), reason, 1, now);
  }

  /** Extend the lease of a job we hold; false when it is no longer ours. */
  extend(job: JobRow): boolean {
    return this.store.extendJobLease(job.id, job.alloc_id!, this.now() + this.leaseMs);
  }

  /**
   * Crash recovery at boot: jobs left `running` by a previous process go back to the queue
   * (the attempt they used stays counted; a new claim gets a new fencing token).
   */
  recover(): number {
    const n = this.store.recoverRunningJobs(this.now());
    if (n) this.log.info("recovered jobs left running by a previous process", { jobs: n });
    return n;
  }

  backoff(attempts: number): number {
    const exp = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }
}
