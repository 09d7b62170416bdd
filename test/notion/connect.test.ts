// Connecting Notion: internal token mode (pages shared with the integration, choosing a parent),
// OAuth end to end (state bound to the session, forged or replayed state refused, code exchanged
// with HTTP Basic), the token encrypted at rest, user isolation, disconnect.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { createSession } from "../../src/services/accounts/accounts.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, call, json } from "../support/server-harness.ts";
import { connectedUser, notebook, notionHarness, setPageText, status, TOKEN } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

test("internal token: rejected tokens are refused, shared pages are listed, choosing a parent creates the database once", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await addUser(h, "internal@example.com");
    const bad = await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token: "secret_not_a_real_token_000000000000" } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("notion_token_rejected");
    expect((await status(h, u)).connected).toBe(false);

    const parent = fake.addSharedPage("Home");
    fake.addSharedPage("Other page");
    const ok = await json(await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token: TOKEN } }));
    expect(ok.connection).toMatchObject({ mode: "internal", status: "needs_parent" });
    expect(ok.pages.map((p: any) => p.title).sort()).toEqual(["Home", "Other page"]);
    const listed = await json(await call(h, "GET", "/api/v1/notion/pages?q=home", { token: u.token }));
    expect(listed.pages).toEqual([{ id: parent, title: "Home", url: expect.stringContaining("notion.so") }]);

    const badId = await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { pageId: "not-an-id" } });
    expect(badId.status).toBe(400);
    // A pasted Notion URL works too.
    const chosen = await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { pageId: `https://www.notion.so/Home-${parent.replace(/-/g, "")}` } });
    expect(chosen.status).toBe(200);
    await notebook(h, u, "First", 1);
    await h.runner.idle();
    const s = await status(h, u);
    expect(s.connection).toMatchObject({ status: "ready", parentPageId: parent, initialSyncDone: true, lastError: null });
    expect(fake.count().databases).toBe(1);
    const db = [...fake.databases.values()][0]!;
    expect(db.parent).toBe(parent);
    expect(db.title).toBe("reMarkable");
    const ds = fake.dataSources.get(db.data_sources[0]!)!;
    expect(Object.fromEntries(Object.entries(ds.properties).map(([n, p]) => [n, p.type]))).toEqual({
      Name: "title",
      Path: "rich_text",
      Tags: "multi_select",
      Pages: "number",
      "Last opened": "date",
      "Last modified": "date",
      Status: "select",
      Link: "url",
    });
    // The notebook pages (database rows) are not offered as parents.
    const again = await json(await call(h, "GET", "/api/v1/notion/pages", { token: u.token }));
    expect(again.pages.map((p: any) => p.title).sort()).toEqual(["Home", "Other page"]);
    // Sync now twice: still one database and one page.
    await call(h, "POST", "/api/v1/notion/sync", { token: u.token });
    await h.runner.idle();
    expect(fake.count()).toMatchObject({ databases: 1, pages: 1 });
  } finally {
    await h.close();
  }
});

test("an existing database is adopted by id; missing properties are added", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await addUser(h, "adopt@example.com");
    const home = fake.addSharedPage("Home");
    await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token: TOKEN } });
    // The user's own database with a differently named title property.
    const dbRes = await fetch(`${fake.url}/v1/databases`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "notion-version": "2025-09-03", "content-type": "application/json" },
      body: JSON.stringify({ parent: { type: "page_id", page_id: home }, title: [{ text: { content: "Mine" } }], initial_data_source: { properties: { Title: { title: {} }, Tags: { multi_select: {} } } } }),
    });
    const db = await dbRes.json();
    const r = await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { databaseId: db.id } });
    expect(r.status).toBe(200);
    const d = await notebook(h, u, "Adopted", 1);
    await h.runner.idle();
    const ds = fake.dataSources.get(db.data_sources[0].id)!;
    expect(Object.keys(ds.properties).sort()).toEqual(["Last modified", "Last opened", "Link", "Pages", "Path", "Status", "Tags", "Title"]);
    const rows = fake.rows(ds.id);
    expect(rows.length).toBe(1);
    expect(fake.prop(rows[0]!, "Title")).toBe("Adopted");
    expect(fake.count().databases).toBe(1);
    expect(d.uuid).toBeTruthy();
  } finally {
    await h.close();
  }
});

