// The dashboard keeps up, fits a phone, and lets people take their notes with them (issue 13
// items 6, 7, 13, 15) — in a real Chromium against a real `rmirror serve` child, with work
// queued through the real sync API (`rmirror import` with a device token).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { Dashboard, describeBrowser, login, SampleLibrary, T } from "./harness.ts";

describeBrowser(
  "browser: live Activity and library, phone layout, downloads, bulk actions",
  () => {
    let d: Dashboard;

    beforeAll(async () => {
      d = new Dashboard();
      await d.start();
    }, T);
    afterAll(async () => {
      await d?.teardown();
    }, T);
    afterEach(() => d?.endTest(), T);

    test("Activity and the library, opened idle, show work queued later and its end without a reload", async () => {
      const activity = await d.loggedInPage();
      await activity.goto("/activity");
      await activity.locator('#activity[data-polling="0"]').waitFor({ state: "attached" });
      expect(await activity.locator("#jobs tr[data-job-id]").count()).toBe(0);
      const library = await d.loggedInPage();
      await library.goto("/");
      await library.locator("#empty-library").waitFor();
      for (const p of [activity, library]) await p.evaluate(() => ((window as any).__sameDocument = true));

      const lib = new SampleLibrary(join(d.tmp, "live"));
      const nb = lib.notebook("Live notebook", ["rmc__abcd.strokes.rm", "rmscene__Normal_AB.rm"]);
      await d.importWithCli(lib.root);

      // The render jobs appear, then end as done, in the page that was already open.
      await activity.locator('#jobs tr[data-job-kind="render_page"]', { hasText: "Live notebook" }).first().waitFor();
      await activity.waitForFunction(() => {
        const rows = Array.from(document.querySelectorAll('#jobs tr[data-job-kind="render_page"]')).filter((r) => r.textContent!.includes("Live notebook"));
        return rows.length === 2 && rows.every((r) => r.getAttribute("data-job-status") === "done");
      }, undefined, { timeout: 100_000 });
      // The library shows the new notebook with its thumbnail.
      await library.locator(`.doc-card[data-doc-uuid="${nb.uuid}"] img`).waitFor();
      for (const p of [activity, library]) expect(await p.evaluate(() => (window as any).__sameDocument)).toBe(true);
    }, T);

    test("phone (390×844): one compact header row with a menu button; Activity and list views fit without sideways scrolling", async () => {
      const lib = new SampleLibrary(join(d.tmp, "phone"));
      const long = "A notebook with a rather long name that would push a table wider than a phone";
      const nb = lib.notebook(long, ["rmc__abcd.strokes.rm"]);
      lib.folder("Projects and other long folder names");
      await d.importWithCli(lib.root);
      await d.rendered(nb.uuid);

      const page = await d.loggedInPage({ width: 390, height: 844 });
      const fits = async (path: string) => {
        await page.goto(path);
        await page.locator("main h1").waitFor();
        const m = await page.evaluate(() => ({
          header: document.querySelector("header.top")!.getBoundingClientRect().height,
          main: document.querySelector("main")!.getBoundingClientRect().top,
          h1: document.querySelector("main h1")!.getBoundingClientRect().top,
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          tables: Array.from(document.querySelectorAll("table")).map((t) => ({ scroll: t.scrollWidth, client: t.clientWidth, right: t.getBoundingClientRect().right })),
        }));
        if (process.env.RMIRROR_SCREENSHOTS) await page.screenshot({ path: `${process.env.RMIRROR_SCREENSHOTS}/phone${path.replace(/[^a-z0-9]+/gi, "_")}.png` });
        expect({ path, header: m.header < 64 }).toEqual({ path, header: true });
        // The content starts right under the header (the library's title after one line of crumbs and folders).
        expect({ path, main: m.main < 64, h1: path.startsWith("/documents") || m.h1 < 120 }).toEqual({ path, main: true, h1: true });
        expect({ path, scroll: m.scroll }).toEqual({ path, scroll: Math.min(m.scroll, m.inner) });
        for (const t of m.tables) {
          expect(t.scroll).toBeLessThanOrEqual(t.client + 1);
          expect(t.right).toBeLessThanOrEqual(m.inner + 1);
        }
        return m;
      };
      await fits("/");
      await fits("/?view=list");
      await page.locator(`tr.doc-card[data-doc-uuid="${nb.uuid}"]`).waitFor();
      const activity = await fits("/activity");
      expect(activity.tables.length).toBe(1);
      await page.locator("#jobs tr[data-job-id]", { hasText: long }).first().waitFor();
      await fits("/search?q=notebook");
      await fits(`/documents/${nb.uuid}`);

      // The navigation is behind the menu button, which opens it (and Escape closes it).
      const nav = page.locator('nav[aria-label="Main"]');
      const menu = page.locator("#menu-button");
      expect(await nav.isVisible()).toBe(false);
      expect(await menu.getAttribute("aria-expanded")).toBe("false");
      await menu.click();
      await nav.waitFor();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
      await page.keyboard.press("Escape");
      await nav.waitFor({ state: "hidden" });
      await menu.focus();
      await page.keyboard.press("Enter");
      await nav.waitFor();
      await nav.getByRole("link", { name: "Activity" }).click();
      await page.waitForURL((u) => u.pathname === "/activity");
      await page.screenshot({ path: join(d.tmp, "phone-activity.png") });
      if (process.env.RMIRROR_SCREENSHOTS) await page.screenshot({ path: process.env.RMIRROR_SCREENSHOTS + "/phone-activity.png" });

      // A wide screen keeps the navigation in the header row and hides the button.
      const wide = await d.loggedInPage({ width: 1280, height: 800 });
      await wide.goto("/activity");
      expect(await wide.locator('nav[aria-label="Main"]').isVisible()).toBe(true);
      expect(await wide.locator("#menu-button").isVisible()).toBe(false);
    }, T);

    test("downloads: the document as .rmdoc and PDF, one page as PNG and SVG, from the document and page views", async () => {
      const lib = new SampleLibrary(join(d.tmp, "downloads"));
      const nb = lib.notebook("Take me with you", ["rmc__abcd.strokes.rm", "rmscene__Normal_AB.rm"]);
      await d.importWithCli(lib.root);
      await d.rendered(nb.uuid);
      const page = await d.loggedInPage();
      await page.goto(`/documents/${nb.uuid}`);
      const save = async (selector: string) => {
        const [dl] = await Promise.all([page.waitForEvent("download"), page.locator(selector).click()]);
        const path = join(d.tmp, `dl-${dl.suggestedFilename()}`);
        await dl.saveAs(path);
        return { name: dl.suggestedFilename(), bytes: new Uint8Array(await Bun.file(path).arrayBuffer()) };
      };
      const rmdoc = await save('#downloads a[data-download="rmdoc"]');
      expect(rmdoc.name).toBe("Take me with you.rmdoc");
      const entries = Object.keys(unzipSync(rmdoc.bytes)).sort();
      expect(entries).toEqual([`${nb.uuid}.content`, `${nb.uuid}.metadata`, ...nb.pageIds.map((id) => `${nb.uuid}/${id}.rm`).sort()].sort());
      const pdf = await save('#downloads a[data-download="pdf"]');
      expect(new TextDecoder().decode(pdf.bytes.slice(0, 5))).toBe("%PDF-");
      expect(await page.locator('#downloads a[data-download="original"]').count()).toBe(0); // a notebook has no original

      await page.goto(`/documents/${nb.uuid}/pages/2`);
      const png = await save('a[data-download="page-png"]');
      expect(png.name).toBe("Take me with you - page 2.png");
      expect(Array.from(png.bytes.slice(1, 4))).toEqual([0x50, 0x4e, 0x47]);
      const svg = await save('a[data-download="page-svg"]');
      expect(svg.name).toBe("Take me with you - page 2.svg");
      expect(new TextDecoder().decode(svg.bytes)).toContain("<svg");
    }, T);

    test("bulk actions: select notebooks by keyboard and by touch, download them as one zip, sync to Notion", async () => {
      const lib = new SampleLibrary(join(d.tmp, "bulk"));
      const folder = lib.folder("Bulk");
      const a = lib.notebook("Bulk A", ["rmc__abcd.strokes.rm"], folder);
      const b = lib.notebook("Bulk B", ["rmscene__Normal_AB.rm"], folder);
      const c = lib.notebook("Bulk C", ["rmc__abcd.strokes.rm"], folder);
      await d.importWithCli(lib.root);
      for (const nb of [a, b, c]) await d.rendered(nb.uuid);

      // Keyboard: Tab reaches a notebook's box, Space ticks it.
      const page = await d.loggedInPage();
      await page.goto(`/folders/${folder}`);
      const box = (uuid: string) => page.locator(`.doc-card[data-doc-uuid="${uuid}"] .sel input`);
      const download = page.locator('button[data-action="bulk-download"]');
      expect(await download.isDisabled()).toBe(true);
      await page.locator("#bulk-all").focus();
      for (let i = 0; i < 40 && !(await box(a.uuid).evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
      expect(await box(a.uuid).evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press("Space");
      await box(b.uuid).focus();
      await page.keyboard.press("Space");
      expect(await page.locator("#bulk-count").textContent()).toBe("2 selected:");
      // Each box is named after its notebook (for screen readers).
      await page.getByRole("checkbox", { name: "Select Bulk A" }).waitFor();
      expect(await download.isEnabled()).toBe(true);
      const [dl] = await Promise.all([page.waitForEvent("download"), download.click()]);
      const path = join(d.tmp, "bulk.zip");
      await dl.saveAs(path);
      const files = unzipSync(new Uint8Array(await Bun.file(path).arrayBuffer()));
      expect(Object.keys(files).sort()).toEqual(["Bulk A.pdf", "Bulk B.pdf"]);
      // "Select all" ticks every notebook on the page.
      await page.locator("#bulk-all").check();
      expect(await page.locator("#bulk-count").textContent()).toBe("3 selected:");

      // The list view has the same boxes, in their own column.
      await page.goto(`/folders/${folder}?view=list`);
      await page.locator(`tr.doc-card[data-doc-uuid="${b.uuid}"] .sel input`).check();
      expect(await page.locator("#bulk-count").textContent()).toBe("1 selected:");
      expect(await page.locator("table.list thead th").count()).toBe(await page.locator(`tr.doc-card[data-doc-uuid="${b.uuid}"] td`).count());

      // Touch, on a phone: the boxes are at least WCAG 2.2's 24 px target (32 px here); tap one, then Sync to Notion (not connected here).
      const ctx = await d.browser!.newContext({ baseURL: d.url, viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, colorScheme: "light", locale: "en-US", timezoneId: "UTC" });
      d.contexts.push(ctx);
      ctx.setDefaultTimeout(60_000);
      const phone = await ctx.newPage();
      await login(phone);
      await phone.goto(`/folders/${folder}`);
      const target = phone.locator(`.doc-card[data-doc-uuid="${c.uuid}"] .sel input`);
      const size = (await target.boundingBox())!;
      expect(size.width).toBeGreaterThanOrEqual(24);
      expect(size.height).toBeGreaterThanOrEqual(24);
      await target.tap();
      expect(await target.isChecked()).toBe(true);
      expect(await phone.locator("#bulk-count").textContent()).toBe("1 selected:");
      await Promise.all([phone.waitForURL((u) => u.searchParams.get("bulk") === "notion"), phone.locator('button[data-action="bulk-notion"]').tap()]);
      await phone.locator('#bulk-notice[data-bulk-problem="notion_not_connected"]').waitFor();
      expect(await phone.locator("#bulk-notice").textContent()).toContain("Notion is not connected");
      expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      if (process.env.RMIRROR_SCREENSHOTS) {
        await phone.screenshot({ path: `${process.env.RMIRROR_SCREENSHOTS}/bulk-phone.png` });
        await page.screenshot({ path: `${process.env.RMIRROR_SCREENSHOTS}/bulk-desktop.png` });
      }
    }, T);
  },
  { samples: true },
);
