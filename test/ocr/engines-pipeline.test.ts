// The whole pipeline (sync → render → OCR job → page) with each engine chosen by
// RMIRROR_OCR_ENGINE, its real SDK against its own fake: the same truthful-result, quota, pause
// and outage behaviour as with Claude (test/ocr/truthful-pipeline.test.ts).
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { quotaMonth } from "../../src/quota/index.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, webSession } from "../support/server-harness.ts";
import { geminiCase, openAiCase, type EngineCase } from "./engine-cases.ts";
import { inkPage, ocrStatus, pageIds, readAfterWaits } from "./support.ts";

for (const make of [() => openAiCase(), geminiCase]) {
  const c: EngineCase = make();
  describe(`${c.name} through the pipeline`, () => {
    afterAll(() => c.close());
    beforeEach(() => c.reset());

    test("each page is sent with its context: the notebook's name, the end of the previous page's text, the user's vocabulary hint", async () => {
      const h = await harness({ overrides: { ...c.overrides(), "ocr.concurrency": 1 } });
      try {
        const u = await addUser(h, `ctx-${c.name}@example.com`);
        h.ctx.store.setOcrVocabulary(u.id, "Emmy Noether");
        const d = buildDoc([inkPage(70)], { name: "Physics 101" });
        await syncDoc(h, u.token, d);
        await h.runner.idle();
        const two = buildDoc([inkPage(70), inkPage(71)], { name: "Physics 101", uuid: d.uuid, pageIds: [d.input.pages![0]!.id, crypto.randomUUID()] });
        await syncDoc(h, u.token, two);
        await h.runner.idle();
        const [first, second] = c.prompts().slice(-2);
        expect(first).toContain("Notebook name: «Physics 101»");
        expect(first).toContain("Names and terms this writer uses: «Emmy Noether»");
        expect(first).not.toContain("The previous page ended with");
        const [id1] = pageIds(h, u.id, d.uuid);
        const page1 = h.ctx.store.pageTexts(id1!).find((t) => t.source === "ocr")!.text;
        const sent = /The previous page ended with: «(.*)»/.exec(second!)![1]!;
        expect(page1.replace(/\n/g, " ⏎ ").endsWith(sent)).toBe(true);
      } finally {
        await h.close();
      }
    });

    test("a refusal fails the page with the reason and refunds the quota page; a cut-off answer is retried once and costs one page", async () => {
      const h = await harness({ overrides: { ...c.overrides(), "ocr.concurrency": 1, "ocr.maxTokens": 1024 } });
      try {
        const u = await addUser(h, `truth-${c.name}@example.com`);
        const month = quotaMonth(h.ctx.queue.now(), "UTC");
        c.refusal();
        const refused = buildDoc([inkPage(60)]);
        await syncDoc(h, u.token, refused);
        await h.runner.idle();
        const ro = await json(await call(h, "GET", `/api/v1/documents/${refused.uuid}/pages/${refused.input.pages![0]!.id}/ocr`, { token: u.token }));
        expect(ro.status).toBe("failed");
        expect(ro.error).toBe(c.refusalMessage);
        expect(ro.markdown).toBeNull();
        expect(h.ctx.store.quotaUsed(u.id, month)).toBe(0);

        c.cutOff("# Cut o");
        const cut = buildDoc([inkPage(61)]);
        await syncDoc(h, u.token, cut);
        await h.runner.idle();
        const [cid] = pageIds(h, u.id, cut.uuid);
        expect(ocrStatus(h, cid!)).toBe("done");
        expect(c.budgets().slice(-2)).toEqual([1024, 2048]);
        expect(h.ctx.store.pageTexts(cid!).find((t) => t.source === "ocr")!.text).toContain("call the plumber");
        expect(h.ctx.store.quotaUsed(u.id, month)).toBe(1);
        expect(c.thinkingOff()).toBe(true);
        const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
        expect(q.ocr.engine).toBe(c.name);
        expect(q.ocr.model).toBe(c.name === "openai" ? "gpt-5.4-mini" : "gemini-3.8-flash");
        // The dashboard's Quota page names the engine and its model.
        const cookie = await webSession(h, `web-${c.name}@example.com`);
        expect(await (await call(h, "GET", "/quota", { headers: { cookie } })).text()).toContain(`${c.name}: ${q.ocr.model}`);
      } finally {
        await h.close();
      }
    });

    test("a rejected key pauses OCR: pages wait, nothing is spent, the notice names this engine's key setting", async () => {
      const h = await harness({ overrides: { ...c.overrides({ apiKey: "revoked" }), "ocr.concurrency": 1 } });
      try {
        const u = await addUser(h, `key-${c.name}@example.com`);
        const d = buildDoc([inkPage(62), inkPage(63), inkPage(64)]);
        await syncDoc(h, u.token, d);
        await h.runner.idle();
        expect(c.budgets().length).toBe(0); // rejected before the model ran
        for (const id of pageIds(h, u.id, d.uuid)) {
          const o = h.ctx.store.pageOcrByPage(id)!;
          expect(o.status).toBe("pending_ocr");
          expect(o.error).toStartWith(`OCR paused: ${c.badKeyMessage}`);
        }
        const q = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
        expect(q.quota.used).toBe(0);
        expect(q.ocr.hint).toContain("OCR is paused");
        expect(q.ocr.hint).toContain(c.keySetting);
      } finally {
        await h.close();
      }
    });

    test("without a key the Quota page names this engine's key setting", async () => {
      const h = await harness({ overrides: { "ocr.engine": c.name } });
      try {
        expect(h.ctx.ocr).toBeNull();
        const cookie = await webSession(h, `nokey-${c.name}@example.com`);
        expect(await (await call(h, "GET", "/quota", { headers: { cookie } })).text()).toContain(`none yet: set ${c.keySetting}`);
      } finally {
        await h.close();
      }
    });

    test("an outage and a rate limit never fail a page and spend no attempt, even with one attempt allowed", async () => {
      const clock = { now: Date.UTC(2026, 5, 10, 12, 0) };
      const h = await harness({ overrides: { ...c.overrides(), "jobs.maxAttempts": 1 }, jobs: true, now: () => clock.now });
      try {
        const u = await addUser(h, `down-${c.name}@example.com`);
        c.outage(500);
        c.outage(503);
        c.overloaded();
        c.rateLimited(5);
        const d = buildDoc([inkPage(65)]);
        await syncDoc(h, u.token, d);
        await readAfterWaits(h, u.id, pageIds(h, u.id, d.uuid)[0]!, clock, 61_000);
        expect(c.budgets().length).toBe(5);
      } finally {
        await h.close();
      }
    });
  });
}
