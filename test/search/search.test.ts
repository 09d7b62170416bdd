// Full-text search on real text: typed-text and highlight samples from the format corpus, OCR
// Markdown from the fake Messages API, document and folder names. Ranking, snippets, prefixes,
// umlauts, filters, pagination, deletion and user isolation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { pageHighlights } from "../../src/jobs/workers/extract.ts";
import { parsePage } from "../../src/rm/page.ts";
import { toMatch } from "../../src/services/library/search.ts";
import { inkPage } from "../ocr/support.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, json, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";
import { harnessWithOcrTexts, searchAs } from "./support.ts";

let h: Harness;
let alice: TestUser;
let bob: TestUser;
const folder = uuid();
const docs: Record<string, ReturnType<typeof buildDoc>> = {};
const read = (name: string) => new Uint8Array(readFileSync(sample(name)));

const OCR_TEXT: Record<number, string> = {
  1: "# Besprechung\n\n- [ ] Treffen mit Müller über die Größe der Küche\n- [x] Angebot prüfen\n\nAlgorithmus Algorithmus Algorithmus",
  2: "Notes on the algorithm for <script>alert(1)</script> parsing & rendering",
  3: "Shopping: bread, Käse, apples",
};

beforeAll(async () => {
  h = await harnessWithOcrTexts(OCR_TEXT);
  alice = await addUser(h, "alice@example.com");
  bob = await addUser(h, "bob@example.com");
  const put = await call(h, "PUT", `/api/v1/documents/${folder}`, {
    token: alice.token,
    json: { metadata: { visibleName: "Küchenplanung", type: "CollectionType", parent: "", lastModified: "1700000000000" }, pages: [], files: [] },
  });
  if (put.status !== 200) throw new Error(`folder: ${put.status} ${await put.text()}`);
  const typed = HAVE_SAMPLES ? [read("rmscene__Bold_Heading_Bullet_Normal.rm"), read("rmc__keyboard-checkboxes-and-bullets.rm")] : [];
  const hl = HAVE_SAMPLES ? [read("rmscene__Wikipedia_highlighted_p1.rm")] : [];
  docs.typed = buildDoc(typed, { name: "Typed samples" });
  docs.hl = buildDoc(hl, { name: "Wikipedia reading" });
  docs.ocr1 = buildDoc([inkPage(1)], { name: "Meeting notes", parent: folder });
  docs.ocr2 = buildDoc([inkPage(2)], { name: "Algorithm journal" });
  docs.ocr3 = buildDoc([inkPage(3)], { name: "Errands" });
  docs.ocr2.input.tags = ["work"];
  for (const k of ["typed", "hl", "ocr1", "ocr2", "ocr3"]) {
    await syncDoc(h, alice.token, docs[k]!);
    await h.runner.idle(); // one at a time: OCR answers arrive in OCR_TEXT order
  }
  await syncDoc(h, bob.token, buildDoc([], { name: "Müller Algorithmus alphabet" }));
});
afterAll(() => h.close());

const search = (user: TestUser, qs: string) => searchAs(h, user, qs);

test.if(HAVE_SAMPLES)("typed text from real pages is found, with a highlighted snippet, by word and by prefix", async () => {
  const r = await search(alice, "q=alphabet");
  expect(r.items.length).toBe(1);
  expect(r.items[0]).toMatchObject({ kind: "page", source: "typed", document: { uuid: docs.typed!.uuid, name: "Typed samples" }, page: { idx: 0 } });
  expect(r.items[0].snippet).toContain("<mark>alphabet</mark>");
  const p = await search(alice, "q=alpha");
  expect(p.items[0].snippet).toContain("<mark>alphabet</mark>");
  const two = await search(alice, "q=checkbox%20bullet");
  expect(two.items.map((i: any) => i.page.idx)).toEqual([1]);
});

test.if(HAVE_SAMPLES)("PDF highlights are searchable with their own source tag", async () => {
  const texts = pageHighlights(parsePage(read("rmscene__Wikipedia_highlighted_p1.rm"), "p.rm")).map((x) => x.text);
  const word = texts.join(" ").match(/\p{L}{6,}/u)![0];
  const r = await search(alice, `q=${encodeURIComponent(word)}&source=highlight`);
  expect(r.items.length).toBeGreaterThan(0);
  expect(r.items.every((i: any) => i.source === "highlight" && i.document.uuid === docs.hl!.uuid)).toBe(true);
});

test("umlauts and accents fold both ways; prefixes work on folded words", async () => {
  for (const q of ["Müller", "muller", "MULLER", "über", "uber", "Küche", "kuche", "grö", "Käse", "kase"]) {
    const r = await search(alice, `q=${encodeURIComponent(q)}`);
    expect(r.items.length, q).toBeGreaterThan(0);
  }
  const r = await search(alice, "q=muller");
  expect(r.items[0]).toMatchObject({ source: "ocr", document: { name: "Meeting notes" } });
  expect(r.items[0].snippet).toContain("<mark>Müller</mark>");
});