test("OAuth end to end: state bound to the session; forged, foreign and replayed states are refused; the token is stored encrypted", async () => {
  const h = await notionHarness(fake, { "notion.clientId": fake.oauth.clientId, "notion.clientSecret": fake.oauth.clientSecret });
  try {
    const u = await addUser(h, "oauth@example.com");
    const a = createSession(h.ctx, u.id);
    const b = createSession(h.ctx, u.id);
    const cookie = (s: { sessionToken: string }) => ({ cookie: `rmirror_session=${s.sessionToken}`, accept: "application/json" });

    const anon = await call(h, "GET", "/notion/oauth/start");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/login?next=%2Fnotion%2Foauth%2Fstart");
    const start = await call(h, "GET", "/notion/oauth/start", { headers: cookie(a) });
    expect(start.status).toBe(302);
    const loc = new URL(start.headers.get("location")!);
    expect(`${loc.origin}${loc.pathname}`).toBe(`${fake.url}/v1/oauth/authorize`);
    expect(loc.searchParams.get("client_id")).toBe(fake.oauth.clientId);
    expect(loc.searchParams.get("response_type")).toBe("code");
    expect(loc.searchParams.get("owner")).toBe("user");
    expect(loc.searchParams.get("redirect_uri")).toBe("https://rm.example.net/notion/oauth/callback");
    const state = loc.searchParams.get("state")!;
    expect(state.length).toBeGreaterThan(20);

    // Notion sends the browser back with a code.
    const accessToken = "ntn_oauth_access_token_9f8e7d6c5b4a39281706";
    fake.oauth.codes.set("code-123", { token: accessToken, workspaceName: "Acme Workspace" });
    const forged = await call(h, "GET", `/notion/oauth/callback?code=code-123&state=forged-${state.slice(7)}`, { headers: cookie(a) });
    expect(forged.status).toBe(400);
    expect((await json(forged)).error.code).toBe("notion_bad_state");
    const otherSession = await call(h, "GET", `/notion/oauth/callback?code=code-123&state=${state}`, { headers: cookie(b) });
    expect(otherSession.status).toBe(400);
    // A state is single use: the attempt from session b consumed it.
    const start2 = await call(h, "GET", "/notion/oauth/start", { headers: cookie(a) });
    const state2 = new URL(start2.headers.get("location")!).searchParams.get("state")!;
    expect(fake.oauth.codes.has("code-123")).toBe(true);
    const ok = await call(h, "GET", `/notion/oauth/callback?code=code-123&state=${state2}`, { headers: cookie(a) });
    expect(ok.status).toBe(200);
    const body = await json(ok);
    expect(body.connection).toMatchObject({ mode: "oauth", workspaceName: "Acme Workspace", status: "needs_parent" });
    const replay = await call(h, "GET", `/notion/oauth/callback?code=code-123&state=${state2}`, { headers: cookie(a) });
    expect(replay.status).toBe(400);
    // A browser (no JSON Accept) is sent on to the settings page.
    const start3 = await call(h, "GET", "/notion/oauth/start", { headers: { cookie: cookie(a).cookie } });
    const state3 = new URL(start3.headers.get("location")!).searchParams.get("state")!;
    fake.oauth.codes.set("code-456", { token: accessToken, workspaceName: "Acme Workspace" });
    const browser = await call(h, "GET", `/notion/oauth/callback?code=code-456&state=${state3}`, { headers: { cookie: cookie(a).cookie } });
    expect(browser.status).toBe(303);
    expect(browser.headers.get("location")).toBe("/settings/notion?connected=1");
    // A refused authorization sends the browser to the settings page with the reason.
    const start4 = await call(h, "GET", "/notion/oauth/start", { headers: { cookie: cookie(a).cookie } });
    const state4 = new URL(start4.headers.get("location")!).searchParams.get("state")!;
    const denied = await call(h, "GET", `/notion/oauth/callback?error=access_denied&state=${state4}`, { headers: { cookie: cookie(a).cookie } });
    expect(denied.headers.get("location")).toBe("/settings/notion?error=notion_token_rejected");
    const shown = await (await call(h, "GET", "/settings/notion?error=notion_token_rejected", { headers: { cookie: cookie(a).cookie } })).text();
    expect(shown).toContain("Notion rejected the integration token.");

    // The token works (it was exchanged with HTTP Basic and stored), and it is not in the database file.
    const parent = fake.addSharedPage("OAuth home");
    const csrf = { ...cookie(a), "x-csrf-token": a.csrfToken };
    expect((await call(h, "PUT", "/api/v1/notion/parent", { headers: csrf, json: { pageId: parent } })).status).toBe(200);
    await notebook(h, u, "Via OAuth", 1);
    await h.runner.idle();
    expect(fake.requests.some((r) => r.token === accessToken && r.path === "/v1/pages")).toBe(true);
    const row = h.ctx.store.notionConnectionByUser(u.id)!;
    expect(row.token_enc.startsWith("v1.")).toBe(true);
    expect(row.token_enc).not.toContain(accessToken);
    h.ctx.store.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    for (const f of [h.ctx.config.dbPath, `${h.ctx.config.dbPath}-wal`]) {
      if (!existsSync(f)) continue;
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(accessToken))).toBe(false);
      expect(bytes.includes(Buffer.from(accessToken, "utf16le"))).toBe(false);
    }

    // Not configured → a clear 409.
    const h2 = await notionHarness(fake);
    try {
      const u2 = await addUser(h2, "nooauth@example.com");
      const r = await call(h2, "GET", "/notion/oauth/start", { token: u2.token });
      expect(r.status).toBe(409);
      expect((await json(r)).error.code).toBe("notion_oauth_not_configured");
    } finally {
      await h2.close();
    }
  } finally {
    await h.close();
  }
});

