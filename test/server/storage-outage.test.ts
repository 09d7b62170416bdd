// A storage outage is transient: while the S3 store does not answer, render jobs back off
// without spending attempts (they would otherwise all fail for good within seconds), blob PUTs
// answer 503 storage_unavailable with a Retry-After, and when storage answers again everything
// completes. s3rver on loopback is stopped and restarted on the same port during the renders.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sha256Hex } from "../../src/blobs/store.ts";
import { createRunner } from "../../src/composition/workers.ts";
import { createLogger } from "../../src/log.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness } from "../support/server-harness.ts";

let s3: LoopbackS3;
let h: Harness;

beforeAll(async () => {
  s3 = await startS3("rm-outage");
  h = await harness({
    overrides: {
      storage: "s3",
      "s3.endpoint": s3.endpoint,
      "s3.bucket": s3.bucket,
      "s3.accessKeyId": s3.accessKeyId,
      "s3.secretAccessKey": s3.secretAccessKey,
      "jobs.maxAttempts": 2,
    },
  });
});
afterAll(async () => {
  await h.close();
  await s3.close();
});

/** Wait for a condition the system reaches by itself (not a timing assertion: the bound is generous). */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(20);
  }
}

test("blob PUTs answer 503 with Retry-After while storage is down, and 200 once it is back", async () => {
  const u = await addUser(h, "put-outage@example.com");
  const bytes = crypto.getRandomValues(new Uint8Array(10_000));
  const sha = sha256Hex(bytes);
  const held = crypto.getRandomValues(new Uint8Array(5_000));
  expect((await call(h, "PUT", `/api/v1/blobs/${sha256Hex(held)}`, { token: u.token, body: held })).status).toBe(200);
  await s3.stop();
  try {
    const r = await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: u.token, body: bytes });
    expect(r.status).toBe(503);
    expect((await json(r)).error.code).toBe("storage_unavailable");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    // Reading a blob the user holds is not "no such blob" while storage is down.
    const g = await call(h, "GET", `/api/v1/blobs/${sha256Hex(held)}`, { token: u.token });
    expect(g.status).toBe(503);
    expect((await json(g)).error.code).toBe("storage_unavailable");
  } finally {
    await s3.restart();
  }
  expect((await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: u.token, body: bytes })).status).toBe(200);
});

test.skipIf(!HAVE_SAMPLES)("render jobs wait out a storage outage without spending attempts, then all complete", async () => {
  const u = await addUser(h, "render-outage@example.com");
  const files = ["rmc__writing_tools.rm", "rmc__erasers.rm", "rmc__pen_size_test.strokes.rm"];
  const d = buildDoc(files.map((f) => new Uint8Array(readFileSync(sample(f)))), { name: "Outage" });
  await syncDoc(h, u.token, d); // uploaded while storage answers; renders are queued, not run yet
  const docId = h.ctx.store.documentByUuid(u.id, d.uuid)!.id;
  const pages = () => h.ctx.store.pagesByDocument(docId);
  expect(pages().every((p) => p.render_status === "pending")).toBe(true);

  let deferred = 0;
  const log = createLogger("debug", {}, (line) => {
    if (JSON.parse(line).msg === "job deferred") deferred++;
  });
  await s3.stop();
  const runner = createRunner({ ...h.ctx, log }, { transientRetry: { baseMs: 10, capMs: 100 } });
  runner.start();
  try {
    // Far more tries than attempts allowed (2 per job): every one must have been deferred.
    await until("renders deferred repeatedly", () => deferred >= files.length * 4);
    expect(pages().every((p) => p.render_status === "pending")).toBe(true);
    const jobs = h.ctx.store.db.query<{ status: string; attempts: number }, []>("SELECT status, attempts FROM jobs WHERE kind = 'render_page'").all();
    expect(jobs.length).toBeGreaterThanOrEqual(files.length);
    for (const j of jobs) expect(j.status === "failed" || j.attempts >= 2).toBe(false);

    await s3.restart();
    await until("every page rendered", () => pages().every((p) => p.render_status === "done"));
  } finally {
    await s3.restart();
    await runner.stop();
  }
  const failed = h.ctx.store.db.query<{ n: number }, []>("SELECT count(*) AS n FROM jobs WHERE status = 'failed'").get()!;
  expect(failed.n).toBe(0);
  for (const p of pages()) expect(await h.ctx.blobs.has(p.svg_sha256!)).toBe(true);
});
