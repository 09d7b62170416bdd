// A fake OpenAI Chat Completions API (and so of the OpenAI-compatible servers: Ollama, vLLM, LM
// Studio, OpenRouter) on loopback, driven by the real `openai` SDK (baseURL `${url}/v1`). It
// validates the request the way the API does (Bearer key, model, one user message with an
// image_url PNG data URL and a text part, a positive token budget) and answers like the
// documented API (developers.openai.com: api-reference/chat, guides/error-codes, guides/reasoning):
// - Errors are `{error: {message, type, param, code}}`: 401 invalid_api_key, 403
//   unsupported_country_region_territory, 429 rate_limit_exceeded (retry-after header) or
//   insufficient_quota (no credit left), 500 server_error, 503 "engine overloaded".
// - Like a reasoning model it reasons before it answers unless `reasoning_effort` is "none", and
//   the reasoning tokens count toward the budget (`max_completion_tokens`, or `max_tokens` as
//   compatible servers take it): when reasoning plus the answer do not fit, the text is cut off
//   and `finish_reason` is "length". Reasoning is reported in usage.completion_tokens_details and,
//   like vLLM/Ollama, as `reasoning_content` / `reasoning` beside the content when scripted.
// - A scripted answer can carry any content (or null), a `refusal`, and any finish_reason (stop,
//   length, content_filter, tool_calls), or no choices at all.
// `hold` blocks answers until a test releases them (a barrier, not a sleep); `latency` (bench)
// delays each answer by a computed time; `limit` (bench) answers 429 rate_limit_exceeded with
// retry-after / retry-after-ms beyond N requests per sliding window, as OpenAI's limits do.

import { fakeOcrApi, hungUp, isPng, jsonBody, nextScripted, spendBudget, type FakeOcrApi } from "./fake-ocr-api.ts";
import { serveFake } from "./loopback.ts";

export interface OpenAiScripted {
  status: number;
  retryAfter?: string;
  code?: string;
  message?: string;
  hang?: boolean;
  /** 200: this content instead of the default reply (null = no content). */
  content?: string | null;
  refusal?: string;
  finishReason?: "stop" | "length" | "content_filter" | "tool_calls";
  /** 200: reasoning text the server returns beside the content (vLLM reasoning_content, Ollama reasoning). */
  reasoning?: string;
  /** 200: answer with an empty choices array. */
  noChoices?: boolean;
}

export interface OpenAiSeen {
  at: number;
  model: string;
  maxTokens: number;
  /** Which field carried the budget. */
  budgetField: "max_completion_tokens" | "max_tokens";
  reasoningEffort: string | undefined;
  png: Uint8Array;
  prompt: string;
}

/** `url` is the base URL to configure (with /v1). */
export interface FakeOpenAi extends FakeOcrApi<OpenAiSeen, OpenAiScripted> {
  /** Reasoning tokens spent when reasoning_effort is not "none" (default 600). */
  reasoningTokens: number;
  /** Optional delay before each answer (bench). */
  latency: ((req: OpenAiSeen) => number) | null;
  /** Optional rate limit: at most `requests` answered per sliding `windowMs`; beyond it 429 with retry-after. */
  limit: { requests: number; windowMs: number } | null;
  /** Requests refused by `limit`. */
  limited: number;
}

const TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  400: ["invalid_request_error", null, "Invalid request"],
  401: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."],
  403: ["invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported"],
  404: ["invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."],
  429: ["requests", "rate_limit_exceeded", "Rate limit reached for requests"],
  500: ["server_error", null, "The server had an error while processing your request. Sorry about that!"],
  503: ["server_error", null, "The engine is currently overloaded, please try again later"],
};

function apiError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status, headers: { "x-request-id": `req_${crypto.randomUUID().replace(/-/g, "")}`, ...headers } });
}

