// "Settling" in a real Chromium (issue 14): with RMIRROR_OCR_SETTLE_SECONDS=900 a new handwritten
// page shows as "settling · read at …" on the document page — not "no text" — and the grid keeps
// polling (htmx every 5 s) while it settles; once the page is read (here: asked for through the
// API, which bypasses the delay) the grid updates by itself, without a reload, and stops polling.
import { expect, test } from "bun:test";
import { inkPage } from "../ocr/support.ts";
import { describeBrowser, T, useDashboard } from "./harness.ts";

describeBrowser("browser: a settling page is shown with its read time and polled until read", () => {
  const uuid = crypto.randomUUID();

  const d = useDashboard({ ocr: {}, env: { RMIRROR_OCR_SETTLE_SECONDS: "900" } }, async (d) => {
    // One handwritten page, synced the way the agent does it: the document, then its bytes.
    const bytes = inkPage(41);
    const sha = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
    const put = await d.api("PUT", `/api/v1/documents/${uuid}`, {
      metadata: { visibleName: "Seminar notes", type: "DocumentType", parent: "", lastModified: "1700000000000" },
      fileType: "notebook",
      pages: [{ id: crypto.randomUUID(), idx: 0, sha256: sha, size: bytes.byteLength }],
      files: [],
    });
    expect(put.status).toBe(200);
    const blob = await fetch(`${d.url}/api/v1/blobs/${sha}`, { method: "PUT", headers: { authorization: `Bearer ${d.token}` }, body: bytes as Uint8Array<ArrayBuffer> });
    expect(blob.status).toBe(200);
    await d.rendered(uuid);
    await d.untilOcrPages("the page queued for OCR", (p) => p.queued === 1);
  });

  test("settling with its read time, polled while settling, then done without a reload", async () => {
    const page = await d.openPage(`/documents/${uuid}`);
    const badge = page.locator('#pages .badge[data-status="settling"]');
    await badge.waitFor();
    expect(await badge.textContent()).toMatch(/^settling · read at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    const readAt = Date.parse((await badge.getAttribute("data-read-at"))!);
    expect(readAt).toBeGreaterThan(Date.now() + 600_000); // 900 s after the upload: far from now
    expect(await page.locator("#pages").getAttribute("data-polling")).toBe("1");
    expect(d.ocr.requests.length).toBe(0);

    // The grid keeps polling while the page settles: two more rounds, still settling.
    for (let i = 0; i < 2; i++) {
      const r = await page.waitForResponse((res) => new URL(res.url()).pathname === `/documents/${uuid}/status`, { timeout: 60_000 });
      expect(r.status()).toBe(200);
      await page.locator('#pages .badge[data-status="settling"]').waitFor();
    }

    // The page view says when it is read, instead of "no text".
    const view = await d.openPage(`/documents/${uuid}/pages/1`);
    await view.locator('#page-text[data-page-status="settling"]').waitFor();
    expect(await view.locator("#page-text").textContent()).toContain("read once the page has stopped changing");
    expect(await view.locator("#page-text").textContent()).not.toContain("No text on this page yet.");

    // Read it now (the API's "OCR now" bypasses the delay): the open grid turns done by itself.
    const asked = await d.api("POST", `/api/v1/documents/${uuid}/ocr`);
    expect(asked.status).toBe(200);
    await page.locator('#pages .badge[data-status="done"]').waitFor({ timeout: 100_000 });
    expect(d.ocr.requests.length).toBe(1);
    expect(await page.locator("#pages").getAttribute("data-polling")).toBe("0");
    expect(await page.locator("#pages").getAttribute("hx-trigger")).toBeNull();
  }, T);
});
