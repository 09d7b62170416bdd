// Thin client for Claude Vision OCR over the Messages API. No business logic: it maps one page
// image to Markdown and API failures to OcrRateLimited / OcrRejected / OcrKeyRejected /
// OcrUnavailable / plain errors, all prefixed "ocr: ". Only an answer that ended by itself
// (stop_reason end_turn or stop_sequence) with text in its `text` blocks is a result. Retries are the job queue's business (maxRetries 0), so a 429/529 does not hold a
// worker slot and honours retry-after across restarts. The SDK is loaded on the first page read,
// so `serve` starts without parsing it (test/build/startup-chunks.test.ts).
import type Anthropic from "@anthropic-ai/sdk";
import { stripFences } from "./answer.ts";
import { askWithRetry, engineKeyOf, loadOnce, otherError, pagePrompt, retryAfterMs, stainlessClientOptions, stainlessTransportError, statusError, type EngineOptions } from "./engine-common.ts";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnusableAnswer, type OcrEngine, type OcrInput, type OcrResult } from "./engine.ts";

export interface AnthropicOcrOptions extends EngineOptions {
  apiKey: string;
  /**
   * "disabled" (default): no thinking. Claude Haiku 5.5 uses adaptive thinking by default and its
   * thinking tokens count toward max_tokens ("What's new in Claude Haiku 5.5" and the model overview,
   * platform.claude.com/docs/en/models/haiku-5-5); transcribing a page needs no reasoning, so OCR
   * turns it off with `thinking: {type: "disabled"}`, which models whose thinking is "adaptive" (not
   * "always on") accept. "adaptive": for models that only think adaptively (they answer 400 to
   * "disabled"): `thinking: {type: "adaptive"}` with `output_config.effort: "low"`.
   */
  thinking: "disabled" | "adaptive";
}

/** The API's limit for one base64 image. */
export const MAX_IMAGE_BASE64_BYTES = 5 * 1024 * 1024;

export function engineKey(o: { model: string; languages: string }): string {
  return engineKeyOf("anthropic", o);
}

type Sdk = typeof import("@anthropic-ai/sdk");
const loadSdk = loadOnce((): Promise<Sdk> => import("@anthropic-ai/sdk"));

export class AnthropicOcr implements OcrEngine {
  readonly key: string;
  private client: Promise<{ api: Anthropic; Sdk: Sdk["default"] }> | undefined;

  constructor(private readonly o: AnthropicOcrOptions) {
    this.key = engineKey(o);
  }

  private connect() {
    const o = this.o;
    return (this.client ??= loadSdk().then(({ default: Sdk }) => ({ Sdk, api: new Sdk({ apiKey: o.apiKey, ...stainlessClientOptions(o) }) })));
  }

  async recognize(input: OcrInput): Promise<OcrResult> {
    const { api, Sdk } = await this.connect();
    const data = Buffer.from(input.png).toString("base64");
    if (data.length > MAX_IMAGE_BASE64_BYTES) throw new OcrRejected(`ocr: page image is ${data.length} bytes in base64, over the API's 5 MB limit`);
    const { answer: msg, budget, inputTokens, outputTokens, ms } = await askWithRetry({
      maxTokens: this.o.maxTokens,
      ask: (maxTokens) =>
        api.messages.create(
          {
            model: this.o.model,
            max_tokens: maxTokens,
            ...(this.o.thinking === "adaptive" ? { thinking: { type: "adaptive" as const }, output_config: { effort: "low" as const } } : { thinking: { type: "disabled" as const } }),
            messages: [
              {
                role: "user",
                content: [
                  { type: "image", source: { type: "base64", media_type: "image/png", data } },
                  { type: "text", text: pagePrompt(this.o.languages, input) },
                ],
              },
            ],
          },
          input.signal ? { signal: input.signal } : {},
        ),
      fail: (e) => mapError(e, Sdk),
      // Cut off: once more with twice the budget (bounded), since thinking or a dense page used it up.
      cutOff: (m) => m.stop_reason === "max_tokens",
      usage: (m) => ({ input: m.usage.input_tokens, output: m.usage.output_tokens }),
    });
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
    return { markdown: stripFences(markdown), model: msg.model, inputTokens, outputTokens, ms };
  }
}

function mapError(e: unknown, Anthropic: Sdk["default"]): Error {
  const transport = stainlessTransportError(e, Anthropic);
  if (transport) return transport;
  if (e instanceof Anthropic.APIError) {
    const status = e.status ?? 0;
    const type = e.type ?? "";
    const why = e.apiMessage ?? e.message;
    const tag = `${status}${type ? ` ${type}` : ""}`;
    // Documented error types: platform.claude.com/docs/en/api/errors.
    if (status === 429 || status === 529) return new OcrRateLimited(retryAfterMs(e.headers, status === 529 ? 30_000 : 60_000), `ocr: ${status === 429 ? "rate limited" : "API overloaded"} (${status}): ${why}`);
    if (status === 401 || status === 403) return new OcrKeyRejected(`ocr: the API key was rejected (${tag}): ${why}`);
    return statusError(status, tag, why, String(status));
  }
  return otherError(e);
}
