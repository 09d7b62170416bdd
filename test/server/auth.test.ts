// Accounts, sessions, CSRF, rate limiting, device tokens, pairing and the trusted-header mode.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { addUser, call, harness, json, type Harness } from "../support/server-harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const setCookie = (res: Response) => res.headers.get("set-cookie") ?? "";
const cookieOf = (res: Response) => setCookie(res).split(";")[0]!;

describe("first-run setup and password login", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ overrides: { loginMaxFailures: 3 } });
  });
  afterAll(() => h.close());

  test("setup creates the admin once; the HTML form escapes and redirects", async () => {
    const page = await call(h, "GET", "/setup");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/setup"');
    expect((await call(h, "POST", "/api/v1/setup", { json: { email: "bad", password: "longenough" } })).status).toBe(400);
    expect((await json(await call(h, "POST", "/api/v1/setup", { json: { email: "admin@example.com", password: "short" } }))).error.code).toBe("weak_password");
    const ok = await call(h, "POST", "/api/v1/setup", { json: { email: "Admin@Example.com", password: "correct horse" } });
    expect(ok.status).toBe(200);
    expect((await json(ok)).user).toMatchObject({ email: "admin@example.com", isAdmin: true });
    const again = await call(h, "POST", "/api/v1/setup", { json: { email: "evil@example.com", password: "correct horse" } });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("already_set_up");
    expect((await call(h, "GET", "/setup")).status).toBe(409);
  });

  test("login sets an HttpOnly SameSite cookie; cookie auth needs the CSRF header for writes", async () => {
    const res = await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "correct horse" } });
    expect(res.status).toBe(200);
    const sc = setCookie(res);
    expect(sc).toContain("rmirror_session=");
    expect(sc).toContain("HttpOnly");
    expect(sc).toContain("SameSite=Lax");
    const { csrfToken } = await json(res);
    const cookie = cookieOf(res);
    const me = await json(await call(h, "GET", "/api/v1/auth/me", { headers: { cookie } }));
    expect(me).toMatchObject({ via: "session", csrfToken, user: { email: "admin@example.com" } });
    // State-changing request without / with a wrong / with the right CSRF token.
    const noCsrf = await call(h, "POST", "/api/v1/tokens", { headers: { cookie }, json: { name: "laptop" } });
    expect(noCsrf.status).toBe(403);
    expect((await json(noCsrf)).error.code).toBe("csrf_failed");
    const wrong = await call(h, "POST", "/api/v1/tokens", { headers: { cookie, "x-csrf-token": "nope" }, json: { name: "laptop" } });
    expect(wrong.status).toBe(403);
    const created = await call(h, "POST", "/api/v1/tokens", { headers: { cookie, "x-csrf-token": csrfToken }, json: { name: "laptop" } });
    expect(created.status).toBe(201);
    // Logout ends the session.
    expect((await call(h, "POST", "/api/v1/auth/logout", { headers: { cookie, "x-csrf-token": csrfToken } })).status).toBe(200);
    expect((await call(h, "GET", "/api/v1/auth/me", { headers: { cookie } })).status).toBe(401);
  });

  test("failed logins are rate limited (429 with Retry-After); unknown emails look like wrong passwords", async () => {
    const unknown = await call(h, "POST", "/api/v1/auth/login", { json: { email: "nobody@example.com", password: "x" } });
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).error.code).toBe("invalid_credentials");
    for (let i = 0; i < 3; i++) {
      const r = await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "wrong password" } });
      expect((await json(r)).error.code).toBe("invalid_credentials");
    }
    // Third failure for this account from this client reached the limit: even the right password is refused now.
    const limited = await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "correct horse" } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await json(limited)).error.code).toBe("rate_limited");
    // The limit is per account and client, never per client alone (see test/server/login-limits.test.ts).
    h.ctx.loginGuard.pairs.reset("in-process\nadmin@example.com");
    expect((await call(h, "POST", "/api/v1/auth/login", { json: { email: "admin@example.com", password: "correct horse" } })).status).toBe(200);
  });

  test("the HTML login form logs in and only redirects to same-site paths", async () => {
    const form = new URLSearchParams({ email: "user2@example.com", password: "another pass", next: "//evil.example/x" });
    const { createUser } = await import("../../src/services/accounts/accounts.ts");
    await createUser(h.ctx, "user2@example.com", "another pass", false);
    const res = await call(h, "POST", "/login", { body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(setCookie(res)).toContain("HttpOnly");
    const cross = await call(h, "POST", "/login", { body: form, headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
  });
});

describe("device tokens and pairing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  test("tokens: shown once, stored hashed, named, listed with last-seen, revocable", async () => {
    const u = await addUser(h, "t@example.com");
    const res = await call(h, "POST", "/api/v1/tokens", { token: u.token, json: { name: "Mac" } });
    expect(res.status).toBe(201);
    const { token, record } = await json(res);
    expect(token).toStartWith("rmt_");
    expect(JSON.stringify(h.ctx.store.db.query("SELECT * FROM device_tokens").all())).not.toContain(token);
    await call(h, "GET", "/api/v1/auth/me", { token });
    const list = await json(await call(h, "GET", "/api/v1/tokens", { token: u.token }));
    const mine = list.tokens.find((t: any) => t.id === record.id);
    expect(mine).toMatchObject({ name: "Mac", revokedAt: null });
    expect(mine.lastSeenAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await call(h, "DELETE", `/api/v1/tokens/${record.id}`, { token: u.token })).status).toBe(200);
    const after = await call(h, "GET", "/api/v1/auth/me", { token });
    expect(after.status).toBe(401);
    expect((await json(after)).error.code).toBe("invalid_token");
    expect((await call(h, "POST", "/api/v1/tokens", { token: u.token, json: { name: "" } })).status).toBe(400);
  });

  test("pairing: agent starts, user approves in the browser with CSRF, agent receives its token once", async () => {
    const { createUser, createSession } = await import("../../src/services/accounts/accounts.ts");
    const user = await createUser(h.ctx, "pair@example.com", null, false);
    const start = await call(h, "POST", "/api/v1/pairing", { json: { deviceName: "Work <Mac>" } });
    expect(start.status).toBe(201);
    const p = await json(start);
    expect(p.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(p.approveUrl).toBe(`${h.ctx.config.publicUrl}/pair?code=${p.code}`);
    expect(await json(await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p.code, secret: p.secret } }))).toEqual({ status: "pending" });
    expect((await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p.code, secret: "wrong" } })).status).toBe(403);
    // Not logged in: the approval page sends the user to log in first.
    const anon = await call(h, "GET", `/pair?code=${p.code}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toStartWith("/login?next=");
    const s = createSession(h.ctx, user.id);
    const cookie = `rmirror_session=${s.sessionToken}`;
    const pageRes = await call(h, "GET", `/pair?code=${p.code}`, { headers: { cookie } });
    const html = await pageRes.text();
    expect(html).toMatch(/Work (&#60;|&lt;)Mac(&#62;|&gt;)/); // escaped (the dashboard layout escapes as &lt;)
    expect(html).not.toContain("<Mac>");
    expect(html).toContain(s.csrfToken);
    // The form post without the CSRF field is refused; with it, approved.
    const form = (extra: Record<string, string>) => new URLSearchParams({ code: p.code, decision: "approve", ...extra });
    const refused = await call(h, "POST", "/pair", { body: form({}), headers: { cookie, "content-type": "application/x-www-form-urlencoded" } });
    expect(refused.status).toBe(403);
    const approved = await call(h, "POST", "/pair", { body: form({ csrf: s.csrfToken }), headers: { cookie, "content-type": "application/x-www-form-urlencoded" } });
    expect(approved.status).toBe(200);
    const got = await json(await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p.code, secret: p.secret } }));
    expect(got).toMatchObject({ status: "approved", deviceName: "Work <Mac>" });
    expect((await json(await call(h, "GET", "/api/v1/auth/me", { token: got.token }))).user.email).toBe("pair@example.com");
    // Delivered once only.
    const twice = await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p.code, secret: p.secret } });
    expect(twice.status).toBe(409);
    // A denied request never yields a token.
    const p2 = await json(await call(h, "POST", "/api/v1/pairing", { json: { deviceName: "Other" } }));
    expect((await call(h, "POST", `/api/v1/pairing/${p2.code}/deny`, { headers: { cookie, "x-csrf-token": s.csrfToken } })).status).toBe(200);
    const denied = await call(h, "POST", "/api/v1/pairing/poll", { json: { code: p2.code, secret: p2.secret } });
    expect((await json(denied)).error.code).toBe("pairing_denied");
    expect((await call(h, "POST", `/api/v1/pairing/${p2.code}/approve`, { headers: { cookie, "x-csrf-token": s.csrfToken } })).status).toBe(409);
  });
});

describe("trusted Tailscale header (real port, loopback peer)", () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function serve(tailscaleAuth: boolean) {
    const dir = mkdtempSync(join(tmpdir(), "rmirror-ts-"));
    dirs.push(dir);
    const s = await startServer(
      loadConfig({ env: {}, overrides: { dataDir: dir, port: 0, tailscaleAuth, publicUrl: "https://rmirror.tailnet.ts.net", tailscaleUsers: "tailnet.user@example.com", tailscaleWhois: "off", logLevel: "silent" } }),
      { log: silentLogger, jobs: false },
    );
    servers.push(s);
    return s;
  }

  test("honoured only when enabled and from loopback: provisions an allow-listed login, CSRF still required for writes", async () => {
    const on = await serve(true);
    const headers = { "tailscale-user-login": "tailnet.user@example.com", host: "rmirror.tailnet.ts.net" };
    const me = await fetch(`${on.url}/api/v1/auth/me`, { headers });
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body).toMatchObject({ via: "tailscale", user: { email: "tailnet.user@example.com", isAdmin: true } });
    const noCsrf = await fetch(`${on.url}/api/v1/tokens`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ name: "x" }) });
    expect(noCsrf.status).toBe(403);
    const withCsrf = await fetch(`${on.url}/api/v1/tokens`, { method: "POST", headers: { ...headers, "content-type": "application/json", "x-csrf-token": body.csrfToken }, body: JSON.stringify({ name: "x" }) });
    expect(withCsrf.status).toBe(201);
    // In-process requests have no peer address: the header is not trusted.
    expect((await on.app.handle(new Request("http://localhost/api/v1/auth/me", { headers }))).status).toBe(401);
    // Mode off: ignored.
    const off = await serve(false);
    expect((await fetch(`${off.url}/api/v1/auth/me`, { headers })).status).toBe(401);
  });
});
