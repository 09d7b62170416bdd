// The dashboard's Notion page: connect with a token, choose a parent (titles from Notion are
// escaped), sync now, disconnect — plain forms with the CSRF field.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSession } from "../../src/services/accounts/accounts.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, call } from "../support/server-harness.ts";
import { notionHarness, TOKEN } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());

test("connect, choose a parent, sync now and disconnect from /settings/notion", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await addUser(h, "page@example.com");
    const s = createSession(h.ctx, u.id);
    const cookie = { cookie: `rmirror_session=${s.sessionToken}` };
    const form = (fields: Record<string, string>) => ({ headers: { ...cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf: s.csrfToken, ...fields }).toString() });

    expect((await call(h, "GET", "/settings/notion")).status).toBe(303);
    let page = await (await call(h, "GET", "/settings/notion", { headers: cookie })).text();
    expect(page).toContain('id="notion-token-form"');
    expect(page).not.toContain('id="notion-oauth"');

    // Without the CSRF field the form is refused.
    const noCsrf = await call(h, "POST", "/settings/notion/token", { headers: { ...cookie, "content-type": "application/x-www-form-urlencoded" }, body: `token=${TOKEN}` });
    expect(noCsrf.status).toBe(403);
    const bad = await call(h, "POST", "/settings/notion/token", form({ token: "secret_wrong_token_00000000000000000" }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("notion-error");

    const evil = fake.addSharedPage('<script>alert("x")</script> Home');
    const ok = await call(h, "POST", "/settings/notion/token", form({ token: TOKEN }));
    expect(ok.status).toBe(303);
    page = await (await call(h, "GET", "/settings/notion?done=token", { headers: cookie })).text();
    expect(page).toContain('id="notion-parent-form"');
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("&lt;script&gt;");

    expect((await call(h, "POST", "/settings/notion/parent", form({ pageId: evil }))).status).toBe(303);
    await h.runner.idle();
    page = await (await call(h, "GET", "/settings/notion", { headers: cookie })).text();
    expect(page).toContain('<dd id="notion-state">ready</dd>');
    expect(page).toContain('id="notion-sync-form"');
    expect((await call(h, "POST", "/settings/notion/sync", form({}))).status).toBe(303);
    await h.runner.idle();
    expect((await call(h, "POST", "/settings/notion/disconnect", form({}))).status).toBe(303);
    page = await (await call(h, "GET", "/settings/notion?done=disconnect", { headers: cookie })).text();
    expect(page).toContain("Notion is disconnected");
    expect(h.ctx.store.notionConnectionByUser(u.id)).toBeNull();
  } finally {
    await h.close();
  }
});
