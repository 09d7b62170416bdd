// Thin client for Claude Vision OCR over the Messages API. No business logic: it maps one page
// image to Markdown and API failures to OcrRateLimited / OcrRejected / plain errors, all prefixed
// "ocr: ". Retries are the job queue's business (maxRetries 0), so a 429/529 does not hold a
// worker slot and honours retry-after across restarts. The SDK is loaded on the first page read,
// so `serve` starts without parsing it (test/build/startup-chunks.test.ts).
import type Anthropic from "@anthropic-ai/sdk";
import { OcrRateLimited, OcrRejected, type OcrEngine, type OcrInput, type OcrResult } from "./engine.ts";
import { ocrPrompt, PROMPT_VERSION } from "./prompt.ts";

export interface AnthropicOcrOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  languages: string;
  fetch?: typeof fetch;
}

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
    let msg: Anthropic.Message;
    try {
      msg = await api.messages.create(
        {
          model: this.o.model,
          max_tokens: this.o.maxTokens,
          messages: [
            {
              role: "user",
              content: [
                { type: "image", source: { type: "base64", media_type: "image/png", data } },
                { type: "text", text: ocrPrompt({ languages: this.o.languages, annotatedPdf: input.annotatedPdf }) },
              ],
            },
          ],
        },
        input.signal ? { signal: input.signal } : {},
      );
    } catch (e) {
      throw mapError(e, Sdk);
    }
    const markdown = msg.content
      .flatMap((b) => (b.type === "text" ? [b.text] : []))
      .join("")
      .trim();
    return {
      markdown: stripFences(markdown),
      model: msg.model,
      inputTokens: msg.usage.input_tokens,
      outputTokens: msg.usage.output_tokens,
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
  if (e instanceof Anthropic.APIConnectionError) return new Error(`ocr: connection failed: ${e.message}`);
  if (e instanceof Anthropic.APIError) {
    const status = e.status ?? 0;
    const why = e.apiMessage ?? e.message;
    if (status === 429 || status === 529) return new OcrRateLimited(retryAfterMs(e.headers, status === 529 ? 30_000 : 60_000), `ocr: ${status === 429 ? "rate limited" : "API overloaded"} (${status}): ${why}`);
    if (status === 408 || status === 409 || status >= 500) return new Error(`ocr: API error ${status}: ${why}`);
    return new OcrRejected(`ocr: request rejected (${status}${e.type ? ` ${e.type}` : ""}): ${why}`);
  }
  return new Error(`ocr: ${(e as Error)?.message ?? String(e)}`);
}
