// Crash test: kill -9 the real server process in the middle of a batch of render jobs, restart
// it on the same data directory, and prove every job completes exactly once — nothing lost,
// nothing duplicated (fenced commits + crash recovery).
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";
import { createContext } from "../../src/composition/context.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { spawnServer } from "../support/child-server.ts";

const dir = mkdtempSync(join(tmpdir(), "rmirror-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DOCS = 60;
const PAGES_PER_DOC = 6;

test.skipIf(!HAVE_SAMPLES)("kill -9 mid-batch, restart: every render job completes exactly once", async () => {
  // A user and token written straight into the database the child will open.
  const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir } }), { log: silentLogger });
  const user = await createUser(ctx, "crash@example.com", null, true);
  const { token } = createDeviceToken(ctx, user.id, "crash test");
  ctx.store.db.close();

  const env = { RMIRROR_DATA_DIR: dir, RMIRROR_JOBS_RENDER_CONCURRENCY: "1", RMIRROR_JOBS_POLL_MS: "50" };
  const auth = { authorization: `Bearer ${token}` };
  const first = await spawnServer(env);

  // Heavy real pages; every page row gets its own render job.
  const samples = ["scrybble-rmc__more_anchoring.rm", "rmc__erasers.rm", "rmc__writing_tools.rm", "rmc__pen_size_test.strokes.rm"].map((f) => new Uint8Array(readFileSync(sample(f))));
  for (const bytes of samples) {
    const r = await fetch(`${first.url}/api/v1/blobs/${sha256Hex(bytes)}`, { method: "PUT", headers: auth, body: bytes });
    expect(r.status).toBe(200);
  }
  const documents = Array.from({ length: DOCS }, (_, d) => ({
    uuid: crypto.randomUUID(),
    metadata: { visibleName: `Crash ${d}`, type: "DocumentType", parent: "" },
    pages: Array.from({ length: PAGES_PER_DOC }, (_, i) => {
      const b = samples[(d + i) % samples.length]!;
      return { id: crypto.randomUUID(), idx: i, sha256: sha256Hex(b), size: b.byteLength };
    }),
  }));
  const put = await fetch(`${first.url}/api/v1/documents`, { method: "PUT", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ documents }) });
  expect(put.status).toBe(200);
  const total = DOCS * PAGES_PER_DOC;

  const counts = async (url: string) => {
    const j = await (await fetch(`${url}/api/v1/jobs?limit=1`, { headers: auth })).json();
    return (j.counts.render_page ?? {}) as Record<string, number>;
  };
  // Wait until the batch is under way, then kill the process without any chance to clean up.
  let atKill: Record<string, number> = {};
  // Polls until the condition holds, however slow the machine (the test's timeout guards a hang).
  for (;;) {
    atKill = await counts(first.url);
    if ((atKill.done ?? 0) >= 10) break;
    await Bun.sleep(5);
  }
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  expect(atKill.done ?? 0).toBeGreaterThanOrEqual(10);
  expect(atKill.done ?? 0).toBeLessThan(total); // really mid-batch

  const db0 = new Database(join(dir, "rmirror.db"), { readonly: true });
  const doneBefore = (db0.query("SELECT count(*) AS n FROM jobs WHERE status = 'done'").get() as { n: number }).n;
  db0.close();
  expect(doneBefore).toBeLessThan(total);

  // Restart on the same data: recovery requeues what was running, the rest continues.
  const second = await spawnServer(env);
  let after: Record<string, number> = {};
  for (;;) {
    after = await counts(second.url);
    if ((after.done ?? 0) + (after.failed ?? 0) >= total) break;
    await Bun.sleep(25);
  }
  // Graceful shutdown: SIGTERM drains and exits 0.
  second.proc.kill("SIGTERM");
  expect(await second.proc.exited).toBe(0);
  expect(second.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

  const db = new Database(join(dir, "rmirror.db"), { readonly: true });
  const jobs = db.query("SELECT status, count(*) AS n FROM jobs WHERE kind = 'render_page' GROUP BY status").all();
  expect(jobs).toEqual([{ status: "done", n: total }]); // nothing lost, nothing failed
  const keys = db.query("SELECT count(DISTINCT idempotency_key) AS k, count(*) AS n FROM jobs").get();
  expect(keys).toEqual({ k: total, n: total }); // no duplicate jobs
  const renders = db.query("SELECT render_count AS c, render_status AS s, count(*) AS n FROM pages GROUP BY c, s").all();
  expect(renders).toEqual([{ c: 1, s: "done", n: total }]); // every page's result committed exactly once
  const retried = db.query("SELECT count(*) AS n FROM jobs WHERE attempts > 1").get() as { n: number };
  expect(retried.n).toBeLessThanOrEqual(1); // at most the one job in flight at the kill (concurrency 1)
  const recovered = second.logs.some((l) => l.includes("recovered jobs left running"));
  expect(retried.n).toBe(recovered ? 1 : 0); // the job killed mid-render ran again, once
  db.close();
}, 300_000);
