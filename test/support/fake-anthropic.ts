// A fake Anthropic Messages API on loopback, driven by the real SDK (baseURL). It validates the
// request shape the way the API does (auth header, version header, model, one image block with a
// base64 PNG under 5 MB and ≤ 8000 px a side, a text block), answers with realistic usage, and can
// be scripted to answer 429/529/500/400 or to hang (timeouts). `hold` lets a test block answers
// until it releases them (a barrier, not a sleep).
//
// It behaves like the documented API where that matters for truthful results
// (platform.claude.com/docs: api/errors, build-with-claude/handling-stop-reasons, models/haiku-5-5):
// - Errors are `{type:"error", error:{type, message}, request_id}` with a `request-id` header; the
//   type follows the status (401 authentication_error, 403 permission_error, 413 request_too_large,
//   429 rate_limit_error, 500 api_error, 529 overloaded_error).
// - Like Claude Haiku 5.5, it thinks unless the request says `thinking: {type: "disabled"}`, and the
//   thinking counts toward `max_tokens`: when thinking plus the answer do not fit, the text is cut off
//   and `stop_reason` is `max_tokens`. `thinking.type: "enabled"` with `budget_tokens` is a 400 on
//   that model (adaptive thinking only).
// - A scripted answer can carry any content blocks (thinking, redacted_thinking, text, none) and
//   any stop_reason (end_turn, max_tokens, stop_sequence, refusal, pause_turn, tool_use).

import { fakeOcrApi, hungUp, isPng, jsonBody, nextScripted, spendBudget, type FakeOcrApi } from "./fake-ocr-api.ts";
import { serveFake } from "./loopback.ts";

export interface Scripted {
  status: number;
  /** retry-after header (seconds, may be fractional). */
  retryAfter?: string;
  type?: string;
  message?: string;
  /** Never answer (the client times out). */
  hang?: boolean;
  /** 200 answers: these content blocks instead of the default (thinking when enabled, then the reply). */
  content?: ContentBlock[];
  /** 200 answers: this stop_reason instead of the computed one. */
  stopReason?: "end_turn" | "max_tokens" | "stop_sequence" | "refusal" | "pause_turn" | "tool_use";
}

export type ContentBlock = { type: "text"; text: string } | { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

export interface SeenRequest {
  at: number;
  model: string;
  maxTokens: number;
  auth: "bearer" | "x-api-key";
  png: Uint8Array;
  width: number;
  height: number;
  colorType: number;
  prompt: string;
  /** The request's `thinking` object as sent (undefined when absent). */
  thinking: { type: string; budget_tokens?: number } | undefined;
}

export interface FakeAnthropic extends FakeOcrApi<SeenRequest, Scripted> {
  /** Output tokens the model spends thinking when thinking is not disabled (default 600). */
  thinkingTokens: number;
}

/** The documented error type of each status (platform.claude.com/docs/en/api/errors). */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function apiError(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ type: "error", error: { type, message }, request_id: `req_${crypto.randomUUID()}` }, { status, headers: { "request-id": "req_fake", ...headers } });
}

