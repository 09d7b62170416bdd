// The same truthful-result behaviour for every engine, each through its real SDK against its own
// loopback fake: thinking off by default so the budget is for the text; thinking never reaches
// the text; a cut-off answer is retried once with twice the budget, cut off again it fails with
// the reason; refusals and empty answers are not results; a rejected key, a rate limit, an
// overload and an outage map to what the pipeline must do with them.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { isTransient } from "../../src/jobs/errors.ts";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnusableAnswer } from "../../src/ocr/engine.ts";
import { anthropicCase, geminiCase, openAiCase, type EngineCase } from "./engine-cases.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 6, 0x20, 0, 0, 4, 0x80, 8, 0, 0, 0, 0]);

for (const make of [anthropicCase, () => openAiCase(), () => openAiCase({ official: true }), geminiCase]) {
  const c: EngineCase = make();
  const label = make === anthropicCase || make === geminiCase ? c.name : `${c.name} (${make.toString().includes("official") ? "api.openai.com" : "compatible server"})`;
  describe(label, () => {
    afterAll(() => c.close());
    beforeEach(() => c.reset());
    const read = (o = {}) => c.engine(o).recognize({ png: PNG, annotatedPdf: false });
    const failure = (o = {}) => read(o).then(() => null, (e) => e as Error);

    test("thinking is off by default, so a small budget holds the whole text", async () => {
      const r = await read({ maxTokens: 700 }); // the fakes think 600 tokens unless told not to
      expect(c.thinkingOff()).toBe(true);
      expect(r.markdown).toContain("- [ ] call the plumber");
      expect(c.budgets()).toEqual([700]);
      expect(r.inputTokens).toBeGreaterThan(0);
      expect(r.outputTokens).toBeGreaterThan(0);
    });

    test("thinking before the answer never reaches the text", async () => {
      c.thinkingThenText("The page has two lines; one is crossed out.", "Line one\nLine two");
      expect((await read()).markdown).toBe("Line one\nLine two");
    });

    test("cut off: retried once with twice the budget, tokens of both requests counted", async () => {
      c.cutOff("# Half a pa");
      const r = await read();
      expect(c.budgets()).toEqual([1024, 2048]);
      expect(r.markdown).toContain("call the plumber");
      expect(r.outputTokens).toBeGreaterThan(1024 / 2);
    });

    test("cut off twice: the page fails with the reason, not with the cut-off text", async () => {
      c.cutOff("# Half");
      c.cutOff("# Half a page");
      const e = await failure();
      expect(e).toBeInstanceOf(OcrUnusableAnswer);
      expect(e).toBeInstanceOf(OcrRejected);
      expect(e!.message).toContain("cut off");
      expect(e!.message).toContain("2048 output tokens");
      expect(c.budgets().length).toBe(2);
    });

    test("a refusal and an empty answer are not results, and are not retried", async () => {
      c.refusal();
      const e1 = await failure();
      expect(e1).toBeInstanceOf(OcrUnusableAnswer);
      expect(e1!.message).toBe(c.refusalMessage);
      c.empty();
      const e2 = await failure();
      expect(e2).toBeInstanceOf(OcrUnusableAnswer);
      expect(e2!.message).toContain("no text");
      c.thinkingThenText("Nothing legible here.", "  \n ");
      expect(await failure()).toBeInstanceOf(OcrUnusableAnswer);
      expect(c.budgets().length).toBe(3);
    });

    test("a wrong key and a 403 reject the key (OCR pauses), a rate limit waits for the provider's delay", async () => {
      const bad = await failure({ apiKey: "revoked-key" });
      expect(bad).toBeInstanceOf(OcrKeyRejected);
      expect(bad!.message).toStartWith(c.badKeyMessage);
      c.forbidden();
      const e403 = await failure();
      expect(e403).toBeInstanceOf(OcrKeyRejected);
      expect(e403!.message).toContain("403");
      c.rateLimited(12);
      const e429 = await failure();
      expect(e429).toBeInstanceOf(OcrRateLimited);
      expect((e429 as OcrRateLimited).ms).toBe(12_000);
      expect(e429!.message).toStartWith("ocr: rate limited (429");
    });

    test("overload and outages (5xx, connection refused) spend no attempt", async () => {
      c.overloaded();
      const busy = await failure();
      expect(busy instanceof OcrRateLimited || isTransient(busy)).toBe(true);
      expect(busy).not.toBeInstanceOf(OcrRejected);
      for (const status of [500, 503]) {
        c.outage(status);
        const e = await failure();
        expect(isTransient(e)).toBe(true);
        expect(e!.message).toStartWith(`ocr: API error ${status}`);
      }
      const down = await failure({ baseUrl: "http://127.0.0.1:9" });
      expect(isTransient(down)).toBe(true);
      expect(down!.message).toStartWith("ocr: connection failed");
    });
  });
}
