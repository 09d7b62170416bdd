// In a real Chromium against a real `rmirror serve`: first-run setup creates the admin through
// the form, the login form works (and refuses a wrong password), logout, adding a user and what
// that user may see, changing a password; then the Devices screen:
// a device token is created (shown once) and revoked, and an agent is paired by its code.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { ADMIN, Dashboard, describeBrowser, login, T } from "./harness.ts";

const READER = { email: "reader@example.com", password: "reader password 1" };

describeBrowser("browser: first run and login", () => {
  const d = new Dashboard({ admin: false });

  beforeAll(async () => {
    await d.start();
  }, T);
  afterAll(() => d.teardown(), T);
  afterEach(() => d?.endTest(), T);

  test("first-run setup creates the admin through the form", async () => {
    const page = await d.newPage();
    await page.goto("/login");
    // No user yet: the login page sends the visitor to setup.
    await page.waitForURL((u) => u.pathname === "/setup");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await Promise.all([page.waitForURL((u) => u.pathname === "/login"), page.getByRole("button", { name: /create/i }).click()]);
    const users = await d.session();
    expect(users.userId).toBeGreaterThan(0);
    // Setup is closed now.
    const again = await page.goto("/setup");
    expect(again?.status()).toBe(409);
  }, T);

  test("a wrong password is refused with a message, the right one logs in", async () => {
    const page = await d.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: /log in/i }).click();
    await page.getByText(/invalid|incorrect|wrong/i).first().waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await login(page);
    expect(new URL(page.url()).pathname).not.toBe("/login");
    const cookies = await page.context().cookies();
    expect(cookies.some((c) => c.httpOnly)).toBe(true);
    // Log out from the header; the dashboard then sends the visitor back to the login form.
    await page.goto("/");
    await Promise.all([page.waitForURL((u) => u.pathname === "/login"), page.getByRole("button", { name: /log out/i }).click()]);
    await page.goto("/quota");
    await page.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === "/quota");
    // Logging in from there returns to the page asked for.
    await login(page, ADMIN, true);
    expect(new URL(page.url()).pathname).toBe("/quota");
  }, T);

  test("the admin adds a user in Settings; that user sees only their own (empty) library, no admin tools", async () => {
    const admin = await d.newPage();
    await login(admin);
    await admin.goto("/settings");
    const form = admin.locator("#add-user-form");
    await form.getByLabel("Email").fill(READER.email);
    await form.getByLabel(/^Password/).fill(READER.password);
    await Promise.all([admin.waitForURL((u) => u.pathname === "/settings"), form.getByRole("button", { name: "Add user" }).click()]);
    await admin.locator("#users tr[data-user-id]", { hasText: READER.email }).waitFor();

    const reader = await d.newPage();
    await login(reader, READER);
    await reader.goto("/");
    await reader.locator("#empty-library").waitFor();
    expect(await reader.locator('nav[aria-label="Main"] a[data-nav="admin"]').count()).toBe(0);
    await reader.goto("/settings");
    expect(await reader.locator("#admin").count()).toBe(0);
    // An admin-only form post is refused for them.
    const csrf = await reader.locator('#password-form input[name="csrf"]').inputValue();
    const res = await reader.request.post("/settings/quota", { form: { csrf, limit: "unlimited" }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
  }, T);

  test("changing the password signs out every other session; the new password works", async () => {
    const a = await d.newPage();
    await login(a, READER);
    const b = await d.newPage();
    await login(b, READER);
    await a.goto("/settings");
    const form = a.locator("#password-form");
    await form.getByLabel("Current password").fill(READER.password);
    await form.getByLabel(/^New password/).fill("a brand new secret");
    expect(await form.getByLabel(/revoke every device token/).isChecked()).toBe(false);
    await Promise.all([a.waitForURL((u) => u.pathname === "/settings" && u.search === "?done=password"), form.getByRole("button", { name: "Change password" }).click()]);
    // This session stays; the other one is gone.
    await a.goto("/quota");
    expect(new URL(a.url()).pathname).toBe("/quota");
    await b.goto("/quota");
    await b.waitForURL((u) => u.pathname === "/login");
    await login(b, { email: READER.email, password: "a brand new secret" }, true);
    expect(new URL(b.url()).pathname).toBe("/quota");
  }, T);
});

