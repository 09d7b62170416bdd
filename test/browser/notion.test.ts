// The document page's Notion panel in a real browser against a real server and the fake Notion:
// the panel shows the notebook as synced with a link; "Resync" posts to the Notion API with the
// page's CSRF header and the panel reloads itself until the new sync is shown.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { Dashboard, describeBrowser, T } from "./harness.ts";

const TOKEN = "secret_fake_notion_token_0123456789abcdef";

describeBrowser("browser: Notion panel on the document page", () => {
  let fake: FakeNotion;
  let d: Dashboard;
  const uuid = crypto.randomUUID();

  beforeAll(async () => {
    fake = startFakeNotion();
    d = new Dashboard({ env: { RMIRROR_NOTION_API_BASE_URL: fake.url, RMIRROR_NOTION_DEBOUNCE_MS: "0", RMIRROR_NOTION_RATE: "100" } });
    await d.start();
    expect((await d.api("POST", "/api/v1/notion/token", { token: TOKEN })).status).toBe(200);
    expect((await d.api("PUT", "/api/v1/notion/parent", { pageId: fake.addSharedPage("Notes") })).status).toBe(200);
    const put = await d.api("PUT", `/api/v1/documents/${uuid}`, { metadata: { visibleName: "Synced notebook", type: "DocumentType", parent: "", lastModified: "1700000000000" }, pages: [], files: [] });
    expect(put.status).toBe(200);
    await d.until("notebook synced", async () => (await d.api("GET", `/api/v1/notion/documents/${uuid}`)).body?.status === "synced");
  }, T);
  afterAll(async () => {
    await d?.teardown();
    await fake?.close();
  }, T);
  afterEach(() => d?.endTest(), T);

  test("synced state and link; Resync (CSRF header) reloads the panel with the new sync", async () => {
    const page = await d.loggedInPage();
    await page.goto(`/documents/${uuid}`);
    const panel = page.locator('#integrations-slot #notion-sync[data-notion-state="synced"]');
    await panel.waitFor();
    expect(await panel.locator("a[data-notion-link]").getAttribute("href")).toMatch(/^https:\/\/www\.notion\.so\/[0-9a-f]{32}$/);
    const before = await panel.locator("[data-notion-synced-at]").getAttribute("data-notion-synced-at");
    await new Promise((r) => setTimeout(r, 5)); // a new sync gets a later millisecond
    const answer = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === `/api/v1/notion/documents/${uuid}/sync`);
    await page.locator('button[data-action="notion-resync"]').click();
    expect((await answer).status()).toBe(200);
    await page.waitForFunction(
      (b) => {
        const el = document.querySelector('#notion-sync[data-notion-state="synced"] [data-notion-synced-at]');
        return !!el && el.getAttribute("data-notion-synced-at") !== b;
      },
      before,
      { timeout: 60_000 },
    );
    expect(await page.locator("#modal .modal").count()).toBe(0);
  }, T);
});
