// The settle delay: a page is read once it has stopped changing for RMIRROR_OCR_SETTLE_SECONDS.
// Each new version pushes the one queued OCR job of the page (its run_after, through the page's
// idempotency key) instead of adding one, so nothing is kept in memory and a restart keeps the
// schedule. "OCR now" (API and dashboard) pulls it forward. Driven by a controllable clock.
import { expect, test } from "bun:test";
import { quotaMonth } from "../../src/quota/index.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides, ocrStatus, pageIds, until } from "./support.ts";

const fake = fakeAnthropicForFile();
const T0 = Date.UTC(2026, 2, 10, 9, 0);

/** Replace the document's first page with a new version (new strokes, new hash). */
function edit(d: ReturnType<typeof buildDoc>, seed: number): string {
  const b = inkPage(seed);
  const sha = new Bun.CryptoHasher("sha256").update(b).digest("hex");
  d.blobs.set(sha, b);
  d.input.pages![0] = { ...d.input.pages![0]!, sha256: sha, size: b.byteLength };
  return sha;
}

function ocrJobs(h: Harness, userId: number) {
  return h.ctx.store.jobsByUser(userId, { kind: "ocr", limit: 100 });
}

test("a page edited 5 times within the window costs one request and one quota page, and the text is the last version's", async () => {
  let now = T0;
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 900 }), now: () => now });
  try {
    const u = await addUser(h, "lecture@example.com");
    const d = buildDoc([inkPage(60)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const [id] = pageIds(h, u.id, d.uuid);
    expect(ocrStatus(h, id!)).toBe("queued");
    let last = h.ctx.store.pageById(id!)!.sha256!;
    for (let i = 1; i <= 4; i++) {
      now += 5 * 60_000; // every 5 minutes, during the lecture
      last = edit(d, 60 + i);
      await syncDoc(h, u.token, d);
      await h.runner.idle();
      expect(fake.requests.length).toBe(0);
    }
    expect(h.ctx.store.pageById(id!)!.sha256).toBe(last);
    expect(ocrJobs(h, u.id).length).toBe(1); // one job, pushed each time
    // The API says the page is settling and when it will be read: 900 s after the last change.
    const waiting = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(waiting.status).toBe("queued");
    expect(waiting.settling).toBe(true);
    expect(waiting.readAt).toBe(new Date(now + 900_000).toISOString());
    now += 899_000; // not yet settled: 899 s since the last change
    await h.runner.idle();
    expect(fake.requests.length).toBe(0);
    now += 1000;
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    const o = h.ctx.store.pageOcrByPage(id!)!;
    expect(o.status).toBe("done");
    expect(o.done_sha256).toBe(last);
    expect(o.read_reason).toBe("new");
    expect(h.ctx.store.pageTexts(id!).find((t) => t.source === "ocr")!.text).toContain("# Page 1");
    expect(h.ctx.store.quotaUsed(u.id, quotaMonth(now, "UTC"))).toBe(1);
    const api = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(api.readReason).toBe("new");
    expect(api.settling).toBe(false);
    expect(api.readAt).toBeNull();

    // A later change is read again after it settles, and says why.
    now += 3600_000;
    edit(d, 70);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    now += 900_000;
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
    expect(h.ctx.store.pageOcrByPage(id!)!.read_reason).toBe("changed");
  } finally {
    await h.close();
  }
});

test("\"OCR now\" bypasses the settle delay (one page, a whole document; the dashboard buttons call the same service) and says so", async () => {
  let now = T0;
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 900 }), now: () => now });
  try {
    const u = await addUser(h, "now@example.com");
    const d = buildDoc([inkPage(80), inkPage(81)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const ids = pageIds(h, u.id, d.uuid);
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["queued", "queued"]);
    const r = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(r.queued).toBe(1);
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["done", "queued"]);
    expect(h.ctx.store.pageOcrByPage(ids[0]!)!.read_reason).toBe("requested");
    expect(ocrJobs(h, u.id).length).toBe(2); // pulled forward, not duplicated

    const all = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr`, { token: u.token }));
    expect(all.queued).toBe(1);
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
    expect(h.ctx.store.quotaUsed(u.id, quotaMonth(now, "UTC"))).toBe(2);
  } finally {
    await h.close();
  }
});

test("a version that arrives while the page is being read gets its own job, read after it settles; the older answer is not stored", async () => {
  let now = T0;
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 900 }), now: () => now, jobs: true });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  fake.hold = () => gate;
  try {
    const u = await addUser(h, "busy@example.com");
    const d = buildDoc([inkPage(90)]);
    await syncDoc(h, u.token, d);
    const [id] = pageIds(h, u.id, d.uuid);
    await until(() => ocrStatus(h, id!) === "queued", "v1 settling");
    now += 900_000;
    await until(() => fake.requests.length === 1, "v1 sent (answer held)");
    const v2 = edit(d, 91);
    await syncDoc(h, u.token, d);
    await until(() => h.ctx.store.pageOcrByPage(id!)?.sha256 === v2, "v2 rendered");
    expect(ocrJobs(h, u.id).map((j) => j.status).sort()).toEqual(["queued", "running"]);
    release();
    await until(() => ocrJobs(h, u.id).some((j) => j.status === "done"), "v1 answered");
    expect(h.ctx.store.pageOcrByPage(id!)!.done_sha256).toBeNull(); // v1's answer was for an older version
    now += 900_000;
    await until(() => h.ctx.store.pageOcrByPage(id!)?.done_sha256 === v2, "v2 read");
    expect(fake.requests.length).toBe(2);
    expect(h.ctx.store.pageOcrByPage(id!)!.read_reason).toBe("new");
  } finally {
    release();
    await h.close();
  }
});
