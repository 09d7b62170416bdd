// What only one engine's API has: OpenAI's budget field and reasoning_effort per server, its
// content_filter, no-choices and insufficient_quota answers; Gemini's prompt blockReason,
// RECITATION / PROHIBITED_CONTENT, empty candidates and 2.5-style thinkingBudget; engine
// selection from the configuration.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/schema.ts";
import { OcrKeyRejected, OcrUnusableAnswer } from "../../src/ocr/engine.ts";
import { GeminiOcr, retryDelayMs, thinkingConfig } from "../../src/ocr/gemini.ts";
import { configuredEngineKey, createOcrEngine, ocrModel } from "../../src/ocr/index.ts";
import { OpenAiOcr } from "../../src/ocr/openai.ts";
import { AnthropicOcr } from "../../src/ocr/anthropic.ts";
import { startFakeGemini } from "../support/fake-gemini.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 6, 0x20, 0, 0, 4, 0x80, 8, 0, 0, 0, 0]);
const oa = startFakeOpenAi();
const gm = startFakeGemini();
afterAll(async () => {
  await oa.close();
  await gm.close();
});
beforeEach(() => {
  oa.requests.length = 0;
  oa.script.length = 0;
  gm.requests.length = 0;
  gm.script.length = 0;
});
const viaFake: typeof fetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(String(input instanceof Request ? input.url : input).replace("https://api.openai.com/v1", oa.url), init)) as typeof fetch;
const openai = (o: Partial<ConstructorParameters<typeof OpenAiOcr>[0]> = {}) =>
  new OpenAiOcr({ apiKey: oa.apiKey, baseUrl: oa.url, model: "qwen3-vl:8b", maxTokens: 1024, timeoutMs: 10_000, languages: "German", reasoningEffort: "", ...o });
const gemini = (o: Partial<ConstructorParameters<typeof GeminiOcr>[0]> = {}) =>
  new GeminiOcr({ apiKey: gm.apiKey, baseUrl: gm.url, model: "gemini-3.8-flash", maxTokens: 1024, timeoutMs: 10_000, languages: "German", thinking: "low", ...o });
const read = (e: { recognize: OpenAiOcr["recognize"] }) => e.recognize({ png: PNG, annotatedPdf: false });
const failure = (e: { recognize: OpenAiOcr["recognize"] }) => read(e).then(() => null, (x) => x as Error);

test("openai: api.openai.com gets max_completion_tokens and reasoning_effort none; a compatible server gets max_tokens and no effort unless configured", async () => {
  const r = await read(openai({ baseUrl: undefined, fetch: viaFake, model: "gpt-5.4-mini" }));
  expect(oa.requests[0]!.budgetField).toBe("max_completion_tokens");
  expect(oa.requests[0]!.reasoningEffort).toBe("none");
  expect(oa.requests[0]!.prompt).toContain("German");
  expect(r.model).toBe("gpt-5.4-mini");
  // A local server: the model reasons (600 tokens) within max_tokens and the answer still fits.
  const local = await read(openai());
  expect(oa.requests[1]!.budgetField).toBe("max_tokens");
  expect(oa.requests[1]!.reasoningEffort).toBeUndefined();
  expect(local.markdown).toContain("call the plumber");
  expect(local.outputTokens).toBeGreaterThan(600);
  await read(openai({ reasoningEffort: "low" }));
  expect(oa.requests[2]!.reasoningEffort).toBe("low");
  // A local server without a key: the SDK still sends one (Ollama ignores it); this fake checks it.
  expect(await failure(openai({ apiKey: undefined }))).toBeInstanceOf(OcrKeyRejected);
});

test("openai: content_filter, no choices, another finish_reason and insufficient_quota", async () => {
  oa.script.push({ status: 200, content: "partial", finishReason: "content_filter" });
  expect((await failure(openai()))!.message).toBe("ocr: the provider's content filter withheld the answer (finish_reason content_filter)");
  oa.script.push({ status: 200, noChoices: true });
  expect((await failure(openai()))!.message).toBe("ocr: the model answered with no choices");
  oa.script.push({ status: 200, content: "x", finishReason: "tool_calls" });
  expect((await failure(openai()))!.message).toBe("ocr: the answer did not finish (finish_reason tool_calls)");
  oa.script.push({ status: 429, code: "insufficient_quota" });
  const q = await failure(openai());
  expect(q).toBeInstanceOf(OcrKeyRejected); // nothing can be read until the account has credit: pause
  expect(q!.message).toBe("ocr: the account has no quota left (429 insufficient_quota): You exceeded your current quota, please check your plan and billing details.");
  // A fenced answer is unwrapped.
  oa.script.push({ status: 200, content: "```markdown\n# Title\n```" });
  expect((await read(openai())).markdown).toBe("# Title");
});

