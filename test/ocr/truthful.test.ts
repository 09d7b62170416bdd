// Truthful results from the Anthropic engine, through the real SDK against the loopback fake that
// thinks, cuts off at max_tokens, refuses, answers nothing, is overloaded and rejects keys as the
// documented API does: only end_turn/stop_sequence with text is a result; thinking is configured
// deliberately; errors map to what the pipeline must do with them.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { AnthropicOcr } from "../../src/ocr/anthropic.ts";
import { MAX_OUTPUT_TOKENS } from "../../src/ocr/engine-common.ts";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnusableAnswer } from "../../src/ocr/engine.ts";
import { isTransient } from "../../src/jobs/errors.ts";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";

const fake = startFakeAnthropic();
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.script.length = 0;
  fake.thinkingTokens = 600;
});
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 6, 0x20, 0, 0, 4, 0x80, 8, 0, 0, 0, 0]);
type Opts = ConstructorParameters<typeof AnthropicOcr>[0];
const engine = (extra: Partial<Opts> = {}) =>
  new AnthropicOcr({ apiKey: fake.apiKey, baseUrl: fake.url, model: "claude-haiku-5-5", maxTokens: 1024, timeoutMs: 5000, languages: "", thinking: "disabled", ...extra });
const read = (e = engine()) => e.recognize({ png: PNG, annotatedPdf: false });
const failure = (e = engine()) => read(e).then(() => null, (err) => err as Error);

test("thinking is disabled for OCR by default, so the whole budget is for the text", async () => {
  // The fake thinks 600 tokens unless told not to, like Claude Haiku 5.5: with 700 tokens left
  // the default reply would not fit after thinking.
  const r = await read(engine({ maxTokens: 700 }));
  expect(fake.requests[0]!.thinking).toEqual({ type: "disabled" });
  expect(r.markdown).toContain("call the plumber");
  expect(fake.requests.length).toBe(1);
});

test("adaptive thinking when configured: low effort, and the thinking blocks never reach the text", async () => {
  const r = await read(engine({ thinking: "adaptive", maxTokens: 2048 }));
  expect(fake.requests[0]!.thinking).toEqual({ type: "adaptive" });
  expect(r.markdown).toStartWith("# Page");
  expect(r.markdown).not.toContain("transcribe it line by line");
  expect(r.outputTokens).toBeGreaterThanOrEqual(600); // thinking is billed as output
});

test("text is taken only from text blocks (thinking and redacted_thinking before it are skipped)", async () => {
  fake.script.push({
    status: 200,
    content: [
      { type: "thinking", thinking: "Two lines, one crossed out.", signature: "sig" },
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4a" },
      { type: "text", text: "Line one\n" },
      { type: "text", text: "Line two" },
    ],
  });
  const r = await read();
  expect(r.markdown).toBe("Line one\nLine two");
});

test("stop_sequence with text is a result", async () => {
  fake.script.push({ status: 200, content: [{ type: "text", text: "Done here" }], stopReason: "stop_sequence" });
  expect((await read()).markdown).toBe("Done here");
});

test("max_tokens: retried once with twice the budget; the tokens of both requests are counted", async () => {
  fake.script.push({ status: 200, content: [{ type: "text", text: "# Half a pa" }], stopReason: "max_tokens" });
  const r = await read();
  expect(fake.requests.map((q) => q.maxTokens)).toEqual([1024, 2048]);
  expect(r.markdown).toContain("call the plumber");
  expect(r.outputTokens).toBeGreaterThan(1024);
});

test("max_tokens twice: the page fails with the reason, not with the cut-off text", async () => {
  fake.script.push({ status: 200, content: [{ type: "text", text: "# Half" }], stopReason: "max_tokens" }, { status: 200, content: [{ type: "text", text: "# Half a page" }], stopReason: "max_tokens" });
  const e = await failure();
  expect(e).toBeInstanceOf(OcrUnusableAnswer);
  expect(e).toBeInstanceOf(OcrRejected); // fails the page for good
  expect(e!.message).toBe("ocr: the answer was cut off at max_tokens (2048 output tokens); raise RMIRROR_OCR_MAX_TOKENS");
  expect(fake.requests.length).toBe(2);
});