test("document and folder names are searchable; ranking puts the stronger match first", async () => {
  const f = await search(alice, "q=kuchenplan");
  expect(f.items[0]).toMatchObject({ kind: "folder", source: "name", document: { uuid: folder } });
  expect(f.items[0].snippet).toBe("<mark>Küchenplanung</mark>");
  const r = await search(alice, "q=algorithm");
  expect(r.items.length).toBe(3);
  expect(r.items[0]).toMatchObject({ kind: "document", source: "name", document: { name: "Algorithm journal" } });
  const scores = r.items.map((i: any) => i.score);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
});

test("snippets are HTML-escaped; query syntax cannot be injected", async () => {
  const r = await search(alice, "q=script");
  expect(r.items[0].snippet).toContain("&lt;<mark>script</mark>&gt;");
  expect(r.items[0].snippet).not.toContain("<script>");
  for (const q of ['"unbalanced', "a OR", "NEAR(x y)", "col:value", "*", "-x", "^start", "()"]) {
    const res = await call(h, "GET", `/api/v1/search?q=${encodeURIComponent(q)}`, { token: alice.token });
    expect(res.status, q).toBe(200);
  }
  expect(toMatch('foo" OR bar*')).toBe('"foo"* "OR"* "bar"*');
});

test("filters: folder, tag, text source, date; pagination", async () => {
  expect((await search(alice, `q=algorithmus&folder=${folder}`)).items.map((i: any) => i.document.name)).toEqual(["Meeting notes"]);
  expect((await search(alice, "q=algorithm&tag=work")).items.every((i: any) => i.document.name === "Algorithm journal")).toBe(true);
  expect((await search(alice, "q=algorithm&source=name")).items.length).toBe(1);
  expect((await search(alice, "q=algorithm&source=ocr")).items.length).toBe(2);
  expect((await search(alice, "q=algorithm&from=2024-01-01")).items.length).toBe(0); // lastModified is Nov 2023
  expect((await search(alice, "q=algorithm&to=2030-01-01")).items.length).toBe(3);
  const p1 = await search(alice, "q=algorithm&limit=2");
  expect(p1.items.length).toBe(2);
  expect(p1.nextOffset).toBe(2);
  const p2 = await search(alice, "q=algorithm&limit=2&offset=2");
  expect(p2.items.length).toBe(1);
  expect(p2.nextOffset).toBeNull();
  expect(new Set([...p1.items, ...p2.items].map((i: any) => `${i.document.uuid}:${i.source}`)).size).toBe(3);
  expect((await call(h, "GET", "/api/v1/search?q=x&source=nope", { token: alice.token })).status).toBe(400);
  expect((await call(h, "GET", "/api/v1/search?q=", { token: alice.token })).status).toBe(400);
  expect((await call(h, "GET", "/api/v1/search?q=x")).status).toBe(401);
});

test("users are isolated; deleted documents and removed pages leave the results", async () => {
  expect((await search(bob, "q=treffen")).items).toEqual([]);
  expect((await search(bob, "q=muller")).items.map((i: any) => i.source)).toEqual(["name"]);
  expect((await search(alice, "q=muller")).items.every((i: any) => i.document.name !== "Müller Algorithmus alphabet")).toBe(true);

  const d = docs.ocr3!;
  expect((await search(alice, "q=bread")).items.length).toBe(1);
  await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: alice.token, json: { ...d.input, pages: [] } });
  expect((await search(alice, "q=bread")).items.length).toBe(0);
  expect((await search(alice, "q=errands")).items.length).toBe(1);
  await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: alice.token });
  expect((await search(alice, "q=errands")).items.length).toBe(0);
});

test.if(HAVE_SAMPLES)("checkboxes in typed text and in OCR Markdown become todos, at no quota cost for typed text", async () => {
  const res = await call(h, "GET", "/api/v1/todos", { token: alice.token });
  const all = (await json(res)).items as any[];
  const typed = all.filter((t) => t.source === "typed");
  expect(typed.map((t) => [t.text, t.checked, t.page.idx, t.document.name])).toEqual([
    ["checkbox", false, 1, "Typed samples"],
    ["crossed check", true, 1, "Typed samples"],
  ]);
  expect(all.filter((t) => t.source === "ocr").map((t) => [t.text, t.checked])).toEqual([
    ["Treffen mit Müller über die Größe der Küche", false],
    ["Angebot prüfen", true],
  ]);
  const page1 = await json(await call(h, "GET", "/api/v1/todos?limit=1", { token: alice.token }));
  expect(page1.items.length).toBe(1);
  const page2 = await json(await call(h, "GET", `/api/v1/todos?limit=1&after=${page1.next}`, { token: alice.token }));
  expect(page2.items[0].id).toBeGreaterThan(page1.items[0].id);
  expect((await json(await call(h, "GET", "/api/v1/todos", { token: bob.token }))).items).toEqual([]);
  expect((await call(h, "GET", "/api/v1/todos?checked=maybe", { token: alice.token })).status).toBe(400);
});