export function startFakeAnthropic(opts: { apiKey?: string } = {}): FakeAnthropic {
  const apiKey = opts.apiKey ?? "sk-ant-test-key";
  let ok = 0;
  const fake: FakeAnthropic = { ...fakeOcrApi<SeenRequest, Scripted>(apiKey), thinkingTokens: 600 };
  const reject = (status: number, type: string, reason: string) => {
    fake.rejected.push({ status, reason });
    return apiError(status, type, reason);
  };
  serveFake(
    fake,
    async (req) => {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/messages") return apiError(404, "not_found_error", "Not found");
      const bearer = req.headers.get("authorization");
      const xkey = req.headers.get("x-api-key");
      const auth = bearer === `Bearer ${apiKey}` ? "bearer" : xkey === apiKey ? "x-api-key" : null;
      if (!auth) return reject(401, "authentication_error", "invalid x-api-key");
      if (!req.headers.get("anthropic-version")) return reject(400, "invalid_request_error", "anthropic-version header is required");
      const body = await jsonBody(req);
      if (body === undefined) return reject(400, "invalid_request_error", "body is not JSON");
      if (typeof body.model !== "string" || !body.model) return reject(400, "invalid_request_error", "model: field required");
      if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return reject(400, "invalid_request_error", "max_tokens: must be a positive integer");
      if (body.max_tokens > 128_000) return reject(400, "invalid_request_error", `max_tokens: ${body.max_tokens} > 128000, which is the maximum allowed number of output tokens`);
      const thinking = body.thinking;
      if (thinking !== undefined && !["disabled", "adaptive", "enabled"].includes(thinking?.type)) return reject(400, "invalid_request_error", "thinking.type: unknown value");
      if (thinking?.type === "enabled") return reject(400, "invalid_request_error", '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" instead.');
      const content = body.messages?.[0]?.content;
      if (body.messages?.length !== 1 || body.messages[0].role !== "user" || !Array.isArray(content)) return reject(400, "invalid_request_error", "messages: one user message expected");
      const image = content.find((c: any) => c.type === "image");
      const text = content.find((c: any) => c.type === "text");
      if (!image || !text || typeof text.text !== "string") return reject(400, "invalid_request_error", "expected an image block and a text block");
      if (image.source?.type !== "base64" || image.source.media_type !== "image/png") return reject(400, "invalid_request_error", "image.source: base64 image/png expected");
      const data: string = image.source.data;
      if (typeof data !== "string" || data.length > 5 * 1024 * 1024) return reject(400, "invalid_request_error", "image exceeds 5 MB maximum");
      const png = new Uint8Array(Buffer.from(data, "base64"));
      if (!isPng(png)) return reject(400, "invalid_request_error", "Could not process image");
      const dv = new DataView(png.buffer, png.byteOffset);
      const width = dv.getUint32(16);
      const height = dv.getUint32(20);
      if (width > 8000 || height > 8000) return reject(400, "invalid_request_error", "image dimensions exceed max allowed size: 8000 pixels");
      const seen: SeenRequest = { at: performance.now(), model: body.model, maxTokens: body.max_tokens, auth, png, width, height, colorType: png[25]!, prompt: text.text, thinking };
      const s = await nextScripted(fake, req, seen);
      if (s?.hang) return hungUp();
      if (s && s.status !== 200) {
        const type = s.type ?? ERROR_TYPES[s.status] ?? (s.status >= 500 ? "api_error" : "invalid_request_error");
        return apiError(s.status, type, s.message ?? type, s.retryAfter !== undefined ? { "retry-after": s.retryAfter } : {});
      }
      const n = ++ok;
      let blocks: ContentBlock[];
      let stop: string;
      let outputTokens: number;
      if (s?.content) {
        blocks = s.content;
        stop = s.stopReason ?? "end_turn";
        const spent = blocks.reduce((t, b) => t + Math.ceil((b.type === "text" ? b.text : b.type === "thinking" ? b.thinking : b.data).length / 4), 0);
        outputTokens = s.stopReason === "max_tokens" ? body.max_tokens : Math.max(1, spent);
      } else {
        // Thinking (on unless disabled) is spent first and counts toward max_tokens.
        const think = thinking?.type === "disabled" ? 0 : fake.thinkingTokens;
        const spent = spendBudget(body.max_tokens, think, fake.reply(seen, n));
        blocks = think ? [{ type: "thinking", thinking: "The page shows handwriting; transcribe it line by line.", signature: `sig_${n}` }] : [];
        if (spent.text !== null) blocks.push({ type: "text", text: spent.text });
        stop = spent.cutOff ? "max_tokens" : (s?.stopReason ?? "end_turn");
        outputTokens = spent.cutOff ? body.max_tokens : think + spent.tokens;
      }
      return Response.json(
        {
          id: `msg_${crypto.randomUUID().replace(/-/g, "")}`,
          type: "message",
          role: "assistant",
          model: body.model,
          content: blocks,
          stop_reason: stop,
          stop_sequence: null,
          usage: { input_tokens: Math.ceil((width * height) / 750) + 120, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
        { headers: { "request-id": `req_${crypto.randomUUID().replace(/-/g, "")}` } },
      );
    },
    { idleTimeout: 30 },
  );
  return fake;
}
