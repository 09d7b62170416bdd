// OAuth connections keep Notion's rotating refresh token (sealed like the access token) and answer
// a 401 with one refresh and one retry before declaring the connection revoked. The fake issues
// refresh tokens, expires access tokens (401 unauthorized), rotates refresh tokens and refuses a
// used one, as Notion does.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { createSession } from "../../src/services/accounts/accounts.ts";
import { refreshNotionToken, tokenKeyMaterial } from "../../src/services/notion/notion-tokens.ts";
import { openToken } from "../../src/notion/token-box.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, call, json, type Harness } from "../support/server-harness.ts";
import { expectRevoked, notebook, notionHarness, notionPageOf, setPageText, status } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const oauthHarness = () => notionHarness(fake, { "notion.clientId": fake.oauth.clientId, "notion.clientSecret": fake.oauth.clientSecret });

/** Connect through the real OAuth routes, choose a parent page, let the first sync run. */
async function connectOauth(h: Harness, email: string) {
  const u = await addUser(h, email);
  const s = createSession(h.ctx, u.id);
  const headers = { cookie: `rmirror_session=${s.sessionToken}`, accept: "application/json", "x-csrf-token": s.csrfToken };
  const start = await call(h, "GET", "/notion/oauth/start", { headers });
  const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
  const access = `ntn_first_access_${crypto.randomUUID().replace(/-/g, "")}`;
  fake.oauth.codes.set(`code-${email}`, { token: access, workspaceName: "Acme" });
  const cb = await call(h, "GET", `/notion/oauth/callback?code=code-${email}&state=${state}`, { headers });
  expect(cb.status).toBe(200);
  const parent = fake.addSharedPage(`Home of ${email}`);
  expect((await call(h, "PUT", "/api/v1/notion/parent", { headers, json: { pageId: parent } })).status).toBe(200);
  await h.runner.idle();
  return { ...u, access };
}

const refreshRequests = () => fake.requests.filter((r) => r.path === "/v1/oauth/token" && r.body?.grant_type === "refresh_token");

