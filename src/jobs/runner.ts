// The in-process job runner: it only executes. Per kind it keeps up to `concurrency` jobs in
// flight, claims more when a slot frees up or something is enqueued, renews leases while a job
// runs, and on stop() drains what is in flight.
import type { Logger } from "../log.ts";
import { silentLogger } from "../log.ts";
import { isTransient, PermanentError, RetryAfter } from "./errors.ts";
import type { JobQueue, JobRow } from "./queue.ts";

export interface WorkerContext<P> {
  job: JobRow;
  payload: P;
  signal: AbortSignal;
}

export interface Worker<P = unknown> {
  kind: string;
  concurrency: number;
  /** The job payload schema: validates and types the stored JSON (throws on mismatch). */
  parse(payload: unknown): P;
  /**
   * Do the work. May return a synchronous commit function: it runs in the same transaction as
   * the job's completion, only if this worker still holds the job (fencing).
   */
  run(ctx: WorkerContext<P>): Promise<(() => void) | void>;
  /** Synchronous domain write when the job fails for good (e.g. pages.render_status='failed'). */
  onFinalFailure?(payload: P, reason: string, job: JobRow): void;
}

export interface RunnerOptions {
  pollMs: number;
  log?: Logger;
  /** Backoff for transient faults (storage down or full): doubles per fault in a row, capped. */
  transientRetry?: { baseMs: number; capMs: number };
}

export class JobRunner {
  private readonly workers = new Map<string, Worker<any>>();
  private readonly active = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopping = false;
  private started = false;
  private wakeScheduled = false;
  /** Transient faults in a row (any job finishing resets it): storage is down for everyone. */
  private transientFaults = 0;

  constructor(readonly queue: JobQueue, private readonly opts: RunnerOptions = { pollMs: 500 }) {}

  private get log(): Logger {
    return this.opts.log ?? silentLogger;
  }

  register<P>(w: Worker<P>): this {
    this.workers.set(w.kind, w);
    this.active.set(w.kind, 0);
    this.queue.onFinalFailure(w.kind, (job, reason) => {
      if (!w.onFinalFailure) return;
      try {
        w.onFinalFailure(w.parse(JSON.parse(job.payload)), reason, job);
      } catch {
        /* bad payload: nothing to mark */
      }
    });
    return this;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.queue.recover();
    this.unsubscribe = this.queue.onEnqueue(() => this.wake());
    this.timer = setInterval(() => this.tick(), this.opts.pollMs);
    this.tick();
  }

  /** Claim work soon (coalesces many wake-ups into one tick). */
  wake(): void {
    if (this.wakeScheduled || this.stopping || !this.started) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.tick();
    });
  }

  /** The job kinds this runner claims. */
  get kinds(): string[] {
    return [...this.workers.keys()];
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  private tick(): void {
    if (this.stopping) return;
    for (const [kind, w] of this.workers) {
      const free = w.concurrency - (this.active.get(kind) ?? 0);
      if (free <= 0) continue;
      let jobs: JobRow[];
      try {
        jobs = this.queue.claim(kind, free);
      } catch (e) {
        this.log.error("job claim failed", { kind, error: e });
        continue;
      }
      for (const job of jobs) this.launch(w, job);
    }
  }

  private launch(w: Worker<any>, job: JobRow): void {
    this.active.set(w.kind, (this.active.get(w.kind) ?? 0) + 1);
    const p = this.execute(w, job).finally(() => {
      this.active.set(w.kind, (this.active.get(w.kind) ?? 1) - 1);
      this.inflight.delete(p);
      this.wake();
      if (this.inflight.size === 0) queueMicrotask(() => this.tick());
    });
    this.inflight.add(p);
  }

  private async execute(w: Worker<any>, job: JobRow): Promise<void> {
    const ac = new AbortController();
    const beat = setInterval(() => {
      if (!this.queue.extend(job)) ac.abort(new Error("lease lost"));
    }, Math.max(50, Math.floor(this.queue.leaseMs / 3)));
    const started = performance.now();
    try {
      let payload: unknown;
      try {
        payload = w.parse(JSON.parse(job.payload));
      } catch (e) {
        throw new PermanentError(`bad payload: ${(e as Error).message}`);
      }
      const commit = await w.run({ job, payload, signal: ac.signal });
      const ok = this.queue.complete(job, commit || undefined);
      this.transientFaults = 0;
      if (!ok) this.log.warn("job lost its lease before completing; result discarded", { job: job.id, kind: job.kind });
      else this.log.debug("job done", { job: job.id, kind: job.kind, ms: Math.round(performance.now() - started) });
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      try {
        this.settleFailure(job, e, msg);
      } catch (inner) {
        // The database itself failed (e.g. its disk is full): the lease expires and the job is retried.
        this.log.error("could not record a job's failure; its lease will expire and it will be retried", { job: job.id, kind: job.kind, error: (inner as Error)?.message ?? String(inner) });
      }
    } finally {
      clearInterval(beat);
    }
  }

  private settleFailure(job: JobRow, e: unknown, msg: string): void {
    if (e instanceof RetryAfter) {
      this.queue.retryAfter(job, e.ms, msg);
      this.log.info("job deferred", { job: job.id, kind: job.kind, retryInMs: e.ms });
    } else if (isTransient(e)) {
      // Storage (or the network to it) is down or full: not this job's fault. Wait, longer each
      // time in a row, and keep the attempt.
      const { baseMs, capMs } = this.opts.transientRetry ?? { baseMs: 1000, capMs: 30_000 };
      const exp = Math.min(capMs, baseMs * 2 ** Math.min(30, this.transientFaults++));
      const ms = Math.round(exp / 2 + Math.random() * (exp / 2));
      this.queue.retryAfter(job, ms, msg);
      this.log.info("job deferred", { job: job.id, kind: job.kind, retryInMs: ms, reason: msg });
    } else {
      const outcome = this.queue.fail(job, msg, e instanceof PermanentError);
      this.log[outcome === "failed" ? "error" : "warn"](`job ${outcome === "retry" ? "will retry" : outcome}`, {
        job: job.id,
        kind: job.kind,
        attempt: job.attempts,
        error: msg,
      });
    }
  }

  /** Resolves when nothing is in flight and nothing due is left to claim (tests, benches). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inflight.size === 0) {
        this.tick();
        if (this.inflight.size === 0) return;
      }
      await Promise.race([...this.inflight]).catch(() => {});
    }
  }

  /** Stop claiming, wait for in-flight jobs (up to timeoutMs), then return. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const all = Promise.allSettled([...this.inflight]);
    let t: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (t = setTimeout(() => r(true), timeoutMs)))]);
    clearTimeout(t);
    if (timedOut) this.log.warn("job drain timed out; leases will expire and the jobs will be retried", { inFlight: this.inflight.size });
    this.started = false;
  }
}
