// Thin client for OCR through the Gemini API (generateContent) with Google's @google/genai SDK.
// No business logic: one page image (inline PNG) in, Markdown out, failures mapped like the
// Anthropic engine (src/ocr/anthropic.ts), all prefixed "ocr: ". Only a candidate that finished
// with `finishReason: "STOP"` and has text in its non-thought parts is a result:
// - `promptFeedback.blockReason` (no candidates): the page fails with the reason;
// - `MAX_TOKENS`: cut off (thinking tokens count toward maxOutputTokens) → retried once with twice
//   the budget, else the page fails with the reason;
// - `SAFETY`, `RECITATION`, `PROHIBITED_CONTENT`, … or no text: the page fails with the reason;
// - parts marked `thought: true` are the model's notes, never the page.
// Thinking is set deliberately: `thinkingLevel` (Gemini 3 models; default LOW, the lowest level every
// current Flash model accepts), or for 2.5 models a `thinkingBudget` (0 at "minimal"). Errors (ai.google.dev/gemini-api/docs/troubleshooting):
// 400 with reason API_KEY_INVALID, 401 and 403 PERMISSION_DENIED reject the key; 429
// RESOURCE_EXHAUSTED waits for the RetryInfo delay; 500/503/504 and connection failures are an
// outage. The SDK does not retry unless asked (no retryOptions); it is loaded on the first page read.
import type { GoogleGenAI } from "@google/genai";
import { cleanAnswer } from "./answer.ts";
import { askWithRetry, engineKeyOf, loadOnce, otherError, pagePrompt, statusError, type EngineOptions } from "./engine-common.ts";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnavailable, OcrUnusableAnswer, type OcrEngine, type OcrInput, type OcrResult } from "./engine.ts";

export interface GeminiOcrOptions extends EngineOptions {
  apiKey: string;
  thinking: "minimal" | "low" | "medium" | "high";
}

/** The API's limit for a whole request with inline data (ai.google.dev/gemini-api/docs/image-understanding). */
export const MAX_INLINE_REQUEST_BYTES = 20 * 1024 * 1024;

export function geminiEngineKey(o: { model: string; languages: string }): string {
  return engineKeyOf("gemini", o);
}

/** The thinkingConfig for a model: a level for Gemini 3+, a budget for 2.5 (which has no levels). */
export function thinkingConfig(model: string, level: GeminiOcrOptions["thinking"]): { thinkingLevel?: string; thinkingBudget?: number } {
  // 2.5 Pro cannot turn thinking off (its least is 128 tokens); -1 is dynamic thinking.
  if (/^gemini-2\.5-/.test(model)) return { thinkingBudget: { minimal: /pro/.test(model) ? 128 : 0, low: 512, medium: 4096, high: -1 }[level] };
  return { thinkingLevel: level.toUpperCase() };
}

/** Delay from a google.rpc.RetryInfo detail ("37s", "1.5s"), else a default. */
export function retryDelayMs(details: unknown, fallback: number): number {
  if (!Array.isArray(details)) return fallback;
  for (const d of details) {
    const delay = (d as { retryDelay?: unknown })?.retryDelay;
    if (typeof d === "object" && d && String((d as Record<string, unknown>)["@type"] ?? "").endsWith("google.rpc.RetryInfo") && typeof delay === "string") {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (m) return Math.round(Number(m[1]) * 1000);
    }
  }
  return fallback;
}

type Sdk = typeof import("@google/genai");
const loadSdk = loadOnce((): Promise<Sdk> => import("@google/genai"));

export class GeminiOcr implements OcrEngine {
  readonly key: string;
  private client: Promise<{ api: GoogleGenAI; Sdk: Sdk }> | undefined;

  constructor(private readonly o: GeminiOcrOptions) {
    this.key = geminiEngineKey(o);
  }