export function startFakeOpenAi(opts: { apiKey?: string } = {}): FakeOpenAi {
  const apiKey = opts.apiKey ?? "sk-proj-test-key";
  let ok = 0;
  const admitted: number[] = [];
  const fake: FakeOpenAi = { ...fakeOcrApi<OpenAiSeen, OpenAiScripted>(apiKey), reasoningTokens: 600, latency: null, limit: null, limited: 0 };
  const reject = (status: number, message: string, code: string | null = null) => {
    fake.rejected.push({ status, reason: message });
    return apiError(status, message, status === 401 ? "invalid_request_error" : "invalid_request_error", code);
  };
  serveFake(
    fake,
    async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") return apiError(404, `Invalid URL (${req.method} ${url.pathname})`, "invalid_request_error", null);
      if (req.headers.get("authorization") !== `Bearer ${apiKey}`) return reject(401, TYPES[401]![2], "invalid_api_key");
      const body = await jsonBody(req);
      if (body === undefined) return reject(400, "We could not parse the JSON body of your request.");
      if (typeof body.model !== "string" || !body.model) return reject(400, "you must provide a model parameter");
      const budgetField = body.max_completion_tokens !== undefined ? "max_completion_tokens" : body.max_tokens !== undefined ? "max_tokens" : null;
      if (body.max_completion_tokens !== undefined && body.max_tokens !== undefined) return reject(400, "max_tokens and max_completion_tokens cannot both be set");
      const budget = budgetField ? body[budgetField] : 16_384;
      if (!Number.isInteger(budget) || budget < 1) return reject(400, `Invalid '${budgetField}': integer below minimum value.`);
      const msgs = body.messages;
      if (!Array.isArray(msgs) || msgs.length !== 1 || msgs[0].role !== "user" || !Array.isArray(msgs[0].content)) return reject(400, "messages: one user message with content parts expected");
      const image = msgs[0].content.find((c: any) => c.type === "image_url");
      const text = msgs[0].content.find((c: any) => c.type === "text");
      if (!image || !text || typeof text.text !== "string") return reject(400, "expected an image_url part and a text part");
      const m = /^data:image\/png;base64,(.*)$/s.exec(image.image_url?.url ?? "");
      if (!m) return reject(400, "Invalid image_url: expected a data URL of a PNG image", "invalid_image_url");
      const png = new Uint8Array(Buffer.from(m[1]!, "base64"));
      if (!isPng(png)) return reject(400, "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].", "invalid_image_format");
      const effort = body.reasoning_effort;
      if (effort !== undefined && !["none", "minimal", "low", "medium", "high", "xhigh"].includes(effort)) return reject(400, `Invalid value for 'reasoning_effort': ${effort}`);
      const seen: OpenAiSeen = { at: performance.now(), model: body.model, maxTokens: budget, budgetField: budgetField ?? "max_tokens", reasoningEffort: effort, png, prompt: text.text };
      const s = await nextScripted(fake, req, seen);
      if (s?.hang) return hungUp();
      if (s && s.status !== 200) {
        const [type, code, message] = TYPES[s.status] ?? (s.status >= 500 ? TYPES[500]! : TYPES[400]!);
        const c = s.code ?? code;
        const msg = s.message ?? (c === "insufficient_quota" ? "You exceeded your current quota, please check your plan and billing details." : message);
        return apiError(s.status, msg, c === "insufficient_quota" ? "insufficient_quota" : type, c, s.retryAfter !== undefined ? { "retry-after": s.retryAfter } : {});
      }
      if (fake.limit) {
        const now = Date.now();
        while (admitted.length && admitted[0]! <= now - fake.limit.windowMs) admitted.shift();
        if (admitted.length >= fake.limit.requests) {
          fake.limited++;
          const waitMs = admitted[0]! + fake.limit.windowMs - now;
          return apiError(429, `Rate limit reached for requests: Limit ${fake.limit.requests}, Used ${admitted.length}, Requested 1. Please try again in ${(waitMs / 1000).toFixed(1)}s.`, "requests", "rate_limit_exceeded", {
            "retry-after": String(Math.ceil(waitMs / 1000)),
            "retry-after-ms": String(waitMs),
          });
        }
        admitted.push(now);
      }
      if (fake.latency) await Bun.sleep(fake.latency(seen));
      const n = ++ok;
      const promptTokens = Math.ceil(png.length / 100) + 85;
      let content: string | null;
      let finish: string;
      let completion: number;
      let reasoningTokens = 0;
      if (s && (s.content !== undefined || s.refusal !== undefined || s.finishReason !== undefined || s.noChoices)) {
        content = s.content === undefined ? (s.refusal ? null : fake.reply(seen, n)) : s.content;
        finish = s.finishReason ?? "stop";
        completion = finish === "length" ? budget : Math.max(1, Math.ceil(((content ?? "") + (s.refusal ?? "")).length / 4));
      } else {
        reasoningTokens = effort === "none" ? 0 : fake.reasoningTokens;
        const spent = spendBudget(budget, reasoningTokens, fake.reply(seen, n));
        content = spent.text ?? "";
        finish = spent.cutOff ? "length" : "stop";
        completion = spent.cutOff ? budget : reasoningTokens + spent.tokens;
      }
      const message: Record<string, unknown> = { role: "assistant", content, refusal: s?.refusal ?? null, annotations: [] };
      if (s?.reasoning !== undefined) {
        message.reasoning_content = s.reasoning;
        message.reasoning = s.reasoning;
      }
      return Response.json(
        {
          id: `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: s?.noChoices ? [] : [{ index: 0, message, logprobs: null, finish_reason: finish }],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completion,
            total_tokens: promptTokens + completion,
            completion_tokens_details: { reasoning_tokens: reasoningTokens },
          },
        },
        { headers: { "x-request-id": `req_${crypto.randomUUID().replace(/-/g, "")}` } },
      );
    },
    { idleTimeout: 60, path: "/v1" },
  );
  return fake;
}
