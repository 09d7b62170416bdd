// Correcting a page's OCR text in the dashboard (issue 13 item 14), end to end in-process: the
// form (CSRF like every dashboard form), the correction replacing the OCR text in search, the
// Markdown export and Notion (the loopback fake, through the real SDK), and what happens when the
// page's strokes change: the new machine text applies, both are shown, the user keeps or discards.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { inkPage } from "../ocr/support.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { buildDoc, call, json, syncDoc, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { connectedUser, notionHarness, notionPageOf, setPageText } from "../notion/support.ts";
import { req, session, XSS_SCRIPT, type Browser } from "./support.ts";

let fake: FakeNotion;
let h: Harness;
let u: TestUser;
let B: Browser;
let d: BuiltDoc;
const page = () => `/documents/${d.uuid}/pages/1`;

beforeAll(async () => {
  fake = startFakeNotion();
  h = await notionHarness(fake);
  u = await connectedUser(h, fake);
  B = session(h, u);
  d = buildDoc([null], { name: "Lunch notes" });
  await syncDoc(h, u.token, d);
  setPageText(h, u.id, d, 0, "Lunch with Qzxwv at noon"); // as the OCR worker stores it
  await h.runner.idle();
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function search(q: string, source = ""): Promise<any[]> {
  return (await json(await call(h, "GET", `/api/v1/search?q=${encodeURIComponent(q)}${source ? `&source=${source}` : ""}`, { token: u.token }))).items;
}
async function markdown(): Promise<string> {
  const res = await call(h, "GET", `/api/v1/documents/${d.uuid}/markdown`, { token: u.token });
  expect(res.status).toBe(200);
  return res.text();
}
const notionText = () => fake.tree(notionPageOf(h, u.id, d.uuid)).map((b) => b.text).join("\n");
const post = (path: string, form: Record<string, string> = {}, csrf?: string | false) => req(h, B, "POST", `${page()}${path}`, { htmx: true, form, ...(csrf !== undefined ? { csrf } : {}) });

test("the page view offers the correction form, prefilled with the OCR text; saving needs the CSRF token", async () => {
  const html = await (await req(h, B, "GET", page())).text();
  expect(html).toContain("Correct the text");
  expect(html).toMatch(/<textarea[^>]*name="text"[^>]*>Lunch with Qzxwv at noon<\/textarea>/);
  expect((await post("/correction", { text: "nope" }, false)).status).toBe(403);
  expect((await post("/correction", { text: "nope" }, "wrong")).status).toBe(403);
  expect(h.ctx.store.pageCorrection(h.ctx.store.pagesByDocument(h.ctx.store.documentByUuid(u.id, d.uuid)!.id)[0]!.id)).toBeNull();
});

test("a saved correction replaces the OCR text in the page view, search, Markdown export and Notion; hostile text stays text", async () => {
  const res = await post("/correction", { text: `Lunch with **Robert** at noon ${XSS_SCRIPT}` });
  expect(res.status).toBe(200);
  const frag = await res.text();
  expect(frag).toContain('data-corrected="1"');
  expect(frag).toContain("corrected by you");
  expect(frag).toContain("<strong>Robert</strong>");
  expect(frag).not.toContain(XSS_SCRIPT);

  expect(await search("qzxwv")).toEqual([]);
  const hits = await search("robert");
  expect(hits.map((i) => [i.document.name, i.source, i.page?.idx])).toEqual([["Lunch notes", "ocr", 0]]);
  expect(hits[0].snippet).toContain("<mark>Robert</mark>");
  expect((await search("robert", "ocr")).length).toBe(1);

  const md = await markdown();
  expect(md).toContain("Robert");
  expect(md).not.toContain("Qzxwv");

  await h.runner.idle();
  expect(notionText()).toContain("Lunch with Robert at noon");
  expect(notionText()).not.toContain("Qzxwv");
});

test("when the strokes change the new machine text applies and both are shown; keep or discard", async () => {
  // New strokes on the page (same page id), then the OCR result for them.
  const pageIds = [h.ctx.store.pagesByDocument(h.ctx.store.documentByUuid(u.id, d.uuid)!.id)[0]!.page_uuid];
  await syncDoc(h, u.token, buildDoc([inkPage(7)], { uuid: d.uuid, name: "Lunch notes", pageIds }));
  setPageText(h, u.id, d, 0, "Dinner at eight");
  await h.runner.idle();

  expect((await search("dinner")).length).toBe(1);
  expect(await search("robert")).toEqual([]);
  expect(await markdown()).toContain("Dinner at eight");
  expect(notionText()).toContain("Dinner at eight");
  let html = await (await req(h, B, "GET", page())).text();
  expect(html).toContain('id="correction-conflict"');
  expect(html).toMatch(/id="correction-old"[\s\S]*Robert[\s\S]*id="correction-new"[\s\S]*Dinner at eight/);

  // Keep: the correction applies to the new strokes.
  let res = await post("/correction/keep");
  expect(res.status).toBe(200);
  html = await res.text();
  expect(html).not.toContain('id="correction-conflict"');
  expect(html).toContain('data-corrected="1"');
  expect((await search("robert")).length).toBe(1);
  expect(await search("dinner")).toEqual([]);
  await h.runner.idle();
  expect(notionText()).toContain("Robert");

  // Discard: back to the machine text everywhere.
  res = await post("/correction/discard");
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('data-corrected="0"');
  expect(await search("robert")).toEqual([]);
  expect((await search("dinner")).length).toBe(1);
  expect(await markdown()).toContain("Dinner at eight");
  await h.runner.idle();
  expect(notionText()).toContain("Dinner at eight");
  expect(notionText()).not.toContain("Robert");
});

test("an empty correction removes it; another user cannot correct the page", async () => {
  await post("/correction", { text: "Dinner at nine" });
  expect((await search("nine")).length).toBe(1);
  await post("/correction", { text: "   " });
  expect(await search("nine")).toEqual([]);
  expect((await search("eight")).length).toBe(1);
  const other = session(h, await (await import("../support/server-harness.ts")).addUser(h, "mallory@example.com"));
  const res = await req(h, other, "POST", `${page()}/correction`, { htmx: true, form: { text: "pwned" } });
  expect(res.status).toBe(404);
  expect(await search("pwned")).toEqual([]);
});
