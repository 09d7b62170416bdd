// Fixes from real-browser testing, driven in-process: the document page's Notion panel (state,
// last error, link, Sync now / Resync with CSRF, escaping), handwriting in the Markdown export
// (and its ETag), the quota page and modal (human reset date in the quota time zone), plain-text
// search snippets, the "typed" page badge, the agent login URL on /devices, the favicon, and
// the folder icon.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { setUserLimit } from "../../src/quota/index.ts";
import { inkPage, emptyPage } from "../ocr/support.ts";
import { connectedUser, notebook, notionHarness } from "../notion/support.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { addUser, buildDoc, call, harness, syncDoc, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { expectEscaped, req, session, XSS_IMG, XSS_SCRIPT, type Browser } from "./support.ts";

function putText(h: Harness, userId: number, d: BuiltDoc, idx: number, source: "ocr" | "typed" | "highlight", text: string): void {
  const doc = h.ctx.store.documentByUuid(userId, d.uuid)!;
  const page = h.ctx.store.pagesByDocument(doc.id).find((p) => p.idx === idx)!;
  h.ctx.store.putPageText({ pageId: page.id, userId, documentId: doc.id, source, text });
}

describe("with Notion connected (publicUrl configured)", () => {
  let fake: FakeNotion;
  let h: Harness;
  let u: TestUser;
  let U: Browser;
  let other: TestUser;
  let O: Browser;
  let nb: BuiltDoc;

  beforeAll(async () => {
    fake = startFakeNotion();
    h = await notionHarness(fake);
    u = { ...(await connectedUser(h, fake, "panel@example.com")) };
    U = session(h, u);
    other = await addUser(h, "no-notion@example.com");
    O = session(h, other);
    nb = await notebook(h, u, `Plan ${XSS_SCRIPT}`, 2);
    await h.runner.idle();
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  test("no connection: the slot only links to /settings/notion; no buttons", async () => {
    const d = await notebook(h, other, "Mine", 1);
    const html = await (await req(h, O, "GET", `/documents/${d.uuid}`)).text();
    const slot = /<div id="integrations-slot">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(slot).toContain('data-notion-state="none"');
    expect(slot).toContain('href="/settings/notion"');
    expect(slot).not.toContain("notion-resync");
    expect(slot).not.toContain("hx-post");
  });

  test("synced: state, time, link to the Notion page, Sync now / Resync posting to the Notion API", async () => {
    const res = await req(h, U, "GET", `/documents/${nb.uuid}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="notion-sync"');
    expect(html).toContain('data-notion-state="synced"');
    expect(html).toMatch(/data-notion-synced-at="\d+">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const notionId = h.ctx.store.syncRecord(u.id, nb.uuid, "notebook")!.notion_id!;
    expect(html).toContain(`href="https://www.notion.so/${notionId.replace(/-/g, "")}"`);
    expect(html).toContain('data-action="notion-sync-now" hx-post="/api/v1/notion/sync"');
    expect(html).toContain(`data-action="notion-resync" hx-post="/api/v1/notion/documents/${nb.uuid}/sync"`);
    expect(html).toContain(`hx-get="/documents/${nb.uuid}/notion" hx-trigger="htmx:afterRequest from:#notion-actions"`);
    expect(html).toContain('data-polling="0"');
    expectEscaped(html, `Plan ${XSS_SCRIPT}`, expect);
    expect(html).not.toContain(XSS_SCRIPT);
  });

  test("failed: the last error is shown escaped; the notebook's name stays escaped", async () => {
    const evil = `Notion said ${XSS_IMG} and ${XSS_SCRIPT}`;
    h.ctx.store.setSyncRecordStatus(u.id, nb.uuid, "notebook", "failed", evil);
    const frag = await (await req(h, U, "GET", `/documents/${nb.uuid}/notion`, { htmx: true })).text();
    expect(frag).toStartWith('<section id="notion-sync"');
    expect(frag).toContain('data-notion-state="failed"');
    expect(frag).toContain("data-notion-error");
    expectEscaped(frag, evil, expect);
    expect(frag).not.toContain("<img src=x");
    const page = await (await req(h, U, "GET", `/documents/${nb.uuid}`)).text();
    expectEscaped(page, evil, expect);
    expect(page).not.toContain(XSS_SCRIPT);
  });

  test("Resync needs the CSRF header; then the panel says queued and polls until the sync is done", async () => {
    const api = (path: string, csrf: boolean) =>
      h.app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: U.cookie, "hx-request": "true", ...(csrf ? { "x-csrf-token": U.csrf } : {}) } }));
    expect((await api(`/api/v1/notion/documents/${nb.uuid}/sync`, false)).status).toBe(403);
    const ok = await api(`/api/v1/notion/documents/${nb.uuid}/sync`, true);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ queued: true });
    const queued = await (await req(h, U, "GET", `/documents/${nb.uuid}/notion`, { htmx: true })).text();
    expect(queued).toContain('data-notion-state="queued"');
    expect(queued).toContain('data-polling="1"');
    expect(queued).toContain('hx-trigger="htmx:afterRequest from:#notion-actions, every 2s"');
    await h.runner.idle();
    const done = await (await req(h, U, "GET", `/documents/${nb.uuid}/notion`, { htmx: true })).text();
    expect(done).toContain('data-notion-state="synced"');
    expect(done).not.toContain("every 2s");
    expect(done).not.toContain("data-notion-error");
    // Sync now (whole library) works with the page's cookie + header too.
    expect((await api("/api/v1/notion/sync", false)).status).toBe(403);
    expect((await api("/api/v1/notion/sync", true)).status).toBe(200);
    await h.runner.idle();
  });

  test("a revoked connection: the reason (escaped) and a settings link instead of buttons; isolation", async () => {
    h.ctx.store.setNotionStatus(u.id, "revoked", `token gone ${XSS_SCRIPT}`);
    const frag = await (await req(h, U, "GET", `/documents/${nb.uuid}/notion`, { htmx: true })).text();
    expect(frag).toContain('data-notion-connection="problem"');
    expectEscaped(frag, `token gone ${XSS_SCRIPT}`, expect);
    expect(frag).toContain('href="/settings/notion"');
    expect(frag).not.toContain("notion-resync");
    expect(frag).not.toContain("hx-get");
    h.ctx.store.setNotionStatus(u.id, "ready", null);
    // Someone else's notebook is a 404, logged out a login redirect.
    expect((await req(h, O, "GET", `/documents/${nb.uuid}/notion`, { htmx: true })).status).toBe(404);
    expect((await req(h, null, "GET", `/documents/${nb.uuid}/notion`)).status).toBe(303);
  });

  test("the Markdown export (dashboard button) includes each page's handwriting, in order; the ETag follows the OCR text", async () => {
    const d = buildDoc([inkPage(1), inkPage(2)], { name: "Handwritten" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    putText(h, u.id, d, 0, "ocr", "# Weekly planning\n\n- [ ] call the plumber");
    putText(h, u.id, d, 1, "ocr", "Second page, in ink");
    const html = await (await req(h, U, "GET", `/documents/${d.uuid}`)).text();
    expect(html).toContain(`href="/api/v1/documents/${d.uuid}/markdown"`);
    const res = await req(h, U, "GET", `/api/v1/documents/${d.uuid}/markdown`);
    expect(res.status).toBe(200);
    const md = await res.text();
    expect(md).toStartWith("# Handwritten\n");
    expect(md).toContain("# Weekly planning\n\n- [ ] call the plumber");
    expect(md.indexOf("call the plumber")).toBeLessThan(md.indexOf("<!-- page 2 -->"));
    expect(md.indexOf("<!-- page 2 -->")).toBeLessThan(md.indexOf("Second page, in ink"));
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"md-[0-9a-f]{32}"$/);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const same = await req(h, U, "GET", `/api/v1/documents/${d.uuid}/markdown`, { headers: { "if-none-match": etag } });
    expect(same.status).toBe(304);
    // New OCR text: a new ETag and the new text.
    putText(h, u.id, d, 1, "ocr", "Second page, read again");
    const changed = await req(h, U, "GET", `/api/v1/documents/${d.uuid}/markdown`, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(await changed.text()).toContain("Second page, read again");
  });

  test("search snippets are plain text: no heading hashes, list markers or emphasis; checkboxes ☐/☑; marks kept and escaped", async () => {
    const d = buildDoc([inkPage(3)], { name: "Planner" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    putText(h, u.id, d, 0, "ocr", "# Weekly planning\n\n- [ ] call the plumber\n- [x] **buy** *milk* <b>now</b>\n* fix the `sink`");
    const snippetOf = async (q: string) => /<p class="snippet">([\s\S]*?)<\/p>/.exec(await (await req(h, U, "GET", `/search?q=${q}`)).text())![1]!;
    const plumber = await snippetOf("plumber");
    expect(plumber).toContain("Weekly planning");
    expect(plumber).toContain("☐ call the <mark>plumber</mark>");
    const milk = await snippetOf("milk");
    expect(milk).toContain("☑ buy <mark>milk</mark> &lt;b&gt;now&lt;/b&gt;");
    expect(await snippetOf("sink")).toContain("fix the <mark>sink</mark>");
    for (const snippet of [plumber, milk])
      for (const raw of ["# Weekly", "- [ ]", "[x]", "**", "*milk*", "`", "<b>"]) expect(snippet).not.toContain(raw);
    // The dropdown fragment too.
    const drop = await (await req(h, U, "GET", "/search?q=milk", { htmx: true, target: "search-results" })).text();
    expect(drop).toContain("☑ buy <mark>milk</mark>");
    expect(drop).not.toContain("*milk*");
  });

  test("a page with typed text and no strokes is badged 'typed', not 'blank'", async () => {
    const d = buildDoc([emptyPage(), emptyPage()], { name: "Typed only" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    putText(h, u.id, d, 0, "typed", "Typed on the keyboard");
    const html = await (await req(h, U, "GET", `/documents/${d.uuid}`)).text();
    const statuses = [...html.matchAll(/class="page-thumb" data-page-status="([a-z_]+)"/g)].map((m) => m[1]);
    expect(statuses).toEqual(["typed", "blank"]);
    expect(html).toContain('data-status="typed">typed</span>');
  });

  test("devices: the agent login hint uses the configured public URL", async () => {
    const html = await (await req(h, U, "GET", "/devices")).text();
    expect(html).toContain("<code>rmirror agent login --server https://rm.example.net</code>");
  });

  test("favicon: embedded SVG, linked from every page, also at /favicon.ico; folders use an SVG icon", async () => {
    for (const path of ["/static/favicon.svg", "/favicon.ico"]) {
      const res = await req(h, null, "GET", path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/svg+xml");
      expect(await res.text()).toStartWith("<svg");
    }
    expect(await (await req(h, null, "GET", "/login")).text()).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"/>');
    const folder = crypto.randomUUID();
    await call(h, "PUT", `/api/v1/documents/${folder}`, { token: u.token, json: { metadata: { visibleName: "Projects", type: "CollectionType", parent: "", lastModified: "1700000000000" }, pages: [], files: [] } });
    for (const view of ["grid", "list"]) {
      const lib = await (await req(h, U, "GET", `/?view=${view}`)).text();
      expect(lib).toContain('data-icon="folder"');
      expect(lib).not.toContain("📁");
    }
  });
});

describe("quota in a time zone east of UTC (port 0, no public URL)", () => {
  let fake: FakeAnthropic;
  let h: Harness;
  let u: TestUser;
  let U: Browser;
  let d: BuiltDoc;
  // Mid-December 2026: the quota resets at midnight 1 January 2027 in Berlin = 2026-12-31T23:00Z.
  const NOW = Date.UTC(2026, 11, 15, 12);

  beforeAll(async () => {
    fake = startFakeAnthropic();
    fake.reply = () => "ink";
    h = await harness({ now: () => NOW, overrides: { port: 0, "quota.timezone": "Europe/Berlin", "ocr.apiKey": fake.apiKey, "ocr.baseUrl": fake.url } });
    u = await addUser(h, "tz@example.com");
    U = session(h, u);
    d = buildDoc([inkPage(4)], { name: "Over" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  test("quota page: full-width coloured bar, two-column facts, human reset date, no internal status name", async () => {
    setUserLimit(h.ctx, u.id, 10);
    h.ctx.store.addQuotaUsage(u.id, "2026-12", 4);
    const html = await (await req(h, U, "GET", "/quota")).text();
    expect(html).toContain('data-quota-resets="2026-12-31T23:00:00.000Z"');
    expect(html).toMatch(/data-quota-resets="[^"]+">1 January 2027<\/dd>/);
    expect(html).not.toContain("2026-12-31</dd>");
    expect(html).toContain('<dl class="facts">');
    expect(html).toMatch(/<div class="meter wide" role="progressbar"[^>]*aria-valuenow="5"[^>]*><span class="fill" style="width:50%"><\/span><\/div>/);
    expect(html).toContain("<dt>Waiting for next month's quota</dt>");
    expect(html).not.toContain("(pending_quota)");
    const css = await (await req(h, null, "GET", "/static/app.css")).text();
    expect(css).toContain(".meter.wide{display:block;width:100%");
    expect(css).toContain("dl.facts{display:grid;grid-template-columns:fit-content(45%)");
  });

  test("the banner and the 402 modal say the same human date; the modal does not repeat its title", async () => {
    setUserLimit(h.ctx, u.id, 0);
    const lib = await (await req(h, U, "GET", "/")).text();
    expect(lib).toMatch(/id="quota-banner"[\s\S]*?until 1 January 2027\./);
    const doc = h.ctx.store.documentByUuid(u.id, d.uuid)!;
    h.ctx.store.setPageOcrStatus(h.ctx.store.pagesByDocument(doc.id)[0]!.id, "failed", "boom");
    const res = await req(h, U, "POST", `/documents/${d.uuid}/pages/1/ocr`, { htmx: true });
    expect(res.status).toBe(402);
    const body = await res.text();
    expect(body).toContain("the quota resets on 1 January 2027.");
    expect(body.match(/Monthly OCR quota reached/g)!.length).toBe(1);
    const page = await req(h, U, "POST", `/documents/${d.uuid}/pages/1/ocr`, { form: { csrf: U.csrf } });
    expect(page.status).toBe(402);
    expect(await page.text()).toContain("the quota resets on 1 January 2027.");
    setUserLimit(h.ctx, u.id, undefined);
  });

  test("devices: without a configured public URL the hint uses the origin the browser used, not port 0", async () => {
    expect(h.ctx.config.publicUrl).toBe("http://127.0.0.1:0");
    const res = await h.app.handle(new Request("http://rm.tail1234.ts.net:8443/devices", { headers: { cookie: U.cookie, accept: "text/html" } }));
    const html = await res.text();
    expect(html).toContain("<code>rmirror agent login --server http://rm.tail1234.ts.net:8443</code>");
    expect(html).not.toContain(":0</code>");
  });
});
