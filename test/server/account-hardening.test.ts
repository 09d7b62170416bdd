// Accounts (issue 11, item 7e and 7g): a decided pairing request is visible only to the user who
// decided it (the agent follows its own with its secret); changing the password ends every other
// session and, when asked (form checkbox or API option), revokes every device token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession, createUser } from "../../src/services/accounts/accounts.ts";
import { createDeviceToken } from "../../src/services/accounts/tokens.ts";
import { addUser, call, harness, json, type Harness } from "../support/server-harness.ts";
import { req, session } from "../dashboard/support.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe("pairing status", () => {
  test("only the deciding user (and the agent, by its secret) can read a decided request", async () => {
    const alice = await addUser(h, "alice@example.com");
    const mallory = await addUser(h, "mallory@example.com");
    const p = await json(await call(h, "POST", "/api/v1/pairing", { json: { deviceName: "Alice's Mac" } }));
    // Pending: whoever holds the code may look at it in order to decide.
    expect((await call(h, "GET", `/api/v1/pairing/${p.code}`, { token: alice.token })).status).toBe(200);
    expect((await call(h, "POST", `/api/v1/pairing/${p.code}/approve`, { token: alice.token })).status).toBe(200);
    const mine = await call(h, "GET", `/api/v1/pairing/${p.code}`, { token: alice.token });
    expect(await json(mine)).toMatchObject({ status: "approved", deviceName: "Alice's Mac" });
    const theirs = await call(h, "GET", `/api/v1/pairing/${p.code}`, { token: mallory.token });
    expect(theirs.status).toBe(404);
    expect((await json(theirs)).error.code).toBe("pairing_not_found");
    // The dashboard views say the same.
    const m = session(h, mallory);
    const page = await req(h, m, "GET", `/pair?code=${p.code}`);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("Alice&#39;s Mac");
    const panel = await req(h, m, "GET", `/devices/pairing?code=${p.code}`, { htmx: true });
    expect(await panel.text()).not.toContain("Alice");
    // The agent still gets its token by its secret.
    expect(await json(await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p.code, secret: p.secret } }))).toMatchObject({ status: "approved" });
  });
});

describe("changing the password", () => {
  async function setUp(email: string) {
    const u = await createUser(h.ctx, email, "old password", false);
    const current = createSession(h.ctx, u.id);
    const other = createSession(h.ctx, u.id);
    const device = createDeviceToken(h.ctx, u.id, "Mac").token;
    return { u, current, other, device };
  }
  const me = (headers: Record<string, string>) => call(h, "GET", "/api/v1/auth/me", { headers });
  const cookie = (t: string) => ({ cookie: `rmirror_session=${t}` });

  test("API: the current session stays, other sessions end, device tokens stay unless asked", async () => {
    const { current, other, device } = await setUp("pw1@example.com");
    const res = await call(h, "POST", "/api/v1/auth/password", {
      headers: { ...cookie(current.sessionToken), "x-csrf-token": current.csrfToken },
      json: { current: "old password", password: "new password 1" },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, revokedDeviceTokens: 0 });
    expect((await me(cookie(current.sessionToken))).status).toBe(200);
    expect((await me(cookie(other.sessionToken))).status).toBe(401);
    expect((await call(h, "GET", "/api/v1/auth/me", { token: device })).status).toBe(200);
  });

  test("API: revokeDeviceTokens revokes every device token; a device token cannot change the password", async () => {
    const { current, device } = await setUp("pw2@example.com");
    const byToken = await call(h, "POST", "/api/v1/auth/password", { token: device, json: { current: "old password", password: "stolen password" } });
    expect(byToken.status).toBe(403);
    const res = await call(h, "POST", "/api/v1/auth/password", {
      headers: { ...cookie(current.sessionToken), "x-csrf-token": current.csrfToken },
      json: { current: "old password", password: "new password 2", revokeDeviceTokens: true },
    });
    expect(await json(res)).toEqual({ ok: true, revokedDeviceTokens: 1 });
    expect((await call(h, "GET", "/api/v1/auth/me", { token: device })).status).toBe(401);
    expect((await me(cookie(current.sessionToken))).status).toBe(200);
  });

  test("settings form: the checkbox revokes device tokens", async () => {
    const { u, device } = await setUp("pw3@example.com");
    const b = session(h, { id: u.id, email: u.email, token: "" });
    const form = await req(h, b, "GET", "/settings");
    expect(await form.text()).toContain('name="revoke_devices"');
    const res = await req(h, b, "POST", "/settings/password", { form: { csrf: b.csrf, current: "old password", password: "new password 3", revoke_devices: "1" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/settings?done=password-devices");
    expect((await call(h, "GET", "/api/v1/auth/me", { token: device })).status).toBe(401);
    expect((await req(h, b, "GET", "/settings")).status).toBe(200);
  });
});
