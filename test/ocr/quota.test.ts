// The monthly quota: exhaustion → pending_quota and HTTP 402, admin limits, the monthly reset that
// processes the backlog newest page first, concurrent workers that never overspend, and
// notification email at 90 % / 100 % received once by a real SMTP server on loopback.
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/schema.ts";
import { createRunner } from "../../src/composition/workers.ts";
import { silentLogger } from "../../src/log.ts";
import { dayStart, nextMonthStart, quotaMonth } from "../../src/quota/index.ts";
import { createContext } from "../../src/composition/context.ts";
import { monthlyReset } from "../../src/services/ocr/ocr.ts";
import { startQuotaCron } from "../../src/services/ocr/quota-cron.ts";
import { startSmtp } from "../support/smtp.ts";
import { addUser, buildDoc, call, harness, json, syncDoc } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides, ocrStatus, pageIds, statusCounts, until } from "./support.ts";

const fake = fakeAnthropicForFile();
const withOcr = (extra: Record<string, string | number | boolean> = {}) => ocrOverrides(fake, extra);

test("quota exhausted: uploads are accepted and rendered, OCR waits in pending_quota, asking for OCR answers 402", async () => {
  const h = await harness({ overrides: withOcr({ "quota.defaultPages": 2 }) });
  try {
    const u = await addUser(h, "q@example.com");
    const other = await addUser(h, "other@example.com");
    const d = buildDoc([inkPage(10), inkPage(11), inkPage(12), inkPage(13)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const ids = pageIds(h, u.id, d.uuid);
    expect(ids.every((id) => h.ctx.store.pageById(id)!.render_status === "done")).toBe(true);
    expect(statusCounts(h, u.id)).toEqual({ done: 2, pending_quota: 2 });
    expect(fake.requests.length).toBe(2);

    const res = await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr`, { token: u.token });
    expect(res.status).toBe(402);
    const body = await json(res);
    expect(body.error).toBe("quota_exceeded");
    expect(body.quota.used).toBe(2);
    expect(body.quota.limit).toBe(2);
    expect(new Date(body.quota.resets_at).getUTCDate()).toBe(1);
    expect(Date.parse(body.quota.resets_at)).toBeGreaterThan(Date.now());

    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota).toMatchObject({ used: 2, limit: 2, remaining: 0 });
    expect(q.ocr.pages.pending_quota).toBe(2);
    expect(q.ocr.hint).toContain("OCR pending");
    // A limit of 2 passes 90 % and 100 % with one page: only the highest threshold is notified (issue 13 item 11).
    expect(q.notifications.map((n: any) => n.threshold)).toEqual([100]);

    // Other users are unaffected; non-admins cannot change limits.
    expect((await json(await call(h, "GET", "/api/v1/quota", { token: other.token }))).quota.used).toBe(0);
    expect((await call(h, "PUT", `/api/v1/quota/users/${u.id}`, { token: u.token, json: { limit: 100 } })).status).toBe(403);

    // An admin raises the limit: the backlog is read at once, newest first.
    const admin = await addUser(h, "admin@example.com", true);
    const set = await json(await call(h, "PUT", `/api/v1/quota/users/${u.id}`, { token: admin.token, json: { limit: 3 } }));
    expect(set).toMatchObject({ limit: 3, queued: 1 });
    await h.runner.idle();
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["done", "done", "pending_quota", "done"]);
    const unl = await json(await call(h, "PUT", "/api/v1/quota/default", { token: admin.token, json: { limit: "unlimited" } }));
    expect(unl.limit).toBeNull();
    await call(h, "PUT", `/api/v1/quota/users/${u.id}`, { token: admin.token, json: { limit: "default" } });
    await h.runner.idle();
    expect(ocrStatus(h, ids[2]!)).toBe("done");
    expect((await json(await call(h, "GET", "/api/v1/quota", { token: u.token }))).quota.unlimited).toBe(true);
  } finally {
    await h.close();
  }
});

test("monthly reset: the backlog is processed newest page first until the new month's quota runs out; once per month; a missed reset runs at start-up", async () => {
  let now = Date.UTC(2026, 0, 31, 23, 0);
  const h = await harness({ overrides: withOcr({ "quota.defaultPages": 2, "ocr.concurrency": 1 }), now: () => now });
  try {
    const u = await addUser(h, "reset@example.com");
    const docs = [];
    for (let i = 0; i < 5; i++) {
      const d = buildDoc([inkPage(20 + i)], { name: `Day ${i}` });
      await syncDoc(h, u.token, d);
      await h.runner.idle();
      docs.push(d);
    }
    const ids = docs.map((d) => pageIds(h, u.id, d.uuid)[0]!);
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["done", "done", "pending_quota", "pending_quota", "pending_quota"]);
    expect(monthlyReset(h.ctx)).toBe(0); // January: marks the month as reset; nothing to queue (quota used up)
    expect(monthlyReset(h.ctx)).toBe(0);

    now = Date.UTC(2026, 1, 1, 0, 0, 5); // February
    expect(quotaMonth(now, "UTC")).toBe("2026-02");
    expect(monthlyReset(h.ctx)).toBe(2);
    expect(monthlyReset(h.ctx)).toBe(0); // once per month
    await h.runner.idle();
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["done", "done", "pending_quota", "done", "done"]);
    const jobs = h.ctx.store.jobsByUser(u.id, { kind: "ocr", status: "done", limit: 10 });
    // Newest page claimed first: the job for the newest page got the highest priority.
    const byPage = new Map(jobs.map((j) => [JSON.parse(j.payload).pageId as number, j]));
    expect(byPage.get(ids[4]!)!.priority).toBeGreaterThan(byPage.get(ids[3]!)!.priority);
    expect(h.ctx.store.quotaUsed(u.id, "2026-02")).toBe(2);
    expect(h.ctx.store.quotaUsed(u.id, "2026-01")).toBe(2);

    // The server was down over the next month change: start-up runs the missed reset.
    now = Date.UTC(2026, 2, 3, 9, 0);
    const cron = startQuotaCron(h.ctx);
    await cron.stop();
    await h.runner.idle();
    expect(ocrStatus(h, ids[2]!)).toBe("done");
    expect(h.ctx.store.quotaUsed(u.id, "2026-03")).toBe(1);
  } finally {
    await h.close();
  }
});

test("quota month and reset time follow the configured time zone", async () => {
  const h = await harness({ overrides: withOcr({ "quota.timezone": "Europe/Berlin" }), now: () => Date.UTC(2026, 0, 31, 23, 30) });
  try {
    const u = await addUser(h, "tz@example.com");
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota.month).toBe("2026-02"); // 00:30 on Feb 1st in Berlin
    expect(q.quota.resets_at).toBe("2026-02-28T23:00:00.000Z"); // midnight March 1st, CET
  } finally {
    await h.close();
  }
});

test("UTC, the default, is computed without time zone data and agrees with ICU's Etc/UTC (month, next reset, day start)", () => {
  // Month ends, leap days, year ends, the epoch, and a spread of instants between.
  const instants = [0, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2027, 0, 1), Date.UTC(2100, 1, 28, 12)];
  for (let i = 0; i < 500; i++) instants.push(Date.UTC(1990, 0, 1) + i * 7_919_993_117);
  for (const ts of instants) {
    expect(quotaMonth(ts, "UTC")).toBe(quotaMonth(ts, "Etc/UTC"));
    expect(nextMonthStart(ts, "UTC")).toBe(nextMonthStart(ts, "Etc/UTC"));
    const d = new Date(ts);
    expect(dayStart(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), "UTC")).toBe(dayStart(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), "Etc/UTC"));
  }
});

test("two workers on the same database never overspend: the reservation is atomic with the job claim", async () => {
  const limit = 3;
  const h = await harness({ overrides: withOcr({ "quota.defaultPages": limit, "ocr.concurrency": 8 }) });
  const config = loadConfig({ env: {}, overrides: { dataDir: h.dir, logLevel: "silent", "jobs.pollMs": 20, ...withOcr({ "quota.defaultPages": limit, "ocr.concurrency": 8 }) } });
  const ctx2 = createContext(config, { log: silentLogger });
  const runner2 = createRunner(ctx2);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  fake.hold = () => gate;
  try {
    const u = await addUser(h, "race@example.com");
    const d = buildDoc(Array.from({ length: 10 }, (_, i) => inkPage(40 + i)));
    await syncDoc(h, u.token, d);
    h.runner.start();
    runner2.start();
    // Barrier: every page has been claimed or deferred while the first answers are still held.
    await until(() => {
      const c = statusCounts(h, u.id);
      return (c.pending_quota ?? 0) === 10 - limit && fake.requests.length === limit;
    }, "all pages claimed or deferred");
    release();
    await until(() => (statusCounts(h, u.id).done ?? 0) === limit, "OCR done");
    await Promise.all([h.runner.idle(), runner2.idle()]);
    expect(fake.requests.length).toBe(limit);
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota.used).toBe(limit);
    expect(statusCounts(h, u.id)).toEqual({ done: limit, pending_quota: 10 - limit });
  } finally {
    release();
    await runner2.stop();
    ctx2.store.db.close();
    await h.close();
  }
});

test("notifications at 90 % and 100 %: an event, and one email each to a real SMTP server on loopback", async () => {
  const smtp = await startSmtp();
  const h = await harness({ overrides: withOcr({ "quota.defaultPages": 10, "smtp.url": smtp.url, "smtp.from": "rmirror <noreply@example.org>" }) });
  try {
    const u = await addUser(h, "mail@example.com");
    const d1 = buildDoc(Array.from({ length: 8 }, (_, i) => inkPage(60 + i)));
    await syncDoc(h, u.token, d1);
    await h.runner.idle();
    expect(smtp.mails.length).toBe(0);
    expect((await json(await call(h, "GET", "/api/v1/notifications", { token: u.token }))).items).toEqual([]);

    await syncDoc(h, u.token, buildDoc([inkPage(70)])); // 9 of 10 = 90 %
    await h.runner.idle();
    await until(() => smtp.mails.length === 1, "the 90 % email");
    await syncDoc(h, u.token, buildDoc([inkPage(71), inkPage(72), inkPage(73)])); // 10 of 10, then over
    await h.runner.idle();
    await until(() => smtp.mails.length === 2, "the 100 % email");
    // More deferred pages and reset checks in the same month send nothing more.
    await syncDoc(h, u.token, buildDoc([inkPage(74)]));
    monthlyReset(h.ctx);
    await h.runner.idle();
    expect(smtp.mails.length).toBe(2);
    expect(smtp.mails.every((m) => m.to.join() === "mail@example.com" && m.from === "noreply@example.org")).toBe(true);
    expect(smtp.mails[0]!.raw).toContain("90 %");
    expect(smtp.mails[1]!.raw).toContain("used up");
    const n = await json(await call(h, "GET", "/api/v1/notifications", { token: u.token }));
    expect(n.items.map((i: any) => [i.threshold, i.emailed])).toEqual([
      [100, true],
      [90, true],
    ]);
  } finally {
    await h.close();
    await smtp.close();
  }
});