test("the retry budget is bounded by the output limit: at the limit already, no second request", async () => {
  fake.script.push({ status: 200, content: [{ type: "text", text: "# Half" }], stopReason: "max_tokens" });
  const e = await failure(engine({ maxTokens: MAX_OUTPUT_TOKENS }));
  expect(e).toBeInstanceOf(OcrUnusableAnswer);
  expect(fake.requests.length).toBe(1);
  fake.script.push({ status: 200, content: [{ type: "text", text: "#" }], stopReason: "max_tokens" }, { status: 200, content: [{ type: "text", text: "ok" }] });
  await read(engine({ maxTokens: MAX_OUTPUT_TOKENS - 100 }));
  expect(fake.requests.at(-1)!.maxTokens).toBe(MAX_OUTPUT_TOKENS);
});

test("refusal (with or without text) and empty answers are not results", async () => {
  fake.script.push({ status: 200, content: [{ type: "text", text: "I can't help with that." }], stopReason: "refusal" });
  const e1 = await failure();
  expect(e1).toBeInstanceOf(OcrUnusableAnswer);
  expect(e1!.message).toBe("ocr: the model declined to transcribe this page (stop_reason refusal)");

  fake.script.push({ status: 200, content: [], stopReason: "refusal" });
  expect((await failure())!.message).toContain("declined");

  fake.script.push({ status: 200, content: [] });
  const e3 = await failure();
  expect(e3).toBeInstanceOf(OcrUnusableAnswer);
  expect(e3!.message).toBe("ocr: the model answered with no text (stop_reason end_turn)");

  fake.script.push({ status: 200, content: [{ type: "thinking", thinking: "Nothing legible.", signature: "s" }, { type: "text", text: "  \n " }] });
  expect(await failure()).toBeInstanceOf(OcrUnusableAnswer);

  fake.script.push({ status: 200, content: [{ type: "text", text: "Partial" }], stopReason: "pause_turn" });
  expect((await failure())!.message).toContain("pause_turn");
  expect(fake.requests.length).toBe(5); // none of these is retried
});

test("errors: 401/403 reject the key, 413 rejects the input, 429/529 wait, 5xx and connection failures are an outage", async () => {
  const e401 = await failure(engine({ apiKey: "sk-ant-revoked" }));
  expect(e401).toBeInstanceOf(OcrKeyRejected);
  expect(e401!.message).toBe("ocr: the API key was rejected (401 authentication_error): invalid x-api-key");

  fake.script.push({ status: 403, message: "Your API key does not have permission to use the specified resource." });
  const e403 = await failure();
  expect(e403).toBeInstanceOf(OcrKeyRejected);
  expect(e403!.message).toContain("403 permission_error");

  fake.script.push({ status: 413 });
  const e413 = await failure();
  expect(e413).toBeInstanceOf(OcrRejected);
  expect(e413).not.toBeInstanceOf(OcrKeyRejected);
  expect(e413!.message).toContain("413 request_too_large");

  fake.script.push({ status: 529 });
  const e529 = await failure();
  expect(e529).toBeInstanceOf(OcrRateLimited);
  expect((e529 as OcrRateLimited).ms).toBe(30_000);
  expect(e529!.message).toStartWith("ocr: API overloaded (529): overloaded_error");

  fake.script.push({ status: 429, retryAfter: "12" });
  expect(((await failure()) as OcrRateLimited).ms).toBe(12_000);

  for (const status of [500, 502, 503]) {
    fake.script.push({ status });
    const e = await failure();
    expect(isTransient(e)).toBe(true);
    expect(e!.message).toStartWith(`ocr: API error ${status}`);
  }
  const down = await failure(engine({ baseUrl: "http://127.0.0.1:9" }));
  expect(isTransient(down)).toBe(true);
  expect(down!.message).toStartWith("ocr: connection failed");
});
