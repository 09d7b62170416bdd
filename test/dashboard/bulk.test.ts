// Bulk actions on the library (issue 13 item 15): a CSRF-protected form the notebooks' boxes join;
// download several as one zip (PDF or .rmdoc each), OCR now, sync to Notion — with human notices
// when that cannot happen (no OCR engine, Notion not connected), never touching someone else's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { unzipSync } from "fflate";
import { inkPage } from "../ocr/support.ts";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";
import { addUser, buildDoc, harness, syncDoc, uuid, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session, type Browser } from "./support.ts";

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let A: Browser;
let one: BuiltDoc;
let two: BuiltDoc;
let same: BuiltDoc;
let bobs: BuiltDoc;
const folder = uuid();

beforeAll(async () => {
  h = await harness({});
  alice = await addUser(h, "bulk-alice@example.com");
  bob = await addUser(h, "bulk-bob@example.com");
  A = session(h, alice);
  one = buildDoc([inkPage(1)], { name: "Lab notes" });
  two = buildDoc([inkPage(2), inkPage(3)], { name: "Reading list" });
  same = buildDoc([inkPage(4)], { name: "Lab notes" }); // same name: the zip keeps both
  bobs = buildDoc([inkPage(5)], { name: "Bob private" });
  for (const d of [one, two, same]) await syncDoc(h, alice.token, d);
  await syncDoc(h, bob.token, bobs);
  await h.runner.idle();
});
afterAll(() => h.close());

const bulk = (form: Record<string, string>, b: Browser = A) => req(h, b, "POST", "/library/bulk", { form: { csrf: b.csrf, back: "/?view=list", ...form } });
const sel = (...docs: BuiltDoc[]) => Object.fromEntries(docs.map((d) => [`doc.${d.uuid}`, "on"]));

describe("the library's bulk form", () => {
  test("the library is inside #bulk-form, which carries the CSRF field and the way back; no OCR button without an engine", async () => {
    const html = await (await req(h, A, "GET", "/?view=list")).text();
    expect(html).toContain('<form id="bulk-form" method="post" action="/library/bulk">');
    // The listing (whose notebooks public/app.js gives their boxes) is inside the form.
    const start = html.indexOf('<form id="bulk-form"');
    expect(html.indexOf('<section id="library"')).toBeGreaterThan(start);
    expect(html.indexOf('<section id="library"')).toBeLessThan(html.indexOf("</form>", start));
    for (const d of [one, two, same]) expect(html.indexOf(`data-doc-uuid="${d.uuid}"`)).toBeGreaterThan(start);
    expect(html).toContain(`<input type="hidden" name="csrf" value="${A.csrf}"/>`);
    expect(html).toContain('<input type="hidden" name="back" value="/?sort=modified&view=list"/>');
    expect(html).toContain('data-action="bulk-download"');
    expect(html).toContain('data-action="bulk-notion"');
    expect(html).not.toContain('data-action="bulk-ocr"'); // no OCR engine on this server (as item 8)
  });

  test("without the CSRF token nothing happens (403)", async () => {
    const r = await req(h, A, "POST", "/library/bulk", { form: { action: "download", ...sel(one) } });
    expect(r.status).toBe(403);
  });
});

describe("download", () => {
  test("as PDF: one PDF per selected notebook in one zip; equal names kept apart", async () => {
    const r = await bulk({ action: "download", format: "pdf", ...sel(one, two, same) });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.headers.get("content-disposition")).toContain("rmirror-3-documents.zip");
    const files = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(["Lab notes (2).pdf", "Lab notes.pdf", "Reading list.pdf"]);
    for (const f of Object.values(files)) expect(new TextDecoder().decode(f.slice(0, 5))).toBe("%PDF-");
  });

  test("as .rmdoc: each notebook's archive; someone else's uuid is left out", async () => {
    const r = await bulk({ action: "download", format: "rmdoc", ...sel(two, bobs) });
    expect(r.status).toBe(200);
    const files = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.keys(files)).toEqual(["Reading list.rmdoc"]);
    const inner = unzipSync(files["Reading list.rmdoc"]!);
    expect(Object.keys(inner).filter((k) => k.endsWith(".rm")).length).toBe(2);
    // Only someone else's: nothing to download.
    expect((await bulk({ action: "download", ...sel(bobs) })).status).toBe(404);
  });

  test("nothing selected: back to the library with a hint", async () => {
    const r = await bulk({ action: "download" });
    expect(r.status).toBe(303);
    const loc = r.headers.get("location")!;
    expect(loc).toBe("/?view=list&bulk=download&problem=none_selected");
    expect(await (await req(h, A, "GET", loc)).text()).toContain("Select one or more notebooks first");
  });
});

