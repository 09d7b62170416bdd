// A job queue that does not age (issue 18): claims read only live jobs in claim order, counts come
// from a maintained aggregate, and housekeeping deletes job history past its retention. Plans are
// checked with EXPLAIN QUERY PLAN (deterministic, unlike timings); behaviour on real SQLite with
// the real migrations, the real queue and the real housekeeping.
import { afterEach, expect, test } from "bun:test";
import type { Database } from "bun:sqlite";
import { Database as SqliteDatabase } from "bun:sqlite";
import { housekeeping } from "../../src/server/boot.ts";
import { listJobs } from "../../src/services/library/jobs.ts";
import { JOBS_SQL } from "../../src/storage/jobs.ts";
import { MIGRATIONS, migrate } from "../../src/storage/migrations.ts";
import { addUser, harness, type Harness } from "../support/server-harness.ts";

const DAY = 86_400_000;
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function clock(start = Date.UTC(2026, 10, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** The plan's detail lines for `sql` (parameters unbound: the plan does not depend on them). */
function plan(db: Database, sql: string): string[] {
  // Finalized at once: an EXPLAIN of a DELETE left cached stays "in progress" and would hold every
  // later write of this connection in one open transaction (the next COMMIT then fails).
  const st = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  try {
    return (st.all() as { detail: string }[]).map((r) => r.detail);
  } finally {
    st.finalize();
  }
}

/** `n` finished jobs of `kind` for `userId`, finished at `finishedAt` (bulk: the history a busy year leaves). */
function addHistory(db: Database, kind: string, userId: number | null, n: number, finishedAt: number, status = "done"): void {
  db.run(
    `WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?1)
     INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, attempts, created_at, updated_at, finished_at)
     SELECT ?2, '{}', ?3, ?4, 0, ?5, 5, 1, ?5, ?5, ?5 FROM i`,
    [n, kind, userId, status, finishedAt],
  );
}

/** What the counts must be: a GROUP BY over the jobs table itself. */
function truth(db: Database, userId?: number) {
  const where = userId === undefined ? "" : "WHERE user_id = ?";
  return db
    .query(`SELECT kind, status, count(*) AS n FROM jobs ${where} GROUP BY kind, status ORDER BY kind, status`)
    .all(...(userId === undefined ? [] : [userId])) as { kind: string; status: string; n: number }[];
}

test("claims read only live jobs, in claim order, with no sort, for every kind the runner claims", async () => {
  const c = clock();
  h = await harness({ now: c.now });
  const { ctx, runner } = h;
  const db = ctx.store.db;
  expect(runner.kinds.sort()).toEqual(["notify_email", "notion_sync", "ocr", "pdf_text", "render_page", "todoist_sync", "webhook_delivery", "webhook_fanout"].sort());
  for (const kind of runner.kinds) {
    addHistory(db, kind, null, 3000, c.now() - DAY);
    const lines = plan(db, JOBS_SQL.claimable);
    expect(lines.join(" | ")).toContain("USING INDEX jobs_live (kind=?)");
    expect(lines.some((l) => l.includes("TEMP B-TREE"))).toBe(false);
    expect(lines.some((l) => l.startsWith("SCAN"))).toBe(false);
  }
  // The partial index holds live jobs only: the history is not in it.
  const inIndex = db.query("SELECT count(*) AS n FROM jobs INDEXED BY jobs_live WHERE status IN ('queued','running')").get() as { n: number };
  expect(inIndex.n).toBe(0);

  // Behaviour is unchanged: priority, then due time, then age; due jobs only; an expired lease is claimable again.
  const q = ctx.queue;
  const low = q.enqueue("render_page", { pageId: 1 }).job;
  const future = q.enqueue("render_page", { pageId: 2 }, { runAfter: c.now() + 1_000_000, priority: 9 }).job;
  const high = q.enqueue("render_page", { pageId: 3 }, { priority: 5 }).job;
  c.advance(1);
  const crashed = q.enqueue("render_page", { pageId: 4 }, { priority: 5 }).job;
  expect(q.claim("render_page", 1).map((j) => j.id)).toEqual([high.id]);
  expect(q.claim("render_page", 1).map((j) => j.id)).toEqual([crashed.id]);
  c.advance(q.leaseMs + 1); // the second claim's holder died
  const again = q.claim("render_page", 10);
  expect(again.map((j) => j.id)).toEqual([high.id, crashed.id, low.id]);
  expect(q.claim("render_page", 10)).toEqual([]);
  for (const j of again) expect(q.complete(j)).toBe(true);
  c.advance(1_000_000);
  expect(q.claim("render_page", 10).map((j) => j.id)).toEqual([future.id]);
});

test("job counts come from the job_counts aggregate and stay exact through every transition", async () => {
  const c = clock();
  h = await harness({ now: c.now });
  const { ctx } = h;
  const db = ctx.store.db;
  for (const sql of [JOBS_SQL.countsByUser, JOBS_SQL.counts]) {
    const lines = plan(db, sql);
    expect(lines.some((l) => l.includes("job_counts"))).toBe(true);
    expect(lines.some((l) => / jobs\b/.test(l))).toBe(false);
  }
  expect(plan(db, JOBS_SQL.countsByUser).join(" | ")).toContain("SEARCH job_counts USING PRIMARY KEY (user_id=?)");

  const a = await addUser(h, "a@example.com");
  const b = await addUser(h, "b@example.com");
  const check = () => {
    expect(ctx.store.jobCounts()).toEqual(truth(db));
    expect(ctx.store.jobCountsByUser(a.id)).toEqual(truth(db, a.id));
    expect(ctx.store.jobCountsByUser(b.id)).toEqual(truth(db, b.id));
  };
  const q = ctx.queue;
  q.onClaim("guarded", () => "not today");
  for (let i = 0; i < 6; i++) q.enqueue("k", { i }, { userId: i % 2 ? a.id : b.id });
  q.enqueue("k", { i: 99 }, { userId: null });
  q.enqueue("guarded", { i: 1 }, { userId: a.id });
  q.enqueue("k", { i: 0 }, { userId: a.id, idempotencyKey: "same" });
  q.enqueue("k", { i: 1 }, { userId: a.id, idempotencyKey: "same" }); // no-op: live duplicate
  check();
  const claimed = q.claim("k", 4);
  expect(q.claim("guarded", 1)).toEqual([]); // cancelled by its guard
  check();
  q.complete(claimed[0]!);
  q.fail(claimed[1]!, "boom", true);
  q.fail(claimed[2]!, "again"); // back to queued with backoff
  check();
  c.advance(q.leaseMs + 1);
  q.claim("k", 10); // the expired lease of claimed[3] is claimed again (running → running)
  check();
  expect(ctx.store.retryJob(claimed[1]!.user_id!, claimed[1]!.id)).toBe(true);
  check();
  db.run("DELETE FROM users WHERE id = ?", [b.id]); // cascades to b's jobs
  check();
  addHistory(db, "k", a.id, 50, c.now() - 30 * DAY);
  check();
  await housekeeping(ctx, undefined, c.now());
  check();
  expect(truth(db, a.id).some((r) => r.n === 50)).toBe(false);
});

test("the Activity list walks an index in id order, filtered or not", async () => {
  const c = clock();
  h = await harness({ now: c.now });
  const { ctx } = h;
  const db = ctx.store.db;
  for (const sql of [JOBS_SQL.byUser, JOBS_SQL.byUserStatus]) {
    const lines = plan(db, sql);
    expect(lines.some((l) => l.includes("TEMP B-TREE"))).toBe(false);
    expect(lines.some((l) => l.startsWith("SCAN"))).toBe(false);
  }
  const a = await addUser(h, "a@example.com");
  const ids = [1, 2, 3, 4].map((i) => ctx.queue.enqueue(i % 2 ? "render_page" : "ocr_page", { pageId: i }, { userId: a.id }).job.id);
  const [j1] = ctx.queue.claim("render_page", 1);
  ctx.queue.fail(j1!, "bad page", true);
  expect(listJobs(ctx, a.id, {}).jobs.map((j) => j.id)).toEqual([...ids].reverse());
  expect(listJobs(ctx, a.id, { status: "failed" }).jobs.map((j) => j.id)).toEqual([ids[0]!]);
  expect(listJobs(ctx, a.id, { status: "queued", kind: "ocr_page" }).jobs.map((j) => j.id)).toEqual([ids[3]!, ids[1]!]);
  expect(listJobs(ctx, a.id, { kind: "render_page", limit: 1 }).jobs.map((j) => j.id)).toEqual([ids[2]!]);
  expect(listJobs(ctx, a.id, {}).counts).toEqual({ ocr_page: { queued: 2 }, render_page: { failed: 1, queued: 1 } });
});

test("housekeeping deletes history past its age and count, never live jobs or jobs a quota reservation names", async () => {
  const c = clock();
  h = await harness({ now: c.now, overrides: { "jobs.keepDays": 14, "jobs.keepPerUser": 100 } });
  const { ctx } = h;
  const db = ctx.store.db;
  expect(plan(db, JOBS_SQL.deleteHistory).join(" | ")).toContain("USING INDEX jobs_history (user_id=? AND finished_at<?)");
  expect(plan(db, JOBS_SQL.historyKeepFrom).join(" | ")).toContain("USING INDEX jobs_history (user_id=?)");

  const a = await addUser(h, "a@example.com");
  const b = await addUser(h, "b@example.com");
  const now = c.now();
  addHistory(db, "render_page", a.id, 3000, now - 20 * DAY); // too old
  addHistory(db, "render_page", a.id, 40, now - 13 * DAY); // recent enough
  addHistory(db, "ocr_page", a.id, 40, now - 2 * DAY, "failed");
  addHistory(db, "ocr_page", a.id, 40, now - DAY, "cancelled"); // a has 120 recent: the 20 oldest go
  addHistory(db, "notify_email", null, 5, now - 15 * DAY); // jobs of no user age out too
  addHistory(db, "render_page", b.id, 10, now - 3 * DAY);
  // Live jobs, however old, stay.
  const oldQueued = ctx.queue.enqueue("render_page", { pageId: 1 }, { userId: a.id, runAfter: now - 400 * DAY }).job;
  // A finished job whose id a quota reservation still holds stays until the reservation goes.
  const reserved = (db.query("SELECT id FROM jobs WHERE user_id = ? AND status = 'done' ORDER BY id LIMIT 1").get(a.id) as { id: number }).id;
  ctx.store.insertReservation(reserved, a.id, "2026-10", 1);

  await housekeeping(ctx, undefined, now);
  const left = (status: string, userId: number | null) =>
    (db.query("SELECT count(*) AS n FROM jobs WHERE user_id IS ? AND status = ?").get(userId, status) as { n: number }).n;
  expect(left("done", a.id) + left("failed", a.id) + left("cancelled", a.id)).toBe(100 + 1);
  expect(left("done", a.id)).toBe(20 + 1); // the 20 newest of the 13-day-old jobs and the reserved one
  expect(left("failed", a.id)).toBe(40);
  expect(left("cancelled", a.id)).toBe(40);
  expect(left("done", null)).toBe(0);
  expect(left("done", b.id)).toBe(10);
  expect(ctx.store.jobById(oldQueued.id)?.status).toBe("queued");
  expect(ctx.store.jobById(reserved)).not.toBeNull();
  expect(ctx.store.jobCounts()).toEqual(truth(db));

  // Small batches: the same outcome however the work is split; a second run finds nothing.
  ctx.store.deleteReservation(reserved);
  await housekeeping(ctx, undefined, now);
  expect(ctx.store.jobById(reserved)).toBeNull();
  expect(left("done", a.id)).toBe(20);

  // A stop signal ends the purge between batches (shutdown does not wait for a big backlog).
  addHistory(db, "render_page", b.id, 5000, now - 30 * DAY);
  const stop = new AbortController();
  stop.abort();
  await housekeeping(ctx, stop.signal, now);
  expect(left("done", b.id)).toBe(5010);
  await housekeeping(ctx, undefined, now);
  expect(left("done", b.id)).toBe(10);
  expect(ctx.store.jobCounts()).toEqual(truth(db));
});

test("the job-queue migration on a database with history: counts backfilled, claim index replaced", () => {
  const db = new SqliteDatabase(":memory:", { strict: true });
  db.run("PRAGMA foreign_keys = ON");
  migrate(db, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name.includes("job queue that does not age"))));
  db.run("INSERT INTO users (id, email, password_hash, is_admin, created_at) VALUES (1, 'a@example.com', NULL, 0, 0)");
  addHistory(db, "render_page", 1, 30, 1000);
  addHistory(db, "ocr_page", null, 3, 1000, "failed");
  db.run("UPDATE jobs SET finished_at = NULL WHERE id = 1"); // an old row without finished_at
  db.run("INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, created_at, updated_at) VALUES ('render_page', '{}', 1, 'queued', 0, 0, 5, 0, 0)");
  const before = truth(db);
  migrate(db);
  expect(db.query("SELECT kind, status, sum(n) AS n FROM job_counts GROUP BY kind, status ORDER BY kind, status").all()).toEqual(before);
  const indexes = (db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'").all() as { name: string }[]).map((r) => r.name);
  expect(indexes).toContain("jobs_live");
  expect(indexes).not.toContain("jobs_claim");
  expect((db.query("SELECT finished_at FROM jobs WHERE id = 1").get() as { finished_at: number }).finished_at).toBe(1000);
  db.close();
});