  private connect() {
    const o = this.o;
    return (this.client ??= loadSdk().then((Sdk) => ({
      Sdk,
      api: new Sdk.GoogleGenAI({
        apiKey: o.apiKey,
        httpOptions: { apiVersion: "v1beta", timeout: o.timeoutMs, ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}), ...(o.fetch ? { fetch: o.fetch } : {}) },
      }),
    })));
  }

  async recognize(input: OcrInput): Promise<OcrResult> {
    const { api, Sdk } = await this.connect();
    const data = Buffer.from(input.png).toString("base64");
    if (data.length > MAX_INLINE_REQUEST_BYTES) throw new OcrRejected(`ocr: page image is ${data.length} bytes in base64, over the API's 20 MB inline limit`);
    const { answer: r, budget, inputTokens, outputTokens, ms } = await askWithRetry({
      maxTokens: this.o.maxTokens,
      ask: (budget) =>
        api.models.generateContent({
          model: this.o.model,
          contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data } }, { text: pagePrompt(this.o.languages, input) }] }],
          config: {
            maxOutputTokens: budget,
            thinkingConfig: thinkingConfig(this.o.model, this.o.thinking) as never,
            ...(input.signal ? { abortSignal: input.signal } : {}),
          },
        }),
      fail: (e) => mapError(e, Sdk, input.signal),
      cutOff: (r) => r.candidates?.[0]?.finishReason === "MAX_TOKENS",
      // Thinking tokens are output tokens (they count toward maxOutputTokens).
      usage: (r) => ({
        input: r.usageMetadata?.promptTokenCount ?? 0,
        output: (r.usageMetadata?.candidatesTokenCount ?? 0) + (r.usageMetadata?.thoughtsTokenCount ?? 0),
      }),
    });
    const block = r.promptFeedback?.blockReason;
    if (block) throw new OcrUnusableAnswer(`ocr: the provider blocked this page (promptFeedback.blockReason ${block})`);
    const cand = r.candidates?.[0];
    if (!cand) throw new OcrUnusableAnswer("ocr: the model answered with no candidates");
    const finish = cand.finishReason;
    if (finish === "MAX_TOKENS") throw new OcrUnusableAnswer(`ocr: the answer was cut off at the token limit (finishReason MAX_TOKENS, ${budget} output tokens); raise RMIRROR_OCR_MAX_TOKENS`);
    if (finish && finish !== "STOP") throw new OcrUnusableAnswer(`ocr: the model declined to transcribe this page (finishReason ${finish})`);
    if (!finish) throw new OcrUnusableAnswer("ocr: the answer did not finish (finishReason missing)");
    const text = (cand.content?.parts ?? [])
      .filter((p) => typeof p.text === "string" && p.thought !== true)
      .map((p) => p.text)
      .join("");
    const markdown = cleanAnswer(text);
    if (!markdown) throw new OcrUnusableAnswer("ocr: the model answered with no text (finishReason STOP)");
    return { markdown, model: r.modelVersion || this.o.model, inputTokens, outputTokens, ms };
  }
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: unknown[] };
}

function mapError(e: unknown, Sdk: Sdk, signal: AbortSignal | undefined): Error {
  const name = (e as Error)?.name;
  if (e instanceof Sdk.ApiError) {
    const status = e.status;
    let body: GoogleErrorBody = {};
    try {
      body = JSON.parse(e.message) as GoogleErrorBody;
    } catch {
      body = { error: { message: e.message } };
    }
    const err = body.error ?? {};
    const why = err.message ?? e.message;
    const reasons = (err.details ?? []).map((d) => (d as { reason?: string })?.reason).filter((r): r is string => typeof r === "string");
    const tag = `${status}${err.status ? ` ${err.status}` : ""}`;
    if (status === 401 || status === 403 || reasons.includes("API_KEY_INVALID") || reasons.includes("API_KEY_SERVICE_BLOCKED"))
      return new OcrKeyRejected(`ocr: the API key was rejected (${tag}${reasons.length ? ` ${reasons.join(",")}` : ""}): ${why}`);
    // The free tier is not offered where the server runs and billing is not enabled: no page can be read until it is.
    if (status === 400 && err.status === "FAILED_PRECONDITION") return new OcrKeyRejected(`ocr: the Gemini project cannot be used as it is (${tag}): ${why}`);
    if (status === 429) return new OcrRateLimited(retryDelayMs(err.details, 60_000), `ocr: rate limited (${tag}): ${why}`);
    return statusError(status, tag, why);
  }
  if (name === "AbortError" || name === "TimeoutError") return new Error(signal?.aborted ? "ocr: request aborted" : "ocr: request timed out");
  // fetch failed: refused, reset, DNS — the provider is out of reach.
  if (e instanceof TypeError || /fetch failed|ECONNREFUSED|ECONNRESET|Unable to connect/i.test((e as Error)?.message ?? "")) return new OcrUnavailable(`ocr: connection failed: ${(e as Error).message}`);
  return otherError(e);
}
