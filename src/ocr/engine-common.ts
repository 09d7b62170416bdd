// What the OCR engine adapters (anthropic.ts, openai.ts, gemini.ts) do alike, so each adapter keeps
// only what is specific to its API and SDK: the engine key, the SDK loaded on the first page read,
// the one retry of a cut-off answer with twice the budget, and the mapping of HTTP statuses and
// transport failures to the engine errors (src/ocr/engine.ts), all prefixed "ocr: ".
import { OcrRejected, OcrUnavailable, type OcrInput } from "./engine.ts";
import { ocrPrompt, PROMPT_VERSION } from "./prompt.ts";

/**
 * The largest budget a cut-off answer is retried with: 64,000 output tokens, the most the setting
 * allows and within every current Claude model's output limit (Haiku 4.5: 64K, Haiku 5.5: 128K).
 */
export const MAX_OUTPUT_TOKENS = 64_000;

/** The settings every engine takes (src/ocr/index.ts fills them from the config). */
export interface EngineOptions {
  baseUrl?: string;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  languages: string;
  fetch?: typeof fetch;
}

/** `<engine>:<model>:p<prompt version>:<language hints>`: what changes an engine's output. */
export function engineKeyOf(engine: string, o: { model: string; languages: string }): string {
  return `${engine}:${o.model}:p${PROMPT_VERSION}:${o.languages.trim().toLowerCase()}`;
}

/** The prompt for one page. */
export function pagePrompt(languages: string, input: OcrInput): string {
  return ocrPrompt({ languages, annotatedPdf: input.annotatedPdf, context: input.context });
}

/** Loads an SDK on the first call only (so `serve` starts without parsing it: test/build/startup-chunks.test.ts). */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** Client options the Stainless-generated SDKs (@anthropic-ai/sdk, openai) share: no SDK retries (the job queue retries). */
export function stainlessClientOptions(o: Pick<EngineOptions, "baseUrl" | "timeoutMs" | "fetch">) {
  return { ...(o.baseUrl ? { baseURL: o.baseUrl } : {}), maxRetries: 0, timeout: o.timeoutMs, ...(o.fetch ? { fetch: o.fetch } : {}) };
}

export interface Asked<R> {
  /** The last answer. */
  answer: R;
  /** The budget the last answer was asked with. */
  budget: number;
  /** Tokens of both answers when the first was retried. */
  inputTokens: number;
  outputTokens: number;
  /** Time spent asking, in whole milliseconds. */
  ms: number;
}

/**
 * Asks for a page with the configured budget and, when the answer was cut off (thinking or a dense
 * page used the budget up), once more with twice the budget (at most MAX_OUTPUT_TOKENS). A failed
 * request throws what `fail` maps it to.
 */
export async function askWithRetry<R>(o: {
  maxTokens: number;
  ask: (budget: number) => Promise<R>;
  fail: (e: unknown) => Error;
  cutOff: (answer: R) => boolean;
  usage: (answer: R) => { input: number; output: number };
}): Promise<Asked<R>> {
  const t0 = performance.now();
  const ask = async (budget: number): Promise<R> => {
    try {
      return await o.ask(budget);
    } catch (e) {
      throw o.fail(e);
    }
  };
  let budget = o.maxTokens;
  let answer = await ask(budget);
  let { input: inputTokens, output: outputTokens } = o.usage(answer);
  if (o.cutOff(answer) && budget < MAX_OUTPUT_TOKENS) {
    budget = Math.min(MAX_OUTPUT_TOKENS, budget * 2);
    answer = await ask(budget);
    const u = o.usage(answer);
    inputTokens += u.input;
    outputTokens += u.output;
  }
  return { answer, budget, inputTokens, outputTokens, ms: Math.round(performance.now() - t0) };
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

type ErrorClass = abstract new (...args: never[]) => Error;

/** A timeout, an abort or a failed connection as the Stainless-generated SDKs report them; undefined for anything else. */
export function stainlessTransportError(e: unknown, Sdk: { APIConnectionTimeoutError: ErrorClass; APIUserAbortError: ErrorClass; APIConnectionError: ErrorClass }): Error | undefined {
  if (e instanceof Sdk.APIConnectionTimeoutError) return new Error("ocr: request timed out");
  if (e instanceof Sdk.APIUserAbortError) return new Error("ocr: request aborted");
  if (e instanceof Sdk.APIConnectionError) return new OcrUnavailable(`ocr: connection failed: ${e.message}`);
  return undefined;
}

/**
 * An HTTP error status no adapter treats specially (after key rejections and rate limits): 5xx is
 * an outage, 408/409 a plain (retried) failure, anything else a request rejected for good. `tag`
 * names the status (and the API's error type) in the message; `serverTag` is the one outages and
 * plain failures name (default `tag`).
 */
export function statusError(status: number, tag: string, why: string, serverTag = tag): Error {
  if (status >= 500) return new OcrUnavailable(`ocr: API error ${serverTag}: ${why}`);
  if (status === 408 || status === 409) return new Error(`ocr: API error ${serverTag}: ${why}`);
  return new OcrRejected(`ocr: request rejected (${tag}): ${why}`);
}

/** Any other failure, with its message. */
export function otherError(e: unknown): Error {
  return new Error(`ocr: ${(e as Error)?.message ?? String(e)}`);
}
