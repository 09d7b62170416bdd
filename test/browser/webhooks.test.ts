// The webhooks page in a real browser against a real server process and a loopback receiver that
// verifies signatures with the standardwebhooks package: a refused URL keeps the form; adding an
// endpoint shows its secret; a failed delivery shows as failed with Redeliver, which sends it again.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { Dashboard, describeBrowser, T } from "./harness.ts";

describeBrowser("browser: webhooks page", () => {
  let d: Dashboard;
  let answer = 500;
  let secret = "";
  const got: { id: string; type: string; uuid: string }[] = [];
  const bad: string[] = [];
  const rx = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.text();
      if (answer !== 200) return new Response("down", { status: answer });
      try {
        const h = { "webhook-id": req.headers.get("webhook-id") ?? "", "webhook-timestamp": req.headers.get("webhook-timestamp") ?? "", "webhook-signature": req.headers.get("webhook-signature") ?? "" };
        const m = new Webhook(secret).verify(body, h) as { type: string; data: { document: { uuid: string } } };
        got.push({ id: h["webhook-id"], type: m.type, uuid: m.data.document.uuid });
        return new Response("ok");
      } catch (e) {
        bad.push(String(e));
        return new Response("bad signature", { status: 400 });
      }
    },
  });
  const uuid = crypto.randomUUID();

  beforeAll(async () => {
    d = new Dashboard({ env: { RMIRROR_WEBHOOK_ALLOW_PRIVATE: "1", RMIRROR_WEBHOOK_RETRY_BASE_MS: "50", RMIRROR_WEBHOOK_MAX_ATTEMPTS: "2" } });
    await d.start();
  }, T);
  afterAll(async () => {
    await d?.teardown();
    rx.stop(true);
  }, T);
  afterEach(() => d?.endTest(), T);

  test("add (a refused URL keeps the form), see the secret, a failed delivery, Redeliver, delete", async () => {
    const page = await d.loggedInPage();
    await page.goto("/settings");
    await page.locator('a[href="/settings/webhooks"]').click();
    await page.waitForURL(/\/settings\/webhooks$/);

    const form = page.locator("#webhook-add-form");
    await form.locator('input[name="url"]').fill("ftp://example.com/hook");
    await form.locator('input[name="description"]').fill("my automation");
    for (const e of ["page.text_ready", "todo.created", "todo.checked", "quota.threshold"]) await form.locator(`input[name="ev_${e}"]`).uncheck();
    await form.locator('button[type="submit"]').click();
    await page.locator("#webhooks-error").waitFor();
    expect(await page.locator("#webhooks-error").textContent()).toContain("https://");
    expect(await form.locator('input[name="description"]').inputValue()).toBe("my automation");
    expect(await form.locator('input[name="ev_todo.created"]').isChecked()).toBe(false);

    await form.locator('input[name="url"]').fill(`http://127.0.0.1:${rx.port}/hook`);
    await form.locator('button[type="submit"]').click();
    await page.locator("#webhooks-message").waitFor();
    const card = page.locator("article[data-endpoint-id]");
    expect(await card.count()).toBe(1);
    expect(await card.locator("h3").textContent()).toBe(`http://127.0.0.1:${rx.port}/hook`);
    expect(await card.locator("dd").first().textContent()).toBe("document.changed");
    await card.locator("summary").click();
    secret = (await card.locator("code.webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);

    // An event while the receiver answers 500: two attempts, then failed.
    expect((await d.api("PUT", `/api/v1/documents/${uuid}`, { metadata: { visibleName: "Hooked", type: "DocumentType", parent: "", lastModified: "1700000000000" }, pages: [], files: [] })).status).toBe(200);
    const id = Number(await card.getAttribute("data-endpoint-id"));
    await d.until("delivery failed", async () => (await d.api("GET", `/api/v1/webhooks/${id}/deliveries`)).body.deliveries?.[0]?.status === "failed");
    await page.reload();
    const row = page.locator('tr[data-delivery-status="failed"]');
    await row.waitFor();
    expect(await row.locator("td").nth(2).textContent()).toBe("2");
    expect(await row.locator("td").nth(3).textContent()).toBe("HTTP 500");

    answer = 200;
    await row.locator('button:has-text("Redeliver")').click();
    await page.locator("#webhooks-message").waitFor();
    await d.until("redelivered", async () => got.length === 1);
    expect(bad).toEqual([]);
    expect(got[0]).toMatchObject({ type: "document.changed", uuid });
    await page.reload();
    await page.locator('tr[data-delivery-status="delivered"]').waitFor();
    expect(await page.locator("tr[data-delivery-id] small").textContent()).toBe(got[0]!.id);

    await page.locator('article[data-endpoint-id] button:has-text("Delete endpoint")').click();
    await page.locator("#webhooks-empty").waitFor();
    expect(d.pageErrors).toEqual([]);
  }, T);
});
