// The 402 path in a real browser: the admin sets their own monthly OCR limit to 0 through the
// admin API, a handwritten page arrives (parked as pending_quota), and asking for OCR from the
// dashboard shows the "quota exceeded" modal that htmx swaps into #modal. Then the limit is
// raised through the Settings form and the waiting page is read.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { describeBrowser, SampleLibrary, T, useDashboard, type BuiltNotebook } from "./harness.ts";

describeBrowser(
  "browser: OCR quota (402 modal, raising the limit)",
  () => {
    let nb: BuiltNotebook;

    const d = useDashboard({ ocr: {} }, async (d) => {
      const me = await d.api("GET", "/api/v1/auth/me");
      const set = await d.api("PUT", `/api/v1/quota/users/${me.body.user.id}`, { limit: 0 });
      expect(set.status).toBe(200);
      const lib = new SampleLibrary(join(d.tmp, "desktop"));
      nb = lib.notebook("Over the limit", ["rmc__abcd.strokes.rm"]);
      await d.importWithCli(lib.root);
      await d.rendered(nb.uuid);
      await d.untilOcrPages("page parked in pending_quota", (p) => p.pending_quota === 1);
    });

    test("requesting OCR over the limit shows the quota modal (HTTP 402)", async () => {
      const page = await d.openPage(`/documents/${nb.uuid}/pages/1`);
      await page.locator("#page-text").waitFor();
      const answer = page.waitForResponse((r) => r.request().method() === "POST" && /\/ocr$/.test(new URL(r.url()).pathname));
      await page.locator('button[data-action="retry-ocr"]').first().click();
      expect((await answer).status()).toBe(402);
      const modal = page.locator('#modal .modal[role="dialog"]');
      await modal.waitFor({ state: "visible" });
      await expect(modal.textContent()).resolves.toMatch(/quota/i);
      expect(d.ocr.requests.length).toBe(0);
      // The header bar says the month is used up.
      expect(await page.locator("#quota-bar").getAttribute("data-level")).toBe("over");
      // The modal closes.
      await modal.locator("[data-close-modal]").first().click();
      await modal.waitFor({ state: "hidden" });

      // The quota screen (header nav) tells the same story: 0 of 0 used, one page waiting.
      await page.locator('nav[aria-label="Main"] a[data-nav="quota"]').click();
      await page.waitForURL((u) => u.pathname === "/quota");
      const q = page.locator("#quota-page");
      expect(await q.locator("[data-quota-used]").getAttribute("data-quota-used")).toBe("0");
      expect(await q.locator("[data-quota-limit]").getAttribute("data-quota-limit")).toBe("0");
      expect(await q.locator("[data-quota-backlog]").getAttribute("data-quota-backlog")).toBe("1");
    }, T);

    test("raising the limit in Settings reads the waiting page", async () => {
      const page = await d.openPage("/settings");
      const row = page.locator("#users tr[data-user-id]", { hasText: "admin@example.com" });
      await row.getByLabel("Limit for admin@example.com").fill("5");
      await Promise.all([page.waitForLoadState("load"), row.getByRole("button", { name: "Set" }).click()]);
      await page.locator("#settings-message").waitFor();
      await page.locator("#users tr[data-user-id]", { hasText: "admin@example.com" }).getByText("(5)").waitFor();

      // The backlog drains: the page is read, its text shows up where the modal was.
      await page.goto(`/documents/${nb.uuid}/pages/1`);
      await page.locator("#ocr-text").getByText("call the plumber").waitFor({ timeout: 60_000 });
      expect(d.ocr.requests.length).toBe(1);
      expect(await page.locator("#quota-bar").getAttribute("data-level")).not.toBe("over");
    }, T);
  },
  { samples: true },
);
