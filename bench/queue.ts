// Job queue benchmark (issue 18: "claim cost and render throughput at 500,000 historical jobs
// equal to an empty queue").
//
//   bun bench/queue.ts [--history 500000] [--claims 2000] [--pages 1500] [--repeats 3]
//
// For 0 and --history finished render_page jobs (the history a busy library leaves; inserted in
// bulk, spread over users' last two weeks so housekeeping would keep them):
//  1. claim cost: --claims queued render_page jobs, then claim(1) + complete one at a time through
//     the real JobQueue on a real file database (WAL): µs per claim+complete. Also the bare claim
//     statement, and the previous schema's claim statement (migrations up to 0004: an index over
//     every job, sorted per claim) on the same data, for comparison.
//  2. render throughput: --pages pages (cycling through the real sample pages) synced through the
//     real app (app.handle), then rendered by the real job runner (render concurrency 2): pages/s.
// Each measurement is repeated; min and median are printed with the load average.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Database } from "bun:sqlite";
import { JOBS_SQL } from "../src/storage/jobs.ts";
import { MIGRATIONS, migrate } from "../src/storage/migrations.ts";
import { SAMPLES_DIR } from "../test/support/samples.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../test/support/server-harness.ts";

const { values: opt } = parseArgs({ options: { history: { type: "string" }, claims: { type: "string" }, pages: { type: "string" }, repeats: { type: "string" } } });
const HISTORY = Number(opt.history ?? 500_000);
const CLAIMS = Number(opt.claims ?? 2000);
const PAGES = Number(opt.pages ?? 1500);
const REPEATS = Number(opt.repeats ?? 3);
const OLD_CLAIM = `SELECT * FROM jobs WHERE kind = ?1 AND (
    (status = 'queued' AND run_after <= ?2) OR (status = 'running' AND lease_until < ?2))
  ORDER BY priority DESC, run_after, id LIMIT ?3 OFFSET ?4`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[], unit: string, digits = 1) => `min ${Math.min(...xs).toFixed(digits)} / median ${median(xs).toFixed(digits)} ${unit}`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** `n` finished render_page jobs spread over 10 users and the last 13 days (bulk, one statement). */
function addHistory(db: Database, n: number, users: number[]): void {
  if (!n) return;
  const now = Date.now();
  db.run(
    `WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?1)
     INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, attempts, idempotency_key, created_at, updated_at, finished_at)
     SELECT 'render_page', json_object('pageId', x), json_extract(?2, '$[' || (x % json_array_length(?2)) || ']'),
            CASE WHEN x % 50 = 0 THEN 'failed' ELSE 'done' END, 0, t, 5, 1, 'render:' || x || ':' || hex(randomblob(8)), t, t, t
     FROM (SELECT x, ?3 - (x * 1123) % (13 * 86400000) AS t FROM i)`,
    [n, JSON.stringify(users), now],
  );
}

async function withHarness<T>(fn: (h: Harness, users: number[]) => Promise<T>): Promise<T> {
  const h = await harness({ overrides: { "jobs.renderConcurrency": 2, "jobs.pollMs": 100 } });
  try {
    const users: number[] = [];
    for (let i = 0; i < 10; i++) users.push((await addUser(h, `u${i}@example.com`)).id);
    return await fn(h, users);
  } finally {
    await h.close();
  }
}

/** µs per claim(1)+complete, and per bare claim statement, over CLAIMS queued jobs. */
async function claimCost(history: number) {
  return withHarness(async (h, users) => {
    const db = h.ctx.store.db;
    addHistory(db, history, users);
    db.run("ANALYZE");
    const q = h.ctx.queue;
    const full: number[] = [];
    const bare: number[] = [];
    const stmt = db.prepare(JOBS_SQL.claimable);
    for (let r = 0; r < REPEATS; r++) {
      for (let i = 0; i < CLAIMS; i++) q.enqueue("render_page", { pageId: 1e9 + r * CLAIMS + i }, { userId: users[i % users.length]! });
      let t = performance.now();
      for (let i = 0; i < 200; i++) stmt.all("render_page", Date.now(), 1, 0);
      bare.push(((performance.now() - t) * 1000) / 200);
      t = performance.now();
      for (let i = 0; i < CLAIMS; i++) {
        const [j] = q.claim("render_page", 1);
        q.complete(j!);
      }
      full.push(((performance.now() - t) * 1000) / CLAIMS);
    }
    return { full, bare };
  });
}

