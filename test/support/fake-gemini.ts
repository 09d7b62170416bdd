// A fake Gemini API (generateContent, v1beta) on loopback, driven by the real @google/genai SDK
// (httpOptions.baseUrl). It validates the request the way the API does (x-goog-api-key, a model
// in the path, one user content with an inlineData PNG part and a text part, a positive
// maxOutputTokens) and answers like the documented API (ai.google.dev/api/generate-content,
// gemini-api/docs/thinking, gemini-api/docs/troubleshooting):
// - Errors are `{error: {code, message, status, details}}`: a bad key is 400 INVALID_ARGUMENT with
//   an ErrorInfo detail of reason API_KEY_INVALID; 403 PERMISSION_DENIED; 429 RESOURCE_EXHAUSTED
//   with a google.rpc.RetryInfo `retryDelay`; 500 INTERNAL; 503 UNAVAILABLE; 504 DEADLINE_EXCEEDED.
// - Like Gemini 3 Flash it thinks (less at LOW, not at MINIMAL or, 2.5-style, `thinkingBudget`
//   0), and thinking tokens count toward maxOutputTokens: when thinking plus
//   the answer do not fit, the text is cut off with finishReason MAX_TOKENS. With includeThoughts
//   the thought summary comes back as a part marked `thought: true`.
// - A scripted answer can carry any parts (text, thought), any finishReason (STOP, MAX_TOKENS,
//   SAFETY, RECITATION, PROHIBITED_CONTENT, OTHER…), a prompt blockReason (no candidates), or an
//   empty candidates list.

import { fakeOcrApi, hungUp, isPng, jsonBody, nextScripted, spendBudget, type FakeOcrApi } from "./fake-ocr-api.ts";
import { serveFake } from "./loopback.ts";

export interface GeminiPart {
  text: string;
  thought?: boolean;
}

export interface GeminiScripted {
  status: number;
  /** The error's status instead of the one that goes with the HTTP code (e.g. 400 FAILED_PRECONDITION). */
  grpcStatus?: string;
  /** 429: RetryInfo retryDelay, e.g. "12s". */
  retryDelay?: string;
  message?: string;
  hang?: boolean;
  parts?: GeminiPart[];
  finishReason?: string;
  /** promptFeedback.blockReason; the answer then has no candidates. */
  blockReason?: string;
  noCandidates?: boolean;
}

export interface GeminiSeen {
  at: number;
  model: string;
  maxTokens: number;
  thinkingConfig: { thinkingLevel?: string; thinkingBudget?: number; includeThoughts?: boolean } | undefined;
  png: Uint8Array;
  prompt: string;
}

export interface FakeGemini extends FakeOcrApi<GeminiSeen, GeminiScripted> {
  thinkingTokens: number;
  latency: ((req: GeminiSeen) => number) | null;
}

const STATUS: Record<number, [status: string, message: string]> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  403: ["PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."],
  404: ["NOT_FOUND", "models/unknown is not found for API version v1beta, or is not supported for generateContent."],
  429: ["RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details."],
  500: ["INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "Deadline expired before operation could complete."],
};

function apiError(code: number, status: string, message: string, details: unknown[] = []): Response {
  return Response.json({ error: { code, message, status, ...(details.length ? { details } : {}) } }, { status: code });
}

