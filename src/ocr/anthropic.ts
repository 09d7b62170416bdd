// Thin client for Claude Vision OCR over the Messages API. No business logic: it maps one page
// image to Markdown and API failures to OcrRateLimited / OcrRejected / OcrKeyRejected /
// OcrUnavailable / plain errors, all prefixed "ocr: ". Only an answer that ended by itself
// (stop_reason end_turn or stop_sequence) with text in its `text` blocks is a result. Retries are the job queue's business (maxRetries 0), so a 429/529 does not hold a
// worker slot and honours retry-after across restarts. The SDK is loaded on the first page read,
// so `serve` starts without parsing it (test/build/startup-chunks.test.ts).
import type Anthropic from "@anthropic-ai/sdk";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnavailable, OcrUnusableAnswer, type OcrEngine, type OcrInput, type OcrResult } from "./engine.ts";
import { ocrPrompt, PROMPT_VERSION } from "./prompt.ts";

export interface AnthropicOcrOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  languages: string;
  /**
   * "disabled" (default): no thinking. Claude Haiku 5.5 uses adaptive thinking by default and its
   * thinking tokens count toward max_tokens ("What's new in Claude Haiku 5.5" and the model overview,
   * platform.claude.com/docs/en/models/haiku-5-5); transcribing a page needs no reasoning, so OCR
   * turns it off with `thinking: {type: "disabled"}`, which models whose thinking is "adaptive" (not
   * "always on") accept. "adaptive": for models that only think adaptively (they answer 400 to
   * "disabled"): `thinking: {type: "adaptive"}` with `output_config.effort: "low"`.
   */
  thinking: "disabled" | "adaptive";
  fetch?: typeof fetch;
}

/**
 * The largest budget a cut-off answer is retried with: 64,000 output tokens, the most the setting
 * allows and within every current Claude model's output limit (Haiku 4.5: 64K, Haiku 5.5: 128K).
 */
export const MAX_OUTPUT_TOKENS = 64_000;

/** The API's limit for one base64 image. */
export const MAX_IMAGE_BASE64_BYTES = 5 * 1024 * 1024;

export function engineKey(o: { model: string; languages: string }): string {
  return `anthropic:${o.model}:p${PROMPT_VERSION}:${o.languages.trim().toLowerCase()}`;
}

/** Milliseconds from retry-after / retry-after-ms headers, else a default. */
export function retryAfterMs(headers: Headers | undefined, fallback: number): number {
  const ms = Number(headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && headers?.get("retry-after-ms")) return ms;
  const raw = headers?.get("retry-after");
  if (raw) {
    const s = Number(raw);
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const at = Date.parse(raw);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  return fallback;
}

type Sdk = typeof import("@anthropic-ai/sdk");
let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdk ??= import("@anthropic-ai/sdk"));

export class AnthropicOcr implements OcrEngine {
  readonly key: string;
  private client: Promise<{ api: Anthropic; Sdk: Sdk["default"] }> | undefined;

  constructor(private readonly o: AnthropicOcrOptions) {
    this.key = engineKey(o);
  }

  private connect() {
    const o = this.o;
    return (this.client ??= loadSdk().then(({ default: Sdk }) => ({
      Sdk,
      api: new Sdk({
        apiKey: o.apiKey,
        ...(o.baseUrl ? { baseURL: o.baseUrl } : {}),
        maxRetries: 0,
        timeout: o.timeoutMs,
        ...(o.fetch ? { fetch: o.fetch } : {}),
      }),
    })));
  }