/** µs per bare claim statement on the previous schema (0001–0004) and claim SQL. */
function oldClaimCost(history: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-queue-old-"));
  const db = new Database(join(dir, "old.db"), { create: true, strict: true });
  try {
    db.run("PRAGMA journal_mode = WAL");
    migrate(db, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name.includes("job queue that does not age"))));
    db.run("INSERT INTO users (email, created_at) SELECT 'u' || value || '@example.com', 0 FROM json_each('[0,1,2,3,4,5,6,7,8,9]')");
    const users = (db.query("SELECT id FROM users").all() as { id: number }[]).map((u) => u.id);
    addHistory(db, history, users);
    db.run(
      `WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < ?1)
       INSERT INTO jobs (kind, payload, user_id, status, priority, run_after, max_attempts, created_at, updated_at)
       SELECT 'render_page', '{}', ?2, 'queued', 0, 0, 5, 0, 0 FROM i`,
      [CLAIMS, users[0]!],
    );
    db.run("ANALYZE");
    const stmt = db.prepare(OLD_CLAIM);
    const out: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      // Up to 200 claims or 3 s, whichever comes first (at 500,000 jobs one takes ~0.3 s).
      const t = performance.now();
      let n = 0;
      while (n < 200 && (n < 3 || performance.now() - t < 3000)) {
        stmt.all("render_page", Date.now(), 1, 0);
        n++;
      }
      out.push(((performance.now() - t) * 1000) / n);
    }
    return out;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith(".rm"))
  .map((f) => new Uint8Array(readFileSync(join(SAMPLES_DIR, f))));

/** Pages/s of the real runner rendering PAGES freshly synced pages. */
async function renderThroughput(history: number): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    out.push(
      await withHarness(async (h, users) => {
        addHistory(h.ctx.store.db, history, users);
        h.ctx.store.db.run("ANALYZE");
        const u = await addUser(h, "bench@example.com");
        const perDoc = 20;
        for (let d = 0; d * perDoc < PAGES; d++) {
          const pages = Array.from({ length: Math.min(perDoc, PAGES - d * perDoc) }, (_, i) => samples[(d * perDoc + i + r) % samples.length]!);
          await syncDoc(h, u.token, buildDoc(pages, { name: `Notebook ${d}` }));
        }
        const live = () => h.ctx.store.jobCounts().filter((c) => c.kind === "render_page" && (c.status === "queued" || c.status === "running")).reduce((s, c) => s + c.n, 0);
        const t = performance.now();
        h.runner.start();
        while (live() > 0) await Bun.sleep(10);
        return PAGES / ((performance.now() - t) / 1000);
      }),
    );
  }
  return out;
}

console.log(`bench/queue: history ${HISTORY.toLocaleString("en")} finished jobs, ${CLAIMS} claims, ${PAGES} pages, ${REPEATS} repeats · ${cpus().length} cores · bun ${Bun.version}`);
for (const history of [0, HISTORY]) {
  const label = `history ${history.toLocaleString("en").padStart(7)}`;
  console.log(`${label} | load ${load()} | old claim statement (schema 0004): ${fmt(oldClaimCost(history), "µs", 1)}`);
  const c = await claimCost(history);
  console.log(`${label} | load ${load()} | claim statement (jobs_live): ${fmt(c.bare, "µs", 1)} | claim(1)+complete: ${fmt(c.full, "µs", 1)}`);
  const pps = await renderThroughput(history);
  console.log(`${label} | load ${load()} | render throughput: min ${Math.min(...pps).toFixed(0)} / median ${median(pps).toFixed(0)} pages/s`);
}
