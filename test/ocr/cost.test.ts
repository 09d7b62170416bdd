// Where the quota went and what it cost (issue 14): every read page is one ledger row (why,
// engine, model, tokens); the Quota page counts this month's pages per reason and estimates the
// cost per engine/model from a price table the administrator edits in Settings.
import { expect, test } from "bun:test";
import { quotaMonth } from "../../src/quota/index.ts";
import { DEFAULT_PRICES, parsePrices, priceFor } from "../../src/services/ocr/cost.ts";
import { rereadPages } from "../../src/services/ocr/reread.ts";
import { req, session, XSS_SCRIPT } from "../dashboard/support.ts";
import { addUser, buildDoc, call, harness, json, syncDoc } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides } from "./support.ts";

const fake = fakeAnthropicForFile();

test("price table: parsing with line numbers in errors; a price matches its model and the model's dated snapshots, per engine", () => {
  expect(parsePrices("# comment\nanthropic claude-haiku-5-5 0.1 0.5\n\nopenai gpt-4o-mini 0.15 0.60 # list price\n")).toEqual([
    { engine: "anthropic", model: "claude-haiku-5-5", input: 0.1, output: 0.5 },
    { engine: "openai", model: "gpt-4o-mini", input: 0.15, output: 0.6 },
  ]);
  expect(() => parsePrices("openai gpt-4o-mini 0.15")).toThrow("line 1: four fields needed");
  expect(() => parsePrices("\nopenai gpt-4o-mini cheap 0.6")).toThrow("line 2: prices are numbers");
  expect(() => parsePrices("openai <b>x</b> 1 1")).toThrow("line 1");
  expect(priceFor(DEFAULT_PRICES, "openai", "gpt-4o-mini-2024-07-18")?.input).toBe(0.15);
  expect(priceFor(DEFAULT_PRICES, "anthropic", "claude-haiku-5-5")?.output).toBe(0.5);
  expect(priceFor(DEFAULT_PRICES, "gemini", "gpt-4o-mini")).toBeNull();
  expect(priceFor(DEFAULT_PRICES, "openai", "llava:13b")).toBeNull(); // a local model: no price
  for (const e of ["anthropic", "openai", "gemini"]) expect(DEFAULT_PRICES.some((p) => p.engine === e)).toBe(true);
});

