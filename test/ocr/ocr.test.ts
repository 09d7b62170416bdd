// OCR end to end: sync → render → OCR job → Markdown on the page, through the real SDK against a
// loopback fake of the Messages API. Retries, failures, no double OCR, no engine configured.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createContext } from "../../src/composition/context.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { enqueueOcr, resumePendingOcr } from "../../src/services/ocr/ocr.ts";
import { createRunner } from "../../src/composition/workers.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness } from "../support/server-harness.ts";
import { emptyPage, fakeAnthropicForFile, inkPage, ocrOverrides, ocrStatus, pageIds, until } from "./support.ts";

const fake = fakeAnthropicForFile();

const withOcr = (extra: Record<string, string | number | boolean> = {}) => ocrOverrides(fake, extra);

test("ink pages are read once; blank and typed-only pages are never sent; Markdown, model, tokens and time are stored", async () => {
  const h = await harness({ overrides: withOcr() });
  try {
    const u = await addUser(h, "ocr@example.com");
    const typed = HAVE_SAMPLES ? new Uint8Array(readFileSync(sample("rmscene__Normal_AB.rm"))) : emptyPage();
    const d = buildDoc([inkPage(1), emptyPage(), typed, null], { name: "Ideas" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.rejected).toEqual([]);
    expect(fake.requests.length).toBe(1);
    const r = fake.requests[0]!;
    expect(r.model).toBe("claude-haiku-5-5");
    expect(r.auth).toBe("bearer");
    expect(Math.max(r.width, r.height)).toBe(1568);
    expect(r.prompt).toContain("- [ ]");

    const [ink, empty, typedId] = pageIds(h, u.id, d.uuid);
    expect(ocrStatus(h, ink!)).toBe("done");
    expect(ocrStatus(h, empty!)).toBe("blank");
    expect(ocrStatus(h, typedId!)).toBe("blank");
    const page = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(page.status).toBe("done");
    expect(page.markdown).toContain("- [ ] call the plumber");
    expect(page.model).toBe("claude-haiku-5-5");
    expect(page.inputTokens).toBeGreaterThan(100);
    expect(page.outputTokens).toBeGreaterThan(0);
    expect(page.ms).toBeGreaterThanOrEqual(0);
    expect(page.current).toBe(true);
    if (HAVE_SAMPLES) {
      const tp = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![2]!.id}/ocr`, { token: u.token }));
      expect(tp.typedText).toContain("AB");
    }
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota).toMatchObject({ used: 1, limit: 30, unlimited: false });
    expect(q.ocr.pages.done).toBe(1);

    // Todos from the OCR Markdown.
    const todos = await json(await call(h, "GET", "/api/v1/todos", { token: u.token }));
    expect(todos.items.map((t: any) => [t.text, t.checked, t.source])).toEqual([
      ["call the plumber", false, "ocr"],
      ["buy milk", true, "ocr"],
    ]);
    const open = await json(await call(h, "GET", "/api/v1/todos?checked=false", { token: u.token }));
    expect(open.items.length).toBe(1);

    // No double OCR: same content again, a metadata-only change, an explicit request, a stray job.
    await syncDoc(h, u.token, d);
    d.input.metadata.visibleName = "Ideas (renamed)";
    await syncDoc(h, u.token, d);
    const again = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr`, { token: u.token }));
    expect(again.queued).toBe(0);
    const p0 = h.ctx.store.pageById(ink!)!;
    h.ctx.store.tx(() => enqueueOcr(h.ctx, u.id, p0.id, p0.sha256!));
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    expect(h.ctx.store.quotaUsed(u.id, q.quota.month)).toBe(1);
    expect(ocrStatus(h, ink!)).toBe("done");

    // Changed strokes → read again.
    d.input.pages![0] = { ...d.input.pages![0]!, ...(() => {
      const b = inkPage(2);
      const sha = new Bun.CryptoHasher("sha256").update(b).digest("hex");
      d.blobs.set(sha, b);
      return { sha256: sha, size: b.byteLength };
    })() };
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
  } finally {
    await h.close();
  }
});

