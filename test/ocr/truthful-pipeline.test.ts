// Truthful results through the whole pipeline (sync → render → OCR job → page), real SDK against
// the loopback fake: a refused or cut-off answer is never stored as text and gives its quota page
// back; a rejected key pauses OCR for the whole server (pages wait, nothing spent, one log line, a
// notice on the quota page) until a restart with a working key; a provider outage never fails a
// page, whatever the attempt limit.
import { expect, test } from "bun:test";
import { createContext } from "../../src/composition/context.ts";
import { createRunner } from "../../src/composition/workers.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { quotaMonth } from "../../src/quota/index.ts";
import { resumePendingOcr } from "../../src/services/ocr/ocr.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, webSession } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides, ocrStatus, pageIds, readAfterWaits } from "./support.ts";

const fake = fakeAnthropicForFile();

test("refusal and an empty answer fail the page with the reason and refund its quota page; a cut-off answer is retried once with a larger budget", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1, "ocr.maxTokens": 1024 }) });
  try {
    const u = await addUser(h, "truth@example.com");
    const month = quotaMonth(h.ctx.queue.now(), "UTC");

    fake.script.push({ status: 200, content: [{ type: "text", text: "I can't transcribe this." }], stopReason: "refusal" });
    const refused = buildDoc([inkPage(40)]);
    await syncDoc(h, u.token, refused);
    await h.runner.idle();
    const [rid] = pageIds(h, u.id, refused.uuid);
    const ro = await json(await call(h, "GET", `/api/v1/documents/${refused.uuid}/pages/${refused.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(ro.status).toBe("failed");
    expect(ro.error).toBe("ocr: the model declined to transcribe this page (stop_reason refusal)");
    expect(ro.markdown).toBeNull();
    expect(h.ctx.store.quotaUsed(u.id, month)).toBe(0);
    expect(ocrStatus(h, rid!)).toBe("failed");

    fake.script.push({ status: 200, content: [{ type: "thinking", thinking: "hmm", signature: "s" }] });
    const empty = buildDoc([inkPage(41)]);
    await syncDoc(h, u.token, empty);
    await h.runner.idle();
    expect(h.ctx.store.pageOcrByPage(pageIds(h, u.id, empty.uuid)[0]!)!.error).toBe("ocr: the model answered with no text (stop_reason end_turn)");
    expect(h.ctx.store.quotaUsed(u.id, month)).toBe(0);

    fake.script.push({ status: 200, content: [{ type: "text", text: "# Cut o" }], stopReason: "max_tokens" });
    const cut = buildDoc([inkPage(42)]);
    await syncDoc(h, u.token, cut);
    await h.runner.idle();
    const [cid] = pageIds(h, u.id, cut.uuid);
    expect(ocrStatus(h, cid!)).toBe("done");
    expect(fake.requests.slice(-2).map((r) => r.maxTokens)).toEqual([1024, 2048]);
    expect(h.ctx.store.pageTexts(cid!).find((t) => t.source === "ocr")!.text).toContain("call the plumber");
    expect(h.ctx.store.quotaUsed(u.id, month)).toBe(1); // one page, two requests
    expect(fake.requests.every((r) => r.thinking?.type === "disabled")).toBe(true);
  } finally {
    await h.close();
  }
});

test("a rejected key (401) pauses OCR for everyone: pages wait, no attempt or quota is spent, one log line and a notice; a restart with a working key reads them", async () => {
  const lines: string[] = [];
  const log = createLogger("error", {}, (l) => lines.push(l));
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.apiKey": "sk-ant-revoked", "ocr.concurrency": 1 }), log });
  try {
    const u = await addUser(h, "key@example.com");
    const other = await addUser(h, "key2@example.com");
    const d = buildDoc([inkPage(43), inkPage(44), inkPage(45)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.rejected).toEqual([{ status: 401, reason: "invalid x-api-key" }]); // one request, not one per page
    const ids = pageIds(h, u.id, d.uuid);
    for (const id of ids) {
      const o = h.ctx.store.pageOcrByPage(id)!;
      expect(o.status).toBe("pending_ocr");
      expect(o.error).toBe("OCR paused: ocr: the API key was rejected (401 authentication_error): invalid x-api-key");
    }
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota.used).toBe(0);
    expect(q.ocr.pages.failed).toBe(0);
    expect(q.ocr.paused.reason).toContain("401 authentication_error");
    expect(q.ocr.hint).toContain("OCR is paused");
    expect(q.ocr.hint).toContain("RMIRROR_ANTHROPIC_API_KEY");
    const jobs = h.ctx.store.jobsByUser(u.id, { kind: "ocr", limit: 10 });
    expect(jobs.some((j) => j.status === "failed")).toBe(false);

    // Another user's upload while paused: waits, nothing is sent; asking for OCR says why.
    const d2 = buildDoc([inkPage(46)]);
    await syncDoc(h, other.token, d2);
    await h.runner.idle();
    expect(ocrStatus(h, pageIds(h, other.id, d2.uuid)[0]!)).toBe("pending_ocr");
    expect(fake.rejected.length + fake.requests.length).toBe(1);
    const now = await call(h, "POST", `/api/v1/documents/${d2.uuid}/ocr`, { token: other.token });
    expect(now.status).toBe(409);
    expect((await json(now)).error.code).toBe("ocr_paused");
    // The dashboard shows the notice where "OCR not configured" is shown.
    const cookie = await webSession(h, "web@example.com");
    const page = await call(h, "GET", "/quota", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("OCR is paused for all users");
    // Logged once, not once per page.
    expect(lines.filter((l) => l.includes("OCR paused")).length).toBe(1);

    // Restart with a working key (a second context on the same database): every page is read.
    const config = loadConfig({ env: {}, overrides: { dataDir: h.dir, logLevel: "silent", "jobs.pollMs": 20, ...ocrOverrides(fake) } });
    const ctx2 = createContext(config, { log: silentLogger });
    const runner2 = createRunner(ctx2);
    try {
      expect(resumePendingOcr(ctx2)).toBe(4);
      await runner2.idle();
      expect(fake.requests.length).toBe(4);
      expect([...ids, pageIds(h, other.id, d2.uuid)[0]!].map((id) => ctx2.store.pageOcrByPage(id)!.status)).toEqual(["done", "done", "done", "done"]);
      expect(ctx2.store.pageOcrByPage(ids[0]!)!.error).toBeNull();
      expect(ctx2.store.quotaUsed(u.id, quotaMonth(ctx2.queue.now(), "UTC"))).toBe(3);
    } finally {
      await runner2.stop();
      ctx2.store.db.close();
    }
  } finally {
    await h.close();
  }
});

test("403 permission_error pauses OCR the same way", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1 }) });
  try {
    const u = await addUser(h, "perm@example.com");
    fake.script.push({ status: 403, message: "Your API key does not have permission to use the specified resource." });
    const d = buildDoc([inkPage(47), inkPage(48)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    expect(pageIds(h, u.id, d.uuid).map((id) => ocrStatus(h, id))).toEqual(["pending_ocr", "pending_ocr"]);
    expect(h.ctx.store.pageOcrByPage(pageIds(h, u.id, d.uuid)[0]!)!.error).toContain("403 permission_error");
  } finally {
    await h.close();
  }
});

test("an outage (500, 503, 529 without retry-after) never fails a page and spends no attempt, even with one attempt allowed", async () => {
  const clock = { now: Date.UTC(2026, 5, 10, 12, 0) };
  const h = await harness({ overrides: ocrOverrides(fake, { "jobs.maxAttempts": 1 }), jobs: true, now: () => clock.now });
  try {
    const u = await addUser(h, "down@example.com");
    fake.script.push({ status: 500 }, { status: 503 }, { status: 529 }, { status: 529, retryAfter: "5" });
    const d = buildDoc([inkPage(49)]);
    await syncDoc(h, u.token, d);
    await readAfterWaits(h, u.id, pageIds(h, u.id, d.uuid)[0]!, clock, 31_000);
    expect(fake.requests.length).toBe(5);
  } finally {
    await h.close();
  }
});