test("the Quota page shows this month's pages per reason and the estimated cost per engine/model; the admin's price table changes it", async () => {
  const h = await harness({ overrides: ocrOverrides(fake, { "ocr.concurrency": 1 }) });
  try {
    const admin = await addUser(h, "admin@example.com", true);
    const u = await addUser(h, "costs@example.com");
    const A = session(h, admin);
    const B = session(h, u);
    // 2 new pages, then page 2 changes (changed), a third page fails and is asked for again
    // (requested), then the notebook is re-read (3 × reread): 7 pages.
    const d = buildDoc([inkPage(1), inkPage(2)], { name: "Costs" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const pageIds = d.input.pages!.map((p) => p.id);
    const d2 = buildDoc([inkPage(1), inkPage(22)], { name: "Costs", uuid: d.uuid, pageIds });
    await syncDoc(h, u.token, d2);
    await h.runner.idle();
    fake.script.push({ status: 400, message: "Could not process image" });
    const third = crypto.randomUUID();
    const d3 = buildDoc([inkPage(1), inkPage(22), inkPage(3)], { name: "Costs", uuid: d.uuid, pageIds: [...pageIds, third] });
    await syncDoc(h, u.token, d3);
    await h.runner.idle();
    expect((await call(h, "POST", `/api/v1/documents/${d.uuid}/pages/${third}/ocr`, { token: u.token })).status).toBe(200);
    await h.runner.idle();
    const rr = rereadPages(h.ctx, u.id, { documentUuid: d.uuid, all: true });
    expect(rr.queued).toBe(3);
    await h.runner.idle();
    const month = quotaMonth(Date.now(), "UTC");
    expect(h.ctx.store.quotaUsed(u.id, month)).toBe(7);

    const api = await json(await call(h, "GET", "/api/v1/quota", { token: u.token }));
    expect(api.month.reasons).toEqual({ new: 2, changed: 1, requested: 1, reread: 3, unknown: 0 });
    const sums = h.ctx.store.ocrReadSums(u.id, month);
    const tin = sums.reduce((n, r) => n + r.input_tokens, 0);
    const tout = sums.reduce((n, r) => n + r.output_tokens, 0);
    expect(tin).toBeGreaterThan(0);
    const expected = (tin * 0.1 + tout * 0.5) / 1e6; // claude-haiku-5-5 at the default price
    expect(api.month.models).toEqual([{ engine: "anthropic", model: "claude-haiku-5-5", pages: 7, inputTokens: tin, outputTokens: tout, costUsd: expect.any(Number) }]);
    expect(api.month.costUsd).toBeCloseTo(expected, 12);

    let html = await (await req(h, B, "GET", "/quota")).text();
    expect(html).toMatch(/data-reason="reread"><td>Re-read on request<\/td><td data-reason-pages="3">3<\/td>/);
    expect(html).toMatch(/data-reason="new"><td>New pages<\/td><td data-reason-pages="2">2<\/td>/);
    expect(html).not.toContain('data-reason="unknown"');
    expect(html).toContain(`data-cost-total="${expected.toFixed(6)}"`);
    expect(html).toContain("default prices as of 2026-12-03");
    expect(html).toContain("not a bill");

    // The admin edits the table (CSRF; admins only; a bad line is named); the estimate follows.
    expect((await req(h, A, "POST", "/settings/ocr-prices", { form: { prices: "anthropic claude-haiku-5-5 1 2" } })).status).toBe(403);
    expect((await req(h, B, "POST", "/settings/ocr-prices", { form: { csrf: B.csrf, prices: "anthropic claude-haiku-5-5 1 2" } })).status).toBe(403);
    const bad = await req(h, A, "POST", "/settings/ocr-prices", { form: { csrf: A.csrf, prices: `anthropic claude-haiku-5-5 1 2\nopenai ${XSS_SCRIPT} 1 1` } });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain("Price table line 2");
    expect(badHtml.includes(XSS_SCRIPT)).toBe(false);
    expect((await req(h, A, "POST", "/settings/ocr-prices", { form: { csrf: A.csrf, prices: "anthropic claude-haiku-5-5 1 2\ngemini gemini-3-flash 0.5 3" } })).status).toBe(303);
    const settings = await (await req(h, A, "GET", "/settings?done=prices")).text();
    expect(settings).toContain("OCR price table saved.");
    expect(settings).toContain("anthropic claude-haiku-5-5 1 2");
    html = await (await req(h, B, "GET", "/quota")).text();
    expect(html).toContain(`data-cost-total="${((tin * 1 + tout * 2) / 1e6).toFixed(6)}"`);
    expect(html).toMatch(/the administrator(&#39;|&#x27;|')s price table/);
    // A table without the model: unpriced, said so.
    expect((await req(h, A, "POST", "/settings/ocr-prices", { form: { csrf: A.csrf, prices: "openai gpt-4o-mini 0.15 0.6" } })).status).toBe(303);
    html = await (await req(h, B, "GET", "/quota")).text();
    expect(html).toContain('data-cost="unpriced"');
    expect(html).toContain("no price in the table");
    // Empty restores the defaults.
    expect((await req(h, A, "POST", "/settings/ocr-prices", { form: { csrf: A.csrf, prices: "" } })).status).toBe(303);
    expect(await (await req(h, B, "GET", "/quota")).text()).toContain(`data-cost-total="${expected.toFixed(6)}"`);
    // Another user's month is their own.
    const other = await json(await call(h, "GET", "/api/v1/quota", { token: admin.token }));
    expect(other.month.reasons).toEqual({ new: 0, changed: 0, requested: 0, reread: 0, unknown: 0 });
  } finally {
    await h.close();
  }
});

test("upgrade: pages read before the ledger existed are counted once each, in their month (UTC), with their reason", async () => {
  const { Database } = await import("bun:sqlite");
  const { migrate, MIGRATIONS } = await import("../../src/storage/migrations.ts");
  const db = new Database(":memory:");
  const at = MIGRATIONS.findIndex((m) => m.name.includes("one row per OCR read"));
  expect(at).toBeGreaterThan(0);
  migrate(db, MIGRATIONS.slice(0, at));
  db.run("INSERT INTO users (id, email, created_at) VALUES (1, 'old@example.com', 0)");
  const row = (page: number, done: number | null, reason: string | null) =>
    db.run(
      `INSERT INTO page_ocr (page_id, user_id, status, sha256, engine_key, done_sha256, done_engine_key, model, input_tokens, output_tokens, requested_at, done_at, updated_at, read_reason)
       VALUES (?, 1, ?, 'x', 'anthropic:claude-haiku-4-5:p1:', ?, 'anthropic:claude-haiku-4-5:p1:', 'claude-haiku-4-5-20251001', 1000, 200, 0, ?, 0, ?)`,
      [page, done === null ? "queued" : "done", done === null ? null : "x", done, reason],
    );
  row(1, Date.UTC(2026, 10, 30, 23, 0), null);
  row(2, Date.UTC(2026, 11, 1, 8, 0), "changed");
  row(3, null, null); // never read
  migrate(db);
  const rows = db.query("SELECT page_id, month, reason, model, input_tokens, output_tokens FROM ocr_reads ORDER BY page_id").all();
  expect(rows).toEqual([
    { page_id: 1, month: "2026-11", reason: null, model: "claude-haiku-4-5-20251001", input_tokens: 1000, output_tokens: 200 },
    { page_id: 2, month: "2026-12", reason: "changed", model: "claude-haiku-4-5-20251001", input_tokens: 1000, output_tokens: 200 },
  ]);
  db.close();
});
