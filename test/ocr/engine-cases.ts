// One description per OCR engine, so the same behaviour tests run against each engine's own fake
// (driven by that engine's real SDK): how to script a cut-off, a refusal, an empty answer, an
// answer with thinking before the text, a rate limit, an overload, an outage, a rejected key.
import { AnthropicOcr } from "../../src/ocr/anthropic.ts";
import type { OcrEngine } from "../../src/ocr/engine.ts";
import { GeminiOcr } from "../../src/ocr/gemini.ts";
import { OpenAiOcr } from "../../src/ocr/openai.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { resetFake, type FakeOcrApi } from "../support/fake-ocr-api.ts";
import { startFakeGemini, type FakeGemini } from "../support/fake-gemini.ts";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.ts";

export interface EngineOpts {
  maxTokens?: number;
  apiKey?: string;
  baseUrl?: string;
}

export interface EngineCase {
  name: "anthropic" | "openai" | "gemini";
  /** Requests the fake saw (budget only), oldest first. */
  budgets(): number[];
  /** The prompt text of each request the fake saw, oldest first. */
  prompts(): string[];
  /** Whether the last request turned thinking/reasoning off. */
  thinkingOff(): boolean;
  engine(o?: EngineOpts): OcrEngine;
  /** Server settings (dotted config keys) pointing the pipeline at the fake. */
  overrides(o?: { apiKey?: string }): Record<string, string | number | boolean>;
  /** The setting an admin must fix when the key is rejected. */
  keySetting: string;
  /** Scripting: each pushes one answer. */
  cutOff(text: string): void;
  refusal(): void;
  empty(): void;
  thinkingThenText(thought: string, text: string): void;
  rateLimited(seconds: number): void;
  overloaded(): void;
  outage(status: number): void;
  forbidden(): void;
  /** Message of a refusal, as the engine reports it. */
  refusalMessage: string;
  /** Start of the rejected-key message for a wrong key. */
  badKeyMessage: string;
  reset(): void;
  close(): Promise<void>;
}

/** What every case reads from and does to its fake alike; `reset` also restores the fake's thinking default. */
function sameForEvery(f: Pick<FakeOcrApi<{ maxTokens: number; prompt: string }, { status: number }>, "requests" | "rejected" | "script" | "hold" | "close">, restore: () => void) {
  return {
    budgets: () => f.requests.map((r) => r.maxTokens),
    prompts: () => f.requests.map((r) => r.prompt),
    outage: (status: number) => void f.script.push({ status }),
    reset: () => {
      resetFake(f);
      restore();
    },
    close: () => f.close(),
  };
}

/** The engine settings every case uses, pointed at the fake (the test may change key, address and budget). */
const settings = (f: { apiKey: string; url: string }, o: EngineOpts) => ({ apiKey: o.apiKey ?? f.apiKey, baseUrl: o.baseUrl ?? f.url, maxTokens: o.maxTokens ?? 1024, timeoutMs: 10_000, languages: "" });

export function anthropicCase(): EngineCase {
  const f: FakeAnthropic = startFakeAnthropic();
  return {
    name: "anthropic",
    ...sameForEvery(f, () => (f.thinkingTokens = 600)),
    thinkingOff: () => f.requests.at(-1)?.thinking?.type === "disabled",
    engine: (o = {}) => new AnthropicOcr({ ...settings(f, o), model: "claude-haiku-5-5", thinking: "disabled" }),
    overrides: (o = {}) => ({ "ocr.apiKey": o.apiKey ?? f.apiKey, "ocr.baseUrl": f.url, "ocr.settleSeconds": 0 }),
    keySetting: "RMIRROR_ANTHROPIC_API_KEY",
    cutOff: (text) => f.script.push({ status: 200, content: [{ type: "text", text }], stopReason: "max_tokens" }),
    refusal: () => f.script.push({ status: 200, content: [{ type: "text", text: "I can't help with that." }], stopReason: "refusal" }),
    empty: () => f.script.push({ status: 200, content: [] }),
    thinkingThenText: (thought, text) => f.script.push({ status: 200, content: [{ type: "thinking", thinking: thought, signature: "s" }, { type: "text", text }] }),
    rateLimited: (s) => f.script.push({ status: 429, retryAfter: String(s) }),
    overloaded: () => f.script.push({ status: 529 }),
    forbidden: () => f.script.push({ status: 403, message: "Your API key does not have permission to use the specified resource." }),
    refusalMessage: "ocr: the model declined to transcribe this page (stop_reason refusal)",
    badKeyMessage: "ocr: the API key was rejected (401",
  };
}

