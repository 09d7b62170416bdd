// Bad input to the Notion routes and the OAuth callback: malformed JSON, wrong types, oversize
// fields, bad ids, missing or forged state and code, repeated parameters, very long query strings,
// tokens a fetch header cannot carry. Each gets a specific 4xx with a stable error code (the
// browser callback a redirect carrying that code), never a 500, and nothing is stored.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../src/services/accounts/accounts.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, call, json, uuid, type Harness, type TestUser } from "../support/server-harness.ts";
import { connectedUser, notionHarness } from "./support.ts";

let fake: FakeNotion;
let h: Harness;
let fresh: TestUser; // not connected
let ready: TestUser & { parent: string }; // connected, parent chosen
let session: { cookie: string; accept: string };

beforeAll(async () => {
  fake = startFakeNotion();
  h = await notionHarness(fake, { "notion.clientId": fake.oauth.clientId, "notion.clientSecret": fake.oauth.clientSecret });
  fresh = await addUser(h, "fresh@example.com");
  ready = await connectedUser(h, fake, "ready@example.com");
  session = { cookie: `rmirror_session=${createSession(h.ctx, fresh.id).sessionToken}`, accept: "application/json" };
});
afterAll(async () => {
  await h.close();
  fake.close();
});

const stored = () => h.ctx.store.db.query("SELECT (SELECT count(*) FROM notion_connections) AS c, (SELECT count(*) FROM jobs) AS j").get();

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected JSON ${status} ${code}, got ${res.status}: ${text.slice(0, 200)}`);
  }
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(text).not.toMatch(/at .*\.ts:\d+|SQLITE|stack|secret_/i); // no internals, no token echoed
}

type Case = [name: string, method: string, path: string, opts: { json?: unknown; body?: string; user?: "fresh" | "ready" | "none"; type?: string }, status: number, code: string];
const LONG = "x".repeat(100_000);
const cases: Case[] = [
  // POST /api/v1/notion/token
  ["token: malformed JSON", "POST", "/api/v1/notion/token", { body: '{"token": "secret_', type: "application/json" }, 400, "malformed_json"],
  ["token: JSON array", "POST", "/api/v1/notion/token", { json: ["secret_x"] }, 400, "invalid_request"],
  ["token: JSON null", "POST", "/api/v1/notion/token", { body: "null", type: "application/json" }, 400, "invalid_request"],
  ["token: number", "POST", "/api/v1/notion/token", { json: { token: 5 } }, 400, "invalid_request"],
  ["token: missing", "POST", "/api/v1/notion/token", { json: {} }, 400, "invalid_request"],
  ["token: empty", "POST", "/api/v1/notion/token", { json: { token: "" } }, 400, "invalid_request"],
  ["token: 501 characters", "POST", "/api/v1/notion/token", { json: { token: "s".repeat(501) } }, 400, "invalid_request"],
  ["token: 100 KB field (over the 64 KiB JSON body limit)", "POST", "/api/v1/notion/token", { json: { token: LONG } }, 413, "too_large"],
  ["token: too short", "POST", "/api/v1/notion/token", { json: { token: "secret_x" } }, 400, "notion_token_rejected"],
  ["token: with spaces", "POST", "/api/v1/notion/token", { json: { token: "secret_ abc def ghi jkl mno" } }, 400, "notion_token_rejected"],
  ["token: NUL inside (cannot be a header)", "POST", "/api/v1/notion/token", { json: { token: "secret_\u0000abcdefghijklmnopqrstuvwxyz" } }, 400, "notion_token_rejected"],
  ["token: non-Latin-1 (cannot be a header)", "POST", "/api/v1/notion/token", { json: { token: "secret_тестовыйтокен0123456789" } }, 400, "notion_token_rejected"],
  ["token: CRLF injection", "POST", "/api/v1/notion/token", { json: { token: "secret_abcdefghijklmnop\r\nX-Evil:1" } }, 400, "notion_token_rejected"],
  ["token: form body to the JSON route", "POST", "/api/v1/notion/token", { body: "token=secret_x", type: "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
  ["token: no auth", "POST", "/api/v1/notion/token", { json: { token: "secret_abcdefghijklmnopqrstuvwxyz" }, user: "none" }, 401, "unauthorized"],
  // GET /api/v1/notion/pages
  ["pages: q of 201 characters", "GET", `/api/v1/notion/pages?q=${"q".repeat(201)}`, { user: "ready" }, 400, "invalid_request"],
  ["pages: 100 KB query string", "GET", `/api/v1/notion/pages?q=${LONG}`, { user: "ready" }, 400, "invalid_request"],
  ["pages: not connected", "GET", "/api/v1/notion/pages", {}, 409, "notion_not_connected"],
  // PUT /api/v1/notion/parent
  ["parent: malformed JSON", "PUT", "/api/v1/notion/parent", { body: "{pageId:", type: "application/json", user: "ready" }, 400, "malformed_json"],
  ["parent: neither id", "PUT", "/api/v1/notion/parent", { json: {}, user: "ready" }, 400, "bad_request"],
  ["parent: both ids", "PUT", "/api/v1/notion/parent", { json: { pageId: "a".repeat(32), databaseId: "b".repeat(32) }, user: "ready" }, 400, "bad_request"],
  ["parent: id of wrong type", "PUT", "/api/v1/notion/parent", { json: { pageId: 12345 }, user: "ready" }, 400, "invalid_request"],
  ["parent: oversize id", "PUT", "/api/v1/notion/parent", { json: { pageId: "a".repeat(301) }, user: "ready" }, 400, "invalid_request"],
  ["parent: not an id", "PUT", "/api/v1/notion/parent", { json: { pageId: "not-an-id" }, user: "ready" }, 400, "bad_notion_id"],
  ["parent: path traversal", "PUT", "/api/v1/notion/parent", { json: { pageId: "../../../etc/passwd" }, user: "ready" }, 400, "bad_notion_id"],
  ["parent: javascript: URL", "PUT", "/api/v1/notion/parent", { json: { databaseId: "javascript:alert(1)" }, user: "ready" }, 400, "bad_notion_id"],
  ["parent: 31 hex digits", "PUT", "/api/v1/notion/parent", { json: { pageId: "a".repeat(31) }, user: "ready" }, 400, "bad_notion_id"],
  ["parent: not connected", "PUT", "/api/v1/notion/parent", { json: { pageId: "a".repeat(32) } }, 409, "notion_not_connected"],
  // documents
  ["document sync state: bad uuid", "GET", "/api/v1/notion/documents/not-a-uuid", { user: "ready" }, 400, "bad_uuid"],
  ["document sync state: encoded traversal", "GET", "/api/v1/notion/documents/..%2F..%2Fetc%2Fpasswd", { user: "ready" }, 400, "bad_uuid"],
  ["document sync state: 10 KB id", "GET", `/api/v1/notion/documents/${"a".repeat(10_000)}`, { user: "ready" }, 400, "bad_uuid"],
  ["document sync state: unknown", "GET", `/api/v1/notion/documents/${uuid()}`, { user: "ready" }, 404, "document_not_found"],
  ["document resync: bad uuid", "POST", "/api/v1/notion/documents/%00/sync", { user: "ready" }, 400, "bad_uuid"],
  ["document resync: unknown", "POST", `/api/v1/notion/documents/${uuid()}/sync`, { user: "ready" }, 404, "document_not_found"],
  // whole-library sync and disconnect when not connected
  ["sync: not connected", "POST", "/api/v1/notion/sync", {}, 409, "notion_not_connected"],
];

describe("Notion API routes", () => {
  for (const [name, method, path, o, status, code] of cases) {
    test(name, async () => {
      const before = stored();
      const user = o.user === "none" ? undefined : o.user === "ready" ? ready : fresh;
      const res = await call(h, method, path, {
        ...(user ? { token: user.token } : {}),
        ...(o.json !== undefined ? { json: o.json } : {}),
        ...(o.body !== undefined ? { body: o.body, headers: { "content-type": o.type ?? "text/plain" } } : {}),
      });
      await expectError(res, status, code);
      expect(stored()).toEqual(before);
    });
  }
});

describe("GET /notion/oauth/callback", () => {
  const cb = (qs: string, accept = "application/json") => call(h, "GET", `/notion/oauth/callback${qs}`, { headers: { cookie: session.cookie, accept } });
  const start = async () => {
    const r = await call(h, "GET", "/notion/oauth/start", { headers: session });
    expect(r.status).toBe(302);
    return new URL(r.headers.get("location")!).searchParams.get("state")!;
  };

  const refused: [string, string, number, string][] = [
    ["no state and no code", "", 400, "notion_bad_state"],
    ["a code but no state", "?code=abc", 400, "notion_bad_state"],
    ["an empty state", "?state=&code=abc", 400, "notion_bad_state"],
    ["a forged state", `?state=${"A".repeat(32)}&code=abc`, 400, "notion_bad_state"],
    ["a state of 301 characters", `?state=${"s".repeat(301)}&code=abc`, 400, "invalid_request"],
    ["a code of 1,001 characters", `?state=x&code=${"c".repeat(1001)}`, 400, "invalid_request"],
    ["a 100 KB query string", `?state=x&code=abc&junk=${LONG}`, 400, "notion_bad_state"],
    ["a 100 KB error", `?error=${LONG}`, 400, "invalid_request"],
    ["percent-encoding gone wrong", "?state=%E0%A4%A&code=%ZZ", 400, "notion_bad_state"],
    ["NUL and CRLF in the state", "?state=%00%0d%0aSet-Cookie:x=1&code=abc", 400, "notion_bad_state"],
  ];
  for (const [name, qs, status, code] of refused) {
    test(`refuses ${name}`, async () => {
      const before = stored();
      await expectError(await cb(qs), status, code);
      expect(stored()).toEqual(before);
    });
  }

  test("a repeated state parameter is a clear 4xx, not a 500", async () => {
    const state = await start();
    const res = await cb(`?state=${state}&state=${state}&code=abc`);
    expect(res.status).toBe(400);
    expect(["invalid_request", "notion_bad_state", "notion_token_rejected"]).toContain((await json(res)).error.code);
  });

  test("a valid state without a code, and a valid state with Notion's error, are clear 400s (the state is used up)", async () => {
    let state = await start();
    await expectError(await cb(`?state=${state}`), 400, "bad_request");
    await expectError(await cb(`?state=${state}&code=abc`), 400, "notion_bad_state"); // single use
    state = await start();
    const res = await cb(`?state=${state}&error=access_denied%3Cscript%3E`);
    expect(res.headers.get("content-type")).toContain("application/json"); // the echoed error is data, never HTML
    await expectError(res, 400, "notion_token_rejected");
  });

  test("a valid state with a code Notion refuses (including junk bytes) is a 400 notion_token_rejected", async () => {
    for (const code of ["unknown-code", "%00%01%02", "%F0%9F%98%80".repeat(50)]) {
      const state = await start();
      await expectError(await cb(`?state=${state}&code=${code}`), 400, "notion_token_rejected");
    }
    expect(h.ctx.store.notionConnectionByUser(fresh.id)).toBeFalsy();
  });

  test("a browser gets a redirect to the settings page carrying only the stable code", async () => {
    for (const qs of ["", "?state=forged&code=abc", `?state=x&error=${encodeURIComponent('"><script>alert(1)</script>')}`]) {
      const res = await cb(qs, "text/html");
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/settings\/notion\?error=[a-z_]+$/);
    }
    const page = await call(h, "GET", "/settings/notion?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E", { headers: { cookie: session.cookie, accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("<script>alert(1)");
  });
});

describe("the settings forms", () => {
  const form = (path: string, body: string, csrf = true) => {
    const s = createSession(h.ctx, fresh.id);
    return call(h, "POST", path, { body: csrf ? `csrf=${encodeURIComponent(s.csrfToken)}&${body}` : body, headers: { cookie: `rmirror_session=${s.sessionToken}`, "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
  };
  test("junk, oversize and malformed form bodies re-show the page with a 4xx, never a 500", async () => {
    const bodies = ["token=", "token=secret_x", `token=${"t".repeat(100_000)}`, "token=%ZZ%", "token[]=a&token[]=b", "pageId=../../etc", `pageId=${"9".repeat(5000)}`, "%%%", ""];
    for (const [path, body] of bodies.flatMap((b) => ["/settings/notion/token", "/settings/notion/parent"].map((p) => [p, b] as const))) {
      const before = stored();
      const res = await form(path, body);
      expect({ path, body: body.slice(0, 40), ok: res.status >= 400 && res.status < 500 }).toEqual({ path, body: body.slice(0, 40), ok: true });
      expect(stored()).toEqual(before);
    }
  });
  test("a missing CSRF token is refused", async () => {
    const res = await form("/settings/notion/token", "token=secret_abcdefghijklmnopqrstuvwxyz", false);
    expect(res.status).toBe(403);
  });
});