test("429 and 529 honour retry-after and a 500 backs off, none of them spending an attempt", async () => {
  const h = await harness({ overrides: withOcr(), jobs: true });
  try {
    const u = await addUser(h, "retry@example.com");
    fake.script.push({ status: 429, retryAfter: "0.2" }, { status: 529, retryAfter: "0" }, { status: 500 });
    const d = buildDoc([inkPage(3)]);
    await syncDoc(h, u.token, d);
    const [id] = pageIds(h, u.id, d.uuid);
    await until(() => ocrStatus(h, id!) === "done", "OCR done");
    expect(fake.requests.length).toBe(4);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(190);
    const job = h.ctx.store.jobsByUser(u.id, { kind: "ocr", limit: 10 })[0]!;
    expect(job.status).toBe("done");
    expect(job.attempts).toBe(1); // 429/529 wait as told; a 500 is a provider outage, not the page's fault
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota.used).toBe(1);
  } finally {
    await h.close();
  }
});

test("an invalid image fails at once with the reason on the page, and the quota page is refunded", async () => {
  const h = await harness({ overrides: withOcr() });
  try {
    const u = await addUser(h, "bad@example.com");
    fake.script.push({ status: 400, message: "Could not process image" });
    const d = buildDoc([inkPage(4)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const [id] = pageIds(h, u.id, d.uuid);
    const o = h.ctx.store.pageOcrByPage(id!)!;
    expect(o.status).toBe("failed");
    expect(o.error).toContain("Could not process image");
    expect(o.error).toStartWith("ocr: ");
    expect(fake.requests.length).toBe(1);
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.quota.used).toBe(0);
    expect(q.ocr.pages.failed).toBe(1);
    // The retry (a failed page can be asked for again).
    const again = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/ocr`, { token: u.token }));
    expect(again.queued).toBe(1);
    await h.runner.idle();
    expect(ocrStatus(h, id!)).toBe("done");
  } finally {
    await h.close();
  }
});

test("a request that times out is retried", async () => {
  const h = await harness({ overrides: withOcr({ "ocr.timeoutSeconds": 1 }), jobs: true });
  try {
    const u = await addUser(h, "slow@example.com");
    fake.script.push({ status: 200, hang: true });
    const d = buildDoc([inkPage(5)]);
    await syncDoc(h, u.token, d);
    const [id] = pageIds(h, u.id, d.uuid);
    await until(() => ocrStatus(h, id!) === "done", "OCR done after a timeout");
    expect(fake.requests.length).toBe(2);
    expect(h.ctx.store.jobsByUser(u.id, { kind: "ocr", limit: 1 })[0]!.attempts).toBe(2);
  } finally {
    await h.close();
  }
});

test("without an API key pages wait in pending_ocr with a hint; nothing else breaks; configuring a key reads them", async () => {
  const h = await harness();
  try {
    const u = await addUser(h, "nokey@example.com");
    const d = buildDoc([inkPage(6), inkPage(7)]);
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const ids = pageIds(h, u.id, d.uuid);
    expect(ids.map((id) => ocrStatus(h, id))).toEqual(["pending_ocr", "pending_ocr"]);
    expect(h.ctx.store.pageById(ids[0]!)!.render_status).toBe("done");
    const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(q.ocr.configured).toBe(false);
    expect(q.ocr.hint).toContain("RMIRROR_ANTHROPIC_API_KEY");
    const res = await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr`, { token: u.token });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("ocr_not_configured");
    expect(fake.requests.length).toBe(0);

    // Restart with a key (a second context on the same database).
    const config = loadConfig({ env: {}, overrides: { dataDir: h.dir, logLevel: "silent", "jobs.pollMs": 20, ...withOcr() } });
    const ctx2 = createContext(config, { log: silentLogger });
    const runner2 = createRunner(ctx2);
    try {
      expect(resumePendingOcr(ctx2)).toBe(2);
      await runner2.idle();
      expect(fake.requests.length).toBe(2);
      expect(ids.map((id) => ctx2.store.pageOcrByPage(id)!.status)).toEqual(["done", "done"]);
    } finally {
      await runner2.stop();
      ctx2.store.db.close();
    }
  } finally {
    await h.close();
  }
});
