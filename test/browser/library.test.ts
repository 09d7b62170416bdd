// The dashboard in a real Chromium against a real `rmirror serve` child, with data uploaded
// through the real sync API (`rmirror import` CLI with a device token) and OCR answered by a
// loopback fake of the Anthropic API. Real clicks, real typing, real htmx.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { buildRmdoc, describeBrowser, SampleLibrary, T, useDashboard, type BuiltNotebook } from "./harness.ts";

describeBrowser(
  "browser: library, pages, search, upload, live status, retries",
  () => {
    let lib: SampleLibrary;
    let projects: string;
    let meeting: BuiltNotebook;
    let shopping: BuiltNotebook;

    const d = useDashboard({ ocr: { reply: (_r, n) => `# Handwritten ${n}\n\n- [ ] call the plumber\n- [x] buy milk` } }, async (d) => {
      lib = new SampleLibrary(join(d.tmp, "desktop"));
      projects = lib.folder("Projects");
      meeting = lib.notebook("Meeting notes", ["rmc__abcd.strokes.rm", "rmscene__Bold_Heading_Bullet_Normal.rm", "rmscene__Normal_AB.rm"], projects);
      shopping = lib.notebook("Shopping list", ["rmc__text_multiple_lines.rm"]);
      await d.importWithCli(lib.root);
      await d.rendered(meeting.uuid);
      await d.rendered(shopping.uuid);
      await d.untilOcrPages("handwriting OCR'd", (p) => p.done! >= 1 && p.queued === 0);
    });

    test("library → folder (breadcrumbs) → document → page: SVG and text visible", async () => {
      const page = await d.openPage("/");
      const library = page.locator("#library");
      await library.waitFor();
      // Keyboard: the first Tab reaches the skip link, Enter moves focus to the main content.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.className)).toContain("skip-link");
      expect(await page.locator("a.skip-link").isVisible()).toBe(true);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.activeElement?.id === "main");
      await expect(library.locator(".folder-card", { hasText: "Projects" }).count()).resolves.toBe(1);
      await expect(library.locator(`.doc-card[data-doc-uuid="${shopping.uuid}"]`).count()).resolves.toBe(1);
      // Meeting notes lives in Projects, not at the root.
      await expect(library.locator(`.doc-card[data-doc-uuid="${meeting.uuid}"]`).count()).resolves.toBe(0);

      // Grid ↔ list toggle.
      await page.locator('.toolbar a[data-view="list"]').click();
      await page.locator('#library[data-view="list"]').waitFor();
      await page.locator('.toolbar a[data-view="grid"]').click();
      await page.locator('#library[data-view="grid"]').waitFor();

      await library.locator(".folder-card", { hasText: "Projects" }).getByRole("link").first().click();
      await page.waitForURL(`**/folders/${projects}`);
      const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
      await crumbs.getByText("Projects").waitFor();
      await page.locator(`.doc-card[data-doc-uuid="${meeting.uuid}"]`).getByRole("link").first().click();
      await page.waitForURL(`**/documents/${meeting.uuid}`);
      await page.getByRole("heading", { name: "Meeting notes" }).waitFor();
      // The breadcrumb leads back to the folder (and forward again).
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Projects" }).click();
      await page.waitForURL(`**/folders/${projects}`);
      await page.goBack();
      await page.waitForURL(`**/documents/${meeting.uuid}`);
      const thumbs = page.locator("#pages .page-thumb");
      await expect(thumbs.count()).resolves.toBe(3);
      // The downloads are real files (same session cookie as the page).
      const pdf = await page.request.get((await page.locator('a[data-download="pdf"]').getAttribute("href"))!);
      expect(pdf.status()).toBe(200);
      expect(new TextDecoder().decode((await pdf.body()).subarray(0, 5))).toBe("%PDF-");
      const md = await page.request.get((await page.locator('a[data-download="markdown"]').getAttribute("href"))!);
      expect(await md.text()).toContain("B is a letter of the alphabet"); // typed text (the export leaves OCR text out today)

      // Page 2 holds typed text ("B is a letter of the alphabet").
      await thumbs.nth(1).getByRole("link").first().click();
      await page.waitForURL(`**/documents/${meeting.uuid}/pages/2`);
      const img = page.locator("#page-image");
      await img.waitFor({ state: "visible" });
      // The rendered SVG really loaded (an <img> with a natural size, or an inline <svg>).
      await page.waitForFunction(() => {
        const el = document.querySelector("#page-image");
        if (!el) return false;
        const im = el instanceof HTMLImageElement ? el : el.querySelector("img");
        if (im) return im.complete && im.naturalWidth > 0;
        const svg = el instanceof SVGSVGElement ? el : el.querySelector("svg");
        return !!svg && svg.getBoundingClientRect().width > 0;
      });
      await page.locator("#typed-text").getByText("B is a letter of the alphabet").waitFor();
      // Zoom in, then back to fit.
      const fitWidth = (await img.boundingBox())!.width;
      await page.getByRole("button", { name: "Zoom in" }).click();
      expect((await img.boundingBox())!.width).toBeGreaterThan(fitWidth * 1.2);
      await page.getByRole("button", { name: "Fit width" }).click();
      expect(Math.abs((await img.boundingBox())!.width - fitWidth)).toBeLessThan(2);

      // Next page with the → link, back with the "k" key, forward with "j".
      await page.locator('a[rel="next"]').first().click();
      await page.waitForURL(`**/documents/${meeting.uuid}/pages/3`);
      await page.locator("#typed-text").getByText("AB").waitFor();
      await page.locator("#main").focus();
      await page.keyboard.press("k");
      await page.waitForURL(`**/documents/${meeting.uuid}/pages/2`);
      await page.keyboard.press("j");
      await page.waitForURL(`**/documents/${meeting.uuid}/pages/3`);

      // Page 1 is handwriting: its OCR text (from the fake engine) is shown.
      await page.goto(`/documents/${meeting.uuid}/pages/1`);
      await page.locator("#ocr-text").getByText("call the plumber").waitFor();
    }, T);

    test("search from the header box and open a hit", async () => {
      const page = await d.openPage("/");
      const box = page.locator("#search");
      await box.click();
      await box.pressSequentially("alphabet", { delay: 20 });
      const results = page.locator("#search-results");
      const hit = results.getByRole("link").filter({ hasText: /Meeting notes/ }).first();
      await hit.waitFor();
      await expect(results.locator("mark").first().textContent()).resolves.toMatch(/alphabet/i);
      // Escape closes the dropdown; typing again reopens it.
      await box.press("Escape");
      expect(await results.getByRole("link").count()).toBe(0);
      await box.fill("");
      await box.pressSequentially("alphabet", { delay: 20 });
      await hit.waitFor();
      await hit.click();
      await page.waitForURL(`**/documents/${meeting.uuid}/pages/2**`);
      await page.locator("#typed-text").getByText("B is a letter of the alphabet").waitFor();

      // Enter in the box opens the full results page.
      await page.locator("#search").fill("plumber");
      await page.locator("#search").press("Enter");
      await page.waitForURL((u) => u.pathname === "/search" && u.searchParams.get("q") === "plumber");
      await page.locator("#search-page-results").getByText("Meeting notes").first().waitFor();
    }, T);

    test("upload a .rmdoc through the upload page; it appears in the library", async () => {
      const file = join(d.tmp, "Uploaded sketch.rmdoc");
      const doc = buildRmdoc(file, "Uploaded sketch", ["rmscene__Lines_v2.rm", "rmc__abcd.text.rm"]);
      const page = await d.openPage("/upload");
      // Choosing the file starts the upload (XHR to /api/v1/import with the CSRF header).
      await page.locator("#upload-file").setInputFiles(file);
      const ok = page.locator("#upload-result p.ok");
      await ok.waitFor();
      expect(await ok.textContent()).toBe("Uploaded sketch.rmdoc: imported 1 document(s).");
      expect(await page.locator("#upload-result p.err").count()).toBe(0);
      await d.rendered(doc.uuid);
      await page.goto("/");
      await page.locator(`.doc-card[data-doc-uuid="${doc.uuid}"]`).getByText("Uploaded sketch").waitFor();

      // A damaged export and a file of the wrong kind get a message, not a crash.
      await page.goto("/upload");
      await page.locator("#upload-file").setInputFiles({ name: "damaged.rmdoc", mimeType: "application/zip", buffer: Buffer.from("PK\x03\x04 this is not really a zip archive") });
      await page.locator("#upload-result p.err").getByText(/^damaged\.rmdoc: The upload is not a readable export/).waitFor();
      await page.locator("#upload-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
      await page.locator("#upload-result").getByText("notes.txt: only .rmdoc and .zip exports can be uploaded.").waitFor();
      // Several files at once: one line per file, none replaces another.
      await page.goto("/upload");
      await page.locator("#upload-file").setInputFiles([
        { name: "broken.rmdoc", mimeType: "application/zip", buffer: Buffer.from("PK\x03\x04 not a zip either") },
        { name: "list.txt", mimeType: "text/plain", buffer: Buffer.from("hello") },
      ]);
      await page.locator("#upload-result").getByText("list.txt: only .rmdoc and .zip exports can be uploaded.").waitFor();
      expect(await page.locator("#upload-result p").allTextContents()).toEqual([expect.stringMatching(/^broken\.rmdoc: /), "list.txt: only .rmdoc and .zip exports can be uploaded."]);
    }, T);

    test("folders come first, in grid and list; the folder tree is open on a wide screen and folded on a phone", async () => {
      const page = await d.loggedInPage();
      for (const view of ["grid", "list"]) {
        await page.goto(`/?view=${view}`);
        const first = page.locator(`#library[data-view="${view}"]`).locator(".folder-card, .doc-card, tr[data-doc-uuid], tr.folder-row").first();
        await first.waitFor();
        expect(await first.innerText()).toContain("Projects");
      }
      await page.goto("/");
      await page.locator("#folder-tree").waitFor();
      await page.waitForFunction(() => (document.querySelector("#folder-tree details") as HTMLDetailsElement | null)?.open === true);
      expect(await page.locator("#folder-tree").getByRole("link", { name: "Projects" }).isVisible()).toBe(true);
      const phone = await d.openPage("/", { width: 390, height: 844 });
      await phone.locator("#folder-tree").waitFor();
      expect(await phone.evaluate(() => (document.querySelector("#folder-tree details") as HTMLDetailsElement).open)).toBe(false);
    }, T);

    test("phone width (390 px): no screen scrolls sideways, the header search works", async () => {
      const page = await d.loggedInPage({ width: 390, height: 844 });
      const screens = ["/", `/folders/${projects}`, `/documents/${meeting.uuid}`, `/documents/${meeting.uuid}/pages/1`, "/search?q=plumber", "/quota", "/devices", "/upload", "/activity", "/settings"];
      const overflowing: string[] = [];
      for (const path of screens) {
        const res = await page.goto(path);
        expect(res?.status()).toBe(200);
        const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        if (w.scroll > w.client + 1) overflowing.push(`${path} (${w.scroll} px wide)`);
      }
      expect(overflowing).toEqual([]);
      await page.goto("/");
      await page.locator("#search").fill("alphabet");
      await page.locator("#search-results").getByRole("link").first().waitFor();
      const box = await page.locator("#search-results").boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 391).toBe(true);
    }, T);

    test("a page goes from pending to done while it is on screen (no reload)", async () => {
      // Hold the OCR answer until the page is on screen with its pending state.
      const gate = Promise.withResolvers<void>();
      const seen = d.ocr.requests.length;
      d.ocr.hold = () => gate.promise;
      d.ocr.reply = () => "Live update arrived";
      try {
        const live = new SampleLibrary(join(d.tmp, "live"));
        const nb = live.notebook("Live notebook", ["rmc__abcd.strokes.rm"]);
        await d.importWithCli(live.root);
        await d.until("OCR request in flight", async () => d.ocr.requests.length > seen);

        // Two tabs: the document's page grid and the page itself, both showing the pending state.
        const page = await d.openPage(`/documents/${nb.uuid}`);
        const view = await page.context().newPage();
        await view.goto(`/documents/${nb.uuid}/pages/1`);
        await page.locator('#pages[data-polling="1"] .page-thumb[data-page-status="queued"]').waitFor();
        await view.locator('#page-text[data-polling="1"][data-page-status="queued"]').waitFor();
        expect(await view.locator("#ocr-text").count()).toBe(0);
        for (const p of [page, view]) await p.evaluate(() => ((window as any).__sameDocument = true));

        gate.resolve();
        await page.locator('#pages .page-thumb[data-page-status="done"]').waitFor({ timeout: 60_000 });
        await view.locator("#ocr-text").getByText("Live update arrived").waitFor({ timeout: 60_000 });
        // Updated in place by htmx polling, not by a reload; the polling stops once nothing is pending.
        for (const p of [page, view]) expect(await p.evaluate(() => (window as any).__sameDocument)).toBe(true);
        await page.locator('#pages[data-polling="0"]').waitFor({ state: "attached" });
        await view.locator('#page-text[data-polling="0"][data-page-status="done"]').waitFor({ state: "attached" });
      } finally {
        d.ocr.hold = null;
        gate.resolve();
      }
    }, T);

    test("a failed OCR shows its reason; Retry OCR reads the page again", async () => {
      d.ocr.script.push({ status: 400, message: "Could not process image" });
      d.ocr.reply = () => "Second time lucky";
      const failing = new SampleLibrary(join(d.tmp, "failing"));
      const nb = failing.notebook("Retry me", ["rmc__abcd.strokes.rm"]);
      await d.importWithCli(failing.root);
      await d.untilOcrPages("OCR failed for good", (p) => p.failed === 1);

      const page = await d.openPage(`/documents/${nb.uuid}/pages/1`);
      const text = page.locator('#page-text[data-page-status="failed"]');
      await text.getByText(/Could not process image/).waitFor();
      const retry = text.getByRole("button", { name: "Retry OCR" });
      const answer = page.waitForResponse((r) => r.request().method() === "POST" && /\/ocr$/.test(new URL(r.url()).pathname));
      await retry.click();
      expect((await answer).status()).toBe(200);
      await page.locator("#ocr-text").getByText("Second time lucky").waitFor({ timeout: 60_000 });
      expect(await page.locator('#page-text[data-page-status="done"]').count()).toBe(1);
    }, T);

    test("a big folder is paginated (48 per page) with next/previous links", async () => {
      const big = new SampleLibrary(join(d.tmp, "big"));
      const archive = big.folder("Archive");
      for (let i = 1; i <= 50; i++) big.notebook(`Old note ${String(i).padStart(2, "0")}`, ["rmscene__Normal_AB.rm"], archive);
      await d.importWithCli(big.root);
      expect((await d.api("GET", `/api/v1/documents?parent=${archive}`)).body.documents.length).toBe(50);

      const page = await d.openPage(`/folders/${archive}?sort=name`);
      const cards = page.locator("#library .doc-card");
      expect(await cards.count()).toBe(48);
      await expect(cards.first().textContent()).resolves.toContain("Old note 01");
      const pager = page.getByRole("navigation", { name: "Pagination" });
      await pager.locator('a[rel="next"]').click();
      await page.waitForURL((u) => u.searchParams.get("page") === "2");
      expect(await cards.count()).toBe(2);
      await expect(cards.last().textContent()).resolves.toContain("Old note 50");
      expect(await pager.locator('a[rel="next"]').count()).toBe(0);
      await pager.locator('a[rel="prev"]').click();
      await page.waitForURL((u) => u.searchParams.get("page") === null);
      expect(await cards.count()).toBe(48);
    }, T);

    test("names are shown as text, never run as HTML (library, folder, document, page)", async () => {
      const evil = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> & "quotes"`;
      const lib2 = new SampleLibrary(join(d.tmp, "evil"));
      const folder = lib2.folder(`${evil} folder`);
      const nb = lib2.notebook(evil, ["rmscene__Normal_AB.rm"], folder);
      await d.importWithCli(lib2.root);
      await d.rendered(nb.uuid);

      const page = await d.loggedInPage();
      const alerts: string[] = [];
      page.on("dialog", (dlg) => {
        alerts.push(dlg.message());
        void dlg.dismiss();
      });
      for (const path of ["/", `/folders/${folder}`, `/documents/${nb.uuid}`, `/documents/${nb.uuid}/pages/1`, `/search?q=AB`]) {
        await page.goto(path);
        await page.waitForLoadState("load");
        expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
        if (path !== "/search?q=AB") await page.locator("main").getByText(evil).filter({ visible: true }).first().waitFor();
      }
      expect(alerts).toEqual([]);
      // The title of the document page is the literal name.
      await page.goto(`/documents/${nb.uuid}`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(evil);
    }, T);

    test("Activity: a page that cannot be rendered shows a failed job; Retry queues it again", async () => {
      const broken = new SampleLibrary(join(d.tmp, "broken"));
      const nb = broken.notebook("Broken notebook", [new TextEncoder().encode("reMarkable .lines file, version=6          but then garbage")]);
      await d.importWithCli(broken.root);
      await d.rendered(nb.uuid);

      const page = await d.openPage(`/documents/${nb.uuid}`);
      await page.locator('#pages .page-thumb[data-page-status="render_failed"]').waitFor();
      await page.locator('nav[aria-label="Main"] a[data-nav="activity"]').click();
      await page.waitForURL((u) => u.pathname === "/activity");
      const row = page.locator('#jobs tr[data-job-status="failed"]', { hasText: "Broken notebook" }).first();
      await row.waitFor();
      const id = await row.getAttribute("data-job-id");
      const first = (await d.api("GET", `/api/v1/jobs/${id}`)).body;
      expect(first.status).toBe("failed");
      const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/activity/jobs/${id}/retry`));
      await row.getByRole("button", { name: "Retry" }).click();
      expect((await answer).status()).toBe(200);
      // The row is swapped in place for the re-queued job.
      const again = page.locator(`#jobs tr[data-job-id="${id}"]`);
      await page.waitForFunction((jobId) => document.querySelector(`#jobs tr[data-job-id="${jobId}"]`)?.getAttribute("data-job-status") !== "failed", id);
      expect(["queued", "running", "done"]).toContain((await again.getAttribute("data-job-status")) ?? "");
      expect(await again.getByRole("button", { name: "Retry" }).count()).toBe(0);
      // It runs again (and fails again: the bytes are still broken).
      await d.until("job ran again", async () => {
        const j = await d.api("GET", `/api/v1/jobs/${id}`);
        return j.body?.status === "failed" && j.body.finishedAt !== first.finishedAt ? j.body : false;
      });
    }, T);
  },
  { samples: true },
);
