// Small pure pieces: the per-token pacing, the token box, Notion id normalisation, error mapping.
import { expect, test } from "bun:test";
import { APIErrorCode, APIResponseError } from "@notionhq/client";
import { mapNotionError, NotionAuthError, NotionGoneError, NotionRateLimited, NotionValidationError } from "../../src/notion/client.ts";
import { NotionRateLimiter } from "../../src/notion/rate-limit.ts";
import { openToken, sealToken } from "../../src/notion/token-box.ts";
import { normaliseNotionId } from "../../src/services/notion/notion.ts";

test("the limiter spaces requests per token and a Retry-After pauses that token only", async () => {
  let now = 0;
  const slept: number[] = [];
  const l = new NotionRateLimiter(3, () => now, async (ms) => {
    slept.push(ms);
  });
  await l.acquire("a");
  await l.acquire("a");
  await l.acquire("a");
  expect(slept.map(Math.round)).toEqual([333, 667]);
  await l.acquire("b");
  expect(slept.length).toBe(2);
  now = 1000;
  l.pause("a", 2000);
  expect(l.delay("a")).toBe(2000);
  expect(l.delay("b")).toBe(0);
  await l.acquire("a");
  expect(slept.at(-1)).toBe(2000);
});

test("tokens are sealed with AES-GCM: other keys and other users cannot open them", async () => {
  const sealed = await sealToken("key-one", 7, "ntn_secret_value");
  expect(sealed.startsWith("v1.")).toBe(true);
  expect(sealed).not.toContain("ntn_secret_value");
  expect(await sealToken("key-one", 7, "ntn_secret_value")).not.toBe(sealed);
  expect(await openToken("key-one", 7, sealed)).toBe("ntn_secret_value");
  await expect(openToken("key-two", 7, sealed)).rejects.toThrow("cannot be decrypted");
  await expect(openToken("key-one", 8, sealed)).rejects.toThrow("cannot be decrypted");
});

test("Notion ids: dashed, undashed and page links", () => {
  const id = "0123456789abcdef0123456789abcdef";
  const dashed = "01234567-89ab-cdef-0123-456789abcdef";
  expect(normaliseNotionId(id)).toBe(dashed);
  expect(normaliseNotionId(dashed.toUpperCase())).toBe(dashed);
  expect(normaliseNotionId(`https://www.notion.so/My-Page-${id}?pvs=4`)).toBe(dashed);
  expect(() => normaliseNotionId("../etc/passwd")).toThrow();
});

test("API errors map to prefixed, typed errors", () => {
  const err = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    new APIResponseError({ code: code as APIErrorCode, status, message, headers: new Headers(headers), rawBodyText: "{}", additional_data: undefined, request_id: undefined } as never);
  expect(mapNotionError(err(401, "unauthorized", "API token is invalid."))).toBeInstanceOf(NotionAuthError);
  expect(mapNotionError(err(404, "object_not_found", "Could not find block"))).toBeInstanceOf(NotionGoneError);
  // The wording of a message is not a promise (2026-03-11 says "in the trash"): a 400 stays a
  // validation error here, and the client asks the object's `in_trash` (test/notion/trash-state.test.ts).
  expect(mapNotionError(err(400, "validation_error", "Can't edit block that is archived. You must unarchive the block before editing."))).toBeInstanceOf(NotionValidationError);
  const rl = mapNotionError(err(429, "rate_limited", "slow down", { "retry-after": "7" }));
  expect(rl).toBeInstanceOf(NotionRateLimited);
  expect((rl as NotionRateLimited).ms).toBe(7000);
  const v = mapNotionError(err(400, "validation_error", "body failed validation: body.children.length should be ≤ `100`, instead was `101`."));
  expect(v).toBeInstanceOf(NotionValidationError);
  expect(v.message.startsWith("notion: 400 validation_error")).toBe(true);
});
