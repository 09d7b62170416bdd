// Issue 11 items 3, 5 and 6, in process: JSON routes take application/json from this site only
// (no login/setup CSRF), anonymous bodies are never read, limits on bytes, depth and item counts
// apply before validation. The real-server halves (memory, /healthz meanwhile) are in
// request-edges-serve.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { needsSetup } from "../../src/services/accounts/accounts.ts";
import { MAX_DOCUMENT_PAGES } from "../../src/services/library/sync.ts";
import { BODY_LIMITS } from "../../src/server/body.ts";
import { addUser, buildDoc, call, harness, json, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

async function expectError(res: Response, status: number, code: string) {
  const body = await json(res);
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

/** A body of `chunks` × 1 MiB that counts how many chunks the server pulled (pulled lazily: highWaterMark 0). */
function countingBody(chunks: number, fill = 0x20) {
  const chunk = new Uint8Array(1024 * 1024).fill(fill);
  const seen = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (seen.pulled >= chunks) return c.close();
        seen.pulled++;
        c.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

describe("item 3: login and setup CSRF", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  test("a cross-site form post to /api/v1/setup cannot create the admin of a fresh server", async () => {
    const body = form({ email: "attacker@evil.example", password: "attacker password" });
    const res = await call(h, "POST", "/api/v1/setup", { body, headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" } });
    await expectError(res, 415, "unsupported_media_type");
    // Even without an Origin header (older browsers, privacy extensions), form bodies are refused.
    await expectError(await call(h, "POST", "/api/v1/setup", { body, headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type");
    await expectError(await call(h, "POST", "/api/v1/setup", { body: JSON.stringify({ email: "a@evil.example", password: "attacker password" }), headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    // JSON from another site (a browser would preflight, but never rely on that) is refused too.
    await expectError(await call(h, "POST", "/api/v1/setup", { json: { email: "a@evil.example", password: "attacker password" }, headers: { origin: "https://evil.example" } }), 403, "cross_site");
    await expectError(await call(h, "POST", "/api/v1/setup", { json: { email: "a@evil.example", password: "attacker password" }, headers: { origin: "null" } }), 403, "cross_site");
    expect(needsSetup(h.ctx)).toBe(true);
    // The real setup from this site (and from curl, no Origin) still works.
    const ok = await call(h, "POST", "/api/v1/setup", { json: { email: "admin@example.com", password: "correct horse" }, headers: { origin: "http://localhost" } });
    expect(ok.status).toBe(200);
  });

  test("a cross-site form post to /api/v1/auth/login sets no session", async () => {
    const body = form({ email: "admin@example.com", password: "correct horse" });
    const res = await call(h, "POST", "/api/v1/auth/login", { body, headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" } });
    await expectError(res, 415, "unsupported_media_type");
    expect(res.headers.get("set-cookie")).toBeNull();
    const multipart = new FormData();
    multipart.set("email", "admin@example.com");
    multipart.set("password", "correct horse");
    const mp = await call(h, "POST", "/api/v1/auth/login", { body: multipart });
    await expectError(mp, 415, "unsupported_media_type");
    const cross = await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "correct horse" }, headers: { origin: "https://evil.example" } });
    await expectError(cross, 403, "cross_site");
    expect(cross.headers.get("set-cookie")).toBeNull();
    // application/json with a charset parameter, from this site, logs in.
    const ok = await call(h, "POST", "/api/v1/auth/login", { body: JSON.stringify({ email: "admin@example.com", password: "correct horse" }), headers: { "content-type": "application/json; charset=utf-8", origin: "http://localhost" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toContain("rmirror_session=");
  });

  test("the configured public URL counts as this site (behind a proxy the Host differs)", async () => {
    const res = await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "correct horse" }, headers: { origin: h.ctx.config.publicUrl } });
    expect(res.status).toBe(200);
  });

  test("agents (device tokens, no cookies, no Origin) keep working: JSON sync, DELETE without a body, raw blobs", async () => {
    const u = await addUser(h, "agent@example.com");
    const d = buildDoc([new Uint8Array([1, 2, 3])]);
    const put = await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: u.token, json: d.input });
    expect(put.status).toBe(200);
    const [sha] = (await json(put)).missing as string[];
    const blob = await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: u.token, body: d.blobs.get(sha!)! as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/octet-stream" } });
    expect(blob.status).toBe(200);
    const batch = await call(h, "PUT", "/api/v1/documents", { token: u.token, json: { documents: [{ uuid: d.uuid, ...d.input }] } });
    expect(batch.status).toBe(200);
    expect((await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: u.token })).status).toBe(200);
    // A JSON route still refuses a form body even with a valid token.
    await expectError(await call(h, "POST", "/api/v1/tokens", { token: u.token, body: form({ name: "x" }), headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type");
  });
});

describe("item 5: nothing is read from an anonymous caller; per-route byte limits", () => {
  let h: Harness;
  let u: TestUser;
  beforeAll(async () => {
    h = await harness();
    u = await addUser(h, "u@example.com");
  });
  afterAll(() => h.close());

  for (const [method, path] of [
    ["PUT", `/api/v1/documents/${crypto.randomUUID()}`],
    ["PUT", "/api/v1/documents"],
    ["POST", "/api/v1/tokens"],
    ["PUT", "/api/v1/quota/default"],
    ["POST", "/api/v1/notion/token"],
    ["PUT", `/api/v1/blobs/${"a".repeat(64)}`],
    ["POST", "/api/v1/auth/password"],
    ["POST", "/api/v1/import"],
  ] as const) {
    test(`${method} ${path.replace(/[0-9a-f-]{36}|a{64}/, ":id")} without credentials: 401, body not read`, async () => {
      const { stream, seen } = countingBody(64);
      const res = await h.app.handle(new Request(`http://localhost${path}`, { method, headers: { "content-type": "application/json" }, body: stream }));
      await expectError(res, 401, "unauthorized");
      expect(seen.pulled).toBe(0);
    });
  }

  test("a bad device token is refused before the body too", async () => {
    const { stream, seen } = countingBody(64);
    const res = await h.app.handle(new Request(`http://localhost/api/v1/documents/${uuid()}`, { method: "PUT", headers: { "content-type": "application/json", authorization: "Bearer rmt_nope" }, body: stream }));
    await expectError(res, 401, "invalid_token");
    expect(seen.pulled).toBe(0);
  });

  test("a non-admin is refused before the body of an admin route", async () => {
    const { stream, seen } = countingBody(8);
    const res = await h.app.handle(new Request("http://localhost/api/v1/quota/default", { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${u.token}` }, body: stream }));
    await expectError(res, 403, "forbidden");
    expect(seen.pulled).toBe(0);
  });

  test("anonymous JSON routes (login, setup, pairing) read at most their small limit", async () => {
    for (const path of ["/api/v1/auth/login", "/api/v1/setup", "/api/v1/pairing", "/api/v1/pairing/poll"]) {
      const { stream, seen } = countingBody(64);
      const res = await h.app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: stream }));
      await expectError(res, 413, "too_large");
      expect(seen.pulled).toBeLessThanOrEqual(1); // one 1 MiB chunk crosses the 64 KiB limit
    }
  });

  test("a declared Content-Length over the limit is refused without reading", async () => {
    const { stream, seen } = countingBody(16);
    const res = await h.app.handle(
      new Request("http://localhost/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json", "content-length": String(16 * 1024 * 1024) }, body: stream }),
    );
    await expectError(res, 413, "too_large");
    expect(seen.pulled).toBe(0);
  });

  test("an authenticated sync body over its limit stops at the limit (413), not at the end", async () => {
    const { stream, seen } = countingBody(64);
    const res = await h.app.handle(new Request(`http://localhost/api/v1/documents/${uuid()}`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${u.token}` }, body: stream }));
    await expectError(res, 413, "too_large");
    expect(seen.pulled).toBeLessThanOrEqual(BODY_LIMITS.syncJsonBytes / (1024 * 1024) + 1);
  });

  test("dashboard forms behind the login read nothing from a caller who is not signed in", async () => {
    for (const path of ["/settings/password", "/devices/tokens", "/settings/notion/token", "/pair"]) {
      const { stream, seen } = countingBody(64);
      const res = await h.app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream }));
      expect([303, 401]).toContain(res.status);
      expect(seen.pulled).toBe(0);
    }
  });

  test("a signed-in form post is read, within its limit", async () => {
    const { createSession } = await import("../../src/services/accounts/accounts.ts");
    const s = createSession(h.ctx, u.id);
    const cookie = `rmirror_session=${s.sessionToken}`;
    const ok = await call(h, "POST", "/devices/tokens", { body: form({ name: "laptop", csrf: s.csrfToken }), headers: { cookie, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" } });
    expect(ok.status).toBe(201);
    expect(await ok.text()).toContain("rmt_");
    const { stream, seen } = countingBody(64);
    const big = await h.app.handle(new Request("http://localhost/devices/tokens", { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: stream }));
    expect(big.status).toBe(413);
    expect(seen.pulled).toBeLessThanOrEqual(1);
  });

  test("dashboard forms are capped too", async () => {
    const { stream, seen } = countingBody(64);
    const res = await h.app.handle(new Request("http://localhost/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream }));
    await expectError(res, 413, "too_large");
    expect(seen.pulled).toBeLessThanOrEqual(1);
  });
});

describe("item 6: depth, size and item counts are capped before validation", () => {
  let h: Harness;
  let u: TestUser;
  beforeAll(async () => {
    h = await harness();
    u = await addUser(h, "deep@example.com");
  });
  afterAll(() => h.close());

  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

  test("JSON nested 200,000 deep gets json_too_deep, on a sync route and on an anonymous one", async () => {
    const body = `{"metadata":${deep(200_000)}}`;
    const res = await call(h, "PUT", `/api/v1/documents/${uuid()}`, { token: u.token, body, headers: { "content-type": "application/json" } });
    await expectError(res, 400, "json_too_deep");
    const login = await call(h, "POST", "/api/v1/auth/login", { body: `{"email":${deep(20_000)}}`, headers: { "content-type": "application/json" } });
    await expectError(login, 400, "json_too_deep");
    // Brackets inside strings are text, not nesting.
    const named = buildDoc([], { name: "[".repeat(900) + "{".repeat(100) });
    expect((await call(h, "PUT", `/api/v1/documents/${named.uuid}`, { token: u.token, json: named.input })).status).toBe(200);
    // A string with escaped quotes does not confuse the scan.
    const tricky = buildDoc([], { name: '\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' });
    expect((await call(h, "PUT", `/api/v1/documents/${tricky.uuid}`, { token: u.token, json: tricky.input })).status).toBe(200);
  });

  test("more pages than allowed in one document: too_many_pages (413), nothing stored", async () => {
    const id = uuid();
    const pages = Array.from({ length: MAX_DOCUMENT_PAGES + 1 }, (_, i) => ({ id: `p${i}`, idx: i, sha256: null, size: 0 }));
    const res = await call(h, "PUT", `/api/v1/documents/${id}`, { token: u.token, json: { metadata: { visibleName: "huge", type: "DocumentType", parent: "" }, pages } });
    const body = await json(res);
    expect({ status: res.status, code: body.error.code, max: body.error.details.max }).toEqual({ status: 413, code: "too_many_pages", max: MAX_DOCUMENT_PAGES });
    expect(h.ctx.store.documentByUuid(u.id, id)).toBeNull();
  });

  test("in a batch, the over-cap document fails alone", async () => {
    const ok = buildDoc([null]);
    const big = uuid();
    const pages = Array.from({ length: MAX_DOCUMENT_PAGES + 1 }, (_, i) => ({ id: `p${i}`, idx: i, sha256: null, size: 0 }));
    const res = await call(h, "PUT", "/api/v1/documents", {
      token: u.token,
      json: { documents: [{ uuid: big, metadata: { visibleName: "huge", type: "DocumentType", parent: "" }, pages }, { uuid: ok.uuid, ...ok.input }] },
    });
    expect(res.status).toBe(200);
    const { results } = await json(res);
    expect(results[0]).toMatchObject({ ok: false, uuid: big, error: { code: "too_many_pages" } });
    expect(results[1]).toMatchObject({ ok: true, uuid: ok.uuid });
  });

  test("a document at the cap is accepted", async () => {
    const id = uuid();
    const pages = Array.from({ length: MAX_DOCUMENT_PAGES }, (_, i) => ({ id: `p${i}`, idx: i, sha256: null, size: 0 }));
    const res = await call(h, "PUT", `/api/v1/documents/${id}`, { token: u.token, json: { metadata: { visibleName: "big", type: "DocumentType", parent: "" }, pages } });
    expect(res.status).toBe(200);
    expect((await json(res)).pages.total).toBe(MAX_DOCUMENT_PAGES);
  });
});
