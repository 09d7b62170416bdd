// The durable queue and the runner, on real SQLite: idempotency, priorities, leases, fencing,
// backoff, RetryAfter, final failure onto the domain row, crash recovery, per-kind concurrency.
import { expect, test } from "bun:test";
import { PermanentError, RetryAfter } from "../../src/jobs/errors.ts";
import { JobQueue } from "../../src/jobs/queue.ts";
import { JobRunner } from "../../src/jobs/runner.ts";
import { openDatabase } from "../../src/storage/db.ts";
import { createStore } from "../../src/storage/store.ts";

function setup(opts: { leaseMs?: number; maxAttempts?: number } = {}) {
  const store = createStore(openDatabase(":memory:"));
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const queue = new JobQueue(store, { leaseMs: opts.leaseMs ?? 10_000, maxAttempts: opts.maxAttempts ?? 3, backoffBaseMs: 1000, now: clock.now });
  return { store, queue, clock };
}

const parseAny = (p: unknown) => p as { n: number };

test("idempotency key: a live job is not duplicated; after it finishes the key can run again", () => {
  const { queue } = setup();
  const a = queue.enqueue("k", { n: 1 }, { idempotencyKey: "x" });
  const b = queue.enqueue("k", { n: 2 }, { idempotencyKey: "x" });
  expect(a.created).toBe(true);
  expect(b.created).toBe(false);
  expect(b.job.id).toBe(a.job.id);
  const [job] = queue.claim("k", 10);
  expect(queue.enqueue("k", { n: 3 }, { idempotencyKey: "x" }).created).toBe(false); // running counts as live
  expect(queue.complete(job!)).toBe(true);
  expect(queue.enqueue("k", { n: 4 }, { idempotencyKey: "x" }).created).toBe(true);
});

test("claims by priority then age, only due jobs, only its kind, each once", () => {
  const { queue, clock } = setup();
  const low = queue.enqueue("k", { n: 1 }).job;
  const high = queue.enqueue("k", { n: 2 }, { priority: 5 }).job;
  const later = queue.enqueue("k", { n: 3 }, { runAfter: clock.now() + 5000 }).job;
  queue.enqueue("other", { n: 4 });
  const claimed = queue.claim("k", 10);
  expect(claimed.map((j) => j.id)).toEqual([high.id, low.id]);
  expect(new Set(claimed.map((j) => j.alloc_id)).size).toBe(2);
  expect(queue.claim("k", 10)).toEqual([]);
  clock.advance(5000);
  expect(queue.claim("k", 10).map((j) => j.id)).toEqual([later.id]);
});

test("fencing: after a lease expires and another worker claims, the first cannot finish or write", () => {
  const { queue, clock, store } = setup({ leaseMs: 1000 });
  queue.enqueue("k", { n: 1 });
  const [first] = queue.claim("k", 1);
  clock.advance(1001);
  const [second] = queue.claim("k", 1);
  expect(second!.id).toBe(first!.id);
  expect(second!.alloc_id).not.toBe(first!.alloc_id);
  expect(second!.attempts).toBe(2);
  let wrote = 0;
  expect(queue.complete(first!, () => wrote++)).toBe(false);
  expect(queue.fail(first!, "boom")).toBe("lost");
  expect(queue.extend(first!)).toBe(false);
  expect(wrote).toBe(0);
  expect(queue.complete(second!, () => wrote++)).toBe(true);
  expect(wrote).toBe(1);
  expect(store.jobById(first!.id)!.status).toBe("done");
});

