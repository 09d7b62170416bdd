// Search in a real Chromium (issue 13 items 12, 2, 14): "/" focuses the box and the arrow keys
// walk the dropdown, whose hits show page thumbnails; the printed text of the Turing paper sample
// is found and the hit opens its page with the word marked; the OCR text of a page is corrected
// in place and search finds the correction. Real `rmirror serve`, data through the `rmirror
// import` CLI, OCR answered by the loopback fake of the Anthropic API.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { sample } from "../support/samples.ts";
import { describeBrowser, SampleLibrary, T, useDashboard, type BuiltNotebook } from "./harness.ts";

const TURING = "d3954b55-8429-4220-a2d5-64f1daab9727";

describeBrowser(
  "browser: search keys, thumbnails, printed PDF text, OCR corrections",
  () => {
    let meeting: BuiltNotebook;

    const d = useDashboard({ ocr: { reply: (_r, n) => `# Handwritten ${n}\n\n- [ ] call the plumber\n- [x] buy milk` } }, async (d) => {
      const lib = new SampleLibrary(join(d.tmp, "desktop"));
      meeting = lib.notebook("Meeting notes", ["rmc__abcd.strokes.rm", "rmscene__Normal_AB.rm"]);
      await d.importWithCli(lib.root);
      await d.importWithCli(sample("lucasrla-remarks__demo_xochitl"));
      await d.rendered(meeting.uuid);
      await d.untilOcrPages("handwriting OCR'd", (p) => p.done! >= 2 && p.queued === 0);
      await d.until("the paper's printed text read", async () => (await d.api("GET", "/api/v1/search?q=machine&source=pdf")).body?.items?.length > 0);
    });

    test("'/' focuses the search box; arrow keys walk the dropdown and back; hits show page thumbnails", async () => {
      const page = await d.openPage("/");
      await page.locator("main").click({ position: { x: 5, y: 5 } });
      await page.keyboard.press("/");
      await page.waitForFunction(() => document.activeElement?.id === "search");
      await page.keyboard.type("plumber", { delay: 20 });
      const results = page.locator("#search-results");
      const hits = results.locator("li.hit a");
      await hits.nth(1).waitFor();
      // Every page hit shows its page's thumbnail, loaded.
      const thumbs = results.locator("img.hit-thumb");
      await expect(thumbs.count()).resolves.toBe(await hits.count());
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>("#search-results img.hit-thumb")).every((i) => i.complete && i.naturalWidth > 0));
      expect(await thumbs.first().getAttribute("src")).toContain(`/api/v1/documents/${meeting.uuid}/pages/`);

      const links = results.locator("a[href]");
      const focused = () => page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute("href") ?? document.activeElement?.id ?? "");
      const hrefAt = async (i: number) => (await links.nth(i).getAttribute("href")) ?? "?";
      await page.keyboard.press("ArrowDown");
      expect(await focused()).toBe(await hrefAt(0));
      await page.keyboard.press("ArrowDown");
      expect(await focused()).toBe(await hrefAt(1));
      await page.keyboard.press("ArrowUp");
      expect(await focused()).toBe(await hrefAt(0));
      await page.keyboard.press("ArrowUp");
      expect(await focused()).toBe("search");
      // "/" typed inside the box is a character, not a shortcut.
      await page.keyboard.press("/");
      expect(await page.locator("#search").inputValue()).toBe("plumber/");
      await page.keyboard.press("Backspace");
      await hits.first().waitFor();
      // Enter on a focused hit opens it.
      await page.keyboard.press("ArrowDown");
      const href = (await links.nth(0).getAttribute("href"))!;
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.pathname + u.search === href);
      await page.locator("#ocr-text mark.hit-mark").first().waitFor();
    }, T);

    test("'machine' finds the Turing paper's printed text; the hit opens the page with the word marked", async () => {
      const page = await d.openPage("/");
      const box = page.locator("#search");
      await box.click();
      await box.pressSequentially("machine", { delay: 20 });
      const hit = page.locator("#search-results li.hit[data-source='pdf'] a").filter({ hasText: /On Computable Numbers/ }).first();
      await hit.waitFor();
      await expect(page.locator("#search-results li.hit[data-source='pdf'] .badge").first().textContent()).resolves.toBe("printed text");
      await hit.click();
      await page.waitForURL((u) => u.pathname.startsWith(`/documents/${TURING}/pages/`) && (u.searchParams.get("hl") ?? "").length > 0);
      const mark = page.locator("#printed-text mark.hit-mark").first();
      await mark.waitFor();
      expect((await mark.textContent())!.toLowerCase()).toMatch(/^machines?$/);
      // Scrolled into view.
      await page.waitForFunction(() => {
        const r = document.querySelector("#printed-text mark.hit-mark")!.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
    }, T);

    test("correct the OCR text of a page: edit, save, see it marked as corrected, find it by search", async () => {
      const page = await d.openPage(`/documents/${meeting.uuid}/pages/1`);
      await page.locator("#ocr-text").getByText("call the plumber").waitFor();
      await page.getByText("Correct the text").click();
      const area = page.locator("#correction-text");
      expect(await area.inputValue()).toContain("call the plumber");
      await area.fill("# Handwritten, corrected\n\n- [ ] call the electrician\n- [x] buy oat milk");
      await page.locator("button[data-action='save-correction']").click();
      await page.locator("#ocr-block[data-corrected='1']").waitFor();
      await page.locator("#ocr-text").getByText("call the electrician").waitFor();
      await page.locator("#ocr-block .badge.corrected").waitFor();
      // Kept on reload; search finds the correction, not the machine text of this page.
      await page.reload();
      await page.locator("#ocr-text").getByText("call the electrician").waitFor();
      const box = page.locator("#search");
      await box.click();
      await box.pressSequentially("electrician", { delay: 20 });
      await page.locator("#search-results li.hit a").filter({ hasText: "Meeting notes — page 1" }).waitFor();
      // Back to the machine text.
      await page.keyboard.press("Escape");
      await page.getByText("Correct the text").click();
      await page.locator("button[data-action='discard-correction']").click();
      await page.locator("#ocr-block[data-corrected='0']").waitFor();
      await page.locator("#ocr-text").getByText("call the plumber").waitFor();
    }, T);
  },
  { samples: true },
);