test("the refresh token is kept sealed; an expired access token is refreshed (HTTP Basic), the rotated pair stored, the request retried", async () => {
  const h = await oauthHarness();
  try {
    const u = await connectOauth(h, "refresh@example.com");
    const row = h.ctx.store.notionConnectionByUser(u.id)!;
    const issued = [...fake.oauth.refresh.keys()];
    expect(issued.length).toBe(1);
    expect(row.refresh_token_enc?.startsWith("v1.")).toBe(true);
    expect(row.refresh_token_enc).not.toContain(issued[0]!);
    expect(await openToken(tokenKeyMaterial(h.ctx), u.id, row.refresh_token_enc!, "refresh")).toBe(issued[0]!);
    // Sealed for its own purpose: the access-token slot does not open it, nor another user's.
    await expect(openToken(tokenKeyMaterial(h.ctx), u.id, row.refresh_token_enc!)).rejects.toThrow("cannot be decrypted");
    await expect(openToken(tokenKeyMaterial(h.ctx), u.id + 1, row.refresh_token_enc!, "refresh")).rejects.toThrow("cannot be decrypted");
    h.ctx.store.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    for (const f of [h.ctx.config.dbPath, `${h.ctx.config.dbPath}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(issued[0]!))).toBe(false);

    // The access token expires; the next sync refreshes once and carries on.
    const d = await notebook(h, u, "After expiry", 1);
    await h.runner.idle();
    fake.expireAccessTokens();
    fake.requests.length = 0;
    setPageText(h, u.id, d, 0, "written after the token expired");
    await h.runner.idle();
    expect((await status(h, u)).connection).toMatchObject({ status: "ready", lastError: null });
    expect(fake.tree(notionPageOf(h, u.id, d.uuid)).map((b) => b.text)).toEqual(["Page 1", "written after the token expired"]);
    const refreshes = refreshRequests();
    expect(refreshes.length).toBe(1);
    expect(refreshes[0]!.body.refresh_token).toBe(issued[0]!);
    expect(fake.requests.some((r) => r.status === 401 && r.token === u.access)).toBe(true);
    // The rotated pair is what is stored now; the old refresh token is spent.
    expect(fake.oauth.usedRefresh.has(issued[0]!)).toBe(true);
    const now = h.ctx.store.notionConnectionByUser(u.id)!;
    const [rotated] = [...fake.oauth.refresh.keys()];
    expect(await openToken(tokenKeyMaterial(h.ctx), u.id, now.refresh_token_enc!, "refresh")).toBe(rotated!);
    const newAccess = await openToken(tokenKeyMaterial(h.ctx), u.id, now.token_enc);
    expect(newAccess).not.toBe(u.access);
    expect(fake.tokens.has(newAccess)).toBe(true);

    // It expires again: the stored (rotated) refresh token works, the job does not fail.
    fake.expireAccessTokens();
    fake.requests.length = 0;
    setPageText(h, u.id, d, 0, "and again");
    await h.runner.idle();
    expect(refreshRequests().map((r) => r.body.refresh_token)).toEqual([rotated!]);
    expect(refreshRequests().every((r) => r.status === 200)).toBe(true);
    expect(fake.tree(notionPageOf(h, u.id, d.uuid)).map((b) => b.text)).toEqual(["Page 1", "and again"]);
    expect((await status(h, u)).connection.status).toBe("ready");
    // The dashboard's page list refreshes the same way.
    fake.expireAccessTokens();
    const pages = await call(h, "GET", "/api/v1/notion/pages", { token: u.token });
    expect(pages.status).toBe(200);
    expect((await json(pages)).pages.map((p: any) => p.title)).toContain("Home of refresh@example.com");
  } finally {
    await h.close();
  }
});

test("a refresh token Notion refuses (access removed) makes the connection revoked, after exactly one refresh attempt", async () => {
  const h = await oauthHarness();
  try {
    const u = await connectOauth(h, "gone@example.com");
    const d = await notebook(h, u, "Doomed", 1);
    await h.runner.idle();
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    fake.requests.length = 0;
    setPageText(h, u.id, d, 0, "text");
    await h.runner.idle();
    await expectRevoked(h, u);
    expect(refreshRequests().length).toBe(1);
    expect(refreshRequests()[0]!.status).toBe(400);
  } finally {
    await h.close();
  }
});

test("concurrent 401s spend the rotating refresh token once; a request holding the replaced token takes the stored one", async () => {
  const h = await oauthHarness();
  try {
    const u = await connectOauth(h, "race@example.com");
    fake.expireAccessTokens();
    fake.requests.length = 0;
    // Three requests that met the 401 with the same stale token at once.
    const got = await Promise.all([1, 2, 3].map(() => refreshNotionToken(h.ctx, u.id, u.access)));
    expect(new Set(got).size).toBe(1);
    expect(got[0]).not.toBeNull();
    expect(refreshRequests().length).toBe(1);
    // Later, another request that still held the old token: no second refresh, the stored token.
    expect(await refreshNotionToken(h.ctx, u.id, u.access)).toBe(got[0]!);
    expect(refreshRequests().length).toBe(1);
    expect((await status(h, u)).connection.status).toBe("ready");
  } finally {
    await h.close();
  }
});

test("internal integration tokens have no refresh: a 401 is revoked at once, no refresh request is sent", async () => {
  const h = await oauthHarness();
  const token = "secret_internal_no_refresh_0123456789abcdef";
  fake.tokens.add(token);
  try {
    const u = await addUser(h, "internal@example.com");
    expect((await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token } })).status).toBe(200);
    expect(h.ctx.store.notionConnectionByUser(u.id)!.refresh_token_enc).toBeNull();
    const parent = fake.addSharedPage("Home");
    await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { pageId: parent } });
    await h.runner.idle();
    fake.tokens.delete(token);
    const d = await notebook(h, u, "x", 1);
    await h.runner.idle();
    await expectRevoked(h, u);
    expect(refreshRequests().length).toBe(0);
    expect(d.uuid).toBeTruthy();
  } finally {
    await h.close();
  }
});
