// Activity and the library keep up (issue 13 item 7): GET /live answers 204 while nothing changed
// and a new fingerprint with HX-Trigger when work is queued, runs or ends or a document syncs;
// jobs set aside by the quota or an OCR pause show why and when they run instead of a Retry.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { addUser, buildDoc, harness, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session, type Browser } from "./support.ts";

let h: Harness;
let u: TestUser;
let other: TestUser;
let U: Browser;
beforeAll(async () => {
  h = await harness({ jobs: false });
  u = await addUser(h, "live@example.com");
  other = await addUser(h, "other-live@example.com");
  U = session(h, u);
});
afterAll(() => h.close());

const versionIn = (html: string) => /data-live-version="([^"]+)"/.exec(html)?.[1];

describe("GET /live", () => {
  test("idle pages carry the poller; 204 until something changes, then the new version and HX-Trigger", async () => {
    const page = await (await req(h, U, "GET", "/activity")).text();
    expect(page).toContain('id="live"');
    expect(page).toContain('hx-trigger="every 2s"');
    expect(page).toContain('hx-trigger="rmirror-live from:body"');
    const v0 = versionIn(page)!;
    expect(v0).toBeTruthy();
    const same = await req(h, U, "GET", `/live?v=${v0}`, { htmx: true });
    expect(same.status).toBe(204);
    expect(await same.text()).toBe("");

    // Another user's work does not wake this user's pages.
    h.ctx.queue.enqueue("render_page", { pageId: 1 }, { userId: other.id });
    expect((await req(h, U, "GET", `/live?v=${v0}`, { htmx: true })).status).toBe(204);

    h.ctx.queue.enqueue("render_page", { pageId: 1 }, { userId: u.id });
    const changed = await req(h, U, "GET", `/live?v=${v0}`, { htmx: true });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("hx-trigger")).toBe("rmirror-live");
    const v1 = versionIn(await changed.text())!;
    expect(v1).not.toBe(v0);
    expect((await req(h, U, "GET", `/live?v=${v1}`, { htmx: true })).status).toBe(204);

    // A document synced changes it too; so does a job ending.
    await syncDoc(h, u.token, buildDoc([null], { name: "Fresh" }));
    const afterSync = await req(h, U, "GET", `/live?v=${v1}`, { htmx: true });
    expect(afterSync.status).toBe(200);
    const v2 = versionIn(await afterSync.text())!;
    await h.runner.idle();
    expect((await req(h, U, "GET", `/live?v=${v2}`, { htmx: true })).status).toBe(200);
  });

  test("the library page polls too and reloads its listing in place", async () => {
    const html = await (await req(h, U, "GET", "/")).text();
    expect(html).toContain('id="live"');
    expect(html).toMatch(/<div id="library-live" hx-get="\/\?[^"]*" hx-trigger="rmirror-live from:body" hx-select="#library-live"/);
  });

  test("logged out: no version, the login redirect", async () => {
    const r = await req(h, null, "GET", "/live?v=x", { htmx: true });
    expect(r.status).not.toBe(200);
    expect(r.status).not.toBe(204);
  });
});

describe("jobs that cannot succeed by retrying", () => {
  test("quota-deferred and paused OCR jobs: the reason and when they run, no Retry; a failed job keeps Retry", async () => {
    const setAside = (reason: string) => {
      const j = h.ctx.queue.enqueue("ocr", { pageId: 424242, sha256: "x".repeat(64), engineKey: "k" }, { userId: u.id }).job;
      h.ctx.store.db.run("UPDATE jobs SET status = 'cancelled', last_error = ?, finished_at = ? WHERE id = ?", [reason, Date.now(), j.id]);
      return j.id;
    };
    const quota = setAside("deferred: monthly OCR quota used up");
    const paused = setAside("deferred: OCR is paused (the API key was rejected)");
    const failed = h.ctx.queue.enqueue("render_page", { pageId: 434343 }, { userId: u.id }).job;
    h.ctx.store.db.run("UPDATE jobs SET status = 'failed', last_error = 'boom', finished_at = ? WHERE id = ?", [Date.now(), failed.id]);

    const html = await (await req(h, U, "GET", "/activity")).text();
    const row = (id: number) => new RegExp(`<tr data-job-id="${id}"[\\s\\S]*?</tr>`).exec(html)![0];
    const resetsOn = /resets on ([0-9]{1,2} [A-Z][a-z]+ [0-9]{4})/.exec(row(quota));
    expect(resetsOn).not.toBeNull();
    expect(row(quota)).toContain("Waiting for OCR quota");
    expect(row(quota)).toContain("data-job-waiting");
    expect(row(quota)).not.toContain('data-action="retry-job"');
    expect(row(quota)).not.toContain("deferred:");
    expect(row(paused)).toContain("OCR is paused");
    expect(row(paused)).toContain("once a working API key is set");
    expect(row(paused)).not.toContain('data-action="retry-job"');
    expect(row(failed.id)).toContain('data-action="retry-job"');
    expect(row(failed.id)).toContain("boom");
  });
});
