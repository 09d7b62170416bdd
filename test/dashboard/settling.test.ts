// "Settling" (issue 14): a page waiting for the settle delay is shown as settling with the time it
// is read — not as "no text" — and the views keep polling until it is read (every 5 s when the read
// is within 15 minutes, every minute when it is further away), then stop. Driven by a clock.
import { expect, test } from "bun:test";
import { fakeAnthropicForFile, inkPage, ocrOverrides, pageIds } from "../ocr/support.ts";
import { addUser, buildDoc, harness, syncDoc } from "../support/server-harness.ts";
import { req, session } from "./support.ts";

const fake = fakeAnthropicForFile();
const T0 = Date.UTC(2026, 2, 10, 9, 0);

test("a settling page says when it is read, offers Read now, and the grid and page poll until it is read", async () => {
  let now = T0;
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 900 }), now: () => now });
  try {
    const u = await addUser(h, "settle@example.com");
    const b = session(h, u);
    const d = buildDoc([inkPage(5)], { name: "Lecture" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.length).toBe(0);

    let grid = await (await req(h, b, "GET", `/documents/${d.uuid}/status`, { htmx: true })).text();
    expect(grid).toContain('data-status="settling"');
    expect(grid).toContain(`data-read-at="${new Date(T0 + 900_000).toISOString()}"`);
    expect(grid).toContain("settling · read at 2026-03-10 09:15 UTC");
    expect(grid).toContain('data-polling="1"');
    expect(grid).toContain('hx-trigger="every 5s"');

    let text = await (await req(h, b, "GET", `/documents/${d.uuid}/pages/1/status`, { htmx: true })).text();
    expect(text).toContain('data-page-status="settling"');
    expect(text).toContain("read once the page has stopped changing, at 2026-03-10 09:15 UTC");
    expect(text).not.toContain("No text on this page yet.");
    expect(text).toContain("Read now");
    expect(text).toContain('hx-trigger="every 5s"');

    // 10 minutes later it still settles (and still polls); at 09:15 it is read and polling stops.
    now += 600_000;
    await h.runner.idle();
    grid = await (await req(h, b, "GET", `/documents/${d.uuid}/status`, { htmx: true })).text();
    expect(grid).toContain('data-status="settling"');
    now += 300_000;
    await h.runner.idle();
    expect(fake.requests.length).toBe(1);
    grid = await (await req(h, b, "GET", `/documents/${d.uuid}/status`, { htmx: true })).text();
    expect(grid).toContain('data-status="done"');
    expect(grid).toContain('data-polling="0"');
    expect(grid).not.toContain("hx-trigger");

    // A new version settles again; the page shows the previous version's text meanwhile.
    const sha = new Bun.CryptoHasher("sha256").update(inkPage(6)).digest("hex");
    d.blobs.set(sha, inkPage(6));
    d.input.pages![0] = { ...d.input.pages![0]!, sha256: sha, size: inkPage(6).byteLength };
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    text = await (await req(h, b, "GET", `/documents/${d.uuid}/pages/1/status`, { htmx: true })).text();
    expect(text).toContain('data-page-status="settling"');
    expect(text).toContain("until then the text of the previous version is shown");
    expect(text).toContain('id="ocr-text"');
    expect(text).toContain('data-read-reason="new">Read as a new page by claude-haiku-5-5</p>'); // why the shown text was read
    // Read now pulls it forward.
    const res = await req(h, b, "POST", `/documents/${d.uuid}/pages/1/ocr`, { htmx: true });
    expect(res.status).toBe(200);
    await h.runner.idle();
    expect(fake.requests.length).toBe(2);
    expect(h.ctx.store.pageOcrByPage(pageIds(h, u.id, d.uuid)[0]!)!.status).toBe("done");
  } finally {
    await h.close();
  }
});

test("a read further away than 15 minutes is polled for once a minute", async () => {
  const now = T0;
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 3600 }), now: () => now });
  try {
    const u = await addUser(h, "slow@example.com");
    const b = session(h, u);
    const d = buildDoc([inkPage(7)], { name: "Day book" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const grid = await (await req(h, b, "GET", `/documents/${d.uuid}/status`, { htmx: true })).text();
    expect(grid).toContain("settling · read at 2026-03-10 10:00 UTC");
    expect(grid).toContain('hx-trigger="every 60s"');
  } finally {
    await h.close();
  }
});