test("failures back off exponentially with jitter, then fail for good and mark the domain row", () => {
  const { queue, clock, store } = setup({ maxAttempts: 3 });
  const marked: string[] = [];
  queue.onFinalFailure("k", (job, reason) => marked.push(`${job.id}:${reason}`));
  const { job } = queue.enqueue("k", { n: 1 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [j] = queue.claim("k", 1);
    expect(j!.attempts).toBe(attempt);
    const outcome = queue.fail(j!, `err ${attempt}`);
    if (attempt < 3) {
      expect(outcome).toBe("retry");
      const row = store.jobById(job.id)!;
      const delay = row.run_after - clock.now();
      const base = 1000 * 2 ** (attempt - 1);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
      expect(queue.claim("k", 1)).toEqual([]); // not due yet
      clock.advance(delay);
    } else expect(outcome).toBe("failed");
  }
  expect(store.jobById(job.id)).toMatchObject({ status: "failed", last_error: "err 3" });
  expect(marked).toEqual([`${job.id}:err 3`]);
});

test("RetryAfter does not spend an attempt; permanent errors fail at once", () => {
  const { queue, clock, store } = setup({ maxAttempts: 1 });
  const { job } = queue.enqueue("k", { n: 1 });
  for (let i = 0; i < 5; i++) {
    const [j] = queue.claim("k", 1);
    expect(j!.attempts).toBe(1);
    expect(queue.retryAfter(j!, 30_000, "429")).toBe(true);
    expect(queue.claim("k", 1)).toEqual([]);
    clock.advance(30_000);
  }
  expect(store.jobById(job.id)!.status).toBe("queued");
  const { job: p } = setup().queue.enqueue("k", {});
  expect(p.status).toBe("queued");
  const s2 = setup({ maxAttempts: 5 });
  s2.queue.enqueue("k", {});
  const [j] = s2.queue.claim("k", 1);
  expect(s2.queue.fail(j!, "corrupt", true)).toBe("failed");
});

test("an expired lease with no attempts left fails for good at the next claim (poison job)", () => {
  const { queue, clock, store } = setup({ leaseMs: 100, maxAttempts: 2 });
  const failed: number[] = [];
  queue.onFinalFailure("k", (j) => failed.push(j.id));
  const { job } = queue.enqueue("k", {});
  queue.claim("k", 1);
  clock.advance(101);
  queue.claim("k", 1);
  clock.advance(101);
  expect(queue.claim("k", 1)).toEqual([]);
  expect(store.jobById(job.id)!.status).toBe("failed");
  expect(failed).toEqual([job.id]);
});

test("recover() requeues jobs a dead process left running", () => {
  const { queue, store } = setup();
  const { job } = queue.enqueue("k", {});
  queue.claim("k", 1);
  expect(queue.recover()).toBe(1);
  expect(store.jobById(job.id)!.status).toBe("queued");
  const [again] = queue.claim("k", 1);
  expect(again!.attempts).toBe(2);
});

test("runner: per-kind concurrency is respected (barrier), every job runs once, stop() drains", async () => {
  const store = createStore(openDatabase(":memory:"));
  const queue = new JobQueue(store, { leaseMs: 60_000, maxAttempts: 3 });
  const runner = new JobRunner(queue, { pollMs: 10 });
  let running = 0;
  let peak = 0;
  const ran: number[] = [];
  const gate = Promise.withResolvers<void>();
  const twoStarted = Promise.withResolvers<void>();
  runner.register({
    kind: "slow",
    concurrency: 2,
    parse: parseAny,
    async run({ payload }) {
      running++;
      peak = Math.max(peak, running);
      if (running === 2) twoStarted.resolve();
      await gate.promise;
      running--;
      return () => ran.push(payload.n);
    },
  });
  for (let n = 0; n < 6; n++) queue.enqueue("slow", { n });
  runner.start();
  await twoStarted.promise;
  await Bun.sleep(30); // several poll ticks while both slots are busy
  expect(running).toBe(2);
  expect(runner.inFlight).toBe(2);
  gate.resolve();
  await runner.idle();
  expect(peak).toBe(2);
  expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  expect(store.jobCounts()).toEqual([{ kind: "slow", status: "done", n: 6 }]);
  await runner.stop();
});

test("runner: errors retry, RetryAfter defers, PermanentError fails; stop() waits for in-flight work", async () => {
  const store = createStore(openDatabase(":memory:"));
  const queue = new JobQueue(store, { leaseMs: 60_000, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 });
  const runner = new JobRunner(queue, { pollMs: 5 });
  const seen: string[] = [];
  const finalFailures: number[] = [];
  runner.register({
    kind: "k",
    concurrency: 4,
    parse: parseAny,
    async run({ job, payload }) {
      seen.push(`${payload.n}:${job.attempts}`);
      if (payload.n === 1 && job.attempts < 2) throw new Error("flaky");
      if (payload.n === 2 && seen.filter((s) => s.startsWith("2:")).length < 3) throw new RetryAfter(1);
      if (payload.n === 3) throw new PermanentError("bad input");
    },
    onFinalFailure: (p) => finalFailures.push(p.n),
  });
  const ids = [1, 2, 3].map((n) => queue.enqueue("k", { n }).job.id);
  runner.start();
  for (let i = 0; i < 200 && store.jobCounts().some((c) => c.status === "queued" || c.status === "running"); i++) await Bun.sleep(5);
  await runner.stop();
  expect(store.jobById(ids[0]!)).toMatchObject({ status: "done", attempts: 2 });
  expect(store.jobById(ids[1]!)).toMatchObject({ status: "done", attempts: 1 }); // RetryAfter did not burn attempts
  expect(store.jobById(ids[2]!)).toMatchObject({ status: "failed", attempts: 1, last_error: "bad input" });
  expect(finalFailures).toEqual([3]);
});

test("runner: a malformed payload fails permanently without calling the worker", async () => {
  const store = createStore(openDatabase(":memory:"));
  const queue = new JobQueue(store, { leaseMs: 60_000, maxAttempts: 3 });
  const runner = new JobRunner(queue, { pollMs: 5 });
  let called = 0;
  runner.register({
    kind: "k",
    concurrency: 1,
    parse: (p) => {
      if (typeof (p as { n?: unknown }).n !== "number") throw new Error("n must be a number");
      return p as { n: number };
    },
    async run() {
      called++;
    },
  });
  const { job } = queue.enqueue("k", { n: "x" });
  runner.start();
  await runner.idle();
  await runner.stop();
  expect(called).toBe(0);
  expect(store.jobById(job.id)!.status).toBe("failed");
  expect(store.jobById(job.id)!.last_error).toContain("bad payload");
});