test("user isolation: one user's Notion routes never see or touch another's", async () => {
  const h = await notionHarness(fake);
  try {
    const a = await connectedUser(h, fake, "a@example.com");
    const b = await addUser(h, "b@example.com");
    const d = await notebook(h, a, "Private", 1);
    setPageText(h, a.id, d, 0, "secret");
    await h.runner.idle();
    expect((await status(h, b)).connected).toBe(false);
    for (const [m, p] of [
      ["GET", `/api/v1/notion/documents/${d.uuid}`],
      ["POST", `/api/v1/notion/documents/${d.uuid}/sync`],
    ] as const) {
      const r = await call(h, m, p, { token: b.token });
      expect(r.status).toBe(404);
    }
    expect((await call(h, "GET", "/api/v1/notion/pages", { token: b.token })).status).toBe(409);
    expect((await call(h, "POST", "/api/v1/notion/sync", { token: b.token })).status).toBe(409);
    expect((await call(h, "DELETE", "/api/v1/notion", { token: b.token })).status).toBe(200);
    expect((await status(h, a)).connection.status).toBe("ready");
    expect((await call(h, "GET", "/api/v1/notion", {})).status).toBe(401);
    // a's resync works and rebuilds in place.
    const before = fake.count().pages;
    expect((await json(await call(h, "POST", `/api/v1/notion/documents/${d.uuid}/sync`, { token: a.token }))).queued).toBe(true);
    await h.runner.idle();
    expect(fake.count().pages).toBe(before);
    // Disconnect forgets the token and records.
    expect((await call(h, "DELETE", "/api/v1/notion", { token: a.token })).status).toBe(200);
    expect(h.ctx.store.notionConnectionByUser(a.id)).toBeNull();
    expect(h.ctx.store.notebookSyncRecords(a.id)).toEqual([]);
  } finally {
    await h.close();
  }
});
