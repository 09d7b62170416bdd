// A fake Anthropic Messages API on loopback, driven by the real SDK (baseURL). It validates the
// request shape the way the API does (auth header, version header, model, one image block with a
// base64 PNG under 5 MB and ≤ 8000 px a side, a text block), answers with realistic usage, and can
// be scripted to answer 429/529/500/400 or to hang (timeouts). `hold` lets a test block answers
// until it releases them (a barrier, not a sleep).

export interface Scripted {
  status: number;
  /** retry-after header (seconds, may be fractional). */
  retryAfter?: string;
  type?: string;
  message?: string;
  /** Never answer (the client times out). */
  hang?: boolean;
}

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
}

export interface FakeAnthropic {
  url: string;
  apiKey: string;
  requests: SeenRequest[];
  rejected: { status: number; reason: string }[];
  script: Scripted[];
  /** Markdown to answer for the n-th successful request. */
  reply: (req: SeenRequest, n: number) => string;
  /** When set, each request awaits this before answering. */
  hold: (() => Promise<void>) | null;
  close(): Promise<void>;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function apiError(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ type: "error", error: { type, message }, request_id: `req_${crypto.randomUUID()}` }, { status, headers: { "request-id": "req_fake", ...headers } });
}

export function startFakeAnthropic(opts: { apiKey?: string } = {}): FakeAnthropic {
  const apiKey = opts.apiKey ?? "sk-ant-test-key";
  let ok = 0;
  const fake: FakeAnthropic = {
    url: "",
    apiKey,
    requests: [],
    rejected: [],
    script: [],
    reply: (_r, n) => `# Page ${n}\n\n- [ ] call the plumber\n- [x] buy milk\n\nMeeting with Müller → Friday 12.03.`,
    hold: null,
    close: async () => {},
  };
  const reject = (status: number, type: string, reason: string) => {
    fake.rejected.push({ status, reason });
    return apiError(status, type, reason);
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/messages") return apiError(404, "not_found_error", "Not found");
      const bearer = req.headers.get("authorization");
      const xkey = req.headers.get("x-api-key");
      const auth = bearer === `Bearer ${apiKey}` ? "bearer" : xkey === apiKey ? "x-api-key" : null;
      if (!auth) return reject(401, "authentication_error", "invalid x-api-key");
      if (!req.headers.get("anthropic-version")) return reject(400, "invalid_request_error", "anthropic-version header is required");
      let body: any;
      try {
        body = await req.json();
      } catch {
        return reject(400, "invalid_request_error", "body is not JSON");
      }
      if (typeof body.model !== "string" || !body.model) return reject(400, "invalid_request_error", "model: field required");
      if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return reject(400, "invalid_request_error", "max_tokens: must be a positive integer");
      const content = body.messages?.[0]?.content;
      if (body.messages?.length !== 1 || body.messages[0].role !== "user" || !Array.isArray(content)) return reject(400, "invalid_request_error", "messages: one user message expected");
      const image = content.find((c: any) => c.type === "image");
      const text = content.find((c: any) => c.type === "text");
      if (!image || !text || typeof text.text !== "string") return reject(400, "invalid_request_error", "expected an image block and a text block");
      if (image.source?.type !== "base64" || image.source.media_type !== "image/png") return reject(400, "invalid_request_error", "image.source: base64 image/png expected");
      const data: string = image.source.data;
      if (typeof data !== "string" || data.length > 5 * 1024 * 1024) return reject(400, "invalid_request_error", "image exceeds 5 MB maximum");
      const png = new Uint8Array(Buffer.from(data, "base64"));
      if (!PNG_SIG.every((v, i) => png[i] === v)) return reject(400, "invalid_request_error", "Could not process image");
      const dv = new DataView(png.buffer, png.byteOffset);
      const width = dv.getUint32(16);
      const height = dv.getUint32(20);
      if (width > 8000 || height > 8000) return reject(400, "invalid_request_error", "image dimensions exceed max allowed size: 8000 pixels");
      const seen: SeenRequest = { at: performance.now(), model: body.model, maxTokens: body.max_tokens, auth, png, width, height, colorType: png[25]!, prompt: text.text };
      fake.requests.push(seen);
      if (fake.hold) await fake.hold();
      const s = fake.script.shift();
      if (s?.hang) {
        await new Promise<void>((r) => req.signal.addEventListener("abort", () => r()));
        return new Response(null, { status: 499 });
      }
      if (s && s.status !== 200) {
        const type = s.type ?? (s.status === 429 ? "rate_limit_error" : s.status === 529 ? "overloaded_error" : s.status >= 500 ? "api_error" : "invalid_request_error");
        return apiError(s.status, type, s.message ?? type, s.retryAfter !== undefined ? { "retry-after": s.retryAfter } : {});
      }
      const n = ++ok;
      const md = fake.reply(seen, n);
      return Response.json({
        id: `msg_${crypto.randomUUID().replace(/-/g, "")}`,
        type: "message",
        role: "assistant",
        model: body.model,
        content: [{ type: "text", text: md }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: Math.ceil((width * height) / 750) + 120, output_tokens: Math.ceil(md.length / 4), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      });
    },
  });
  fake.url = `http://127.0.0.1:${server.port}`;
  fake.close = async () => {
    await server.stop(true);
  };
  return fake;
}