describeBrowser("browser: devices (tokens, pairing)", () => {
  const d = new Dashboard();

  beforeAll(async () => {
    await d.start();
  }, T);
  afterAll(() => d.teardown(), T);
  afterEach(() => d?.endTest(), T);

  test("create a device token (shown once, works for the API) and revoke it", async () => {
    const page = await d.loggedInPage();
    await page.goto("/devices");
    const tokens = page.locator("#tokens");
    await tokens.waitFor();
    const before = await tokens.locator("tr[data-token-id]").count();

    await page.locator("#new-token-form").getByLabel(/name/i).fill("Kitchen laptop");
    await page.locator("#new-token-form").getByRole("button", { name: /create/i }).click();
    const shown = page.locator("#new-token");
    await shown.waitFor();
    const value = (await shown.locator("code, input, output").first().evaluate((el) => (el instanceof HTMLInputElement ? el.value : el.textContent ?? ""))).trim();
    expect(value.length).toBeGreaterThanOrEqual(20);
    // It is a real token: the API accepts it.
    const me = await fetch(`${d.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${value}` } });
    expect(me.status).toBe(200);

    const row = tokens.locator("tr[data-token-id]", { hasText: "Kitchen laptop" });
    await row.waitFor();
    expect(await tokens.locator("tr[data-token-id]").count()).toBe(before + 1);

    // Shown once: after a reload the value is nowhere on the page.
    await page.reload();
    await page.locator("#tokens").waitFor();
    expect(await page.content()).not.toContain(value);

    // Revoke (confirm dialogs are accepted).
    page.on("dialog", (dlg) => dlg.accept());
    const again = page.locator("#tokens tr[data-token-id]", { hasText: "Kitchen laptop" });
    await again.getByRole("button", { name: /revoke/i }).click();
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll("#tokens tr[data-token-id]")).filter((r) => r.textContent?.includes("Kitchen laptop"));
      return rows.length === 0 || rows.every((r) => /revoked/i.test(r.textContent ?? "") && !r.querySelector("button"));
    });
    const after = await fetch(`${d.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${value}` } });
    expect(after.status).toBe(401);
  }, T);

  test("an htmx action after the session ended sends the browser to the login form", async () => {
    const page = await d.loggedInPage();
    await page.goto("/devices");
    await page.context().clearCookies(); // the session expired or was ended elsewhere
    await page.locator("#new-token-form").getByLabel(/name/i).fill("Too late");
    await page.locator("#new-token-form").getByRole("button", { name: /create/i }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    const list = await d.api("GET", "/api/v1/tokens");
    expect(JSON.stringify(list.body)).not.toContain("Too late");
  }, T);

  test("a page on another port of the same host (same site, other origin) cannot act for the user (CSRF)", async () => {
    const target = d.url;
    const evil = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(
          `<!doctype html><title>evil</title>
<form id="f" method="post" action="${target}/settings/quota"><input name="limit" value="unlimited"></form>
<script>
  const body = new URLSearchParams({ name: "Planted by evil" });
  fetch(${JSON.stringify(target)} + "/devices/tokens", { method: "POST", credentials: "include", body, mode: "no-cors" })
    .finally(() => document.getElementById("f").submit());
</script>`,
          { headers: { "content-type": "text/html" } },
        ),
    });
    try {
      const page = await d.loggedInPage();
      await page.goto("/devices"); // a live session cookie in this browser
      const before = (await d.api("GET", "/api/v1/quota")).body.quota.limit;
      const refused = page.waitForResponse((r) => r.url() === `${target}/settings/quota`);
      await page.goto(`http://127.0.0.1:${evil.port}/`);
      expect((await refused).status()).toBe(403);
      expect((await d.api("GET", "/api/v1/quota")).body.quota.limit).toBe(before);
      expect(JSON.stringify((await d.api("GET", "/api/v1/tokens")).body)).not.toContain("Planted by evil");
    } finally {
      evil.stop(true);
    }
  }, T);

  test("an agent asks to pair; the user enters its code on Devices and approves; the agent gets a token", async () => {
    // What `rmirror agent login` does: ask for a code, then poll with the secret.
    const start = await fetch(`${d.url}/api/v1/pairing`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceName: "Studio Mac" }) });
    expect(start.status).toBe(201);
    const { code, secret } = (await start.json()) as { code: string; secret: string };
    const poll = async () =>
      (await (await fetch(`${d.url}/api/v1/pairing/poll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, secret }) })).json()) as {
        status: string;
        token?: string;
      };
    expect((await poll()).status).toBe("pending");

    const page = await d.loggedInPage();
    await page.goto("/devices");
    await page.getByLabel("Pairing code").fill(code);
    await page.getByRole("button", { name: "Look up" }).click();
    const panel = page.locator("#pairing");
    await panel.getByText("Studio Mac").waitFor();
    await panel.getByRole("button", { name: "Approve" }).click();
    await panel.locator('[data-pairing-status="approved"]').waitFor();

    const got = await poll();
    expect(got.status).toBe("approved");
    const me = await fetch(`${d.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${got.token}` } });
    expect(me.status).toBe(200);
    await page.reload();
    await page.locator("#tokens tr[data-token-id]", { hasText: "Studio Mac" }).waitFor();
  }, T);
});