export function openAiCase(opts: { official?: boolean } = {}): EngineCase {
  const f: FakeOpenAi = startFakeOpenAi();
  // official: the engine believes it talks to OpenAI (max_completion_tokens, reasoning_effort none)
  // through a fetch that sends api.openai.com's requests to the fake.
  const viaFake: typeof fetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(String(input instanceof Request ? input.url : input).replace("https://api.openai.com/v1", f.url), init)) as typeof fetch;
  return {
    name: "openai",
    ...sameForEvery(f, () => (f.reasoningTokens = 600)),
    thinkingOff: () => f.requests.at(-1)?.reasoningEffort === "none",
    engine: (o = {}) =>
      new OpenAiOcr({
        ...settings(f, o),
        ...(opts.official && !o.baseUrl ? { baseUrl: undefined, fetch: viaFake } : {}),
        model: "gpt-5.4-mini",
        reasoningEffort: opts.official ? "" : "none",
      }),
    overrides: (o = {}) => ({ "ocr.engine": "openai", "ocr.openai.apiKey": o.apiKey ?? f.apiKey, "ocr.openai.baseUrl": f.url, "ocr.openai.reasoningEffort": "none", "ocr.settleSeconds": 0 }),
    keySetting: "RMIRROR_OPENAI_API_KEY",
    cutOff: (text) => f.script.push({ status: 200, content: text, finishReason: "length" }),
    refusal: () => f.script.push({ status: 200, refusal: "I'm sorry, I can't help with that.", content: null }),
    empty: () => f.script.push({ status: 200, content: "" }),
    thinkingThenText: (thought, text) => f.script.push({ status: 200, content: `<think>${thought}</think>\n${text}`, reasoning: thought }),
    rateLimited: (s) => f.script.push({ status: 429, retryAfter: String(s) }),
    overloaded: () => f.script.push({ status: 503, retryAfter: "30" }),
    forbidden: () => f.script.push({ status: 403 }),
    refusalMessage: "ocr: the model declined to transcribe this page (refusal: I'm sorry, I can't help with that.)",
    badKeyMessage: "ocr: the API key was rejected (401 invalid_api_key)",
  };
}

export function geminiCase(): EngineCase {
  const f: FakeGemini = startFakeGemini();
  return {
    name: "gemini",
    ...sameForEvery(f, () => (f.thinkingTokens = 600)),
    thinkingOff: () => String(f.requests.at(-1)?.thinkingConfig?.thinkingLevel).toUpperCase() === "LOW",
    engine: (o = {}) => new GeminiOcr({ ...settings(f, o), model: "gemini-3.8-flash", thinking: "low" }),
    overrides: (o = {}) => ({ "ocr.engine": "gemini", "ocr.gemini.apiKey": o.apiKey ?? f.apiKey, "ocr.gemini.baseUrl": f.url, "ocr.settleSeconds": 0 }),
    keySetting: "RMIRROR_GEMINI_API_KEY",
    cutOff: (text) => f.script.push({ status: 200, parts: [{ text }], finishReason: "MAX_TOKENS" }),
    refusal: () => f.script.push({ status: 200, parts: [], finishReason: "SAFETY" }),
    empty: () => f.script.push({ status: 200, parts: [], finishReason: "STOP" }),
    thinkingThenText: (thought, text) => f.script.push({ status: 200, parts: [{ text: thought, thought: true }, { text }] }),
    rateLimited: (s) => f.script.push({ status: 429, retryDelay: `${s}s` }),
    overloaded: () => f.script.push({ status: 503 }),
    forbidden: () => f.script.push({ status: 403 }),
    refusalMessage: "ocr: the model declined to transcribe this page (finishReason SAFETY)",
    badKeyMessage: "ocr: the API key was rejected (400 INVALID_ARGUMENT API_KEY_INVALID)",
  };
}