test("gemini: a blocked prompt, RECITATION, PROHIBITED_CONTENT and no candidates are not results", async () => {
  gm.script.push({ status: 200, blockReason: "PROHIBITED_CONTENT" });
  const b = await failure(gemini());
  expect(b).toBeInstanceOf(OcrUnusableAnswer);
  expect(b!.message).toBe("ocr: the provider blocked this page (promptFeedback.blockReason PROHIBITED_CONTENT)");
  gm.script.push({ status: 200, parts: [{ text: "Some recited text" }], finishReason: "RECITATION" });
  expect((await failure(gemini()))!.message).toBe("ocr: the model declined to transcribe this page (finishReason RECITATION)");
  gm.script.push({ status: 200, parts: [], finishReason: "PROHIBITED_CONTENT" });
  expect((await failure(gemini()))!.message).toContain("PROHIBITED_CONTENT");
  gm.script.push({ status: 200, noCandidates: true });
  expect((await failure(gemini()))!.message).toBe("ocr: the model answered with no candidates");
  expect(gm.requests.length).toBe(4);
  // Billing not enabled where the free tier is not offered: nothing can be read, so OCR pauses.
  gm.script.push({ status: 400, grpcStatus: "FAILED_PRECONDITION", message: "User location is not supported for the API use without a billing account linked." });
  const pre = await failure(gemini());
  expect(pre).toBeInstanceOf(OcrKeyRejected);
  expect(pre!.message).toBe("ocr: the Gemini project cannot be used as it is (400 FAILED_PRECONDITION): User location is not supported for the API use without a billing account linked.");
});

test("gemini: thinking level per model generation; thinking at a higher level counts toward the budget and its tokens are billed", async () => {
  expect(thinkingConfig("gemini-3.8-flash", "minimal")).toEqual({ thinkingLevel: "MINIMAL" });
  expect(thinkingConfig("gemini-2.5-flash", "minimal")).toEqual({ thinkingBudget: 0 });
  expect(thinkingConfig("gemini-3.8-flash", "low")).toEqual({ thinkingLevel: "LOW" });
  await read(gemini({ model: "gemini-2.5-flash", thinking: "minimal" }));
  expect(gm.requests[0]!.thinkingConfig).toEqual({ thinkingBudget: 0 });
  expect(gm.requests[0]!.model).toBe("gemini-2.5-flash");
  // HIGH thinks 600 tokens: with 610 the answer is cut off, retried with 1220, and both are billed.
  const r = await read(gemini({ thinking: "high", maxTokens: 610 }));
  expect(gm.requests.slice(1).map((q) => q.maxTokens)).toEqual([610, 1220]);
  expect(r.outputTokens).toBeGreaterThan(1200);
  expect(retryDelayMs([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }], 9)).toBe(1500);
  expect(retryDelayMs([{ "@type": "type.googleapis.com/google.rpc.QuotaFailure" }], 9)).toBe(9);
});

test("engine selection: RMIRROR_OCR_ENGINE picks the adapter, each with its own key, model and base URL settings", () => {
  const cfg = (env: Record<string, string>) => loadConfig({ env: { RMIRROR_DATA_DIR: "/tmp/x", ...env } });
  expect(createOcrEngine(cfg({}))).toBeNull();
  expect(createOcrEngine(cfg({ RMIRROR_ANTHROPIC_API_KEY: "k" }))).toBeInstanceOf(AnthropicOcr);
  expect(createOcrEngine(cfg({ RMIRROR_OCR_ENGINE: "openai", RMIRROR_ANTHROPIC_API_KEY: "k" }))).toBeNull();
  const local = cfg({ RMIRROR_OCR_ENGINE: "openai", RMIRROR_OPENAI_BASE_URL: "http://localhost:11434/v1/", RMIRROR_OPENAI_MODEL: "qwen3-vl:8b" });
  expect(createOcrEngine(local)).toBeInstanceOf(OpenAiOcr); // a local server needs no key
  expect(local.ocr.openai.baseUrl).toBe("http://localhost:11434/v1");
  expect(createOcrEngine(local)!.key).toStartWith("openai:qwen3-vl:8b:");
  expect(ocrModel(local)).toBe("qwen3-vl:8b");
  const g = cfg({ RMIRROR_OCR_ENGINE: "gemini", RMIRROR_GEMINI_API_KEY: "AIza" });
  expect(createOcrEngine(g)).toBeInstanceOf(GeminiOcr);
  expect(ocrModel(g)).toBe("gemini-3.8-flash");
  expect(configuredEngineKey(g)).toBe(createOcrEngine(g)!.key);
  expect(configuredEngineKey(cfg({ RMIRROR_OCR_ENGINE: "gemini" }))).toStartWith("gemini:gemini-3.8-flash:");
  expect(configuredEngineKey(cfg({}))).toStartWith("anthropic:claude-haiku-5-5:");
  expect(() => cfg({ RMIRROR_OCR_ENGINE: "tesseract" })).toThrow("RMIRROR_OCR_ENGINE: expected one of anthropic, openai, gemini");
});