describe("OCR now and Notion", () => {
  test("OCR without an engine, Notion not connected: human notices, nothing queued", async () => {
    const jobs = h.ctx.store.jobCountsByUser(alice.id);
    const ocr = await bulk({ action: "ocr", ...sel(one, two) });
    expect(ocr.status).toBe(303);
    expect(ocr.headers.get("location")).toContain("problem=ocr_not_configured");
    const page = await (await req(h, A, "GET", ocr.headers.get("location")!)).text();
    expect(page).toContain('data-bulk-problem="ocr_not_configured"');
    expect(page).toContain("OCR is not set up on this server");
    const notion = await bulk({ action: "notion", ...sel(one) });
    const text = await (await req(h, A, "GET", notion.headers.get("location")!)).text();
    expect(text).toContain("Notion is not connected: connect it under Settings › Notion");
    expect(h.ctx.store.jobCountsByUser(alice.id)).toEqual(jobs);
  });

  test("the way back stays on this library (an outside URL becomes /)", async () => {
    const r = await bulk({ action: "notion", back: "https://evil.example/", ...sel(one) });
    expect(r.headers.get("location")!.startsWith("/?")).toBe(true);
    const f = await bulk({ action: "notion", back: `/folders/${folder}?sort=name`, ...sel(one) });
    expect(f.headers.get("location")).toStartWith(`/folders/${folder}?sort=name&bulk=notion`);
  });

  test("another user's notebooks are never acted on", async () => {
    const r = await bulk({ action: "notion", ...sel(bobs) });
    expect(r.headers.get("location")).toContain("problem=none_selected");
  });
});

describe("OCR now with an engine", () => {
  test("queues the failed pages of every selected notebook (and only those)", async () => {
    const fake = startFakeAnthropic();
    const h2 = await harness({ overrides: { "ocr.apiKey": fake.apiKey, "ocr.baseUrl": fake.url } });
    try {
      const u = await addUser(h2, "bulk-ocr@example.com");
      const U = session(h2, u);
      // The provider refuses the first three pages (400: failed at once, with the reason).
      fake.script.push({ status: 400 }, { status: 400 }, { status: 400 });
      const a = buildDoc([inkPage(6)], { name: "First" });
      const b = buildDoc([inkPage(7), inkPage(8)], { name: "Second" });
      const c = buildDoc([inkPage(9)], { name: "Not selected" });
      for (const d of [a, b]) await syncDoc(h2, u.token, d);
      await h2.runner.idle();
      await syncDoc(h2, u.token, c);
      await h2.runner.idle();
      const status = (d: BuiltDoc) => h2.ctx.store.pagesByDocument(h2.ctx.store.documentByUuid(u.id, d.uuid)!.id).map((p) => h2.ctx.store.pageOcrByPage(p.id)!.status);
      expect([...status(a), ...status(b)]).toEqual(["failed", "failed", "failed"]);
      expect(status(c)).toEqual(["done"]);
      const html = await (await req(h2, U, "GET", "/")).text();
      expect(html).toContain('data-action="bulk-ocr"');
      const r = await req(h2, U, "POST", "/library/bulk", { form: { csrf: U.csrf, action: "ocr", back: "/", [`doc.${a.uuid}`]: "on", [`doc.${b.uuid}`]: "on" } });
      expect(r.status).toBe(303);
      const loc = r.headers.get("location")!;
      expect(loc).toBe("/?bulk=ocr&docs=2&queued=3");
      expect(await (await req(h2, U, "GET", loc)).text()).toContain("OCR queued for 3 pages in 2 notebooks.");
      await h2.runner.idle();
      expect([...status(a), ...status(b), ...status(c)]).toEqual(["done", "done", "done", "done"]);
    } finally {
      await h2.close();
      await fake.close();
    }
  });
});
