// The thin Anthropic client on its own: retry-after parsing, error mapping, request shape, and a
// fake that accepts both auth header styles (x-api-key from older SDKs, Bearer from 1.x).
import { afterAll, expect, test } from "bun:test";
import { AnthropicOcr, engineKey } from "../../src/ocr/anthropic.ts";
import { retryAfterMs, statusError } from "../../src/ocr/engine-common.ts";
import { OcrKeyRejected, OcrRateLimited, OcrRejected, OcrUnavailable } from "../../src/ocr/engine.ts";
import { isTransient } from "../../src/jobs/errors.ts";
import { ocrPrompt } from "../../src/ocr/prompt.ts";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";

const fake = startFakeAnthropic();
afterAll(() => fake.close());
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 6, 0x20, 0, 0, 4, 0x80, 8, 0, 0, 0, 0]);
const engine = (extra: Partial<ConstructorParameters<typeof AnthropicOcr>[0]> = {}) =>
  new AnthropicOcr({ apiKey: fake.apiKey, baseUrl: fake.url, model: "claude-haiku-5-5", maxTokens: 1024, timeoutMs: 5000, languages: "German, English", thinking: "disabled", ...extra });

test("retry-after: seconds, fractions, HTTP dates, retry-after-ms, fallback", () => {
  expect(retryAfterMs(new Headers({ "retry-after": "7" }), 1)).toBe(7000);
  expect(retryAfterMs(new Headers({ "retry-after": "0.25" }), 1)).toBe(250);
  expect(retryAfterMs(new Headers({ "retry-after-ms": "120" }), 1)).toBe(120);
  const at = new Date(Date.now() + 60_000).toUTCString();
  expect(retryAfterMs(new Headers({ "retry-after": at }), 1)).toBeGreaterThan(55_000);
  expect(retryAfterMs(new Headers({ "retry-after": "soon" }), 1234)).toBe(1234);
  expect(retryAfterMs(undefined, 99)).toBe(99);
});

test("every engine's other statuses: 5xx is an outage, 408/409 a plain failure (the job is tried again), the rest rejects the page", () => {
  const outage = statusError(503, "503 overloaded", "busy", "503");
  expect(outage).toBeInstanceOf(OcrUnavailable);
  expect(isTransient(outage)).toBe(true);
  expect(outage.message).toBe("ocr: API error 503: busy");
  for (const status of [408, 409]) {
    const e = statusError(status, `${status} conflict`, "try again");
    expect(e).not.toBeInstanceOf(OcrRejected);
    expect(isTransient(e)).toBe(false);
    expect(e.message).toBe(`ocr: API error ${status} conflict: try again`);
  }
  const rejected = statusError(413, "413 request_too_large", "too big", "413");
  expect(rejected).toBeInstanceOf(OcrRejected);
  expect(rejected.message).toBe("ocr: request rejected (413 request_too_large): too big");
});

test("engine key changes with model, prompt version and language hints only", () => {
  expect(engineKey({ model: "m", languages: "German" })).toBe(engineKey({ model: "m", languages: " german " }));
  expect(engineKey({ model: "m", languages: "German" })).not.toBe(engineKey({ model: "n", languages: "German" }));
  expect(ocrPrompt({ languages: "German", annotatedPdf: true })).toContain("only the handwriting");
  expect(ocrPrompt({ languages: "", annotatedPdf: false })).not.toContain("most likely in");
});

test("a well-formed request; 429 → OcrRateLimited with retry-after, 400 → OcrRejected, 500 → outage (transient), bad key → key rejected", async () => {
  const r = await engine().recognize({ png: PNG, annotatedPdf: false });
  expect(r.markdown).toContain("- [ ] call the plumber");
  expect(r.model).toBe("claude-haiku-5-5");
  expect(fake.requests.at(-1)!.maxTokens).toBe(1024);
  expect(fake.requests.at(-1)!.prompt).toContain("German, English");

  fake.script.push({ status: 429, retryAfter: "3" });
  const e1 = await engine().recognize({ png: PNG, annotatedPdf: false }).catch((e) => e);
  expect(e1).toBeInstanceOf(OcrRateLimited);
  expect(e1.ms).toBe(3000);
  expect(e1.message).toStartWith("ocr: rate limited (429)");

  fake.script.push({ status: 400, message: "Could not process image" });
  const e2 = await engine().recognize({ png: PNG, annotatedPdf: false }).catch((e) => e);
  expect(e2).toBeInstanceOf(OcrRejected);
  expect(e2.message).toBe("ocr: request rejected (400 invalid_request_error): Could not process image");

  fake.script.push({ status: 500 });
  const e3 = await engine().recognize({ png: PNG, annotatedPdf: false }).catch((e) => e);
  expect(e3).not.toBeInstanceOf(OcrRejected);
  expect(e3.message).toStartWith("ocr: API error 500");

  const e4 = await engine({ apiKey: "wrong" }).recognize({ png: PNG, annotatedPdf: false }).catch((e) => e);
  expect(e4).toBeInstanceOf(OcrKeyRejected);
  expect(e4.message).toContain("401");

  const big = new Uint8Array(4 * 1024 * 1024);
  const e5 = await engine().recognize({ png: big, annotatedPdf: false }).catch((e) => e);
  expect(e5).toBeInstanceOf(OcrRejected);
  expect(e5.message).toContain("5 MB");
});

test("the fake accepts x-api-key as well as Authorization: Bearer, and validates the image", async () => {
  const body = (data: string) =>
    JSON.stringify({ model: "m", max_tokens: 10, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data } }, { type: "text", text: "read" }] }] });
  const headers = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
  const ok = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { ...headers, "x-api-key": fake.apiKey }, body: body(Buffer.from(PNG).toString("base64")) });
  expect(ok.status).toBe(200);
  expect(fake.requests.at(-1)!.auth).toBe("x-api-key");
  const notPng = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { ...headers, "x-api-key": fake.apiKey }, body: body(Buffer.from("GIF89a").toString("base64")) });
  expect(notPng.status).toBe(400);
  const noAuth = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers, body: body("") });
  expect(noAuth.status).toBe(401);
});