  async recognize(input: OcrInput): Promise<OcrResult> {
    const { api, Sdk } = await this.connect();
    const data = Buffer.from(input.png).toString("base64");
    if (data.length > MAX_IMAGE_BASE64_BYTES) throw new OcrRejected(`ocr: page image is ${data.length} bytes in base64, over the API's 5 MB limit`);
    const t0 = performance.now();
    const ask = async (maxTokens: number): Promise<Anthropic.Message> => {
      try {
        return await api.messages.create(
          {
            model: this.o.model,
            max_tokens: maxTokens,
            ...(this.o.thinking === "adaptive" ? { thinking: { type: "adaptive" as const }, output_config: { effort: "low" as const } } : { thinking: { type: "disabled" as const } }),
            messages: [
              {
                role: "user",
                content: [
                  { type: "image", source: { type: "base64", media_type: "image/png", data } },
                  { type: "text", text: ocrPrompt({ languages: this.o.languages, annotatedPdf: input.annotatedPdf, context: input.context }) },
                ],
              },
            ],
          },
          input.signal ? { signal: input.signal } : {},
        );
      } catch (e) {
        throw mapError(e, Sdk);
      }
    };
    let budget = this.o.maxTokens;
    let msg = await ask(budget);
    let inputTokens = msg.usage.input_tokens;
    let outputTokens = msg.usage.output_tokens;
    // Cut off: once more with twice the budget (bounded), since thinking or a dense page used it up.
    if (msg.stop_reason === "max_tokens" && budget < MAX_OUTPUT_TOKENS) {
      budget = Math.min(MAX_OUTPUT_TOKENS, budget * 2);
      msg = await ask(budget);
      inputTokens += msg.usage.input_tokens;
      outputTokens += msg.usage.output_tokens;
    }
    // Text blocks only: thinking / redacted_thinking blocks are the model's notes, not the page.
    const markdown = msg.content
      .flatMap((b) => (b.type === "text" ? [b.text] : []))
      .join("")
      .trim();
    const stop = msg.stop_reason;
    if (stop === "max_tokens") throw new OcrUnusableAnswer(`ocr: the answer was cut off at max_tokens (${budget} output tokens); raise RMIRROR_OCR_MAX_TOKENS`);
    if (stop === "refusal") throw new OcrUnusableAnswer("ocr: the model declined to transcribe this page (stop_reason refusal)");
    if (stop !== "end_turn" && stop !== "stop_sequence") throw new OcrUnusableAnswer(`ocr: the answer did not finish (stop_reason ${stop ?? "missing"})`);
    if (!markdown) throw new OcrUnusableAnswer(`ocr: the model answered with no text (stop_reason ${stop})`);
    return {
      markdown: stripFences(markdown),
      model: msg.model,
      inputTokens,
      outputTokens,
      ms: Math.round(performance.now() - t0),
    };
  }
}

function stripFences(s: string): string {
  const m = /^```(?:markdown|md)?\n([\s\S]*?)\n```$/.exec(s);
  return m ? m[1]!.trim() : s;
}

function mapError(e: unknown, Anthropic: Sdk["default"]): Error {
  if (e instanceof Anthropic.APIConnectionTimeoutError) return new Error("ocr: request timed out");
  if (e instanceof Anthropic.APIUserAbortError) return new Error("ocr: request aborted");
  if (e instanceof Anthropic.APIConnectionError) return new OcrUnavailable(`ocr: connection failed: ${e.message}`);
  if (e instanceof Anthropic.APIError) {
    const status = e.status ?? 0;
    const type = e.type ?? "";
    const why = e.apiMessage ?? e.message;
    // Documented error types: platform.claude.com/docs/en/api/errors.
    if (status === 429 || status === 529) return new OcrRateLimited(retryAfterMs(e.headers, status === 529 ? 30_000 : 60_000), `ocr: ${status === 429 ? "rate limited" : "API overloaded"} (${status}): ${why}`);
    if (status === 401 || status === 403) return new OcrKeyRejected(`ocr: the API key was rejected (${status}${type ? ` ${type}` : ""}): ${why}`);
    if (status >= 500) return new OcrUnavailable(`ocr: API error ${status}: ${why}`);
    if (status === 408 || status === 409) return new Error(`ocr: API error ${status}: ${why}`);
    return new OcrRejected(`ocr: request rejected (${status}${type ? ` ${type}` : ""}): ${why}`);
  }
  return new Error(`ocr: ${(e as Error)?.message ?? String(e)}`);
}
