// Issue 15, choose what syncs, in a real Chromium: on the Devices page a computer's sync settings
// are chosen from the folders and notebooks the server knows (and typed names), with an
// initial-sync limit; saved with the dashboard's CSRF-protected form, read back through the API
// (what the agent reads) and shown again after a reload. Names from the library are escaped.
// Then a notebook imported with a computer's limit: its older pages say "not read" and the
// document page's "Read the remaining pages" reads them (OCR through the fake Anthropic API).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { Dashboard, describeBrowser, SampleLibrary, T } from "./harness.ts";

describeBrowser("browser: Devices → Choose what syncs", () => {
  const d = new Dashboard({ tokenName: "Work laptop" });
  const work = crypto.randomUUID();
  const plan = crypto.randomUUID();
  const diary = crypto.randomUUID();
  let tokenId = 0;

  beforeAll(async () => {
    await d.start();
    const put = async (uuid: string, name: string, type: "DocumentType" | "CollectionType", parent = "") => {
      const r = await d.api("PUT", `/api/v1/documents/${uuid}`, { metadata: { visibleName: name, type, parent }, pages: [] });
      if (r.status !== 200 && r.status !== 201) throw new Error(`put ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await put(work, "Work", "CollectionType");
    await put(plan, "Plan", "DocumentType", work);
    await put(diary, "Diary <b>private</b>", "DocumentType");
    tokenId = (await d.api("GET", "/api/v1/tokens")).body.tokens.find((t: { name: string }) => t.name === "Work laptop").id;
  }, T);
  afterAll(() => d.teardown(), T);
  afterEach(() => d?.endTest(), T);

  test("exclude a notebook and a typed folder name, set a limit of 50 pages; then only one folder, no limit", async () => {
    const page = await d.loggedInPage();
    await page.goto("/devices");
    const box = page.locator(`details[data-sync-token="${tokenId}"]`);
    expect(await box.locator(".sync-summary").innerText()).toBe("Syncs everything");
    await box.locator("summary").click();
    // The library's folders and notebooks with their paths, escaped.
    expect(await box.locator(`label[data-item-uuid="${plan}"]`).innerText()).toContain("Notebook: Work / Plan");
    expect(await box.locator(`label[data-item-uuid="${diary}"]`).innerText()).toContain("Notebook: Diary <b>private</b>");
    expect(await box.locator("b").count()).toBe(0);
    expect(await box.innerText()).toContain("is kept (not deleted)");

    await box.locator(`label[data-item-uuid="${diary}"] input[type=checkbox]`).check();
    await box.locator("textarea[name=names]").fill("Private\n  \nprivate");
    await box.locator("input[name=initial_pages]").fill("50");
    await box.getByRole("button", { name: "Save" }).click();
    const saved = page.locator(`details[data-sync-token="${tokenId}"] [data-sync-saved]`);
    await saved.waitFor();
    // Nothing has reported since: the agent has not got them yet.
    expect(await page.locator(`details[data-sync-token="${tokenId}"] [data-sync-applied]`).getAttribute("data-sync-applied")).toBe("0");

    // What the agent reads (and what the heartbeat's answer carries).
    const s1 = (await d.api("GET", `/api/v1/tokens/${tokenId}/sync-settings`)).body.settings;
    expect(s1).toMatchObject({ mode: "exclude", items: [diary, "Private"], initialPages: 50 });
    const hb = await d.api("POST", "/api/v1/agent/heartbeat", { version: "0", platform: "linux-x64", folder: "ok", queue: 0 });
    expect(hb.body.settings).toEqual(s1);

    await page.reload();
    const again = page.locator(`details[data-sync-token="${tokenId}"]`);
    expect(await again.locator(".sync-summary").innerText()).toBe("Syncs everything except 2 folders/notebooks; initial sync: newest 50 pages per notebook read first");
    await again.locator("summary").click();
    // The heartbeat's answer carried them: the page says the agent has them.
    expect(await again.locator("[data-sync-applied]").getAttribute("data-sync-applied")).toBe("1");
    expect(await again.locator("[data-sync-applied]").innerText()).toContain("The agent has them");
    expect(await again.locator(`label[data-item-uuid="${diary}"] input`).isChecked()).toBe(true);
    expect(await again.locator(`label[data-item-uuid="${plan}"] input`).isChecked()).toBe(false);
    expect(await again.locator("textarea[name=names]").inputValue()).toBe("Private");
    expect(await again.locator("input[name=initial_pages]").inputValue()).toBe("50");

    // Only the Work folder, no limit.
    await again.locator('input[name=mode][value="include"]').check();
    await again.locator(`label[data-item-uuid="${diary}"] input`).uncheck();
    await again.locator(`label[data-item-uuid="${work}"] input`).check();
    await again.locator("textarea[name=names]").fill("");
    await again.locator("input[name=initial_pages]").fill("");
    await again.getByRole("button", { name: "Save" }).click();
    await page.locator(`details[data-sync-token="${tokenId}"][data-sync-mode="include"] [data-sync-saved]`).waitFor();
    expect((await d.api("GET", `/api/v1/tokens/${tokenId}/sync-settings`)).body.settings).toMatchObject({ mode: "include", items: [work], initialPages: null });
    expect(await page.locator(`details[data-sync-token="${tokenId}"] .sync-summary`).innerText()).toBe("Syncs only 1 folder/notebook");
    expect(d.pageErrors).toEqual([]);
  }, T);

  test("the form needs the CSRF token; an unknown token is refused; a plain form post goes back to Devices", async () => {
    const s = await d.session();
    const post = (id: number, csrf: string | null) =>
      fetch(`${d.url}/devices/tokens/${id}/sync`, { method: "POST", redirect: "manual", headers: { cookie: s.cookie, "content-type": "application/x-www-form-urlencoded", origin: d.url }, body: new URLSearchParams({ ...(csrf ? { csrf } : {}), mode: "exclude", names: "X" }) });
    expect((await post(tokenId, null)).status).toBe(403);
    expect((await post(999_999, s.csrf)).status).toBe(404);
    expect((await post(tokenId, s.csrf)).status).toBe(303);
    expect((await d.api("GET", `/api/v1/tokens/${tokenId}/sync-settings`)).body.settings.items).toEqual(["X"]);
  }, T);
});

describeBrowser(
  "browser: a notebook beyond the initial-sync limit → Read the remaining pages",
  () => {
    let ocr: FakeAnthropic;
    let d: Dashboard;

    beforeAll(async () => {
      ocr = startFakeAnthropic();
      d = new Dashboard({ tokenName: "Big library", env: { RMIRROR_ANTHROPIC_API_KEY: ocr.apiKey, RMIRROR_ANTHROPIC_BASE_URL: ocr.url } });
      await d.start();
    }, T);
    afterAll(async () => {
      await d.teardown();
      await ocr.close();
    }, T);
    afterEach(() => d?.endTest(), T);

    test("the newest page is read, the 2 older ones say 'not read'; the document page's button reads them", async () => {
      const id = (await d.api("GET", "/api/v1/tokens")).body.tokens[0].id;
      expect((await d.api("PUT", `/api/v1/tokens/${id}/sync-settings`, { mode: "exclude", items: [], initialPages: 1 })).status).toBe(200);
      const lib = new SampleLibrary(join(d.tmp, "lib"));
      const nb = lib.notebook("Lecture", ["rmc__abcd.strokes.rm", "rmscene__Lines_v2.rm", "rmc__dot.stroke.rm"]);
      await d.importWithCli(lib.root); // with the computer's device token: its limit applies
      await d.until("newest read, two held", async () => {
        const s = await Promise.all(nb.pageIds.map(async (p) => (await d.api("GET", `/api/v1/documents/${nb.uuid}/pages/${p}/ocr`)).body.status));
        return s.join() === "held,held,done";
      });
      expect(ocr.requests.length).toBe(1);

      const page = await d.loggedInPage();
      page.on("dialog", (dlg) => dlg.accept());
      await page.goto("/quota");
      expect(await page.locator("[data-quota-held]").getAttribute("data-quota-held")).toBe("2");
      await page.goto(`/documents/${nb.uuid}`);
      expect(await page.locator('#pages [data-status="held"]').count()).toBe(2);
      expect(await page.locator('#pages [data-status="held"]').first().innerText()).toBe("not read: beyond the initial-sync limit");
      expect(await page.locator("#held-pages").getAttribute("data-held")).toBe("2");
      await page.getByRole("button", { name: "Read the remaining 2 pages" }).click();
      await page.waitForFunction(() => document.querySelectorAll('#pages [data-status="done"]').length === 3, undefined, { timeout: 100_000 });
      expect(ocr.requests.length).toBe(3);
      expect(d.pageErrors).toEqual([]);
    }, T);
  },
  { samples: true },
);