export function startFakeGemini(opts: { apiKey?: string } = {}): FakeGemini {
  const apiKey = opts.apiKey ?? "AIza-test-key";
  let ok = 0;
  const fake: FakeGemini = { ...fakeOcrApi<GeminiSeen, GeminiScripted>(apiKey), thinkingTokens: 600, latency: null };
  const reject = (code: number, message: string, details: unknown[] = []) => {
    fake.rejected.push({ status: code, reason: message });
    return apiError(code, STATUS[code]?.[0] ?? "INVALID_ARGUMENT", message, details);
  };
  serveFake(
    fake,
    async (req) => {
      const url = new URL(req.url);
      const route = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(url.pathname);
      if (req.method !== "POST" || !route) return apiError(404, "NOT_FOUND", `Requested entity was not found: ${url.pathname}`);
      const key = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
      if (key !== apiKey)
        return reject(400, "API key not valid. Please pass a valid API key.", [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
          { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "API key not valid. Please pass a valid API key." },
        ]);
      const body = await jsonBody(req);
      if (body === undefined) return reject(400, "Invalid JSON payload received.");
      const model = decodeURIComponent(route[1]!);
      const contents = body.contents;
      if (!Array.isArray(contents) || contents.length !== 1 || (contents[0].role ?? "user") !== "user" || !Array.isArray(contents[0].parts)) return reject(400, "contents: one user content expected");
      const inline = contents[0].parts.find((p: any) => p.inlineData);
      const text = contents[0].parts.find((p: any) => typeof p.text === "string");
      if (!inline || !text) return reject(400, "expected an inlineData part and a text part");
      if (inline.inlineData.mimeType !== "image/png") return reject(400, `Unsupported MIME type: ${inline.inlineData.mimeType}`);
      const png = new Uint8Array(Buffer.from(inline.inlineData.data ?? "", "base64"));
      if (!isPng(png)) return reject(400, "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
      const gc = body.generationConfig ?? {};
      const budget = gc.maxOutputTokens ?? 65_536;
      if (!Number.isInteger(budget) || budget < 1) return reject(400, "* GenerateContentRequest.generation_config.max_output_tokens: must be positive");
      const tc = gc.thinkingConfig;
      if (tc?.thinkingLevel !== undefined && tc?.thinkingBudget !== undefined) return reject(400, "thinking_budget and thinking_level cannot both be set");
      if (tc?.thinkingLevel !== undefined && !["MINIMAL", "LOW", "MEDIUM", "HIGH"].includes(String(tc.thinkingLevel).toUpperCase())) return reject(400, `Invalid thinking level: ${tc.thinkingLevel}`);
      const seen: GeminiSeen = { at: performance.now(), model, maxTokens: budget, thinkingConfig: tc, png, prompt: text.text };
      const s = await nextScripted(fake, req, seen);
      if (s?.hang) return hungUp();
      if (s && s.status !== 200) {
        const [status, message] = s.grpcStatus ? [s.grpcStatus, s.message ?? s.grpcStatus] : (STATUS[s.status] ?? (s.status >= 500 ? STATUS[500]! : STATUS[400]!));
        const details = s.status === 429 && s.retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: s.retryDelay }] : [];
        return apiError(s.status, status, s.message ?? message, details);
      }
      if (fake.latency) await Bun.sleep(fake.latency(seen));
      const n = ++ok;
      const promptTokenCount = 258 + Math.ceil(text.text.length / 4);
      const base = { modelVersion: model, responseId: crypto.randomUUID().replace(/-/g, "").slice(0, 22) };
      if (s?.blockReason || s?.noCandidates)
        return Response.json({ ...base, ...(s.blockReason ? { promptFeedback: { blockReason: s.blockReason } } : {}), usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount } });
      let parts: GeminiPart[];
      let finish: string;
      let thoughts = 0;
      let candidatesTokens: number;
      if (s?.parts || s?.finishReason) {
        parts = s.parts ?? [];
        finish = s.finishReason ?? "STOP";
        thoughts = parts.filter((p) => p.thought).reduce((t, p) => t + Math.ceil(p.text.length / 4), 0);
        candidatesTokens = finish === "MAX_TOKENS" ? budget - thoughts : parts.filter((p) => !p.thought).reduce((t, p) => t + Math.ceil(p.text.length / 4), 0);
      } else {
        // MINIMAL (or budget 0) does not think, LOW thinks a quarter of what MEDIUM/HIGH (the default) do.
        const level = String(tc?.thinkingLevel ?? "").toUpperCase();
        thoughts = level === "MINIMAL" || tc?.thinkingBudget === 0 ? 0 : level === "LOW" ? Math.round(fake.thinkingTokens / 4) : fake.thinkingTokens;
        const spent = spendBudget(budget, thoughts, fake.reply(seen, n));
        parts = thoughts && tc?.includeThoughts ? [{ text: "**Reading the page**\nTwo list items and a note.", thought: true }] : [];
        if (spent.text !== null) parts.push({ text: spent.text });
        finish = spent.cutOff ? "MAX_TOKENS" : "STOP";
        candidatesTokens = spent.tokens;
      }
      return Response.json({
        ...base,
        candidates: [{ content: parts.length ? { role: "model", parts } : { role: "model" }, finishReason: finish, index: 0 }],
        usageMetadata: {
          promptTokenCount,
          candidatesTokenCount: candidatesTokens,
          ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
          totalTokenCount: promptTokenCount + candidatesTokens + thoughts,
        },
      });
    },
    { idleTimeout: 60 },
  );
  return fake;
}
