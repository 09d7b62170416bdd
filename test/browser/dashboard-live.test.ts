// The dashboard keeps up, fits a phone, and lets people take their notes with them (issue 13
// items 6, 7, 13, 15) — in a real Chromium against a real `rmirror serve` child, with work
// queued through the real sync API (`rmirror import` with a device token).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { Dashboard, describeBrowser, SampleLibrary, T } from "./harness.ts";

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
  },
  { samples: true },
);
