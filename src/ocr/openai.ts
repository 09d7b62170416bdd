// Thin client for OCR through the OpenAI Chat Completions API, which OpenAI-compatible servers
// (Ollama, vLLM, LM Studio, OpenRouter) also speak: set a base URL and the same code reads pages
// with a local or hosted vision model. No business logic: one page image (a PNG data URL) in,
// Markdown out, failures mapped like the Anthropic engine (src/ocr/anthropic.ts), all prefixed
// "ocr: ". Only `finish_reason: "stop"` with text in `message.content` is a result:
// - `length`: cut off at the token budget (reasoning tokens count toward it) → retried once with
//   twice the budget, else the page fails with the reason;
// - `content_filter`, a `refusal` message, or no text → the page fails with the reason;
// - reasoning a server returns beside the answer (`reasoning_content`, `reasoning`) is never read,
//   and a `<think>…</think>` block some local models put before the answer is dropped.
// Errors (developers.openai.com/docs/guides/error-codes): 401/403 reject the key, 429
// insufficient_quota (no credit left) too, other 429 wait for retry-after, 5xx and connection
// failures are an outage. The SDK is loaded on the first page read (startup, issue 18).
import type OpenAI from "openai";
import { cleanAnswer } from "./answer.ts";
import { askWithRetry, engineKeyOf, loadOnce, otherError, pagePrompt, retryAfterMs, stainlessClientOptions, stainlessTransportError, statusError, type EngineOptions } from "./engine-common.ts";
import { OcrKeyRejected, OcrRateLimited, OcrUnusableAnswer, type OcrEngine, type OcrInput, type OcrResult } from "./engine.ts";

export interface OpenAiOcrOptions extends EngineOptions {
  /** Optional for local servers (Ollama ignores it; the SDK needs some value). */
  apiKey?: string;
  /** Default the OpenAI API; for Ollama http://localhost:11434/v1. */
  baseUrl?: string;
  /** Sent as `reasoning_effort` when not empty; "" = "none" on the OpenAI API, not sent elsewhere. */
  reasoningEffort: string;
}

/** OpenAI's own API (no base URL, or its address). */
export function isOpenAiApi(baseUrl: string | undefined): boolean {
  return !baseUrl || /^https:\/\/api\.openai\.com(\/|$)/.test(baseUrl);
}

export function openAiEngineKey(o: { model: string; languages: string }): string {
  return engineKeyOf("openai", o);
}

type Sdk = typeof import("openai");
const loadSdk = loadOnce((): Promise<Sdk> => import("openai"));

export class OpenAiOcr implements OcrEngine {
  readonly key: string;
  private client: Promise<{ api: OpenAI; Sdk: Sdk["default"] }> | undefined;

  constructor(private readonly o: OpenAiOcrOptions) {
    this.key = openAiEngineKey(o);
  }

  private connect() {
    const o = this.o;
    return (this.client ??= loadSdk().then(({ default: Sdk }) => ({ Sdk, api: new Sdk({ apiKey: o.apiKey || "not-needed", ...stainlessClientOptions(o) }) })));
  }

  async recognize(input: OcrInput): Promise<OcrResult> {
    const { api, Sdk } = await this.connect();
    const url = `data:image/png;base64,${Buffer.from(input.png).toString("base64")}`;
    const official = isOpenAiApi(this.o.baseUrl);
    const effort = this.o.reasoningEffort.trim() || (official ? "none" : "");
    const { answer: r, budget, inputTokens, outputTokens, ms } = await askWithRetry({
      maxTokens: this.o.maxTokens,
      ask: (budget) =>
        api.chat.completions.create(
          {
            model: this.o.model,
            // OpenAI's reasoning models take only max_completion_tokens; most compatible servers
            // (Ollama, LM Studio) document only max_tokens.
            ...(official ? { max_completion_tokens: budget } : { max_tokens: budget }),
            ...(effort ? { reasoning_effort: effort as OpenAI.ReasoningEffort } : {}),
            messages: [
              {
                role: "user",
                content: [
                  { type: "image_url", image_url: { url } },
                  { type: "text", text: pagePrompt(this.o.languages, input) },
                ],
              },
            ],
          },
          input.signal ? { signal: input.signal } : {},
        ),
      fail: (e) => mapError(e, Sdk),
      cutOff: (r) => r.choices[0]?.finish_reason === "length",
      usage: (r) => ({ input: r.usage?.prompt_tokens ?? 0, output: r.usage?.completion_tokens ?? 0 }),
    });
    const choice = r.choices[0];
    if (!choice) throw new OcrUnusableAnswer("ocr: the model answered with no choices");
    const finish = choice.finish_reason;
    const refusal = choice.message?.refusal;
    if (refusal) throw new OcrUnusableAnswer(`ocr: the model declined to transcribe this page (refusal: ${refusal.slice(0, 200)})`);
    if (finish === "length") throw new OcrUnusableAnswer(`ocr: the answer was cut off at the token limit (finish_reason length, ${budget} output tokens); raise RMIRROR_OCR_MAX_TOKENS`);
    if (finish === "content_filter") throw new OcrUnusableAnswer("ocr: the provider's content filter withheld the answer (finish_reason content_filter)");
    if (finish !== "stop") throw new OcrUnusableAnswer(`ocr: the answer did not finish (finish_reason ${finish ?? "missing"})`);
    const markdown = cleanAnswer(typeof choice.message?.content === "string" ? choice.message.content : "");
    if (!markdown) throw new OcrUnusableAnswer("ocr: the model answered with no text (finish_reason stop)");
    return { markdown, model: r.model || this.o.model, inputTokens, outputTokens, ms };
  }
}

function mapError(e: unknown, Sdk: Sdk["default"]): Error {
  const transport = stainlessTransportError(e, Sdk);
  if (transport) return transport;
  if (e instanceof Sdk.APIError) {
    const status = e.status ?? 0;
    const code = e.code ?? e.type ?? "";
    const body = e.error as { message?: string } | undefined;
    const why = body?.message ?? e.message;
    const tag = `${status}${code ? ` ${code}` : ""}`;
    if (status === 401 || status === 403) return new OcrKeyRejected(`ocr: the API key was rejected (${tag}): ${why}`);
    // No credit left / spend limit reached: nothing can be read until the account is topped up.
    if (status === 429 && (code === "insufficient_quota" || code === "credit_balance_exhausted" || code === "billing_hard_limit_reached"))
      return new OcrKeyRejected(`ocr: the account has no quota left (${tag}): ${why}`);
    if (status === 429) return new OcrRateLimited(retryAfterMs(e.headers, 60_000), `ocr: rate limited (${tag}): ${why}`);
    if (status >= 500 && e.headers?.get("retry-after")) return new OcrRateLimited(retryAfterMs(e.headers, 30_000), `ocr: API overloaded (${tag}): ${why}`);
    return statusError(status, tag, why);
  }
  return otherError(e);
}
